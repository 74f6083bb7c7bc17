"""The composition root: settings -> core (migrated) -> conversation engine -> channels."""

from __future__ import annotations

import sys
from typing import TextIO

import typer

from core import redaction
from core.app import Core
from core.config import Settings
from core.dialogue.engine import ConversationEngine
from core.persistence.migrate import upgrade_database_async


async def open_core(settings: Settings) -> Core:
    """Open the database, applying pending migrations first when `auto_migrate` is on.

    From here on no log record of the process holds a token or a password (core/redaction.py).
    """
    redaction.install(redaction.secrets_of(settings))
    if settings.auto_migrate:
        await upgrade_database_async(settings.database_url)
    return Core.open(settings)


def build_engine(core: Core) -> ConversationEngine:
    """The conversation engine with the NLU the settings ask for (Rasa if `RASA_URL`)."""
    from nlu.interpreter import interpreter_from_settings

    prepare_language_model()
    return ConversationEngine(core, interpreter_from_settings(core.settings.rasa_url))


def prepare_language_model(out: TextIO | None = None) -> None:
    """Train the built-in language model if this is its first start, saying so with a
    progress bar (it takes some seconds, once: then it loads from its cache at once)."""
    from nlu import builtin

    if not builtin.needs_training():
        return
    stream = out or sys.stderr
    seconds = builtin.training_estimate()
    stream.write(
        f"Première fois\u00a0: entraînement du modèle de langue, environ {seconds} s…\n"
        f"First start: training the language model, about {seconds} s…\n"
    )
    stream.flush()
    steps = 3  # what `nlu.builtin.train` reports: intents, categories, done
    with typer.progressbar(length=steps, label="NLU", file=stream) as bar:
        builtin.load_or_train(progress=lambda _step: bar.update(1))
    stream.write("Modèle de langue prêt. / Language model ready.\n")
    stream.flush()

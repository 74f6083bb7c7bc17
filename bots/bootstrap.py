"""The composition root: settings -> core (migrated) -> conversation engine -> channels."""

from __future__ import annotations

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

    return ConversationEngine(core, interpreter_from_settings(core.settings.rasa_url))

"""Every message reworded: a test run under it shows that nothing depends on the wording.

While it is active:
- every message the core writes to the outbox is stored under a reworded message id (its
  `key`, and the labels of its buttons), as if each English text had been rewritten in the
  code: whoever tests `key.startswith("New poll")` no longer finds it;
- the catalogs are swapped for fake ones in which every message, in English and in French, is
  reworded: what members read is no longer any sentence of the real catalogs.

A reworded text is the original's words in reverse order, line by line, between « and »;
`{placeholders}` are words, so they stay intact and are still filled in:
"New poll: {question}" becomes "«{question} poll:New»" (French: "«{question} : sondage Nouveau»").

Use, in any test (core, Telegram, Matrix):

    from tests.reworded import reworded as reworded  # the fixture

    async def test_polls_still_work_whatever_they_say(reworded: Rewording) -> None:
        ...  # the scenario, unchanged
        assert reworded.translated("fr", "Poll closed: {question}") in text_seen

or `with reworded_catalog() as rewording: ...`, or for a whole suite, as a plugin:

    python -m pytest -p tests.reworded --reword tests/telegram tests/matrix

Tests that assert on wording ("Nouvelle demande" in a text) fail under it by design: compare
with `rewording.translated(language, key)` or assert on kinds and references instead.
"""

from __future__ import annotations

import gettext
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

import core.i18n
from core.services import outbox
from core.services.outbox import Choice

LEFT, RIGHT = "«", "»"


def reword(text: str) -> str:
    """The same words in reverse order on each line, between « and » (blank text stays)."""
    if not text.strip():
        return text
    lines = [" ".join(reversed(line.split())) for line in text.split("\n")]
    return LEFT + "\n".join(lines) + RIGHT


class Rewording:
    """The active rewording: what a text becomes, and which message id a reworded one was."""

    def __init__(self) -> None:
        self.originals: dict[str, str] = {}
        self._real_translator_for = core.i18n.translator_for

    def reword(self, message_id: str) -> str:
        """A message id as it is stored while rewording (remembered, to translate it)."""
        reworded = reword(message_id)
        self.originals.setdefault(reworded, message_id)
        return reworded

    def original(self, message_id: str) -> str:
        """The message id of the code behind a stored (reworded) one."""
        return self.originals.get(message_id, message_id)

    def translated(self, language: str, message_id: str) -> str:
        """What a reader of `language` sees for `message_id` (the code's or a reworded one)."""
        real = self._real_translator_for(language)
        return reword(real.gettext(self.original(message_id)))

    def translator_for(self, language: str) -> gettext.NullTranslations:
        return _RewordedCatalog(self, language)


class _RewordedCatalog(gettext.NullTranslations):
    """A catalog in which every message is reworded (`Rewording.translated`)."""

    def __init__(self, rewording: Rewording, language: str) -> None:
        super().__init__()
        self.rewording = rewording
        self.language = language

    def gettext(self, message: str) -> str:
        return self.rewording.translated(self.language, message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return self.gettext(msgid1 if n == 1 else msgid2)


_active: Rewording | None = None


@contextmanager
def reworded_catalog() -> Iterator[Rewording]:
    """Reword every message while the block runs (re-entrant: an inner block is the same)."""
    global _active
    if _active is not None:
        yield _active
        return
    rewording = Rewording()
    real_write = outbox.write

    def write_reworded(uow: Any, key: str, *, choices: Any = (), **rest: Any) -> Any:
        """`outbox.write`, with the message id and the translated labels reworded."""
        return real_write(
            uow,
            rewording.reword(key),
            choices=[_reworded_choice(rewording, c) for c in choices],
            **rest,
        )

    core.i18n.translator_for = rewording.translator_for  # type: ignore[assignment]
    outbox.write = write_reworded  # type: ignore[assignment]
    _active = rewording
    try:
        yield rewording
    finally:
        _active = None
        outbox.write = real_write  # type: ignore[assignment]
        core.i18n.translator_for = rewording._real_translator_for  # type: ignore[assignment]


def _reworded_choice(rewording: Rewording, choice: Choice) -> Choice:
    """A button whose label is a message id gets a reworded one (a poll's answers stay)."""
    if choice.params and choice.params.get("translate") is False:
        return choice
    return Choice(rewording.reword(choice.label), choice.action, choice.params)


@pytest.fixture
def reworded() -> Iterator[Rewording]:
    """Every message reworded for the test (see the module's docstring)."""
    with reworded_catalog() as rewording:
        yield rewording


# --- as a pytest plugin: `python -m pytest -p tests.reworded --reword ...` --------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--reword",
        action="store_true",
        help="reword every message of the catalogs in every test (tests/reworded.py)",
    )


@pytest.fixture(autouse=True)
def _reword_every_test(request: pytest.FixtureRequest) -> Iterator[None]:
    """With `-p tests.reworded --reword`, every test runs with every message reworded."""
    if not request.config.getoption("--reword", default=False):
        yield
        return
    with reworded_catalog():
        yield

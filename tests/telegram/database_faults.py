"""A database that is away for a moment (a locked SQLite, PostgreSQL restarting), for tests."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError

from core.dialogue.engine import ConversationEngine


def database_away_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The engine's next transaction fails as the driver would; the ones after it work."""
    run = ConversationEngine._run
    failures = iter([True])

    async def flaky_run(self, items, *, alone):  # type: ignore[no-untyped-def]
        if next(failures, False):
            raise OperationalError("BEGIN IMMEDIATE", {}, Exception("database is locked"))
        return await run(self, items, alone=alone)

    monkeypatch.setattr(ConversationEngine, "_run", flaky_run)

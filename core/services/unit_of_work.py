"""The unit of work: one database transaction, plus the domain events it publishes.

Events are turned into outbox rows by `core.services.notifications` just before the commit, in
the same transaction as the change that caused them: a crash loses both or neither.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.domain.events import Event
from core.domain.model import AuditEntry

Clock = Callable[[], datetime]
EventHandler = Callable[["UnitOfWork", Any], Awaitable[None]]


def system_clock() -> datetime:
    return datetime.now(UTC)


class UnitOfWork:
    """`async with uow: ...; await uow.commit()` — leaving without commit rolls back."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock = system_clock,
        handlers: dict[type[Event], list[EventHandler]] | None = None,
        settings: Any = None,
    ) -> None:
        self._sessions = sessions
        self.clock = clock
        self._handlers = handlers or {}
        self.settings = settings
        self._events: list[Event] = []
        self._handled: list[Event] = []
        self.committed_events: list[Event] = []
        self._session: AsyncSession | None = None

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("use the unit of work inside `async with`")
        return self._session

    async def __aenter__(self) -> UnitOfWork:
        self._session = self._sessions()
        self._events, self._handled = [], []
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() rolls back whatever was not committed and keeps loaded objects readable.
        try:
            await self.session.close()
        finally:
            self._session = None

    def now(self) -> datetime:
        return self.clock()

    def publish(self, event: Event) -> None:
        """Record a domain event; its handlers run before the commit."""
        self._events.append(event)

    def audit(self, actor_id: int | None, action: str, subject: str, **details: Any) -> None:
        """Append one line to the audit log, in this transaction."""
        self.session.add(
            AuditEntry(
                at=self.now(), actor_id=actor_id, action=action, subject=subject, details=details
            )
        )

    async def handle_events(self) -> None:
        """Run the handlers of the events published so far: what they write (outbox rows for
        other people) joins this transaction now, before the commit."""
        while self._events:
            event = self._events.pop(0)
            for handler in self._handlers.get(type(event), []):
                await handler(self, event)
            self._handled.append(event)

    async def commit(self) -> None:
        """Run the handlers of every published event, then commit everything at once."""
        await self.handle_events()
        await self.session.commit()
        self.committed_events.extend(self._handled)
        self._handled = []

    async def rollback(self) -> None:
        self._events.clear()
        self._handled.clear()
        await self.session.rollback()

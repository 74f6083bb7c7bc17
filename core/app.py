"""The core as one object: settings, database engine, clock and event handlers, wired once."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.config import Settings
from core.domain.model import Base
from core.persistence.database import create_engine, session_factory
from core.services.notifications import HANDLERS
from core.services.unit_of_work import Clock, UnitOfWork, system_clock


@dataclass
class Core:
    """What channels, the CLI and the scheduler share; build it with `Core.open(settings)`."""

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock = field(default=system_clock)

    @classmethod
    def open(cls, settings: Settings, clock: Clock = system_clock) -> Core:
        engine = create_engine(settings.database_url)
        return cls(settings, engine, session_factory(engine), clock)

    def uow(self) -> UnitOfWork:
        """A new unit of work (one transaction) over this core's database."""
        return UnitOfWork(self.sessions, self.clock, HANDLERS, self.settings)

    async def create_schema(self) -> None:
        """Create every table directly (tests); production uses the Alembic migrations."""
        async with self.engine.begin() as connection:
            await connection.run_sync(Base.metadata.create_all)

    async def close(self) -> None:
        await self.engine.dispose()

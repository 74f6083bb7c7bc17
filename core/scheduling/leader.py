"""One active scheduler per database, several `entraide run` processes: who runs it.

On PostgreSQL the active process holds a session-level advisory lock on a dedicated connection
(autocommit: no transaction stays open). The others are standbys: they try the lock every
`scheduler_leader_retry_seconds` (5 s). If the active process dies, its connection closes and
PostgreSQL releases the lock at once (a dead machine is noticed through TCP keepalives set on
the session, in about 30 s): a standby takes over within seconds, well within a minute. The
active process checks its connection at the same rhythm and stops its scheduler as soon as the
connection (hence the lock) is lost. In the short window where two schedulers could both run,
`job_runs` still makes every piece of work happen once.

The lock is named after the database and the `?schema=` of the URL, so two cooperatives (or
two test schemas) on one server do not share it. `pg_stat_activity.application_name` of the
lock's connection says which process is active (`entraide-scheduler host=… pid=1234`);
on SQLite a marker file beside the database does (`marker.py`).

SQLite is the single-process, single-machine default: there is no lock, the one `entraide run`
process runs the scheduler. (Two processes would still not double any work, thanks to
`job_runs`, but would waste effort.)
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy import pool, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from core.persistence.database import is_sqlite
from core.scheduling import marker
from core.scheduling.scheduler import Scheduler

if TYPE_CHECKING:
    from core.app import Core

log = logging.getLogger("entraide.scheduler")

STATEMENT_TIMEOUT = 5.0
KEEPALIVES = {"tcp_keepalives_idle": "10", "tcp_keepalives_interval": "5"}
KEEPALIVES["tcp_keepalives_count"] = "3"


def lock_key(url: str) -> int:
    """A stable signed 64-bit advisory-lock key for the database and schema of `url`."""
    parsed = make_url(url)
    name = f"entraide.scheduler:{parsed.database}:{parsed.query.get('schema') or 'public'}"
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


class AdvisoryLock:
    """A PostgreSQL session advisory lock held on its own connection."""

    def __init__(self, url: str) -> None:
        self.key = lock_key(url)
        parsed = make_url(url).difference_update_query(["schema"])
        parsed = parsed.set(drivername="postgresql+asyncpg")
        self.application_name = marker.process_name()
        self._engine: AsyncEngine = create_async_engine(
            parsed,
            poolclass=pool.NullPool,
            connect_args={
                "timeout": STATEMENT_TIMEOUT,
                "server_settings": {"application_name": self.application_name, **KEEPALIVES},
            },
        )
        self._connection: AsyncConnection | None = None

    async def try_acquire(self) -> bool:
        """Take the lock if nobody holds it; never waits for it."""
        if self._connection is None:
            connection = await asyncio.wait_for(self._engine.connect(), STATEMENT_TIMEOUT)
            self._connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
        result = await asyncio.wait_for(
            self._connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}),
            STATEMENT_TIMEOUT,
        )
        return bool(result.scalar())

    async def alive(self) -> bool:
        """Whether the lock's connection (hence the lock) is still there."""
        if self._connection is None:
            return False
        try:
            await asyncio.wait_for(self._connection.execute(text("SELECT 1")), STATEMENT_TIMEOUT)
            return True
        except Exception as exc:
            log.warning("Scheduler lock connection lost: %s", str(exc).splitlines()[0])
            return False

    async def close(self) -> None:
        """Release the lock (closing the session releases it too) and the connection."""
        connection, self._connection = self._connection, None
        if connection is not None:
            # If the session is gone, the lock went with it: nothing to release.
            with contextlib.suppress(Exception):
                unlock = text("SELECT pg_advisory_unlock(:key)")
                await asyncio.wait_for(
                    connection.execute(unlock, {"key": self.key}), STATEMENT_TIMEOUT
                )
            with contextlib.suppress(Exception):
                await connection.close()
        await self._engine.dispose()


class SchedulerService:
    """Run the scheduler in this process while it is the active one, until `stop` is set."""

    def __init__(self, core: Core, on_state: Callable[[str], None] | None = None) -> None:
        self.core = core
        self.state = "starting"
        self._on_state = on_state
        self.scheduler: Scheduler | None = None

    def _set(self, state: str) -> None:
        if state != self.state:
            self.state = state
            log.info("Scheduler %s in this process (pid %s)", state, os.getpid())
            if self._on_state is not None:
                self._on_state(state)

    async def run(self, stop: asyncio.Event) -> None:
        try:
            if is_sqlite(self.core.settings.database_url):
                await self._active(stop, None)
            else:
                await self._elect(stop)
        finally:
            self._set("stopped")

    async def _elect(self, stop: asyncio.Event) -> None:
        retry = self.core.settings.scheduler_leader_retry_seconds
        while not stop.is_set():
            lock = AdvisoryLock(self.core.settings.database_url)
            try:
                acquired = await lock.try_acquire()
            except Exception as exc:
                log.warning("Cannot take the scheduler lock: %s", str(exc).splitlines()[0])
                acquired = False
            if not acquired:
                await lock.close()
                self._set("standby")
                await _wait(stop, retry)
                continue
            try:
                await self._active(stop, lock)
            except Exception:
                log.exception("The scheduler failed; trying again in %.0f s", retry)
                await _wait(stop, retry)
            finally:
                await lock.close()

    async def _active(self, stop: asyncio.Event, lock: AdvisoryLock | None) -> None:
        heartbeat = self.core.settings.scheduler_leader_retry_seconds
        self.scheduler = Scheduler(self.core)
        # SQLite has no lock to name this process: a marker beside the database does.
        mark = marker.mark_active(self.core.settings.database_url) if lock is None else None
        try:
            await self.scheduler.start()
            self._set("active")
            while not stop.is_set():
                await _wait(stop, heartbeat)
                if lock is not None and not await lock.alive():
                    break
        finally:
            await self.scheduler.stop()
            self.scheduler = None
            marker.unmark(mark)


async def _wait(event: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), seconds)

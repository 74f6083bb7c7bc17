"""APScheduler 3 on the channels' event loop, its job store in our database, kept in line with
the plan by a periodic sweep (see the package docstring for the design).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from apscheduler.job import Job
from apscheduler.schedulers import SchedulerNotRunningError
from apscheduler.schedulers.base import STATE_STOPPED
from apscheduler.triggers.date import DateTrigger
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from core.persistence.database import is_sqlite
from core.scheduling import jobs, plan, retention
from core.scheduling.store import JobStore, create_store_engine, read_only
from core.scheduling.threads import LoopExecutor, ThreadedStoreScheduler
from core.services.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from core.app import Core

log = logging.getLogger("entraide.scheduler")
T = TypeVar("T")

SWEEP_JOB_ID = "sweep"
SWEEP_FUNCTION = "core.scheduling.jobs:sweep"
# Deliberate choices, explained in the package docstring:
# - misfire_grace_time=None: a job that could not run at its time (process down, loop busy)
#   runs once as soon as the scheduler is back, however late; whether late work is still
#   worth doing is the plan's decision (a reminder after the task has begun is dropped);
# - coalesce=True: a periodic job that missed several runs (the sweep) runs once, not N times;
# - max_instances=1: one run of a given job at a time.
JOB_DEFAULTS = {"misfire_grace_time": None, "coalesce": True, "max_instances": 1}
PRUNE_EVERY = 3600.0  # seconds between two prunings of old rows (see `retention`)


@dataclass(frozen=True)
class SweepReport:
    planned: int
    added: int
    moved: int
    removed: int


class Scheduler:
    """The scheduler of one process: `await start()`, `await stop()`; one at a time."""

    def __init__(self, core: Core) -> None:
        self.core = core
        self.aps: ThreadedStoreScheduler | None = None
        self.store: JobStore | None = None
        # SQLite has one writer at a time: batches side by side would only wait on each other.
        self._sqlite = is_sqlite(core.settings.database_url)
        self.runtime = jobs.Runtime(
            core, sweep=self.sweep, consumers=1 if self._sqlite else jobs.CONCURRENCY
        )
        self._reader: AsyncEngine | None = None
        self._sweep_lock = asyncio.Lock()
        # Pruned at the first sweep, then every hour (None, not 0: the monotonic clock starts
        # near 0 when the machine boots, so 0 would skip the first prune for an hour).
        self._last_prune: float | None = None

    @property
    def running(self) -> bool:
        return self.aps is not None

    async def start(self) -> None:
        """Start APScheduler (jobs missed while down run now, once), then sweep."""
        if self.aps is not None:
            return
        settings = self.core.settings
        jobs.bind(self.runtime)
        self.store = JobStore(create_store_engine(settings.database_url))
        self.aps = ThreadedStoreScheduler(
            jobstores={"default": self.store},
            executors={"default": LoopExecutor()},
            job_defaults=JOB_DEFAULTS,
            timezone=UTC,
            event_loop=asyncio.get_running_loop(),
        )
        try:
            await self.aps.in_worker(self.aps.start)
            await self.sweep()
            await self.aps.in_worker(self._schedule_sweep, settings.scheduler_sweep_seconds)
        except BaseException:
            await self.stop()
            raise
        log.debug("Scheduler started")

    def _schedule_sweep(self, seconds: int) -> None:
        assert self.aps is not None
        self.aps.add_job(
            SWEEP_FUNCTION,
            "interval",
            seconds=seconds,
            id=SWEEP_JOB_ID,
            name=SWEEP_JOB_ID,
            replace_existing=True,
        )

    async def stop(self, timeout: float = 10.0) -> None:
        """Stop firing jobs, let running ones finish (up to `timeout`), shut APScheduler down.

        Work still running after the timeout is cancelled: its transaction rolls back, nothing
        of it is recorded, and the next sweep (here or in another process) does it again.
        """
        aps, self.aps = self.aps, None
        if aps is None:
            return
        try:
            if aps.state != STATE_STOPPED:
                aps.pause()
            await aps.drain()
            await self.runtime.drain(timeout)
            if aps.state != STATE_STOPPED:
                aps.shutdown(wait=False)
            for _ in range(100):  # AsyncIOScheduler shuts down on the next loop iteration
                if aps.state == STATE_STOPPED and aps._eventloop is None:
                    break
                await asyncio.sleep(0.01)
        except SchedulerNotRunningError:
            pass
        finally:
            await asyncio.to_thread(aps.close_worker)
            if self.store is not None:
                self.store.engine.dispose()
            if self._reader is not None:
                await self._reader.dispose()
                self._reader = None
            jobs.unbind(self.runtime)
            log.debug("Scheduler stopped")

    async def sweep(self) -> SweepReport:
        """Bring the job store in line with the plan: add what is due soon, drop what is not."""
        async with self._sweep_lock:
            aps, store = self.aps, self.store
            if aps is None or store is None:
                return SweepReport(0, 0, 0, 0)
            settings = self.core.settings
            now = self.core.clock()
            until = now + timedelta(minutes=settings.scheduler_horizon_minutes)
            # The store first, then the plan: a job that completes in between is then either
            # still running (skipped below) or done (out of the plan), never scheduled again.
            started = time.monotonic()
            scheduled, fired = await aps.in_worker(store.snapshot)
            read_store = time.monotonic()
            async with self._reading() as uow:
                works = await plan.planned(uow, settings, now=now, until=until)
            planned_at = time.monotonic()
            wanted = {w.key for w in works}
            new, moved = [], []
            for work in works:
                if self.runtime.busy(work.kind, work.args):
                    continue
                if work.key in fired and not self.runtime.failed(work.kind, work.args):
                    continue  # fired here, about to run or just done: not again
                at = scheduled.get(work.key, False)
                if at is False:
                    new.append(work)
                elif work.due_at > now and (at is None or abs(at - work.due_at.timestamp()) > 1):
                    moved.append(work)  # the task's time changed since it was scheduled
            stale = [key for key in scheduled if key != SWEEP_JOB_ID and key not in wanted]
            if stale or moved:
                await aps.in_worker(store.remove_jobs, [*stale, *(w.key for w in moved)])
            if new or moved:
                batch = [self._job(aps, w) for w in (*new, *moved)]
                await aps.in_worker(store.add_jobs, batch)
                aps.wakeup()
            if self._last_prune is None or time.monotonic() - self._last_prune > PRUNE_EVERY:
                self._last_prune = time.monotonic()
                self._spawn(self._prune(now))
            report = SweepReport(len(works), len(new), len(moved), len(stale))
            if new or moved or stale:
                log.info("Sweep: %s", report)
            log.debug(
                "Sweep took %.3f s: store %.3f s, plan %.3f s",
                time.monotonic() - started,
                read_store - started,
                planned_at - read_store,
            )
            return report

    def _reading(self) -> UnitOfWork:
        """A unit of work to read the plan in. On SQLite, on a connection of its own that reads
        a snapshot without taking the write lock (the application's transactions all take it,
        with BEGIN IMMEDIATE): planning thousands of tasks then never holds the jobs back."""
        if not self._sqlite:
            return self.core.uow()
        if self._reader is None:
            self._reader = create_async_engine(
                self.core.settings.database_url, connect_args={"timeout": 30}
            )
            event.listen(self._reader.sync_engine, "connect", read_only)
        return UnitOfWork(
            async_sessionmaker(self._reader), self.core.clock, {}, self.core.settings
        )

    @staticmethod
    def _job(aps: ThreadedStoreScheduler, work: plan.Work) -> Job:
        return Job(
            aps,
            id=work.key,
            func=work.function,
            args=work.args,
            kwargs={},
            name=work.key,
            trigger=DateTrigger(run_date=work.due_at, timezone=UTC),
            executor="default",
            next_run_time=work.due_at,
            **JOB_DEFAULTS,
        )

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` beside the sweep (it may wait for SQLite's lock); `stop` waits for it."""
        task = asyncio.get_running_loop().create_task(work)
        self.runtime.tasks.add(task)  # type: ignore[arg-type]
        task.add_done_callback(self.runtime.tasks.discard)  # type: ignore[arg-type]

    async def _prune(self, now: datetime) -> None:
        """Delete what is older than `retention_days`: job runs, receipts, delivered
        notifications, attempts, reported dead letters (see `retention`)."""
        await retention.prune(self.core, now)

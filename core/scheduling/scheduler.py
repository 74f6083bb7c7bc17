"""APScheduler 3 on the channels' event loop, its job store in our database, kept in line with
the plan by a periodic sweep (see the package docstring for the design).
"""

from __future__ import annotations

import asyncio
import logging
import pickle
import sys
import threading
import time
from collections.abc import Callable, Coroutine, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from apscheduler.executors.asyncio import AsyncIOExecutor
from apscheduler.executors.base import run_coroutine_job
from apscheduler.job import Job
from apscheduler.jobstores.base import ConflictingIdError, JobLookupError
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers import SchedulerNotRunningError
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.schedulers.base import STATE_RUNNING, STATE_STOPPED
from apscheduler.triggers.date import DateTrigger
from sqlalchemy import Engine, delete, event, select
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from core.domain.model import apscheduler_jobs
from core.persistence.database import is_sqlite
from core.persistence.migrate import migration_url
from core.scheduling import jobs, plan, retention
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


def create_store_engine(url: str) -> Engine:
    """A synchronous, pooled engine on the application's database, for APScheduler's job store.

    Same URL conversion as the migrations (`sqlite`, `postgresql+psycopg`, `?schema=`); on SQLite
    the same WAL mode and busy timeout as the application's engine.
    """
    sync_url, schema = migration_url(url)
    if sync_url.get_backend_name() == "sqlite":
        engine = create_sync_engine(sync_url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(connection: Any) -> None:
            connection.exec_driver_sql("BEGIN")

        return engine
    kwargs: dict[str, Any] = {"pool_pre_ping": True, "pool_size": 2, "max_overflow": 2}
    if schema:
        kwargs["connect_args"] = {"options": f"-c search_path={schema}"}
    return create_sync_engine(sync_url, **kwargs)


def _read_only(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA query_only=ON")
    cursor.close()


class JobStore(SQLAlchemyJobStore):
    """APScheduler's SQLAlchemy job store on our `apscheduler_jobs` table; the store writes
    nothing when a job fires.

    APScheduler deletes a one-off job from its store when it submits it. Here `remove_job` only
    hides the job from this process's reads: the row is deleted by the job itself, in the
    transaction that records its work in `job_runs` (core.scheduling.jobs). So the firing of a
    job costs the store no write (on SQLite, no wait for the lock held by running jobs), and a
    job killed before its commit is still in the store at start-up, where it fires again and
    finds its work done or not. A row of work that failed stays hidden until the sweep
    schedules it again.

    Deleting a job already gone is not an error either: during a handover two schedulers may
    both pick a due job for a moment, and the stock store's `JobLookupError` would break the
    scheduler's loop. Bulk insertion and a listing that unpickles nothing serve the sweep.

    Not thread-safe: every call comes from the scheduler's one worker thread.
    """

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine=engine)
        self.jobs_t = apscheduler_jobs  # the same columns, declared in our metadata
        self._fired: set[str] = set()

    def lookup_job(self, job_id: str) -> Job | None:
        return None if job_id in self._fired else super().lookup_job(job_id)

    def get_due_jobs(self, now: datetime) -> list[Job]:
        jobs, present = self._read(self.jobs_t.c.next_run_time <= now.timestamp())
        # Fired jobs are due until deleted: one missing here was deleted by its own transaction.
        self._fired.intersection_update(present)
        return jobs

    def _get_jobs(self, *conditions: Any) -> list[Job]:
        return self._read(*conditions)[0]

    def _read(self, *conditions: Any) -> tuple[list[Job], set[str]]:
        """The jobs not fired yet, in order (fired ones are not even unpickled), and every id."""
        query = select(self.jobs_t.c.id, self.jobs_t.c.job_state).order_by(
            self.jobs_t.c.next_run_time
        )
        if conditions:
            query = query.where(*conditions)
        jobs, present, broken = [], set(), []
        with self.engine.begin() as connection:
            for job_id, state in connection.execute(query):
                present.add(job_id)
                if job_id in self._fired:
                    continue
                try:
                    jobs.append(self._reconstitute_job(state))
                except Exception:
                    self._logger.exception('Unable to restore job "%s" -- removing it', job_id)
                    broken.append(job_id)
            if broken:
                connection.execute(delete(self.jobs_t).where(self.jobs_t.c.id.in_(broken)))
        return jobs, present

    def get_next_run_time(self) -> datetime | None:
        query = (
            select(self.jobs_t.c.next_run_time, self.jobs_t.c.id)
            .where(self.jobs_t.c.next_run_time.is_not(None))
            .order_by(self.jobs_t.c.next_run_time)
            .limit(len(self._fired) + 1)
        )
        with self.engine.begin() as connection:
            for next_run_time, job_id in connection.execute(query):
                if job_id not in self._fired:
                    return datetime.fromtimestamp(next_run_time, UTC)
        return None

    def add_job(self, job: Job) -> None:
        if job.id in self._fired:  # fired: its row may still be there, or just deleted
            self._fired.discard(job.id)
            try:
                super().update_job(job)
                return
            except JobLookupError:
                pass
        super().add_job(job)

    def remove_job(self, job_id: str) -> None:
        self._fired.add(job_id)

    def remove_all_jobs(self) -> None:
        self._fired.clear()
        super().remove_all_jobs()

    def add_jobs(self, batch: list[Job]) -> int:
        """Insert many jobs in one transaction (one by one, skipping conflicts, if one exists)."""
        for job in batch:
            if job.id in self._fired:
                self.add_job(job)
        fresh = [job for job in batch if job.id not in self._fired]
        rows = [
            {
                "id": job.id,
                "next_run_time": job.next_run_time.timestamp() if job.next_run_time else None,
                "job_state": pickle.dumps(job.__getstate__(), self.pickle_protocol),
            }
            for job in fresh
        ]
        if not rows:
            return 0
        try:
            with self.engine.begin() as connection:
                connection.execute(self.jobs_t.insert(), rows)
            return len(rows)
        except IntegrityError:
            added = 0
            for job in fresh:
                try:
                    super().add_job(job)
                    added += 1
                except ConflictingIdError:
                    pass
            return added

    def remove_jobs(self, ids: Iterable[str]) -> None:
        """Delete jobs now (the sweep's clean-up of work no longer wanted)."""
        ids = list(ids)
        with self.engine.begin() as connection:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                connection.execute(delete(self.jobs_t).where(self.jobs_t.c.id.in_(chunk)))
        self._fired.difference_update(ids)

    def scheduled(self) -> dict[str, float | None]:
        """Every job id with its next run time (a UTC timestamp), without unpickling anything."""
        return self.snapshot()[0]

    def snapshot(self) -> tuple[dict[str, float | None], set[str]]:
        """`scheduled()`, and the jobs fired by this process whose rows are not deleted yet."""
        with self.engine.begin() as connection:
            rows = connection.execute(select(self.jobs_t.c.id, self.jobs_t.c.next_run_time))
            scheduled = {row[0]: row[1] for row in rows if row[0] not in self._fired}
        return scheduled, set(self._fired)


class LoopExecutor(AsyncIOExecutor):
    """Runs the (coroutine) jobs on the scheduler's event loop, from whichever thread submits."""

    def _do_submit_job(self, job: Job, run_times: list[datetime]) -> None:
        coroutine = run_coroutine_job(job, job._jobstore_alias, run_times, self._logger.name)
        future = asyncio.run_coroutine_threadsafe(coroutine, self._eventloop)

        def done(finished: Future[Any]) -> None:
            self._pending_futures.discard(finished)
            if finished.cancelled():
                self._run_job_success(job.id, [])
                return
            try:
                events = finished.result()
            except BaseException:
                self._run_job_error(job.id, *sys.exc_info()[1:])
            else:
                self._run_job_success(job.id, events)

        future.add_done_callback(done)
        self._pending_futures.add(future)

    def shutdown(self, wait: bool = True) -> None:
        for future in list(self._pending_futures):  # cancelling runs `done`, which discards
            future.cancel()
        self._pending_futures.clear()


class ThreadedStoreScheduler(AsyncIOScheduler):
    """An `AsyncIOScheduler` whose job-store work runs in one worker thread.

    APScheduler's stores are synchronous. Run on the event loop, each read and write would stall
    every channel, and on SQLite a store write could wait for a lock held by a transaction whose
    COMMIT needs the very loop it blocks. Here the timers live on the loop, the store is read
    and written in a single worker thread, and the jobs (coroutines) run on the loop. Wake-ups
    are coalesced: adding a thousand jobs triggers one pass over the store, not a thousand.
    """

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._io = ThreadPoolExecutor(max_workers=1, thread_name_prefix="entraide-jobstore")
        self._wake_lock = threading.Lock()
        self._wake_pending = False

    def wakeup(self) -> None:  # any thread
        with self._wake_lock:
            if self._wake_pending:
                return
            self._wake_pending = True
        loop = self._eventloop
        if loop is None or loop.is_closed():
            return
        loop.call_soon_threadsafe(self._process_in_worker)

    def _process_in_worker(self) -> None:  # on the loop
        self._stop_timer()
        if self.state == STATE_STOPPED or self._eventloop is None:
            return
        future = self._eventloop.run_in_executor(self._io, self._process_now)
        future.add_done_callback(self._processed)

    def _process_now(self) -> float | None:  # in the worker thread
        with self._wake_lock:
            self._wake_pending = False
        if self.state != STATE_RUNNING:  # paused or stopped while this pass was queued
            return None
        return self._process_jobs()

    def _processed(self, future: asyncio.Future[float | None]) -> None:  # on the loop
        if future.cancelled() or self.state == STATE_STOPPED or self._eventloop is None:
            return
        try:
            wait_seconds = future.result()
        except Exception:
            log.exception("Reading the job store failed; trying again shortly")
            wait_seconds = self.jobstore_retry_interval
        self._start_timer(wait_seconds)

    async def in_worker(self, function: Callable[..., T], *args: Any) -> T:
        """Run `function(*args)` in the store's worker thread, after the pass in progress."""
        return await asyncio.get_running_loop().run_in_executor(self._io, function, *args)

    async def drain(self) -> None:
        """Wait for the pass over the store in progress, if any."""
        await self.in_worker(lambda: None)

    def close_worker(self) -> None:
        self._io.shutdown(wait=True)


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
            event.listen(self._reader.sync_engine, "connect", _read_only)
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

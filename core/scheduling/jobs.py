"""The job functions APScheduler calls, and `execute`: one piece of work, exactly once.

APScheduler stores a job as an importable reference (`core.scheduling.jobs:reminder`) and its
arguments, ids only. The functions find the running core through `bind()` (the scheduler binds
itself at start), ask the plan whether the work is still wanted, and run it in one transaction
with the `job_runs` row that records it: a second run, in this process or another, finds it
done; a crash before the commit leaves nothing done, and the sweep runs it again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from core.domain.model import JobRun, apscheduler_jobs
from core.scheduling import plan

if TYPE_CHECKING:
    from core.app import Core
    from core.services.unit_of_work import UnitOfWork

log = logging.getLogger("entraide.scheduler")

# Outcomes of `execute` besides the services' own ("done", "nothing to say"...).
ALREADY_DONE = "already done"
NOT_WANTED = "not wanted"
NOT_YET = "not yet"
FAILED = "failed"
POSTPONED = "postponed"  # the process stops: the job stays in the store for the next start
# A job may fire this much before its work's due time (clock skew between processes).
EARLY_TOLERANCE = timedelta(seconds=2)
# How many batches of work run at once (each batch is one short transaction), and their size.
CONCURRENCY = 4
BATCH = 50
# Retrying a failing piece of work: 30 s, 1 min, 2 min... at most every hour.
RETRY_FIRST, RETRY_MAX = 30.0, 3600.0


async def execute(core: Core, kind: str, args: Sequence[int]) -> str:
    """Run one piece of work if it is still wanted and not done, recording it in the same commit.

    The `job_runs` row is flushed before the work: on PostgreSQL a concurrent run of the same
    work waits on that key and then fails on it, before doing anything twice.
    """
    try:
        return (await execute_many(core, [(kind, args)], flush_first=True))[0]
    except IntegrityError:
        key = plan.key_of(kind, args)
        if key is not None and await _is_done(core, key):
            return ALREADY_DONE  # another run of the same work committed first
        raise


async def execute_many(
    core: Core, items: Sequence[tuple[str, Sequence[int]]], *, flush_first: bool = False
) -> list[str]:
    """`execute` for several pieces of work due together, in one transaction.

    Under a burst (a thousand reminders due in the same minute) a batch costs a handful of
    queries and one commit, instead of a dozen queries and a commit per piece, which keeps the
    scheduler on time. Exactly once holds the same way: every effect and its `job_runs` row
    commit together or not at all. If anything fails the caller runs the pieces one by one, so
    one bad piece delays no other.
    """
    keys = [key for kind, args in items if (key := plan.key_of(kind, args))]
    async with core.uow() as uow:
        now = uow.now()
        await _unschedule(uow, keys)
        works = await plan.current_many(uow, core.settings, items, now=now)
        done = await plan.done_keys(uow, [w.key for w in works if w is not None])
        outcomes: list[str] = []
        todo: list[tuple[int, plan.Work]] = []
        for work in works:
            if work is None:
                outcomes.append(NOT_WANTED)
            elif work.due_at > now + EARLY_TOLERANCE:
                outcomes.append(NOT_YET)
            elif work.key in done:
                outcomes.append(ALREADY_DONE)
            else:
                done.add(work.key)  # the same work twice in a batch: once
                todo.append((len(outcomes), work))
                outcomes.append("")
        if not todo:
            await uow.commit()
            return outcomes
        # Held until the commit: the session only keeps weak references to what it loaded.
        loaded = await plan.preload(uow, [work for _, work in todo])
        records = []
        for index, work in todo:
            record = JobRun(
                key=work.key, kind=work.kind, due_at=work.due_at, ran_at=now, outcome=""
            )
            uow.session.add(record)
            records.append((index, work, record))
        if flush_first:
            await uow.session.flush()
        for index, work, record in records:
            record.outcome = await plan.RULES[work.kind].perform(uow, work)
            record.ran_at = uow.now()
            outcomes[index] = record.outcome
        await uow.commit()
        del loaded
    return outcomes


async def _unschedule(uow: UnitOfWork, keys: list[str]) -> None:
    """Delete the jobs' own rows in APScheduler's store, with this transaction (see
    scheduler.JobStore); on PostgreSQL the row lock also queues a concurrent run."""
    if keys:
        await uow.session.execute(delete(apscheduler_jobs).where(apscheduler_jobs.c.id.in_(keys)))


async def _is_done(core: Core, key: str) -> bool:
    async with core.uow() as uow:
        return await uow.session.get(JobRun, key) is not None


async def run_due(core: Core, kinds: Sequence[str] = plan.KINDS) -> dict[str, int]:
    """Run, one after the other, every piece of work due at the core's clock (no APScheduler).

    What `entraide jobs run-due` and the tests with a controllable clock use; the scheduler runs
    the same `execute` from APScheduler jobs.
    """
    async with core.uow() as uow:
        now = uow.now()
        works = await plan.planned(uow, core.settings, now=now, until=now, kinds=kinds)
    counts: dict[str, int] = {}
    for work in works:
        outcome = await execute(core, work.kind, work.args)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


# A piece of work waiting for a consumer: kind, ids, and where its outcome goes.
Queued = tuple[str, tuple[int, ...], "asyncio.Future[str]"]


@dataclass
class Runtime:
    """What the job functions of this process share: the core, the queue of work, its state.

    Job functions queue their work and wait for its outcome; `consumers` tasks take what is
    queued, up to `BATCH` pieces at a time, and execute it (one transaction per batch).
    """

    core: Core
    sweep: Callable[[], Awaitable[object]] | None = None
    consumers: int = CONCURRENCY
    running: set[tuple[str, tuple[int, ...]]] = field(default_factory=set)
    # (kind, args) -> (failures so far, monotonic time before which it is not retried)
    failures: dict[tuple[str, tuple[int, ...]], tuple[int, float]] = field(default_factory=dict)
    tasks: set[asyncio.Task[object]] = field(default_factory=set)
    stopping: bool = False
    _queue: asyncio.Queue[Queued | None] | None = None
    _workers: list[asyncio.Task[None]] = field(default_factory=list)

    def busy(self, kind: str, args: tuple[int, ...]) -> bool:
        """Queued or running now, or failed recently and waiting before the next try."""
        if (kind, args) in self.running:
            return True
        failure = self.failures.get((kind, args))
        return failure is not None and time.monotonic() < failure[1]

    def failed(self, kind: str, args: tuple[int, ...]) -> bool:
        """Whether the last try of this work failed (it is tried again after a while)."""
        return (kind, args) in self.failures

    async def run(self, kind: str, args: Sequence[int]) -> str:
        """Queue one piece of work and wait for its outcome (what a job function does)."""
        ids = tuple(int(a) for a in args)
        if self.stopping:
            return POSTPONED
        if self._queue is None:
            self._queue = asyncio.Queue()
            self._workers = [asyncio.create_task(self._consume()) for _ in range(self.consumers)]
        future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self.running.add((kind, ids))
        self._queue.put_nowait((kind, ids, future))
        try:
            return await future
        except asyncio.CancelledError:
            # Stopping: the job's row is still in the store; it fires again at the next start.
            return POSTPONED
        finally:
            self.running.discard((kind, ids))

    async def _consume(self) -> None:
        assert self._queue is not None
        while True:
            first = await self._queue.get()
            if first is None:  # `drain`: time to go
                return
            batch = [first]
            while len(batch) < BATCH and not self._queue.empty():
                item = self._queue.get_nowait()
                if item is None:
                    self._queue.put_nowait(None)  # for the next round: this one ends the batch
                    break
                batch.append(item)
            if self.stopping:
                for _, _, future in batch:
                    if not future.done():
                        future.set_result(POSTPONED)
                continue
            await self._execute([item for item in batch if not item[2].done()])

    async def _execute(
        self, batch: list[tuple[str, tuple[int, ...], asyncio.Future[str]]]
    ) -> None:
        if len(batch) > 1:
            try:
                outcomes = await execute_many(self.core, [(k, a) for k, a, _ in batch])
            except Exception as exc:
                log.info("A batch of %d failed (%s: %s); one by one", len(batch), *_why(exc))
            else:
                for (kind, ids, future), outcome in zip(batch, outcomes, strict=True):
                    self.failures.pop((kind, ids), None)
                    if not future.done():
                        future.set_result(outcome)
                return
        for kind, ids, future in batch:
            outcome = await self._execute_one(kind, ids)
            if not future.done():
                future.set_result(outcome)

    async def _execute_one(self, kind: str, ids: tuple[int, ...]) -> str:
        try:
            outcome = await execute(self.core, kind, ids)
        except Exception as exc:
            count = self.failures.get((kind, ids), (0, 0.0))[0] + 1
            delay = min(RETRY_MAX, RETRY_FIRST * 2 ** (count - 1))
            self.failures[(kind, ids)] = (count, time.monotonic() + delay)
            log.warning("%s %s failed (%s: %s); retry in %.0f s", kind, ids, *_why(exc), delay)
            return FAILED
        self.failures.pop((kind, ids), None)
        return outcome

    async def drain(self, timeout: float) -> None:
        """Stop taking work: finish the batches in progress (up to `timeout`), postpone the rest
        (their jobs are still in the store: they fire again at the next start)."""
        self.stopping = True
        if self._queue is not None:
            while not self._queue.empty():
                item = self._queue.get_nowait()
                if item is not None and not item[2].done():
                    item[2].set_result(POSTPONED)
            for _ in self._workers:
                self._queue.put_nowait(None)
        waiting = [t for t in (*self._workers, *self.tasks) if not t.done()]
        if waiting:
            _, late = await asyncio.wait(waiting, timeout=timeout)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        self._workers.clear()


def _why(exc: BaseException) -> tuple[str, str]:
    return type(exc).__name__, str(exc).splitlines()[0] if str(exc) else ""


_runtime: Runtime | None = None


def bind(runtime: Runtime) -> None:
    """Make `runtime` the one the job functions of this process use."""
    global _runtime
    if _runtime is not None and _runtime is not runtime:
        raise RuntimeError("a scheduler is already running in this process")
    _runtime = runtime


def unbind(runtime: Runtime) -> None:
    global _runtime
    if _runtime is runtime:
        _runtime = None


def bound() -> Runtime:
    if _runtime is None:
        raise RuntimeError("no scheduler is running in this process")
    return _runtime


# --- the job functions (what APScheduler stores: these references and ids) -------------------


async def reminder(request_id: int, assignment_id: int, hours: int) -> str:
    return await bound().run("reminder", (request_id, assignment_id, hours))


async def escalation(request_id: int, level: int, opening: int) -> str:
    return await bound().run("escalation", (request_id, level, opening))


async def expiry(request_id: int) -> str:
    return await bound().run("expiry", (request_id,))


async def follow_up(request_id: int, assignment_id: int) -> str:
    return await bound().run("follow-up", (request_id, assignment_id))


async def poll_reminder(poll_id: int) -> str:
    return await bound().run("poll-reminder", (poll_id,))


async def poll_close(poll_id: int) -> str:
    return await bound().run("poll-close", (poll_id,))


async def digest(member_id: int, year: int, week: int) -> str:
    return await bound().run("digest", (member_id, year, week))


async def recurring(recurring_id: int, day_ordinal: int) -> str:
    return await bound().run("recurring", (recurring_id, day_ordinal))


async def alert_resend(alert_id: int, round_: int) -> str:
    return await bound().run("alert-resend", (alert_id, round_))


async def loneliness_offer(member_id: int, after: int, day_ordinal: int) -> str:
    return await bound().run("loneliness-offer", (member_id, after, day_ordinal))


async def sweep() -> None:
    """The periodic job: bring the job store in line with what the database says is due."""
    runtime = bound()
    task = asyncio.current_task()
    if task is not None:
        runtime.tasks.add(task)
    try:
        if runtime.sweep is not None:
            await runtime.sweep()
    finally:
        if task is not None:
            runtime.tasks.discard(task)

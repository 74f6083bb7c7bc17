"""APScheduler 3 on the channels' event loop: the store is read in a worker thread, the jobs run
on the loop (see the package docstring for the design)."""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from typing import Any, TypeVar

from apscheduler.executors.asyncio import AsyncIOExecutor
from apscheduler.executors.base import run_coroutine_job
from apscheduler.job import Job
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.schedulers.base import STATE_RUNNING, STATE_STOPPED

log = logging.getLogger("entraide.scheduler")
T = TypeVar("T")


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

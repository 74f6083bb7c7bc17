"""Real `entraide run` processes: SIGKILL while jobs fire loses and doubles nothing; two
processes on one PostgreSQL run each job once, and killing the active one hands over.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO

import pytest
from sqlalchemy import text

from core.app import Core
from core.persistence.migrate import upgrade_database
from core.scheduling.leader import lock_key
from tests.conftest import Cooperative, make_settings, postgres_schema
from tests.integration._scheduling import reminder_counts, runs, seed_accepted

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


class Run:
    """One `entraide run` process (no terminal: the scheduler alone), its stderr in a file."""

    def __init__(self, url: str, log: Path) -> None:
        env = {
            **os.environ,
            "ENTRAIDE_DATABASE_URL": url,
            "ENTRAIDE_CONFIG_FILE": str(log.parent / "absent.toml"),
            "ENTRAIDE_REMINDER_HOURS": "[1]",
            "ENTRAIDE_SCHEDULER_SWEEP_SECONDS": "1",
            "ENTRAIDE_SCHEDULER_LEADER_RETRY_SECONDS": "1",
        }
        self.log = log
        self._stderr: IO[bytes] = log.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bots.cli", "run"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._stderr,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def said(self, words: str) -> bool:
        return words in self.log.read_text(errors="replace")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)
        self._stderr.close()

    def stop(self) -> int:
        """SIGTERM, as systemd does: the process finishes what runs and exits 0."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(30)
        self._stderr.close()
        return code


async def until(condition, timeout: float, what: str) -> float:  # type: ignore[no-untyped-def]
    """Wait for `condition()` (sync or async); return how long it took."""
    started = time.monotonic()
    while True:
        result = condition()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return time.monotonic() - started
        if time.monotonic() - started > timeout:
            raise AssertionError(f"{what}: still not the case after {timeout} s")
        await asyncio.sleep(0.2)


async def seed(url: str, count: int, *, in_seconds: float, over: float) -> Core:
    upgrade_database(url)
    core = Core.open(make_settings(url))
    coop = await Cooperative(core).setup()
    start = datetime.now(UTC) + timedelta(hours=1, seconds=in_seconds)
    await seed_accepted(core, coop, count, first_start=start, spread=timedelta(seconds=over))
    return core


async def assert_each_once(core: Core, count: int) -> None:
    done = await runs(core)
    assert len(done) == count and set(done.values()) == {"done"}
    counts = await reminder_counts(core)
    assert len(counts) == 2 * count, "a reminder was lost"
    assert set(counts.values()) == {1}, "a reminder was sent twice"


async def test_sigkill_while_jobs_fire_loses_nothing_and_doubles_nothing(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'entraide.sqlite3'}"
    count = 300
    core = await seed(url, count, in_seconds=4, over=5)
    first = Run(url, tmp_path / "first.log")
    try:
        await until(lambda: first.said("Scheduler active"), 30, "the first process starts")

        async def some_fired() -> bool:
            return len(await runs(core)) >= 40

        await until(some_fired, 30, "reminders fire")
    finally:
        first.kill()  # in the middle of the stream of reminders
    killed_at = len(await runs(core))
    assert 0 < killed_at < count

    second = Run(url, tmp_path / "second.log")
    try:

        async def all_fired() -> bool:
            return len(await runs(core)) == count

        await until(all_fired, 90, "every reminder fires after the restart")
    finally:
        assert second.stop() == 0
    await assert_each_once(core, count)
    await core.close()


async def active_pid(core: Core) -> int | None:
    """The pid of the process holding the scheduler lock (from its application_name)."""
    key = lock_key(core.settings.database_url) & 0xFFFFFFFFFFFFFFFF
    async with core.uow() as uow:
        name = (
            await uow.session.execute(
                text(
                    "SELECT a.application_name FROM pg_locks l "
                    "JOIN pg_stat_activity a ON a.pid = l.pid "
                    "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
                    "AND l.classid::bigint = :high AND l.objid::bigint = :low"
                ),
                {"high": key >> 32, "low": key & 0xFFFFFFFF},
            )
        ).scalar_one_or_none()
    return int(name.rsplit("=", 1)[1]) if name else None


@pytest.mark.postgres
async def test_two_processes_on_postgresql_run_each_job_once_and_hand_over(
    tmp_path: Path,
) -> None:
    count = 200
    async with postgres_schema() as url:
        core = await seed(url, count, in_seconds=6, over=8)
        first = Run(url, tmp_path / "first.log")
        second: Run | None = None
        try:

            async def first_is_active() -> bool:
                return await active_pid(core) == first.pid

            await until(first_is_active, 30, "the first process takes the lock")
            second = Run(url, tmp_path / "second.log")
            await until(lambda: second.said("Scheduler standby"), 30, "the second waits")

            async def some_fired() -> bool:
                return len(await runs(core)) >= 30

            await until(some_fired, 30, "reminders fire")
            assert not second.said("Scheduler active")
            first.kill()

            async def second_is_active() -> bool:
                return await active_pid(core) == second.pid  # type: ignore[union-attr]

            handover = await until(second_is_active, 60, "the second process takes over")
            assert handover < 60

            async def all_fired() -> bool:
                return len(await runs(core)) == count

            await until(all_fired, 90, "every reminder fires")
        finally:
            if first.process.poll() is None:
                first.kill()
            if second is not None:
                assert second.stop() == 0
        await assert_each_once(core, count)
        await core.close()

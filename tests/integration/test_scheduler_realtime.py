"""The scheduler in real time: APScheduler fires the jobs of the plan on time, and a restart
(stop, start again) fires every one of 1 000 reminders exactly once.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.app import Core
from core.domain.model import JobRun, apscheduler_jobs
from core.persistence.migrate import upgrade_database
from core.scheduling import Scheduler
from core.scheduling.scheduler import SWEEP_JOB_ID
from core.services import requests
from tests.conftest import Cooperative, make_settings
from tests.integration._scheduling import reminder_counts, runs, seed_accepted, sent


def open_core(url: str, **settings: object) -> Core:
    base = make_settings(url).model_copy(
        update={"reminder_hours": [1], "scheduler_sweep_seconds": 1, **settings}
    )
    return Core.open(base)


@pytest.fixture
async def url(tmp_path: Path) -> AsyncIterator[str]:
    database = f"sqlite+aiosqlite:///{tmp_path / 'entraide.sqlite3'}"
    upgrade_database(database)
    yield database


async def wait_for(condition, timeout: float, every: float = 0.1) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not await condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still not true after {timeout} s")
        await asyncio.sleep(every)


async def lateness(core: Core) -> list[float]:
    async with core.uow() as uow:
        rows = await uow.session.execute(select(JobRun.ran_at, JobRun.due_at))
        return sorted((ran - due).total_seconds() for ran, due in rows.all())


async def stored(core: Core) -> set[str]:
    async with core.uow() as uow:
        rows = await uow.session.execute(select(apscheduler_jobs.c.id))
        return set(rows.scalars()) - {SWEEP_JOB_ID}


async def test_reminders_fire_on_time_including_one_for_a_task_accepted_while_running(
    url: str,
) -> None:
    core = open_core(url)
    coop = await Cooperative(core).setup()
    now = datetime.now(UTC)
    await seed_accepted(
        core,
        coop,
        3,
        first_start=now + timedelta(hours=1, seconds=1.5),
        spread=timedelta(seconds=2),
    )
    scheduler = Scheduler(core)
    await scheduler.start()
    try:
        assert len(await stored(core)) == 3  # the start-up sweep put the plan in the job store
        # A task accepted now, through the services, in "another" part of the program.
        async with core.uow() as uow:
            request = await requests.post_request(
                uow,
                coop.alice,
                category="transport",
                when_start=datetime.now(UTC) + timedelta(hours=1, seconds=3),
            )
            await uow.commit()
        async with core.uow() as uow:
            await requests.accept(uow, coop.carol, request.id)
            await uow.commit()

        async def all_four() -> bool:
            return len(await runs(core)) == 4

        await wait_for(all_four, timeout=15)
        late = await lateness(core)
        assert len(await sent(core, member_id=coop.carol, startswith="Reminder:")) == 1
    finally:
        await scheduler.stop()
        await core.close()
    assert all(value >= 0 for value in late), late  # never early
    assert max(late[:3]) < 1.5, late  # the three planned in advance: on time
    assert max(late) < 2.5, late  # the late-comer: found by the sweep (every second)


async def test_1000_reminders_survive_a_restart_and_each_fires_once(url: str) -> None:
    core = open_core(url)
    coop = await Cooperative(core).setup()
    count = 1000
    start = datetime.now(UTC) + timedelta(hours=1, seconds=2)
    # Spread wide enough that a loaded machine still stops the first scheduler mid-way.
    await seed_accepted(core, coop, count, first_start=start, spread=timedelta(seconds=8))

    first = Scheduler(core)
    try:
        await first.start()
        # Every reminder is planned: waiting in the job store, or already done if the machine
        # was slow enough for the first ones to come due during the start-up.
        assert len(await stored(core) | set(await runs(core))) == count

        async def a_quarter_fired() -> bool:
            return len(await runs(core)) >= count // 4

        # Waiting on what has fired, not on the clock: a slow start-up cannot leave the first
        # scheduler running until every reminder is done.
        await wait_for(a_quarter_fired, timeout=15)
        await first.stop()
        done_before = set(await runs(core))
        left = await stored(core)
        assert len(done_before) < count, "every reminder fired before the stop"
        assert left and not left & done_before  # the rest is waiting in the job store
    finally:
        await first.stop()
        await core.close()

    await asyncio.sleep(1.5)  # down while more become due: they fire at start-up, once
    core = open_core(url)
    second = Scheduler(core)
    await second.start()
    try:

        async def all_done() -> bool:
            return len(await runs(core)) == count

        await wait_for(all_done, timeout=60, every=0.5)
        await second.stop()
        counts = await reminder_counts(core)
        assert len(counts) == 2 * count  # the volunteer's and the requester's, for each task
        assert set(counts.values()) == {1}
        assert set((await runs(core)).values()) == {"done"}
        assert await stored(core) == set()
    finally:
        await second.stop()
        await core.close()


async def test_a_stopped_scheduler_leaves_its_jobs_for_the_next_one(url: str) -> None:
    core = open_core(url)
    coop = await Cooperative(core).setup()
    await seed_accepted(
        core,
        coop,
        5,
        first_start=datetime.now(UTC) + timedelta(hours=1, minutes=10),
        spread=timedelta(minutes=20),
    )
    scheduler = Scheduler(
        core,
    )
    await scheduler.start()
    await scheduler.stop()
    async with core.uow() as uow:
        rows = await uow.session.execute(select(func.count()).select_from(apscheduler_jobs))
        assert rows.scalar_one() == 6  # five reminders and the sweep
    await core.close()


async def test_the_sweep_forgets_work_done_long_ago(url: str) -> None:
    core = open_core(url)
    long_ago = datetime.now(UTC) - timedelta(days=91)
    async with core.uow() as uow:
        for key, at in (("expiry:request:1", long_ago), ("expiry:request:2", datetime.now(UTC))):
            uow.session.add(JobRun(key=key, kind="expiry", due_at=at, ran_at=at, outcome="done"))
        await uow.commit()
    scheduler = Scheduler(core)
    await scheduler.start()
    try:

        async def pruned() -> bool:
            return list(await runs(core)) == ["expiry:request:2"]

        await wait_for(pruned, timeout=5)
    finally:
        await scheduler.stop()
        await core.close()

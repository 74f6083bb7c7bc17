"""Finding 7 (retention): what the bot no longer needs is deleted after `retention_days`.

Every message wrote a receipt and a notification (a contact card holds a phone and an
address) that were kept forever. The scheduler's sweep now deletes, in bounded batches,
receipts, delivered or set-aside notifications, job runs, attempts and reported dead letters
older than `retention_days` (30 by default); what is still to be delivered or reported stays.
"""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from core.app import Core
from core.domain.model import (
    Attempt,
    DeadLetter,
    InboundReceipt,
    JobRun,
    Notification,
)
from core.persistence.migrate import upgrade_database
from core.scheduling import Scheduler, planned
from core.scheduling.retention import prune
from core.services import requests
from tests.conftest import NOW, Cooperative, FrozenClock, make_settings

OLD = NOW - timedelta(days=31)
RECENT = NOW - timedelta(days=29)


async def _seed(core: Core, member_id: int) -> None:
    """For each kind of row: one too old, one recent; and old rows that must stay."""
    async with core.uow() as uow:
        add = uow.session.add
        for label, at in (("old", OLD), ("recent", RECENT)):
            add(InboundReceipt(platform="telegram", message_ref=f"update:{label}", received_at=at))
            add(JobRun(key=f"expiry:{label}", kind="expiry", due_at=at, ran_at=at, outcome="done"))
            add(Attempt(kind="link-code", subject=f"account:{label}", at=at))
            add(
                DeadLetter(
                    source="telegram", ref=f"reported-{label}", created_at=at, reported_at=at
                )
            )
            card = f"Contact {label}: 06 12 34 56 78, 3 rue des Pêcheurs"
            add(Notification(created_at=at, member_id=member_id, key=card, sent_at=at))
            add(
                Notification(
                    created_at=at, member_id=member_id, key=f"aside {label}", set_aside_at=at
                )
            )
        # Old, but not done with: never delivered, never reported.
        add(Notification(created_at=OLD, member_id=member_id, key="still to deliver"))
        add(DeadLetter(source="matrix", ref="unreported", created_at=OLD))
        await uow.commit()


async def _left(core: Core) -> dict[str, set[str]]:
    async with core.uow() as uow:
        get = uow.session.scalars
        return {
            "receipts": set(await get(select(InboundReceipt.message_ref))),
            "runs": set(await get(select(JobRun.key))),
            "attempts": set(await get(select(Attempt.subject))),
            "dead letters": set(await get(select(DeadLetter.ref))),
            "notifications": set(await get(select(Notification.key))),
        }


async def test_rows_older_than_the_retention_period_are_deleted_and_the_rest_kept(
    coop: Cooperative,
) -> None:
    await _seed(coop.core, coop.alice)
    await prune(coop.core, NOW)
    left = await _left(coop.core)
    assert left["receipts"] == {"update:recent"}
    assert left["runs"] == {"expiry:recent"}
    assert left["attempts"] == {"account:recent"}
    assert left["dead letters"] == {"reported-recent", "unreported"}
    assert {key for key in left["notifications"] if "old" in key} == set()
    assert {
        "Contact recent: 06 12 34 56 78, 3 rue des Pêcheurs",
        "aside recent",
        "still to deliver",
    } <= left["notifications"]


async def test_a_long_backlog_is_deleted_in_bounded_batches(coop: Cooperative) -> None:
    async with coop.core.uow() as uow:
        for n in range(1_200):
            uow.session.add(
                InboundReceipt(platform="matrix", message_ref=f"$event{n}", received_at=OLD)
            )
        await uow.commit()
    first = await prune(coop.core, NOW, batch=500, max_batches=1)
    assert first["inbound_receipts"] == 500  # one transaction of at most `batch` rows
    await prune(coop.core, NOW, batch=500)
    async with coop.core.uow() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(InboundReceipt)) == 0


async def test_work_due_before_the_retention_period_is_not_done_again(
    coop: Cooperative, clock: FrozenClock
) -> None:
    # A request posted 40 days ago for a day still to come: its escalation ran back then, and
    # the record of it is gone now. The plan must not want that escalation again.
    clock.now = NOW - timedelta(days=40)
    async with coop.core.uow() as uow:
        request = await requests.post_request(
            uow, coop.alice, category="shopping", when_start=NOW + timedelta(days=10)
        )
        await uow.commit()
    clock.now = NOW
    await prune(coop.core, NOW)
    async with coop.core.uow() as uow:
        works = await planned(uow, coop.core.settings, now=NOW, until=NOW + timedelta(hours=1))
    assert [w.key for w in works if f"request:{request.id}" in w.key] == []


async def test_the_scheduler_sweep_prunes_at_start_up(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'entraide.sqlite3'}"
    upgrade_database(url)
    core = Core.open(make_settings(url), FrozenClock())
    coop = await Cooperative(core).setup()
    await _seed(core, coop.alice)
    scheduler = Scheduler(core)
    await scheduler.start()
    try:
        deadline = time.monotonic() + 10
        while (await _left(core))["receipts"] != {"update:recent"}:
            assert time.monotonic() < deadline, "the sweep did not prune"
            await asyncio.sleep(0.1)
    finally:
        await scheduler.stop()
        await core.close()


def test_the_retention_period_is_30_days_by_default() -> None:
    assert make_settings("sqlite+aiosqlite://").retention_days == 30

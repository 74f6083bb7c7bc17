"""Data minimisation: rows the bot no longer needs are deleted after `retention_days`.

Run by the scheduler's sweep (once an hour, see `Scheduler.sweep`). What goes, once older
than the period:
- inbound receipts (they only keep a redelivered message from being handled twice, and no
  platform redelivers a month later);
- notifications delivered (`sent_at`) or set aside (`set_aside_at`): their text may hold a
  phone number and an address; those still to deliver stay, whatever their age;
- job runs (the plan never wants work due that long ago, see `plan.Escalation`);
- attempts (rate limits look back minutes, not weeks);
- dead letters already reported; those not reported yet stay until someone is told;
- the web console's login links (hashes), expired long ago;
- the messages kept for review (`nlu_reviews`, anonymised), whether reviewed or not: what a
  coordinator labelled is in `nlu/data/<lang>/reviewed.yml` by then, the rest is forgotten.

And, after a day rather than the period: the running total of a loneliness check left
unfinished in a conversation (`loneliness.drop_unfinished`): answers are never kept with anyone.

Each table is emptied in transactions of at most `batch` rows, so that SQLite's single writer
is never held for long, and at most `max_batches` per table and run (the rest goes next run).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, delete, or_, select, tuple_

from core.domain.model import (
    Attempt,
    DeadLetter,
    InboundReceipt,
    JobRun,
    Notification,
    ReviewItem,
    WebLogin,
)
from core.services import loneliness

if TYPE_CHECKING:
    from core.app import Core

log = logging.getLogger(__name__)

BATCH = 500
MAX_BATCHES = 200


def _expired(cutoff: datetime) -> list[tuple[str, Any, Any]]:
    """(table, primary key columns, condition of the rows to delete) for each table."""
    return [
        (
            "inbound_receipts",
            (InboundReceipt.platform, InboundReceipt.message_ref),
            InboundReceipt.received_at < cutoff,
        ),
        (
            "notifications",
            (Notification.id,),
            or_(Notification.sent_at < cutoff, Notification.set_aside_at < cutoff),
        ),
        ("job_runs", (JobRun.key,), JobRun.ran_at < cutoff),
        ("attempts", (Attempt.id,), Attempt.at < cutoff),
        ("web_logins", (WebLogin.token_hash,), WebLogin.expires_at < cutoff),
        ("nlu_reviews", (ReviewItem.id,), ReviewItem.created_at < cutoff),
        (
            "dead_letters",
            (DeadLetter.id,),
            and_(DeadLetter.reported_at.is_not(None), DeadLetter.created_at < cutoff),
        ),
    ]


async def prune(
    core: Core, now: datetime, *, batch: int = BATCH, max_batches: int = MAX_BATCHES
) -> dict[str, int]:
    """Delete what is older than the retention period; return how many rows, per table."""
    cutoff = now - timedelta(days=core.settings.retention_days)
    deleted: dict[str, int] = {}
    for table, key, condition in _expired(cutoff):
        deleted[table] = 0
        for _ in range(max_batches):
            async with core.uow() as uow:
                found = await uow.session.execute(select(*key).where(condition).limit(batch))
                rows = [tuple(row) for row in found]
                if rows:
                    single = len(key) == 1
                    column = key[0] if single else tuple_(*key)
                    values = [row[0] for row in rows] if single else rows
                    await uow.session.execute(
                        delete(key[0].class_)
                        .where(column.in_(values))
                        .execution_options(synchronize_session=False)
                    )
                    await uow.commit()
            deleted[table] += len(rows)
            if len(rows) < batch:
                break
    async with core.uow() as uow:
        deleted["loneliness_unfinished"] = await loneliness.drop_unfinished(uow)
        await uow.commit()
    if any(deleted.values()):
        log.info("Retention (%d days): deleted %s", core.settings.retention_days, deleted)
    return deleted

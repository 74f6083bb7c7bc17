"""What the scheduler has to do, derived from the database alone.

Each kind of work is a `Rule`: a query for the facts it depends on (light column queries, so a
sweep over 10 000 requests stays cheap) and a pure function from one row of facts to the pieces
of `Work` it implies, with their due time, their key and how long they remain worth doing.
The same rule answers both questions the scheduler asks:

- `planned(...)`: everything due before a horizon and not done yet (the sweep);
- `current(...)`: is this piece of work (a job that fires) still wanted now, and what is its key?

Keys name the effect, so that the `job_runs` table can make it happen once: a reminder is per
assignment (a new volunteer gets their own), an escalation per opening of the request (a request
reopened by a withdrawal escalates again), a digest per ISO week, an alert's resending per round.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select

from core.config import Settings
from core.domain.model import JobRun
from core.scheduling.alert_rules import AlertResend
from core.scheduling.calendar_rules import (
    Digest,
    PollClose,
    PollReminder,
    Recurring,
    digest_instant,
)
from core.scheduling.loneliness_rules import LonelinessOffer
from core.scheduling.request_rules import Escalation, Expiry, FollowUp, Reminders, escalation_times
from core.scheduling.work import LOOKAHEAD, Context, Rule, Work, wall_clock_before
from core.services.unit_of_work import UnitOfWork

__all__ = [
    "KINDS",
    "RULES",
    "Work",
    "current",
    "current_many",
    "digest_instant",
    "done_keys",
    "escalation_times",
    "key_of",
    "planned",
    "preload",
    "wall_clock_before",
]


RULES: dict[str, Rule] = {
    rule.kind: rule
    for rule in (
        Reminders(),
        Escalation(),
        Expiry(),
        FollowUp(),
        PollReminder(),
        PollClose(),
        Digest(),
        Recurring(),
        AlertResend(),
        LonelinessOffer(),
    )
}
KINDS = tuple(RULES)


def key_of(kind: str, args: Sequence[int]) -> str | None:
    """The key of the work a job names, or None if the job names no work we know."""
    rule = RULES.get(kind)
    try:
        return rule.key(tuple(int(a) for a in args)) if rule is not None else None
    except (TypeError, ValueError, OverflowError):
        return None


async def done_keys(uow: UnitOfWork, keys: Sequence[str]) -> set[str]:
    """The keys among `keys` whose work is recorded as done."""
    found: set[str] = set()
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        rows = await uow.session.execute(select(JobRun.key).where(JobRun.key.in_(chunk)))
        found.update(rows.scalars())
    return found


async def planned(
    uow: UnitOfWork,
    settings: Settings,
    *,
    now: datetime,
    until: datetime,
    kinds: Iterable[str] = KINDS,
) -> list[Work]:
    """Every piece of work due by `until`, still worth doing at `now` and not done yet."""
    ctx = Context(settings, now)
    works: list[Work] = []
    for kind in kinds:
        rule = RULES[kind]
        for row in await rule.rows(uow, ctx, until, None):
            works.extend(w for w in rule.works(row, ctx, until) if w.due_at <= until)
    done = await done_keys(uow, [w.key for w in works])
    return sorted((w for w in works if w.key not in done), key=lambda w: (w.due_at, w.key))


async def current_many(
    uow: UnitOfWork,
    settings: Settings,
    items: Sequence[tuple[str, Sequence[int]]],
    *,
    now: datetime,
) -> list[Work | None]:
    """For each job (kind, ids), the work it names if still wanted now (done or not), or None.

    One query per kind of work, whatever the number of jobs.
    """
    ctx = Context(settings, now)
    found: list[Work | None] = [None] * len(items)
    wanted: dict[str, dict[tuple[int, ...], list[int]]] = {}
    for index, (kind, args) in enumerate(items):
        key = key_of(kind, args)
        if key is not None and args:
            ids = tuple(int(a) for a in args)
            wanted.setdefault(kind, {}).setdefault(ids, []).append(index)
    for kind, by_args in wanted.items():
        rule = RULES[kind]
        entities = sorted({args[0] for args in by_args})
        for row in await rule.rows(uow, ctx, None, entities):
            for work in rule.works(row, ctx, now + LOOKAHEAD):
                for index in by_args.get(work.args, ()):
                    found[index] = work
    return found


async def current(
    uow: UnitOfWork, settings: Settings, kind: str, args: Sequence[int], *, now: datetime
) -> Work | None:
    """The work a job names, if it is still wanted now (done or not); None otherwise."""
    return (await current_many(uow, settings, [(kind, args)], now=now))[0]


async def preload(uow: UnitOfWork, works: Sequence[Work]) -> list[Any]:
    """Load what performing `works` will read, a few queries per kind (see `Rule.preload`)."""
    by_kind: dict[str, list[Work]] = {}
    for work in works:
        by_kind.setdefault(work.kind, []).append(work)
    loaded: list[Any] = []
    for kind, group in by_kind.items():
        loaded += await RULES[kind].preload(uow, group)
    return loaded

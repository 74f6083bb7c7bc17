"""Rules about help requests: reminders, escalations, expiry and the follow-up after a task."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, select

from core.domain.model import (
    Assignment,
    HelpRequest,
    Territory,
)
from core.domain.vocabulary import RequestState
from core.scheduling.work import FOLLOW_UP_WINDOW, Context, RequestRule, Work, wall_clock_before
from core.services import timed
from core.services.requests import PAST_TOLERANCE
from core.services.unit_of_work import UnitOfWork


class Reminders(RequestRule):
    """Remind volunteer and requester `reminder_hours` before an accepted task."""

    kind, function = "reminder", "reminder"

    async def rows(
        self, uow: UnitOfWork, ctx: Context, until: datetime | None, ids: Sequence[int] | None
    ) -> Iterable[Any]:
        query = (
            select(
                HelpRequest.id,
                HelpRequest.when_start,
                Territory.timezone,
                Assignment.id,
                Assignment.accepted_at,
            )
            .join(
                Assignment,
                and_(
                    Assignment.request_id == HelpRequest.id,
                    Assignment.withdrawn_at.is_(None),
                    Assignment.completed_at.is_(None),
                ),
            )
            .join(Territory, Territory.id == HelpRequest.territory_id)
            .where(HelpRequest.state == RequestState.ACCEPTED, HelpRequest.when_start > ctx.now)
        )
        if until is not None:
            longest = max(ctx.settings.reminder_hours, default=0)
            # A day more: a DST night makes "24 h before" up to 25 hours of real time.
            query = query.where(HelpRequest.when_start <= until + timedelta(hours=longest + 24))
        if ids is not None:
            query = query.where(HelpRequest.id.in_(ids))
        return (await uow.session.execute(query)).all()

    def works(self, row: Any, ctx: Context, until: datetime) -> Iterator[Work]:
        request_id, when_start, timezone, assignment_id, accepted_at = row
        offsets = ctx.settings.reminder_hours  # largest first
        dues = [wall_clock_before(when_start, hours, timezone) for hours in offsets]
        for index, (hours, due) in enumerate(zip(offsets, dues, strict=True)):
            if accepted_at > due:
                continue  # accepted after this reminder's time: the acceptance said it all
            # Once a later reminder (or the task itself) is due, this one is obsolete.
            obsolete_at = dues[index + 1] if index + 1 < len(dues) else when_start
            if ctx.now >= obsolete_at:
                continue
            yield self.work((request_id, assignment_id, hours), due)

    def key(self, args: tuple[int, ...]) -> str:
        request_id, assignment_id, hours = args
        return f"reminder-{hours}h:request:{request_id}:assignment:{assignment_id}"

    async def perform(self, uow: UnitOfWork, work: Work) -> str:
        return await timed.send_reminder(uow, *work.args)


def escalation_times(
    opened_at: datetime, when_start: datetime, hours: Sequence[float]
) -> list[datetime]:
    """When to widen the search, hours after the request was opened.

    When the task comes sooner than the last step, the steps are compressed to fit in the first
    three quarters of the time left, so that a coordinator hears of it before the task.
    """
    span = (when_start - opened_at).total_seconds() / 3600
    factor = min(1.0, 0.75 * span / hours[-1]) if span > 0 else 0.0
    return [opened_at + timedelta(hours=h * factor) for h in hours]


class Escalation(RequestRule):
    """An open request nobody took: next volunteers, the whole territory, the coordinators."""

    kind, function = "escalation", "escalation"

    async def rows(
        self, uow: UnitOfWork, ctx: Context, until: datetime | None, ids: Sequence[int] | None
    ) -> Iterable[Any]:
        withdrawn = (
            select(
                Assignment.request_id.label("request_id"),
                func.count().label("n"),
                func.max(Assignment.withdrawn_at).label("last"),
            )
            .where(Assignment.withdrawn_at.is_not(None))
            .group_by(Assignment.request_id)
            .subquery()
        )
        query = (
            select(
                HelpRequest.id,
                HelpRequest.created_at,
                HelpRequest.when_start,
                Territory.name,
                Territory.escalation_hours,
                withdrawn.c.n,
                withdrawn.c.last,
            )
            .join(Territory, Territory.id == HelpRequest.territory_id)
            .outerjoin(withdrawn, withdrawn.c.request_id == HelpRequest.id)
            .where(HelpRequest.state == RequestState.OPEN, HelpRequest.when_start > ctx.now)
        )
        if ids is not None:
            query = query.where(HelpRequest.id.in_(ids))
        return (await uow.session.execute(query)).all()

    def works(self, row: Any, ctx: Context, until: datetime) -> Iterator[Work]:
        request_id, created_at, when_start, territory, own, reopenings, last_withdrawal = row
        opening = int(reopenings or 0)
        opened_at = max(created_at, last_withdrawal) if last_withdrawal else created_at
        # The delays the territory's coordinators set, else those of the settings file.
        hours = ctx.settings.escalation_for(territory, own)
        # Steps due before the retention period: done long ago (their job runs are pruned),
        # or missed during a month of downtime; never done (again) now.
        forgotten = ctx.now - timedelta(days=ctx.settings.retention_days)
        for level, due in enumerate(escalation_times(opened_at, when_start, hours), start=1):
            if due >= forgotten:
                yield self.work((request_id, level, opening), due)

    def key(self, args: tuple[int, ...]) -> str:
        request_id, level, opening = args
        return f"escalation-{level}:request:{request_id}:opening:{opening}"

    async def perform(self, uow: UnitOfWork, work: Work) -> str:
        request_id, level, _opening = work.args
        return await timed.escalate(uow, request_id, level)


class Expiry(RequestRule):
    """An open request whose time has passed expires (the requester is told, kindly)."""

    kind, function = "expiry", "expiry"

    async def rows(
        self, uow: UnitOfWork, ctx: Context, until: datetime | None, ids: Sequence[int] | None
    ) -> Iterable[Any]:
        query = select(HelpRequest.id, HelpRequest.when_start, HelpRequest.when_end).where(
            HelpRequest.state == RequestState.OPEN
        )
        if until is not None:
            query = query.where(HelpRequest.when_start <= until)
        if ids is not None:
            query = query.where(HelpRequest.id.in_(ids))
        return (await uow.session.execute(query)).all()

    def works(self, row: Any, ctx: Context, until: datetime) -> Iterator[Work]:
        request_id, when_start, when_end = row
        # Same tolerance as the list of open requests: a volunteer may still take it late.
        due = when_end if when_end is not None else when_start + PAST_TOLERANCE
        yield self.work((request_id,), due)

    def key(self, args: tuple[int, ...]) -> str:
        return f"expiry:request:{args[0]}"

    async def perform(self, uow: UnitOfWork, work: Work) -> str:
        return await timed.expire_request(uow, work.args[0])


class FollowUp(RequestRule):
    """After a task: ask the volunteer for the hours, the requester how it went."""

    kind, function = "follow-up", "follow_up"

    async def rows(
        self, uow: UnitOfWork, ctx: Context, until: datetime | None, ids: Sequence[int] | None
    ) -> Iterable[Any]:
        earliest = ctx.now - FOLLOW_UP_WINDOW - timedelta(hours=ctx.settings.follow_up_hours)
        query = (
            select(
                HelpRequest.id,
                HelpRequest.state,
                HelpRequest.when_start,
                HelpRequest.when_end,
                Assignment.id,
                Assignment.thanked_at,
            )
            .join(
                Assignment,
                and_(Assignment.request_id == HelpRequest.id, Assignment.withdrawn_at.is_(None)),
            )
            .where(
                HelpRequest.state.in_([RequestState.ACCEPTED, RequestState.DONE]),
                # Tasks last at most a day: one more day of margin for `when_end`.
                HelpRequest.when_start >= earliest - timedelta(days=1),
            )
        )
        if until is not None:
            query = query.where(HelpRequest.when_start <= until)
        if ids is not None:
            query = query.where(HelpRequest.id.in_(ids))
        return (await uow.session.execute(query)).all()

    def works(self, row: Any, ctx: Context, until: datetime) -> Iterator[Work]:
        request_id, state, when_start, when_end, assignment_id, thanked_at = row
        if state == RequestState.DONE and thanked_at is not None:
            return
        due = (when_end or when_start) + timedelta(hours=ctx.settings.follow_up_hours)
        if ctx.now >= due + FOLLOW_UP_WINDOW:
            return
        yield self.work((request_id, assignment_id), due)

    def key(self, args: tuple[int, ...]) -> str:
        request_id, assignment_id = args
        return f"follow-up:request:{request_id}:assignment:{assignment_id}"

    async def perform(self, uow: UnitOfWork, work: Work) -> str:
        return await timed.follow_up(uow, *work.args)

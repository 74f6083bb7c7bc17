"""Rules of the calendar: poll reminders and closings, weekly digests, recurring requests."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.config import Settings
from core.domain.model import (
    Member,
    Poll,
    RecurringRequest,
    Territory,
)
from core.domain.vocabulary import MemberStatus, PollState
from core.scheduling.work import DIGEST_WINDOW, Context, Rule, Work, wall_clock_before
from core.services import recurring, timed
from core.services.unit_of_work import UnitOfWork


class PollReminder(Rule):
    """Remind the members who have not voted, `poll_reminder_hours` before a poll closes."""

    kind, function = "poll-reminder", "poll_reminder"

    async def rows(
        self, uow: UnitOfWork, ctx: Context, until: datetime | None, ids: Sequence[int] | None
    ) -> Iterable[Any]:
        query = select(Poll.id, Poll.created_at, Poll.closes_at).where(
            Poll.state == PollState.OPEN, Poll.closes_at > ctx.now
        )
        if until is not None:
            hours = ctx.settings.poll_reminder_hours
            query = query.where(Poll.closes_at <= until + timedelta(hours=hours))
        if ids is not None:
            query = query.where(Poll.id.in_(ids))
        return (await uow.session.execute(query)).all()

    def works(self, row: Any, ctx: Context, until: datetime) -> Iterator[Work]:
        poll_id, created_at, closes_at = row
        before = timedelta(hours=ctx.settings.poll_reminder_hours)
        due = closes_at - before
        if created_at + before > due:
            return  # a short poll: its opening message is recent enough
        yield self.work((poll_id,), due)

    def key(self, args: tuple[int, ...]) -> str:
        return f"poll-reminder:poll:{args[0]}"

    async def perform(self, uow: UnitOfWork, work: Work) -> str:
        return await timed.remind_poll(uow, work.args[0])


class PollClose(Rule):
    """Close a poll at its deadline; the result goes to members and public rooms."""

    kind, function = "poll-close", "poll_close"

    async def rows(
        self, uow: UnitOfWork, ctx: Context, until: datetime | None, ids: Sequence[int] | None
    ) -> Iterable[Any]:
        query = select(Poll.id, Poll.closes_at).where(Poll.state == PollState.OPEN)
        if until is not None:
            query = query.where(Poll.closes_at <= until)
        if ids is not None:
            query = query.where(Poll.id.in_(ids))
        return (await uow.session.execute(query)).all()

    def works(self, row: Any, ctx: Context, until: datetime) -> Iterator[Work]:
        poll_id, closes_at = row
        yield self.work((poll_id,), closes_at)

    def key(self, args: tuple[int, ...]) -> str:
        return f"poll-close:poll:{args[0]}"

    async def perform(self, uow: UnitOfWork, work: Work) -> str:
        return await timed.close_poll_at_deadline(uow, work.args[0])


def digest_instant(year: int, week: int, settings: Settings, timezone: str) -> datetime:
    """The moment of the weekly digest of ISO week `year`-W`week`, local time of the territory."""
    day = date.fromisocalendar(year, week, settings.digest_weekday + 1)
    local = datetime(day.year, day.month, day.day, settings.digest_hour, tzinfo=ZoneInfo(timezone))
    return local.astimezone(UTC)


def digest_weeks(ctx: Context, timezone: str, until: datetime) -> list[tuple[int, int, datetime]]:
    """The (ISO year, week, instant) of the digests between `now - DIGEST_WINDOW` and `until`."""
    zone = ZoneInfo(timezone)
    day = (ctx.now - DIGEST_WINDOW).astimezone(zone).date()
    day -= timedelta(days=day.weekday())
    found = []
    while day <= until.astimezone(zone).date():
        year, week, _ = day.isocalendar()
        instant = digest_instant(year, week, ctx.settings, timezone)
        if ctx.now - DIGEST_WINDOW < instant <= until:
            found.append((year, week, instant))
        day += timedelta(days=7)
    return found


class Digest(Rule):
    """Each week, tell each volunteer (unless they opted out) about open requests near them."""

    kind, function = "digest", "digest"

    async def rows(
        self, uow: UnitOfWork, ctx: Context, until: datetime | None, ids: Sequence[int] | None
    ) -> Iterable[Any]:
        query = (
            select(Member.id, Territory.timezone)
            .join(Territory, Territory.id == Member.territory_id)
            .where(
                Member.status == MemberStatus.APPROVED,
                Member.is_volunteer.is_(True),
                Member.weekly_digest.is_(True),
            )
        )
        if ids is not None:
            query = query.where(Member.id.in_(ids))
        return (await uow.session.execute(query)).all()

    def works(self, row: Any, ctx: Context, until: datetime) -> Iterator[Work]:
        member_id, timezone = row
        for year, week, instant in _cached_weeks(ctx, timezone, until):
            yield self.work((member_id, year, week), instant)

    def key(self, args: tuple[int, ...]) -> str:
        member_id, year, week = args
        return f"digest:member:{member_id}:week:{year}-W{week:02d}"

    async def perform(self, uow: UnitOfWork, work: Work) -> str:
        return await timed.send_digest(uow, work.args[0])


_week_cache: dict[tuple[datetime, str, datetime, int, int], list[tuple[int, int, datetime]]] = {}


def _cached_weeks(ctx: Context, timezone: str, until: datetime) -> list[tuple[int, int, datetime]]:
    """`digest_weeks`, computed once per time zone in a sweep over thousands of volunteers."""
    key = (ctx.now, timezone, until, ctx.settings.digest_weekday, ctx.settings.digest_hour)
    if key not in _week_cache:
        if len(_week_cache) > 64:
            _week_cache.clear()
        _week_cache[key] = digest_weeks(ctx, timezone, until)
    return _week_cache[key]


class Recurring(Rule):
    """Post each occurrence of a recurring request `recurring_days_ahead` days before it."""

    kind, function = "recurring", "recurring"

    async def rows(
        self, uow: UnitOfWork, ctx: Context, until: datetime | None, ids: Sequence[int] | None
    ) -> Iterable[Any]:
        query = (
            select(RecurringRequest, Territory.timezone)
            .join(Member, Member.id == RecurringRequest.requester_id)
            .join(Territory, Territory.id == RecurringRequest.territory_id)
            .where(
                RecurringRequest.active.is_(True),
                Member.is_requester.is_(True),
                Member.status.in_([MemberStatus.PENDING, MemberStatus.APPROVED]),
            )
        )
        if ids is not None:
            query = query.where(RecurringRequest.id.in_(ids))
        return (await uow.session.execute(query)).all()

    def works(self, row: Any, ctx: Context, until: datetime) -> Iterator[Work]:
        rule, timezone = row
        ahead = 24 * ctx.settings.recurring_days_ahead
        zone = ZoneInfo(timezone)
        first = ctx.now.astimezone(zone).date()
        last = (until + timedelta(hours=ahead)).astimezone(zone).date()
        for day in recurring.occurrence_dates(rule, first, last):
            start = recurring.local_start(rule, day, timezone)
            if start <= ctx.now:
                continue
            yield self.work((rule.id, day.toordinal()), wall_clock_before(start, ahead, timezone))

    def key(self, args: tuple[int, ...]) -> str:
        recurring_id, day_ordinal = args
        return f"recurring:{recurring_id}:on:{date.fromordinal(day_ordinal).isoformat()}"

    async def perform(self, uow: UnitOfWork, work: Work) -> str:
        return await timed.post_occurrence(uow, *work.args)

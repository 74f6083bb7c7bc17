"""What the scheduler has to do, derived from the database alone.

Each kind of work is a `Rule`: a query for the facts it depends on (light column queries, so a
sweep over 10 000 requests stays cheap) and a pure function from one row of facts to the pieces
of `Work` it implies, with their due time, their key and how long they remain worth doing.
The same rule answers both questions the scheduler asks:

- `planned(...)`: everything due before a horizon and not done yet (the sweep);
- `current(...)`: is this piece of work (a job that fires) still wanted now, and what is its key?

Keys name the effect, so that the `job_runs` table can make it happen once: a reminder is per
assignment (a new volunteer gets their own), an escalation per opening of the request (a request
reopened by a withdrawal escalates again), a digest per ISO week.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, select

from core.config import Settings
from core.domain.model import (
    Assignment,
    HelpRequest,
    JobRun,
    Member,
    Poll,
    RecurringRequest,
    Territory,
)
from core.domain.vocabulary import MemberStatus, PollState, RequestState
from core.services import recurring, timed
from core.services.requests import PAST_TOLERANCE
from core.services.unit_of_work import UnitOfWork

# How long a late piece of work is still worth doing (after that it is dropped, unsent).
FOLLOW_UP_WINDOW = timedelta(days=3)
DIGEST_WINDOW = timedelta(days=1)
# `current()` looks this far ahead when a rule generates several instants (digest weeks).
LOOKAHEAD = timedelta(days=8)
# `job_runs` rows older than `retention_days` are pruned (core/scheduling/retention.py): no
# rule wants work due that long ago (escalation, the only one that looks so far back, stops).


@dataclass(frozen=True)
class Work:
    """One piece of scheduled work: what (kind and ids), when, and the key of its effect."""

    kind: str
    args: tuple[int, ...]
    key: str
    due_at: datetime

    @property
    def function(self) -> str:
        """The job function APScheduler calls with `args` (an importable reference)."""
        return f"core.scheduling.jobs:{RULES[self.kind].function}"


@dataclass(frozen=True)
class Context:
    settings: Settings
    now: datetime


def wall_clock_before(moment: datetime, hours: float, timezone: str) -> datetime:
    """`hours` before `moment`; whole days keep the local time of day across a DST change.

    A reminder "24 h before" a task at 10:00 comes at 10:00 the day before, also on the night
    the clocks change (then 23 or 25 hours before); other offsets are hours of real time.
    """
    if hours % 24:
        return moment - timedelta(hours=hours)
    zone = ZoneInfo(timezone)
    local = moment.astimezone(zone).replace(tzinfo=None) - timedelta(hours=hours)
    return local.replace(tzinfo=zone).astimezone(UTC)


class Rule:
    """A kind of work: the facts it reads and the work those facts imply."""

    kind: str = ""
    function: str = ""

    def key(self, args: tuple[int, ...]) -> str:
        """The name of the effect of the work `args` name (a pure function of them)."""
        raise NotImplementedError

    def work(self, args: tuple[int, ...], due_at: datetime) -> Work:
        return Work(self.kind, args, self.key(args), due_at)

    async def rows(
        self, uow: UnitOfWork, ctx: Context, until: datetime | None, ids: Sequence[int] | None
    ) -> Iterable[Any]:
        raise NotImplementedError

    def works(self, row: Any, ctx: Context, until: datetime) -> Iterator[Work]:
        raise NotImplementedError

    async def perform(self, uow: UnitOfWork, work: Work) -> str:
        raise NotImplementedError

    async def preload(self, uow: UnitOfWork, works: Sequence[Work]) -> list[Any]:
        """Load in a few queries what `perform` will read for these works (a batch); the caller
        holds what this returns until its commit."""
        return []


class RequestRule(Rule):
    """A rule about help requests: their first id is the request's."""

    async def preload(self, uow: UnitOfWork, works: Sequence[Work]) -> list[Any]:
        ids = sorted({w.args[0] for w in works})
        loaded: list[Any] = []
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = await uow.session.execute(select(HelpRequest).where(HelpRequest.id.in_(chunk)))
            for request in rows.scalars():
                holder = request.active_assignment
                loaded += [request, request.requester, holder.volunteer if holder else None]
        return loaded


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
        request_id, created_at, when_start, territory, reopenings, last_withdrawal = row
        opening = int(reopenings or 0)
        opened_at = max(created_at, last_withdrawal) if last_withdrawal else created_at
        hours = ctx.settings.escalation_for(territory)
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

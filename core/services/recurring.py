"""Recurring requests ("every Tuesday at 10:00, shopping") and their occurrences.

A recurring request is a rule; each occurrence is an ordinary `HelpRequest`, posted by the
scheduler `recurring_days_ahead` days before it (see core/scheduling/plan.py), so volunteers
see it in time and everything else (matching, reminders, escalation) works as for any request.
The time of day is local to the territory: "10:00" stays 10:00 across daylight-saving changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.domain.errors import InvalidInput, NotAllowed, NotFound
from core.domain.model import HelpRequest, RecurringRequest
from core.domain.vocabulary import Category, MemberStatus, WhenKind
from core.services import requests
from core.services.authorization import Action, require_by
from core.services.members import get_member
from core.services.text import clean_text
from core.services.unit_of_work import UnitOfWork

WEEKDAYS = {
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
    "lundi": 0,
    "mardi": 1,
    "mercredi": 2,
    "jeudi": 3,
    "vendredi": 4,
    "samedi": 5,
    "dimanche": 6,
}
MAX_EVERY_WEEKS = 8


def weekday_number(value: str | int) -> int:
    """0 for Monday ... 6 for Sunday, from a number or an English or French day name."""
    text = str(value).strip().lower()
    if text.isdigit() and 0 <= int(text) <= 6:
        return int(text)
    if text in WEEKDAYS:
        return WEEKDAYS[text]
    raise InvalidInput("Unknown day of the week: {day}.", day=str(value))


def local_start(rule: RecurringRequest, day: date, timezone: str) -> datetime:
    """The instant (UTC) of the occurrence on local `day`, at the rule's local time of day."""
    moment = datetime.combine(day, time(rule.minute_of_day // 60, rule.minute_of_day % 60))
    return moment.replace(tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def occurrence_dates(rule: RecurringRequest, first: date, last: date) -> Iterator[date]:
    """The local dates of the occurrences between `first` and `last`, both included."""
    anchor = rule.starts_on + timedelta(days=(rule.weekday - rule.starts_on.weekday()) % 7)
    period = 7 * max(1, rule.every_weeks)
    day = max(first, anchor)
    offset = (day - anchor).days % period
    if offset:
        day += timedelta(days=period - offset)
    while day <= last:
        yield day
        day += timedelta(days=period)


def is_occurrence(rule: RecurringRequest, day: date) -> bool:
    return next(occurrence_dates(rule, day, day), None) == day


async def get_recurring(uow: UnitOfWork, recurring_id: int) -> RecurringRequest:
    rule = await uow.session.get(RecurringRequest, recurring_id)
    if rule is None:
        raise NotFound()
    return rule


async def add_recurring(
    uow: UnitOfWork,
    requester_id: int,
    *,
    category: Category | str,
    weekday: int | str,
    minute_of_day: int,
    duration_minutes: int | None = None,
    every_weeks: int = 1,
    starts_on: date | None = None,
    place: str | None = None,
    description: str = "",
    by_id: int | None = None,
) -> RecurringRequest:
    """Register a request that comes back every week (or every `every_weeks` weeks)."""
    requester = await get_member(uow, requester_id)
    await require_by(uow, by_id, Action.ACT_FOR_MEMBER, requester)
    if not requester.is_requester or requester.status not in (
        MemberStatus.PENDING,
        MemberStatus.APPROVED,
    ):
        raise NotAllowed("Only members registered as asking for help can post a request.")
    try:
        category = Category(category)
    except ValueError as exc:
        raise InvalidInput("Unknown kind of help: {category}.", category=category) from exc
    if not 0 <= minute_of_day < 24 * 60:
        raise InvalidInput("The time of day must be between 00:00 and 23:59.")
    if duration_minutes is not None and not 15 <= duration_minutes <= 24 * 60:
        raise InvalidInput("The duration must be between 15 minutes and 24 hours.")
    if not 1 <= every_weeks <= MAX_EVERY_WEEKS:
        raise InvalidInput("A recurring request comes back every 1 to 8 weeks.")
    today = uow.now().astimezone(requester.territory.tz).date()
    rule = RecurringRequest(
        territory_id=requester.territory_id,
        requester_id=requester.id,
        requester=requester,
        category=str(category),
        description=clean_text(description, what="description") if description.strip() else "",
        place=clean_text(place, limit=300, what="place") if place and place.strip() else None,
        weekday=weekday_number(weekday),
        minute_of_day=minute_of_day,
        duration_minutes=duration_minutes,
        every_weeks=every_weeks,
        starts_on=max(starts_on or today, today),
        active=True,
        created_at=uow.now(),
    )
    uow.session.add(rule)
    await uow.session.flush()
    uow.audit(by_id, "recurring.add", f"recurring:{rule.id}", category=str(category))
    return rule


async def stop_recurring(
    uow: UnitOfWork, recurring_id: int, *, by_id: int | None
) -> RecurringRequest:
    """Stop creating occurrences; those already posted stay (each can be cancelled)."""
    rule = await get_recurring(uow, recurring_id)
    await require_by(uow, by_id, Action.ACT_FOR_MEMBER, rule.requester)
    if rule.active:
        rule.active = False
        rule.stopped_at = uow.now()
        uow.audit(by_id, "recurring.stop", f"recurring:{rule.id}")
    return rule


async def list_recurring(
    uow: UnitOfWork, territory_id: int | None = None, *, active_only: bool = True
) -> list[RecurringRequest]:
    query = select(RecurringRequest).order_by(RecurringRequest.id)
    if territory_id is not None:
        query = query.where(RecurringRequest.territory_id == territory_id)
    if active_only:
        query = query.where(RecurringRequest.active.is_(True))
    return list((await uow.session.execute(query)).scalars())


async def create_occurrence(uow: UnitOfWork, recurring_id: int, day: date) -> HelpRequest:
    """Post the occurrence of local `day` (the scheduler calls it once per occurrence)."""
    rule = await get_recurring(uow, recurring_id)
    if not rule.active:
        raise InvalidInput("This recurring request is stopped.")
    if not is_occurrence(rule, day):
        raise InvalidInput("This day is not an occurrence of the recurring request.")
    timezone = rule.requester.territory.timezone
    start = local_start(rule, day, timezone)
    end = start + timedelta(minutes=rule.duration_minutes) if rule.duration_minutes else None
    request = await requests.post_request(
        uow,
        rule.requester_id,
        category=rule.category,
        when_start=start,
        when_end=end,
        when_kind=WhenKind.AT,  # a recurring request names its hour ("every Tuesday at 10")
        place=rule.place,
        description=rule.description,
    )
    request.recurring_id = rule.id
    return request

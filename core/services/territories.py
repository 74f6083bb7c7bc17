"""A territory's own settings, changed by its coordinators: neighbourhoods, emergency numbers
(each with a label members read), time zone, and the delays after which a request nobody took
is offered further. Every change is audited."""

from __future__ import annotations

import math
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.domain.errors import InvalidInput, NotFound
from core.domain.model import Territory
from core.services.authorization import require_coordinator
from core.services.text import clean_text
from core.services.unit_of_work import UnitOfWork

MAX_NEIGHBOURHOODS = 100
MAX_NUMBERS = 20


async def update_territory(
    uow: UnitOfWork,
    territory_id: int,
    *,
    by_id: int | None,
    neighbourhoods: list[str],
    emergency_numbers: list[tuple[str, str]],
    timezone: str,
) -> Territory:
    """Replace the territory's neighbourhoods, emergency numbers and time zone."""
    await require_coordinator(uow, by_id, territory_id)
    territory = await uow.session.get(Territory, territory_id)
    if territory is None:
        raise NotFound()
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInput("Unknown time zone: {tz}.", tz=timezone[:64]) from exc
    names = [clean_text(n, limit=80, what="neighbourhood") for n in neighbourhoods if n.strip()]
    if len(names) > MAX_NEIGHBOURHOODS or len(emergency_numbers) > MAX_NUMBERS:
        raise InvalidInput("This list is too long.")
    numbers = []
    for number, label in emergency_numbers:
        digits = clean_text(number, limit=20, what="phone number")
        if not digits.replace(" ", "").isdigit():
            raise InvalidInput("This does not look like a phone number: {value}.", value=digits)
        numbers.append({"number": digits, "label": clean_text(label, limit=120, what="label")})
    if not numbers:
        raise InvalidInput("Keep at least one emergency number.")
    territory.neighbourhoods = names
    territory.emergency_numbers = numbers
    territory.timezone = timezone
    uow.audit(
        by_id,
        "territory.update",
        f"territory:{territory_id}",
        neighbourhoods=len(names),
        numbers=[n["number"] for n in numbers],
        timezone=timezone,
    )
    return territory


# Escalation delays a coordinator may set: from a quarter of an hour to two weeks.
FIRST_HOURS, LAST_HOURS = 0.25, 24 * 14


async def set_escalation(
    uow: UnitOfWork, territory_id: int, *, by_id: int | None, hours: list[float] | None
) -> Territory:
    """Set the territory's three escalation delays (hours after a request is posted), or go
    back to the settings file's with None. The scheduler's next sweep follows them."""
    await require_coordinator(uow, by_id, territory_id)
    territory = await uow.session.get(Territory, territory_id)
    if territory is None:
        raise NotFound()
    if hours is not None:
        if len(hours) != 3 or any(
            not (math.isfinite(h) and FIRST_HOURS <= h <= LAST_HOURS) for h in hours
        ):
            raise InvalidInput(
                "Give each delay in hours, between a quarter of an hour and {last}.",
                last=LAST_HOURS,
            )
        if not hours[0] < hours[1] < hours[2]:
            raise InvalidInput("Each delay must be longer than the one before, like 2, 8, 24.")
        hours = [round(float(h), 2) for h in hours]
    territory.escalation_hours = hours
    uow.audit(by_id, "territory.escalation", f"territory:{territory_id}", hours=hours)
    return territory

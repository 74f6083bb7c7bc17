"""A territory's own settings, changed by its coordinators: neighbourhoods, emergency numbers
(each with a label members read), and time zone. Every change is audited."""

from __future__ import annotations

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

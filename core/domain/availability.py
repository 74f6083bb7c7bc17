"""Weekly availability as a 21-bit mask: 7 days x (morning, afternoon, evening).

A mask fits one integer column, so matching can test `availability & slot != 0` in SQL.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import IntEnum
from zoneinfo import ZoneInfo


class Period(IntEnum):
    MORNING = 0
    AFTERNOON = 1
    EVENING = 2


WEEKDAYS = range(5)
WEEKEND = (5, 6)
ALWAYS = (1 << 21) - 1


def slot_bit(day: int, period: Period) -> int:
    """Return the bit of one (weekday 0=Monday, period) slot."""
    if not 0 <= day <= 6:
        raise ValueError(f"day must be 0..6, not {day}")
    return 1 << (day * 3 + int(period))


def period_of(hour: int) -> Period:
    """Morning before noon, afternoon before 18:00, evening after."""
    if hour < 12:
        return Period.MORNING
    if hour < 18:
        return Period.AFTERNOON
    return Period.EVENING


def slot_of(moment: datetime, tz: ZoneInfo) -> int:
    """Return the slot bit that covers `moment` in the territory's time zone."""
    local = moment.astimezone(tz)
    return slot_bit(local.weekday(), period_of(local.hour))


def slots_between(start: datetime, end: datetime | None, tz: ZoneInfo) -> int:
    """Return the mask of every slot that a time window touches (at most one week)."""
    if end is None or end <= start:
        return slot_of(start, tz)
    mask = 0
    local, last = start.astimezone(tz), end.astimezone(tz)
    hours = 0
    while local < last and hours <= 24 * 7:  # the end of a window is not in it
        mask |= slot_of(local, tz)
        local = local.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        hours += 1
    return mask


# Named masks offered as buttons during onboarding.
PRESETS: dict[str, int] = {
    "weekday_mornings": sum(slot_bit(d, Period.MORNING) for d in WEEKDAYS),
    "weekday_afternoons": sum(slot_bit(d, Period.AFTERNOON) for d in WEEKDAYS),
    "weekday_evenings": sum(slot_bit(d, Period.EVENING) for d in WEEKDAYS),
    "weekends": sum(slot_bit(d, p) for d in WEEKEND for p in Period),
    "anytime": ALWAYS,
}

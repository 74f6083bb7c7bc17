"""Periods of the observatory: a half-open interval of instants, from local dates of a territory.

A month or a week starts at local midnight in the territory's time zone, so "March" means the
territory's March across daylight saving; the instants are UTC, as the database stores them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.domain.errors import InvalidInput

# A report covers at most this many days: wider ranges are refused, not computed slowly.
MAX_DAYS = 3700


@dataclass(frozen=True)
class Period:
    """[start, end): instants in UTC; `first` and `last` are the local dates it covers."""

    first: date
    last: date
    start: datetime
    end: datetime

    @property
    def label(self) -> str:
        if self.first.day == 1 and self.last == _month_end(self.first):
            return self.first.strftime("%Y-%m")
        if (self.last - self.first).days == 6 and self.first.weekday() == 0:
            year, week, _ = self.first.isocalendar()
            return f"{year}-W{week:02d}"
        return f"{self.first.isoformat()}/{self.last.isoformat()}"

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def previous(self, timezone: str) -> Period:
        """The period of the same length just before (the previous month for a month)."""
        if self.label == self.first.strftime("%Y-%m"):
            before = self.first - timedelta(days=1)
            return month(before.year, before.month, timezone)
        return between(
            self.first - timedelta(days=self.days), self.first - timedelta(days=1), timezone
        )


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), zone).astimezone(UTC)


def _month_end(first: date) -> date:
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return following - timedelta(days=1)


def between(first: date, last: date, timezone: str) -> Period:
    """The local dates `first` to `last` included; refuses an empty or too long range."""
    if last < first:
        raise InvalidInput("The end of the period comes before its start.")
    if (last - first).days >= MAX_DAYS:
        raise InvalidInput("The period is too long (ten years at most).")
    zone = ZoneInfo(timezone)
    return Period(first, last, _midnight(first, zone), _midnight(last + timedelta(days=1), zone))


def month(year: int, number: int, timezone: str) -> Period:
    first = date(year, number, 1)
    return between(first, _month_end(first), timezone)


def week(day: date, timezone: str) -> Period:
    """The ISO week (Monday to Sunday) holding `day`."""
    monday = day - timedelta(days=day.weekday())
    return between(monday, monday + timedelta(days=6), timezone)


def split(whole: Period, unit: str, timezone: str) -> Iterator[Period]:
    """The months (or weeks) that `whole` overlaps, in order."""
    if unit not in ("month", "week"):
        raise InvalidInput("The period is a month or a week.")
    day = whole.first
    while day <= whole.last:
        part = month(day.year, day.month, timezone) if unit == "month" else week(day, timezone)
        yield part
        day = part.last + timedelta(days=1)

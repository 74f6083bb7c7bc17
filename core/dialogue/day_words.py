"""Ways of naming a day that the date parser gets wrong, read first (folded text, no accents).

- a day of the month alone: "le 3", "le 3 au matin", "on the 3rd" (the next 3rd; the parser
  took "3" for another date);
- a day of next week: "mardi de la semaine prochaine", "tuesday next week";
- a day "en huit" / "en quinze": the named day, then one or two weeks later ("jeudi en huit");
- two days joined by "ou" / "or": "samedi ou dimanche" is a window from one to the other;
- the weekend after this one: "le week-end prochain", "next weekend".

Each gives the first and the last day said; the caller adds the part of the day or the hour.
Nothing here guesses: a form that is not one of these gives None, and the parser has its turn.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

WEEKDAYS = {
    **dict.fromkeys(["lundi", "monday"], 0),
    **dict.fromkeys(["mardi", "tuesday"], 1),
    **dict.fromkeys(["mercredi", "wednesday"], 2),
    **dict.fromkeys(["jeudi", "thursday"], 3),
    **dict.fromkeys(["vendredi", "friday"], 4),
    **dict.fromkeys(["samedi", "saturday"], 5),
    **dict.fromkeys(["dimanche", "sunday"], 6),
}
_DAY = "(" + "|".join(WEEKDAYS) + ")"
_NEXT_WEEK = r"(?:(?:de |of )?(?:la |the )?semaine prochaine|(?:of )?next week)"
DAY_OF_NEXT_WEEK = re.compile(
    rf"\b{_DAY}\s+{_NEXT_WEEK}\b|\b(?:la |the )?(?:semaine prochaine|next week),?\s+"
    rf"(?:le |on )?{_DAY}\b"
)
DAY_IN_WEEKS = re.compile(rf"\b{_DAY}\s+en\s+(huit|quinze)\b")
ONE_DAY_OR_ANOTHER = re.compile(rf"\b{_DAY}\s+(?:ou bien|ou|or)\s+(?:le |on )?{_DAY}\b")
NEXT_WEEKEND = re.compile(
    r"\b(?:(?:le |au )?week-?end prochain|(?:le |au )?prochain week-?end|next week-?end)\b"
)
# "le 3", "le 3 au matin", "le 3 a 14h", "on the 3rd": a day of the month with nothing after it
# but a time of day (a month after it is the parser's; "le 3 rue..." is an address).
DAY_OF_MONTH = re.compile(
    r"\b(?:le|on the|the)\s+(\d{1,2})(?!\d)(?:er|st|nd|rd|th)?"
    r"(?=\s*(?:$|[,.!?;)]|(?:au |dans l |in the |at |a |vers |around |de ce mois|du mois|"
    r"of (?:the|this) month)|matin|apres|aprem|soir|midi|morning|afternoon|evening|noon|"
    r"\d{1,2}\s?(?:h|:|am|pm)))"
)


def days_said(folded: str, today: date) -> tuple[date, date] | None:
    """The first and last day one of this module's forms names, or None."""
    found = ONE_DAY_OR_ANOTHER.search(folded)
    if found:
        first = _next(today, WEEKDAYS[found.group(1)])
        gap = (WEEKDAYS[found.group(2)] - first.weekday()) % 7
        return first, first + timedelta(days=gap)
    found = DAY_OF_NEXT_WEEK.search(folded)
    if found:
        monday = today + timedelta(days=7 - today.weekday())
        day = monday + timedelta(days=WEEKDAYS[found.group(1) or found.group(2)])
        return day, day
    found = DAY_IN_WEEKS.search(folded)
    if found:
        named = _next(today, WEEKDAYS[found.group(1)], or_today=True)
        day = named + timedelta(days=7 if found.group(2) == "huit" else 14)
        return day, day
    if NEXT_WEEKEND.search(folded):
        saturday = today + timedelta(days=(5 - today.weekday()) % 7)
        if today.weekday() >= 5:  # during a weekend, the next one is the one after
            saturday = today + timedelta(days=12 - today.weekday())
        return saturday, saturday + timedelta(days=1)
    found = DAY_OF_MONTH.search(folded)
    if found:
        day = _next_day_of_month(today, int(found.group(1)))
        return (day, day) if day is not None else None
    return None


def no_such_day(folded: str) -> bool:
    """Whether the text names a day of the month that no month has ("le 45")."""
    found = DAY_OF_MONTH.search(folded)
    return found is not None and not 1 <= int(found.group(1)) <= 31


def _next(today: date, weekday: int, *, or_today: bool = False) -> date:
    """The next such weekday after today (or today itself, if `or_today`)."""
    ahead = (weekday - today.weekday()) % 7
    return today + timedelta(days=ahead if ahead or or_today else 7)


def _next_day_of_month(today: date, number: int) -> date | None:
    """The next date that is the `number`th of a month, from today on (None if no month has
    that day: "le 0", "le 45")."""
    if not 1 <= number <= 31:
        return None
    year, month = today.year, today.month
    for _ in range(13):
        if number <= calendar.monthrange(year, month)[1]:
            candidate = date(year, month, number)
            if candidate >= today:
                return candidate
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None

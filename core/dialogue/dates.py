"""Understand when help is needed: "jeudi 10h", "tomorrow afternoon", "le 12 décembre à 14h30"."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

import dateparser

from core.dialogue.day_words import days_said, no_such_day
from core.dialogue.offload import parsed_part
from core.dialogue.words import fold
from core.domain.vocabulary import WhenKind
from core.domain.windows import PART_WINDOWS

# Parts of the day without an hour become a window of that kind.
PARTS_OF_DAY = [
    (r"\b(apres (le )?(dejeuner|manger|repas)|after (lunch|dinner))\b", WhenKind.AFTERNOON),
    (r"\b(matin|matinee|morning)\b", WhenKind.MORNING),
    # Before noon's words: "après-midi" holds "midi".
    (r"\b(apres[- ]?midi|aprem|afternoon)\b", WhenKind.AFTERNOON),
    (r"\b(midi|noon|lunch|dejeuner)\b", WhenKind.NOON),
    (r"\b(soir|soiree|evening|tonight|ce soir)\b", WhenKind.EVENING),
]
WHOLE_DAY = (time(9), time(18))
# Windows of several days, said without a day: "dans la semaine", "in the next few days".
SOME_DAYS = re.compile(
    r"\b(prochains jours|jours qui viennent|next (few )?days|coming days|few days)\b"
)
THIS_WEEK = re.compile(
    r"\b(dans la semaine|cette semaine|this week|within the week|during the week|"
    r"(d ?ici|avant) la fin de la semaine|by the end of the week)\b"
)
NEXT_WEEK = re.compile(r"\b((la )?semaine prochaine|next week)\b")
WEEKEND = re.compile(r"\b(ce )?(week-?end|weekend)\b")
# A day named: then "la semaine prochaine" says which week, not a window of days.
NAMED_DAY = re.compile(
    r"\b(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|monday|tuesday|wednesday|"
    r"thursday|friday|saturday|sunday|demain|tomorrow|aujourd|today|tonight|janvier|fevrier|"
    r"mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre|january|february|"
    r"march|april|june|july|august|september|october|november|december)"
)


class When(NamedTuple):
    """A time as it was said: its start, its end (None for a moment) and its kind."""

    start: datetime
    end: datetime | None
    kind: WhenKind


def parse_when(
    text: str, *, now: datetime, timezone: str, language: str
) -> tuple[datetime, datetime | None] | None:
    """Return (start, end or None) as aware datetimes, or None if no date is recognised."""
    said = parse_window(text, now=now, timezone=timezone, language=language)
    return None if said is None else (said.start, said.end)


def _days(first: date, last: date, tz: ZoneInfo) -> When:
    begin, end = WHOLE_DAY
    return When(datetime.combine(first, begin, tz), datetime.combine(last, end, tz), WhenKind.DAYS)


def _several_days(folded: str, today: date, tz: ZoneInfo) -> When | None:
    """ "dans la semaine", "next week", "ce week-end": a window of days, or None."""
    tomorrow = today + timedelta(days=1)
    if SOME_DAYS.search(folded):
        return _days(tomorrow, today + timedelta(days=3), tz)
    if THIS_WEEK.search(folded):
        return _days(tomorrow, today + timedelta(days=7), tz)
    if NEXT_WEEK.search(folded):
        monday = today + timedelta(days=7 - today.weekday())
        return _days(monday, monday + timedelta(days=6), tz)
    if WEEKEND.search(folded):
        saturday = today + timedelta(days=(5 - today.weekday()) % 7)
        if today.weekday() == 6:
            saturday = today  # on a Sunday, "ce week-end" is what is left of it: today
        return _days(saturday, today + timedelta(days=(6 - today.weekday()) % 7), tz)
    return None


def clock_of(folded: str) -> time | None:
    """The hour said in a folded text ("14h30", "14:30", "a 10", "3pm"), or None."""
    found = re.search(
        r"\b(\d{1,2}) ?(?:h|:) ?(\d{2})?\b|\b(?:a|at|vers|around) (\d{1,2})\b", folded
    )
    hour, minute = None, 0
    if found:
        hour = int(found.group(1) or found.group(3))
        minute = int(found.group(2) or 0)
    else:
        found = re.search(r"\b(\d{1,2}) ?(am|pm)\b", folded)
        if found:
            hour = int(found.group(1)) % 12 + (12 if found.group(2) == "pm" else 0)
    if hour is None or hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def _on_days(
    first: date, last: date, clock: time | None, part: WhenKind | None, tz: ZoneInfo
) -> When:
    """The days said, with the hour or the part of the day said (several days stay a window)."""
    if first != last:
        return _days(first, last, tz)
    if clock is not None:
        return When(datetime.combine(first, clock, tz), None, WhenKind.AT)
    begin, end = PART_WINDOWS[part] if part is not None else WHOLE_DAY
    return When(
        datetime.combine(first, begin, tz), datetime.combine(first, end, tz), part or WhenKind.DAY
    )


def parse_window(text: str, *, now: datetime, timezone: str, language: str) -> When | None:
    """The time `text` names, with its kind, or None if no date is recognised.

    Only the start of a long text is read (dateparser takes about a second on 4 000
    characters); callers on the event loop run this through `offload.off_loop`.
    """
    tz = ZoneInfo(timezone)
    local_now = now.astimezone(tz)
    folded = fold(parsed_part(text))
    part = next((kind for pattern, kind in PARTS_OF_DAY if re.search(pattern, folded)), None)
    said = days_said(folded, local_now.date())
    if said is not None:
        return _on_days(*said, clock_of(folded), part, tz)
    if no_such_day(folded):
        return None  # asked again, rather than a date the parser would make of it
    if part is None and not re.search(r"\d", folded) and not NAMED_DAY.search(folded):
        several = _several_days(folded, local_now.date(), tz)
        if several is not None:
            return several
    cleaned = folded
    for pattern, _kind in PARTS_OF_DAY:
        cleaned = re.sub(pattern, " ", cleaned)
    # "at 10", "vers 10": a bare number after such a word is an hour.
    cleaned = re.sub(
        r"\b(vers|around|about|environ|a|at|for)\s+(\d{1,2})\b(?![:h/.\d])",
        lambda m: f" {m.group(2)}:00",
        cleaned,
    )
    # The next occurrence is preferred anyway; dateparser trips on these words.
    cleaned = re.sub(
        r"\b(vers|around|about|environ|a|at|le|on|dans la|in the|next|prochain|"
        r"prochaine|this|ce|cette)\b",
        " ",
        cleaned,
    )
    cleaned = re.sub(
        r"(\d{1,2}) ?h ?(\d{2})?", lambda m: f"{m.group(1)}:{m.group(2) or '00'}", cleaned
    )
    cleaned = re.sub(r"\s+", " ", cleaned).strip()
    has_clock = bool(re.search(r"\d{1,2}:\d{2}|\d\s?(am|pm)\b", cleaned))
    if not cleaned and part is not None:
        cleaned = "aujourd'hui" if language == "fr" else "today"
    parsed = dateparser.parse(
        cleaned,
        languages=[language, "fr" if language == "en" else "en"],
        settings={
            "PREFER_DATES_FROM": "future",
            "RELATIVE_BASE": local_now.replace(tzinfo=None),
            "TIMEZONE": timezone,
            "RETURN_AS_TIMEZONE_AWARE": False,
            "PREFER_DAY_OF_MONTH": "first",
        },
    )
    if parsed is None:
        return None
    day = parsed.date()
    if has_clock:
        start = datetime.combine(day, parsed.time(), tz)
        if (
            start < local_now
            and (local_now - start) < timedelta(days=1)
            and day == local_now.date()
        ):
            start += (
                timedelta(days=1)
                if "aujourd" not in folded and "today" not in folded
                else timedelta()
            )
        return When(start, None, WhenKind.AT)
    begin, end = PART_WINDOWS[part] if part is not None else WHOLE_DAY
    return When(
        datetime.combine(day, begin, tz), datetime.combine(day, end, tz), part or WhenKind.DAY
    )


def preset_when(preset: str, *, now: datetime, timezone: str) -> When | None:
    """The buttons of the "when" step: today, tomorrow morning/afternoon, this week."""
    tz = ZoneInfo(timezone)
    today = now.astimezone(tz).date()
    tomorrow = today + timedelta(days=1)
    windows = {
        "today": When(
            datetime.combine(today, max(now.astimezone(tz).time(), time(9)), tz),
            datetime.combine(today, time(20), tz),
            WhenKind.DAY,
        ),
        "tomorrow_morning": When(
            datetime.combine(tomorrow, time(9), tz),
            datetime.combine(tomorrow, time(12), tz),
            WhenKind.MORNING,
        ),
        "tomorrow_afternoon": When(
            datetime.combine(tomorrow, time(14), tz),
            datetime.combine(tomorrow, time(17), tz),
            WhenKind.AFTERNOON,
        ),
        "this_week": _days(tomorrow, today + timedelta(days=7), tz),
    }
    return windows.get(preset)


# The words that name a day or a time without doubt, when the NLU found none ("mon chien samedi":
# "mon" is no Monday here). Only these words are given to the parser, in their order.
_DAY_WORDS = re.compile(
    r"(?<![a-z0-9])(?:(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche) ou (?:lundi|"
    r"mardi|mercredi|jeudi|vendredi|samedi|dimanche)|(?:monday|tuesday|wednesday|thursday|"
    r"friday|saturday|sunday) or (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)|"
    r"en huit|en quinze|week-?end prochain|next week-?end|"
    r"lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|monday|tuesday|"
    r"wednesday|thursday|friday|saturday|sunday|apres-demain|apres demain|demain|"
    r"aujourd'hui|tomorrow|today|tonight|matin|apres-midi|apres midi|aprem|midi|soir|morning|"
    r"afternoon|evening|noon|dans la semaine|cette semaine|semaine prochaine|prochains jours|"
    r"this week|next week|next few days|(?:ce )?week-?end|"
    r"\d{1,2} ?h(?: ?\d{2})?|\d{1,2}:\d{2}|\d{1,2} ?(?:am|pm)|"
    r"\d{1,2}(?:er)? (?:janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|"
    r"novembre|decembre)|(?:january|february|march|april|may|june|july|august|september|"
    r"october|november|december) \d{1,2})(?![a-z0-9])"
)


def when_words(text: str) -> str | None:
    """The words of `text` that name a day or a time ("jeudi 15h"), or None."""
    found = _DAY_WORDS.findall(fold(parsed_part(text)))
    return " ".join(found) if found else None

"""Understand when help is needed: "jeudi 10h", "tomorrow afternoon", "le 12 décembre à 14h30"."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import dateparser

from core.dialogue.offload import parsed_part
from core.dialogue.words import fold

# Parts of the day without an hour become a window.
PARTS_OF_DAY = [
    (r"\b(apres (le )?(dejeuner|manger|repas)|after (lunch|dinner))\b", time(14), time(17)),
    (r"\b(matin|matinee|morning)\b", time(9), time(12)),
    (r"\b(midi|noon|lunch|dejeuner)\b", time(12), time(14)),
    (r"\b(apres[- ]?midi|aprem|afternoon)\b", time(14), time(17)),
    (r"\b(soir|soiree|evening|tonight|ce soir)\b", time(18), time(20)),
]
WHOLE_DAY = (time(9), time(18))


def parse_when(
    text: str, *, now: datetime, timezone: str, language: str
) -> tuple[datetime, datetime | None] | None:
    """Return (start, end or None) as aware datetimes, or None if no date is recognised.

    Only the start of a long text is read (dateparser takes about a second on 4 000
    characters); callers on the event loop run this through `offload.off_loop`.
    """
    tz = ZoneInfo(timezone)
    local_now = now.astimezone(tz)
    folded = fold(parsed_part(text))
    part = next(
        ((start, end) for pattern, start, end in PARTS_OF_DAY if re.search(pattern, folded)), None
    )
    cleaned = folded
    for pattern, _start, _end in PARTS_OF_DAY:
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
        return start, None
    begin, end = part or WHOLE_DAY
    return datetime.combine(day, begin, tz), datetime.combine(day, end, tz)


def preset_when(preset: str, *, now: datetime, timezone: str) -> tuple[datetime, datetime] | None:
    """The buttons of the "when" step: today, tomorrow morning/afternoon, this week."""
    tz = ZoneInfo(timezone)
    today = now.astimezone(tz).date()
    tomorrow = today + timedelta(days=1)
    windows = {
        "today": (
            datetime.combine(today, max(now.astimezone(tz).time(), time(9)), tz),
            datetime.combine(today, time(20), tz),
        ),
        "tomorrow_morning": (
            datetime.combine(tomorrow, time(9), tz),
            datetime.combine(tomorrow, time(12), tz),
        ),
        "tomorrow_afternoon": (
            datetime.combine(tomorrow, time(14), tz),
            datetime.combine(tomorrow, time(17), tz),
        ),
        "this_week": (
            datetime.combine(tomorrow, time(9), tz),
            datetime.combine(today + timedelta(days=7), time(18), tz),
        ),
    }
    return windows.get(preset)


# The words that name a day or a time without doubt, when the NLU found none ("mon chien samedi":
# "mon" is no Monday here). Only these words are given to the parser, in their order.
_DAY_WORDS = re.compile(
    r"(?<![a-z0-9])(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|monday|tuesday|"
    r"wednesday|thursday|friday|saturday|sunday|apres-demain|apres demain|demain|"
    r"aujourd'hui|tomorrow|today|tonight|matin|apres-midi|apres midi|soir|morning|afternoon|"
    r"evening|\d{1,2} ?h(?: ?\d{2})?|\d{1,2}:\d{2}|\d{1,2} ?(?:am|pm)|"
    r"\d{1,2}(?:er)? (?:janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|"
    r"novembre|decembre)|(?:january|february|march|april|may|june|july|august|september|"
    r"october|november|december) \d{1,2})(?![a-z0-9])"
)


def when_words(text: str) -> str | None:
    """The words of `text` that name a day or a time ("jeudi 15h"), or None."""
    found = _DAY_WORDS.findall(fold(parsed_part(text)))
    return " ".join(found) if found else None

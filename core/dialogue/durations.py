"""How long a task took, as people write it, and shown back in their own locale.

"1h30", "1 h 30", "90 min", "une heure et demie", "1,5", "1.5", "one and a half hours",
"2 heures 15", "3/4 h", "½ h" are all understood; a duration is never cut to its whole hours
("1h30" is 1.5 hours, not 1). Shown back with the reader's decimal sign ("1,5" in French).
"""

from __future__ import annotations

import re
import unicodedata

from babel.numbers import format_decimal

# Durations outside this range are refused (a task of a few minutes to a long day).
MIN_HOURS = 0.25
MAX_HOURS = 24.0
# The longest text read as a duration: anything longer is not an answer to "how long?".
MAX_CHARS = 60

_WORD_NUMBERS = {
    "un": 1, "une": 1, "one": 1, "a": 1, "an": 1,
    "deux": 2, "two": 2, "trois": 3, "three": 3, "quatre": 4, "four": 4,
    "cinq": 5, "five": 5, "six": 6, "sept": 7, "seven": 7, "huit": 8, "eight": 8,
    "neuf": 9, "nine": 9, "dix": 10, "ten": 10, "onze": 11, "eleven": 11,
    "douze": 12, "twelve": 12, "quinze": 15, "fifteen": 15, "vingt": 20, "twenty": 20,
    "trente": 30, "thirty": 30, "quarante": 40, "forty": 40,
    "quarante-cinq": 45, "forty-five": 45, "cinquante": 50, "fifty": 50,
}  # fmt: skip
_FRACTIONS = {"½": 0.5, "¼": 0.25, "¾": 0.75}
_NUMBER = r"(?:\d+(?:[.,]\d+)?|\d+/\d+)"
_HOUR = r"(?:h|hr|hrs|hour|hours|heure|heures|hre|hres)"
_MINUTE = r"(?:m|mn|min|mins|minute|minutes)"

# "1h30", "1 h 30", "1h 30min", "2 heures 15", "1.5 h", "3/4 h"
_HOURS_AND_MINUTES = re.compile(
    rf"^({_NUMBER})\s*{_HOUR}\s*(?:et\s+|and\s+)?(\d{{1,2}})?\s*(?:{_MINUTE})?$"
)
_MINUTES = re.compile(rf"^({_NUMBER})\s*{_MINUTE}$")
_BARE = re.compile(rf"^{_NUMBER}$")
# "une heure et demie", "one and a half hours", "deux heures et quart", "an hour and a half"
_HALF = re.compile(
    r"^(?:(\S+)\s+)?(?:and\s+a\s+half\s+)?(?:heures?|hours?)(?:\s+(?:et|and)\s+(?:une?\s+|a\s+)?"
    r"(demie?|half|quart|quarter))?$"
)
_HALF_BEFORE = re.compile(r"^(\S+)\s+and\s+a\s+half(?:\s+hours?)?$")
_HALF_HOUR = re.compile(r"^(?:une\s+|a\s+|1\s+)?(?:demi[e-]?\s*-?\s*heure|half\s+(?:an\s+)?hour)$")
_QUARTER_HOUR = re.compile(
    r"^(?:un\s+|a\s+)?(?:quart\s+d'?\s*heure|quarter\s+(?:of\s+an\s+)?hour)$"
)


def parse_hours(text: str) -> float | None:
    """The duration written in `text`, in hours, or None if it is not one (or out of range)."""
    if not text or len(text) > MAX_CHARS:
        return None
    folded = _fold(text)
    hours = _read(folded)
    if hours is None or not MIN_HOURS <= hours <= MAX_HOURS:
        return None
    return round(hours, 2)


def format_hours(hours: float, language: str) -> str:
    """A number of hours as the reader writes it: "1,5" in French, "1.5" in English."""
    return format_decimal(hours, format="#,##0.##", locale=language or "fr")


def _fold(text: str) -> str:
    for fraction, value in _FRACTIONS.items():  # before NFKC, which makes "½" into "1⁄2"
        text = re.sub(rf"(\d)\s*{fraction}", lambda m, v=value: f"{int(m.group(1)) + v}", text)
        text = text.replace(fraction, str(value))
    text = unicodedata.normalize("NFKC", text).strip().lower()
    text = text.replace("’", "'").replace("environ", "").replace("about", "").replace("~", "")
    text = re.sub(r"^(?:ca\s+a\s+pris|ça\s+a\s+pris|it\s+took|j'ai\s+mis|i\s+spent)\s+", "", text)
    text = re.sub(r"\s+", " ", text).strip(" .!")
    return text


def _number(word: str) -> float | None:
    if word in _WORD_NUMBERS:
        return float(_WORD_NUMBERS[word])
    if "/" in word:
        top, _, bottom = word.partition("/")
        return (
            int(top) / int(bottom) if top.isdigit() and bottom.isdigit() and int(bottom) else None
        )
    try:
        return float(word.replace(",", "."))
    except ValueError:
        return None


def _read(text: str) -> float | None:
    if match := _HOURS_AND_MINUTES.match(text):
        hours = _number(match.group(1))
        minutes = int(match.group(2)) if match.group(2) else 0
        return None if hours is None or minutes >= 60 else hours + minutes / 60
    if match := _MINUTES.match(text):
        minutes = _number(match.group(1))
        return None if minutes is None else minutes / 60
    if _BARE.match(text):
        return _number(text)
    if _HALF_HOUR.match(text):
        return 0.5
    if _QUARTER_HOUR.match(text):
        return 0.25
    if match := _HALF_BEFORE.match(text):
        whole = _number(match.group(1))
        return None if whole is None else whole + 0.5
    if match := _HALF.match(text):
        whole = _number(match.group(1)) if match.group(1) else 1.0
        if whole is None:
            return None
        extra = {"demi": 0.5, "demie": 0.5, "half": 0.5, "quart": 0.25, "quarter": 0.25}
        bonus = extra.get(match.group(2) or "", 0.0)
        if "and a half" in text and not match.group(2):
            bonus = 0.5
        return whole + bonus
    words = text.split()
    if len(words) == 2 and words[1] in ("heure", "heures", "hour", "hours", "h"):
        return _number(words[0])
    return None

"""Resolving when help is needed, in French and English, against a fixed now and time zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from core.dialogue.dates import parse_when
from nlu.entities import find_when

PARIS = "Europe/Paris"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # Monday 23 November 2026, 10:00 in Paris


def local(value: str) -> tuple[int, int, int, int, int]:
    moment = datetime.fromisoformat(value).astimezone(ZoneInfo(PARIS))
    return moment.month, moment.day, moment.hour, moment.minute, moment.weekday()


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("jeudi 10h", "fr", (11, 26, 10, 0, 3)),
        ("le 12 décembre vers 14h30", "fr", (12, 12, 14, 30, 5)),
        ("mardi prochain vers 10h", "fr", (11, 24, 10, 0, 1)),
        ("next Tuesday at 10", "en", (11, 24, 10, 0, 1)),
        ("Thursday 10:00", "en", (11, 26, 10, 0, 3)),
        ("tomorrow at 3pm", "en", (11, 24, 15, 0, 1)),
        ("le 12/12 à 9h", "fr", (12, 12, 9, 0, 5)),
    ],
)
def test_a_day_and_an_hour_resolve_to_one_moment(
    text: str, language: str, expected: tuple[int, int, int, int, int]
) -> None:
    start, end = parse_when(text, now=NOW, timezone=PARIS, language=language) or (None, None)
    assert start is not None and end is None
    assert local(start.isoformat()) == expected


@pytest.mark.parametrize(
    ("text", "language", "start_hour", "end_hour", "day"),
    [
        ("jeudi matin", "fr", 9, 12, 26),
        ("tomorrow afternoon", "en", 14, 17, 24),
        ("tomorrow after lunch", "en", 14, 17, 24),
        ("demain après le déjeuner", "fr", 14, 17, 24),
        ("ce soir", "fr", 18, 20, 23),
        ("demain", "fr", 9, 18, 24),
    ],
)
def test_a_part_of_the_day_resolves_to_a_window(
    text: str, language: str, start_hour: int, end_hour: int, day: int
) -> None:
    window = parse_when(text, now=NOW, timezone=PARIS, language=language)
    assert window is not None and window[1] is not None
    start, end = window
    assert (local(start.isoformat())[1:3], local(end.isoformat())[2]) == (
        (day, start_hour),
        end_hour,
    )


def test_a_time_after_the_change_to_summer_time_keeps_its_wall_clock_hour() -> None:
    start, _ = parse_when("le 29 mars 2027 à 10h", now=NOW, timezone=PARIS, language="fr") or (
        None,
        None,
    )
    assert start is not None
    assert start.utcoffset() is not None and start.utcoffset().total_seconds() == 7200
    assert local(start.isoformat())[2] == 10


def test_the_territory_time_zone_decides_the_instant() -> None:
    start, _ = parse_when("jeudi 10h", now=NOW, timezone="Europe/London", language="fr") or (
        None,
        None,
    )
    assert start is not None and start.astimezone(UTC).hour == 10


def test_text_without_a_date_resolves_to_nothing() -> None:
    assert parse_when("bonjour à tous", now=NOW, timezone=PARIS, language="fr") is None


def test_the_date_is_found_inside_a_long_polite_message() -> None:
    text = (
        "Bonjour, je me permets de vous écrire car j'aurais besoin qu'on m'accompagne "
        "chez le dentiste mardi prochain vers 10h"
    )
    found = find_when(text, now=NOW, timezone=PARIS, language="fr")
    assert found is not None and local(found["value"])[:4] == (11, 24, 10, 0)
    assert "mardi prochain vers 10h" in text[found["start"] : found["end"]] + text[found["end"] :]

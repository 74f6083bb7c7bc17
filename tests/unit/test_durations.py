"""Durations as volunteers write them: read fully, never cut to whole hours, shown in locale."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.dialogue.durations import MAX_HOURS, MIN_HOURS, format_hours, parse_hours


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("1h30", 1.5),
        ("1 h 30", 1.5),
        ("1H30", 1.5),
        ("2h30", 2.5),
        ("2h", 2.0),
        ("1h 30min", 1.5),
        ("2 heures 15", 2.25),
        ("2 heures et 15 minutes", 2.25),
        ("90 min", 1.5),
        ("45 minutes", 0.75),
        ("1,5", 1.5),
        ("1.5", 1.5),
        ("2", 2.0),
        ("une heure et demie", 1.5),
        ("une heure et demi", 1.5),
        ("deux heures et quart", 2.25),
        ("une demi-heure", 0.5),
        ("une demi heure", 0.5),
        ("un quart d'heure", 0.25),
        ("one and a half hours", 1.5),
        ("an hour and a half", 1.5),
        ("half an hour", 0.5),
        ("two hours", 2.0),
        ("3 hours", 3.0),
        ("1.5 hrs", 1.5),
        ("1½ h", 1.5),
        ("3/4 h", 0.75),
        ("environ 2h", 2.0),
        ("ça a pris 1h30", 1.5),
        ("it took 2 hours", 2.0),
    ],
)
def test_a_duration_is_read_as_people_write_it(text: str, hours: float) -> None:
    assert parse_hours(text) == pytest.approx(hours)


@pytest.mark.parametrize(
    "text",
    ["", "beaucoup", "1h75", "0", "25h", "10 min", "jeudi", "1h30 puis 2h", "x" * 200, "-2"],
)
def test_what_is_not_a_duration_in_range_is_refused(text: str) -> None:
    assert parse_hours(text) is None


@pytest.mark.parametrize(
    ("hours", "language", "shown"),
    [(1.5, "fr", "1,5"), (1.5, "en", "1.5"), (2.0, "fr", "2"), (0.75, "fr", "0,75")],
)
def test_hours_are_shown_with_the_reader_s_decimal_sign(
    hours: float, language: str, shown: str
) -> None:
    assert format_hours(hours, language) == shown


@given(st.integers(min_value=0, max_value=23), st.integers(min_value=0, max_value=59))
def test_hours_and_minutes_are_never_cut_to_whole_hours(hours: int, minutes: int) -> None:
    total = hours + minutes / 60
    for text in (f"{hours}h{minutes:02d}", f"{hours} h {minutes}"):
        parsed = parse_hours(text)
        if MIN_HOURS <= round(total, 2) <= MAX_HOURS:
            assert parsed == pytest.approx(total, abs=0.01), text
        else:
            assert parsed is None, text


@given(st.text(max_size=80))
def test_any_text_gives_a_duration_in_range_or_nothing(text: str) -> None:
    parsed = parse_hours(text)
    assert parsed is None or MIN_HOURS <= parsed <= MAX_HOURS

"""Resolving when help is needed, in French and English, against a fixed now and time zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from core.dialogue.dates import parse_when, parse_window
from core.dialogue.render import format_said
from core.domain.vocabulary import WhenKind
from core.domain.windows import infer_kind
from nlu.entities import find_when, names_only_a_time
from nlu.interpreter import decide_intent

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


@pytest.mark.parametrize(
    ("text", "language", "kind"),
    [
        ("jeudi 10h", "fr", WhenKind.AT),
        ("jeudi matin", "fr", WhenKind.MORNING),
        ("Thursday morning", "en", WhenKind.MORNING),
        ("demain après-midi", "fr", WhenKind.AFTERNOON),  # "après-midi" holds "midi"
        ("demain midi", "fr", WhenKind.NOON),
        ("ce soir", "fr", WhenKind.EVENING),
        ("jeudi", "fr", WhenKind.DAY),
        ("dans la semaine", "fr", WhenKind.DAYS),
        ("dans les prochains jours", "fr", WhenKind.DAYS),
        ("next week", "en", WhenKind.DAYS),
        ("ce week-end", "fr", WhenKind.DAYS),
    ],
)
def test_each_way_of_saying_a_time_keeps_its_kind(
    text: str, language: str, kind: WhenKind
) -> None:
    said = parse_window(text, now=NOW, timezone=PARIS, language=language)
    assert said is not None and said.kind == kind
    assert (said.end is None) == (kind == WhenKind.AT)


def test_several_days_are_a_window_of_whole_days_from_tomorrow() -> None:
    said = parse_window("dans la semaine", now=NOW, timezone=PARIS, language="fr")
    assert said is not None and said.end is not None
    assert local(said.start.isoformat())[:3] == (11, 24, 9)
    assert local(said.end.isoformat())[:3] == (11, 30, 18)
    weekend = parse_window("this weekend", now=NOW, timezone=PARIS, language="en")
    assert weekend is not None and weekend.end is not None
    assert (local(weekend.start.isoformat())[4], local(weekend.end.isoformat())[4]) == (5, 6)


@pytest.mark.parametrize(
    ("kind", "end", "language", "shown"),
    [
        ("morning", "2026-12-03T12:00:00+01:00", "fr", "jeudi 3 décembre, le matin"),
        ("morning", "2026-12-03T12:00:00+01:00", "en", "Thursday 3 December, in the morning"),
        ("afternoon", "2026-12-03T17:00:00+01:00", "fr", "jeudi 3 décembre, l'après-midi"),
        ("evening", "2026-12-03T20:00:00+01:00", "en", "Thursday 3 December, in the evening"),
        ("noon", "2026-12-03T14:00:00+01:00", "fr", "jeudi 3 décembre, vers midi"),
        ("day", "2026-12-03T18:00:00+01:00", "fr", "jeudi 3 décembre"),
        ("days", "2026-12-09T18:00:00+01:00", "fr", "entre le jeudi 3 décembre et le mercredi 9"),
        ("at", None, "fr", "jeudi 3 décembre à 09:00"),
    ],
)
def test_a_time_is_shown_as_it_was_said_with_an_hour_only_when_one_was_given(
    kind: str, end: str | None, language: str, shown: str
) -> None:
    text = format_said("2026-12-03T09:00:00+01:00", end, kind, language, PARIS)
    assert text.startswith(shown), text
    assert ("09:00" in text) == (kind == "at")


def test_a_request_older_than_the_kinds_is_shown_by_its_window() -> None:
    """Requests recorded before the kinds existed: their window says what they were."""
    tz = ZoneInfo(PARIS)
    start = datetime(2026, 12, 3, 14, tzinfo=tz)
    assert infer_kind(start, None, tz) == WhenKind.AT
    assert infer_kind(start, start.replace(hour=17), tz) == WhenKind.AFTERNOON
    assert infer_kind(start.replace(hour=9), start.replace(hour=18), tz) == WhenKind.DAY
    assert infer_kind(start, start.replace(day=5), tz) == WhenKind.DAYS


@pytest.mark.parametrize("text", ["dans la semaine", "cette semaine", "jeudi matin", "demain 10h"])
def test_a_message_that_only_names_a_time_is_never_taken_for_an_emergency(text: str) -> None:
    assert names_only_a_time(text)
    # The model alone once found "dans la semaine" an emergency at 0.67.
    intent, _ = decide_intent([("emergency", 0.67), ("request_help", 0.2)], text)
    assert intent != "emergency"


@pytest.mark.parametrize(
    "text", ["je suis tombée jeudi", "help me now tomorrow", "j'ai mal ce matin"]
)
def test_a_time_said_with_other_words_is_not_only_a_time(text: str) -> None:
    assert not names_only_a_time(text)


SUNDAY = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)  # Sunday 29 November 2026, 10:00 in Paris


def _days_of(text: str, language: str, now: datetime) -> tuple[tuple[int, int], tuple[int, int]]:
    said = parse_window(text, now=now, timezone=PARIS, language=language)
    assert said is not None and said.end is not None, text
    first, last = local(said.start.isoformat()), local(said.end.isoformat())
    return first[:2], last[:2]


@pytest.mark.parametrize(
    ("text", "language", "now", "first", "last"),
    [
        # A day of next week: the week after this one (on a Sunday, the one starting tomorrow).
        ("mardi de la semaine prochaine", "fr", NOW, (12, 1), (12, 1)),
        ("mardi de la semaine prochaine", "fr", SUNDAY, (12, 1), (12, 1)),
        ("la semaine prochaine, le jeudi", "fr", NOW, (12, 3), (12, 3)),
        ("tuesday next week", "en", NOW, (12, 1), (12, 1)),
        ("next week on friday", "en", SUNDAY, (12, 4), (12, 4)),
        # "En huit": the named day, one week later; "en quinze": two.
        ("jeudi en huit", "fr", NOW, (12, 3), (12, 3)),
        ("lundi en huit", "fr", NOW, (11, 30), (11, 30)),  # today is Monday: a week from today
        ("mercredi en quinze", "fr", SUNDAY, (12, 16), (12, 16)),
        # Two days joined by "ou": a window from one to the other.
        ("samedi ou dimanche", "fr", NOW, (11, 28), (11, 29)),
        ("mardi ou jeudi", "fr", SUNDAY, (12, 1), (12, 3)),
        ("friday or saturday", "en", NOW, (11, 27), (11, 28)),
        # The weekend after this one, during a weekend; the coming one on a weekday.
        ("le week-end prochain", "fr", SUNDAY, (12, 5), (12, 6)),
        ("next weekend", "en", NOW, (11, 28), (11, 29)),
        # A day of the month alone: the next such day (this month, or the next one).
        ("le 3", "fr", SUNDAY, (12, 3), (12, 3)),
        ("le 23", "fr", NOW, (11, 23), (11, 23)),
        ("le 20", "fr", NOW, (12, 20), (12, 20)),
        ("le 31", "fr", NOW, (12, 31), (12, 31)),  # November has no 31st
        ("on the 3rd", "en", SUNDAY, (12, 3), (12, 3)),
        ("le 1er", "fr", SUNDAY, (12, 1), (12, 1)),
    ],
)
def test_a_day_named_in_words_the_parser_misreads_is_the_day_that_was_meant(
    text: str,
    language: str,
    now: datetime,
    first: tuple[int, int],
    last: tuple[int, int],
) -> None:
    assert _days_of(text, language, now) == (first, last)


@pytest.mark.parametrize(
    ("text", "expected", "kind"),
    [
        ("le 3 au matin", (12, 3, 9, 0), WhenKind.MORNING),
        ("le 3 à 14h30", (12, 3, 14, 30), WhenKind.AT),
        ("mardi de la semaine prochaine à 14h", (12, 1, 14, 0), WhenKind.AT),
        ("jeudi en huit l'après-midi", (12, 10, 14, 0), WhenKind.AFTERNOON),
    ],
)
def test_a_day_named_in_words_keeps_the_hour_or_the_part_of_the_day_said(
    text: str, expected: tuple[int, int, int, int], kind: WhenKind
) -> None:
    said = parse_window(text, now=SUNDAY, timezone=PARIS, language="fr")
    assert said is not None and said.kind == kind
    assert local(said.start.isoformat())[:4] == expected


@pytest.mark.parametrize("text", ["le 45", "le 0", "le 3 rue Jean Jaurès", "au 3e étage"])
def test_a_number_that_is_no_day_of_the_month_gives_no_date(text: str) -> None:
    assert parse_window(text, now=SUNDAY, timezone=PARIS, language="fr") is None


@pytest.mark.parametrize(
    ("text", "said", "day"),
    [
        ("j'ai besoin qu'on promène mon chien jeudi en huit", "jeudi en huit", (12, 10)),
        ("courses le 3 au matin svp", "le 3 au matin", (12, 3)),
        ("quelqu'un pour le jardin samedi ou dimanche", "samedi ou dimanche", (12, 5)),
        ("help with shopping next weekend please", "next weekend", (12, 5)),
        ("j'habite le 3 rue des Lilas, courses demain", "demain", (11, 30)),
    ],
)
def test_a_request_in_one_message_keeps_the_whole_of_the_day_it_names(
    text: str, said: str, day: tuple[int, int]
) -> None:
    found = find_when(text, now=SUNDAY, timezone=PARIS, language="fr")
    assert found is not None and text[found["start"] : found["end"]] == said
    start = found["value"]["from"] if isinstance(found["value"], dict) else found["value"]
    assert local(start)[:2] == day

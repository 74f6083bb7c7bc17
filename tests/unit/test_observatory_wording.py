"""The observatory's numbers in words, as each language writes them."""

from __future__ import annotations

import pytest

from core.observatory.wording import duration_text, number_text, share_text


@pytest.mark.parametrize(
    ("language", "value", "written"),
    [
        ("fr", 7.5, "7,5"),
        ("en", 7.5, "7.5"),
        ("fr", 1.0, "1"),
        ("fr", 1234, "1\u202f234"),
        ("en", 1234, "1,234"),
        ("fr", 2.04, "2"),
    ],
)
def test_a_number_is_written_with_the_language_s_decimal_mark(
    language: str, value: float, written: str
) -> None:
    assert number_text(language, value) == written


@pytest.mark.parametrize(
    ("language", "seconds", "written"),
    [
        ("fr", 3600, "1 heure"),
        ("fr", 5400, "1,5 heure"),  # below 2, French takes the singular
        ("en", 5400, "1.5 hours"),
        ("en", 3600, "1 hour"),
        ("fr", 60, "1 minute"),
        ("fr", 3 * 86400, "3 jours"),
        ("en", 86400 * 2.5, "2.5 days"),
    ],
)
def test_a_duration_agrees_with_its_number(language: str, seconds: float, written: str) -> None:
    assert duration_text(language, seconds) == written


def test_a_share_keeps_its_percent_sign_on_the_same_line_in_french() -> None:
    assert share_text(0.57, "fr") == "57\u00a0%"
    assert share_text(0.57, "en") == "57%"

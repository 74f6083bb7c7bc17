"""French messages elide before a vowel once the names are filled in: "d'Alice", "de Bob"."""

from __future__ import annotations

import pytest

from core.dialogue.render import format_when, render_text
from core.i18n.french import elide


@pytest.mark.parametrize(
    ("template", "values", "expected"),
    [
        ("Les courses de {name}.", {"name": "Alice"}, "Les courses d'Alice."),
        ("Les courses de {name}.", {"name": "Bob"}, "Les courses de Bob."),
        ("Les courses de {name}.", {"name": "Éloïse"}, "Les courses d'Éloïse."),
        ("De {name} : merci.", {"name": "Ulysse"}, "D'Ulysse : merci."),
        ("Je pense que {name} viendra.", {"name": "Yves"}, "Je pense qu'Yves viendra."),
        ("Le message de {name}", {}, "Le message de "),
        ("Demande de {who} pour {what}", {"who": "Inès", "what": "x"}, "Demande d'Inès pour x"),
    ],
)
def test_de_before_a_vowel_is_elided_once_the_value_is_known(
    template: str, values: dict[str, str], expected: str
) -> None:
    rendered = elide(template, values).format_map({"name": "", "who": "", "what": ""} | values)
    assert rendered == expected


def test_a_word_ending_in_de_is_not_elided() -> None:
    assert elide("Aide {name}", {"name": "Alice"}) == "Aide {name}"


@pytest.mark.parametrize(("name", "shown"), [("Eve", "d'Eve"), ("Bob", "de Bob")])
def test_a_french_notification_elides_before_the_name_it_is_given(name: str, shown: str) -> None:
    key = "{name} is now an approved volunteer."
    text = render_text(key, {"name": name}, "fr", "Europe/Paris")
    assert text == f"L'inscription {shown} comme bénévole est validée."


@pytest.mark.parametrize(
    ("moment", "language", "shown"),
    [
        ("2026-12-01T09:00:00+00:00", "fr", "mardi 1er décembre à 10:00"),
        ("2026-12-02T09:00:00+00:00", "fr", "mercredi 2 décembre à 10:00"),
        ("2026-12-01T09:00:00+00:00", "en", "Tuesday 1 December at 10:00"),
    ],
)
def test_the_first_of_the_month_is_an_ordinal_in_french(
    moment: str, language: str, shown: str
) -> None:
    assert format_when(moment, language, "Europe/Paris") == shown

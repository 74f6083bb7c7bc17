"""The gettext catalogs: complete in French, same placeholders, up to date with the code."""

from __future__ import annotations

import string
from functools import cache

import pytest
from babel.messages.catalog import Catalog

from core.dialogue.render import render_text
from core.i18n import extract


@cache
def code_ids() -> dict[str, list[tuple[str, int]]]:
    """The message ids of the code, extracted in memory (nothing is written)."""
    return extract.collect()


def catalog(language: str) -> Catalog:
    found = extract.read_catalog(extract.po_path(language), language)
    assert found is not None, f"{extract.po_path(language)} is missing"
    return found


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def where(message_id: str) -> str:
    return ", ".join(f"{path}:{line}" for path, line in code_ids()[message_id][:3])


def test_extraction_finds_every_kind_of_message() -> None:
    ids = code_ids()
    assert "What do you need help with?" in ids  # turn.reply(...)
    assert "I need help" in ids  # Choice(...)
    assert "a visit or a walk" in ids  # N_(...) in CATEGORY_LABELS
    assert "at your home" in ids  # translate(language, ...)
    assert "Quorum not reached." in ids  # translate(language, key) with key = a if ... else b
    assert "Poll closed: {question}" in ids  # outbox.write(uow, key) with key assigned before
    assert "This task is not yours." in ids  # NotAllowed(...)
    assert "This code is wrong or has expired. Ask for a new one." in ids  # class attribute
    assert "In the coming days" in ids  # WHEN_PRESETS
    assert "Weekends" in ids  # AVAILABILITY_LABELS
    assert "Abstain" in ids  # PROPOSAL_OPTIONS
    assert "phone number" in ids  # clean_text(..., what=...)
    assert "Français" not in ids  # Choice(..., {"translate": False}) is shown as is


def test_every_message_has_a_french_translation() -> None:
    french = catalog("fr")
    missing = []
    for message_id in code_ids():
        message = french.get(message_id)
        if message is None or not message.string or message.fuzzy:
            missing.append(f"{message_id!r} ({where(message_id)})")
    assert not missing, "Not translated in fr/messages.po:\n" + "\n".join(missing)


@pytest.mark.parametrize("language", extract.LANGUAGES)
def test_translations_keep_the_placeholders(language: str) -> None:
    wrong = [
        f"{message.id!r} -> {message.string!r}"
        for message in catalog(language)
        if message.id
        and message.string
        and placeholders(message.string) != placeholders(message.id)
    ]
    assert not wrong, "Placeholders differ:\n" + "\n".join(wrong)


def test_english_catalog_keeps_the_ids_as_text() -> None:
    assert all(not message.string for message in catalog("en") if message.id)


@pytest.mark.parametrize("language", [None, *extract.LANGUAGES])
def test_catalogs_are_up_to_date_with_the_code(language: str | None) -> None:
    path = extract.pot_path() if language is None else extract.po_path(language)
    found = extract.read_catalog(path, language)
    assert found is not None, f"{path} is missing"
    in_catalog = {message.id for message in found if message.id}
    in_code = set(code_ids())
    assert in_catalog == in_code, (
        f"{path.name} is out of date; run `python -m core.i18n.extract`.\n"
        f"Not in the catalog: {sorted(in_code - in_catalog)}\n"
        f"No longer in the code: {sorted(in_catalog - in_code)}"
    )


def test_a_notification_renders_in_french_with_a_french_date() -> None:
    text = render_text(
        "New request near you: {category}, {when}, in {neighbourhood}, for {first_name}.",
        {
            "category": "shopping",
            "when": "2026-11-26T09:00:00+00:00",
            "neighbourhood": "Les Tilleuls",
            "first_name": "Jeanne",
        },
        "fr",
        "Europe/Paris",
    )
    assert text == (
        "Nouvelle demande près de chez vous\u00a0: des courses, jeudi 26 novembre à 10:00, "
        "quartier Les Tilleuls, pour Jeanne."
    )


def test_a_translated_parameter_is_rendered_in_french() -> None:
    text = render_text(
        "The {what} is empty. Please write something.", {"what": "address"}, "fr", "Europe/Paris"
    )
    assert text == "Il manque l'adresse. Merci d'écrire quelque chose."

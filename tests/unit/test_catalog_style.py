"""Every French message is correct French and easy to read (FALC: facile à lire et à comprendre).

The rules a careful French editor applies, checked on the whole catalog: a non-breaking space
before ":", ";", "?" and "!"; elision before a vowel ("d'Alice", not "de Alice"); words that do
not assume the reader is a man; sentences of 15 words at most; no abbreviations; one word for one
thing. A failure lists every message it refuses, with the rule, so that all can be fixed at once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest

from core.i18n import extract

NO_BREAK = "\u00a0\u202f"
# Words that assume the reader is a man (or a woman): say it another way ("Bienvenue, Jeanne").
GENDERED = re.compile(
    r"\b(enchantée?|êtes[- ]vous (sûre?|prête?|seule?|inscrite?|certaine?)|vous êtes "
    r"(inscrite?|connectée?|seule?|prête?))\b",
    re.IGNORECASE,
)
# Elision before a vowel sound (a mute h is rare in our messages and is left to the editor).
NOT_ELIDED = re.compile(
    r"\b(de|que|je|ne|le|la|me|se|te|jusque|lorsque|puisque) [aeiouyàâéèêëîïôûü]", re.I
)
ABBREVIATIONS = re.compile(r"\b(etc|ex|svp|rdv|env|tél|tel|nb|cf|infos?|min|max)\b\.?|n°", re.I)
# One word for one thing: the left word is the one used; the right ones must not appear.
ONE_WORD = {
    "mission": ("tâche", "tache"),
    "bénévole": ("volontaire",),
    "demande": ("requête",),
    "coordinateur": ("responsable", "animateur", "modérateur"),
}
MAX_WORDS = 15
# Shown before a newcomer has chosen a language: its English half follows English typography.
BILINGUAL = {
    "Bonjour\u00a0! Welcome! Quelle langue préférez-vous\u00a0? Which language do you prefer?"
}
PLACEHOLDER = re.compile(r"\{[^{}]*\}")
URL = re.compile(r"https?://\S+")


def french_messages() -> Iterator[tuple[str, str]]:
    catalog = extract.read_catalog(extract.po_path("fr"), "fr")
    assert catalog is not None
    for message in catalog:
        if message.id and message.string:
            text = message.string if isinstance(message.string, str) else message.string[0]
            yield str(message.id), text


def without_code(text: str) -> str:
    """The words a reader sees: placeholders count as one word, URLs are left out."""
    return PLACEHOLDER.sub("X", URL.sub("", text))


def spacing(text: str) -> str | None:
    seen = without_code(text)
    for match in re.finditer(r"[:;?!]", seen):
        at = match.start()
        if match.group() == ":" and re.match(r"\d:\d", seen[max(at - 1, 0) : at + 2]):
            continue  # a time, 10:30
        if at > 0 and seen[at - 1] in "?!":
            continue  # "?!" keeps one space, before the first
        if at == 0 or seen[at - 1] not in NO_BREAK:
            return f"no non-breaking space before {match.group()!r}"
    return None


def elision(text: str) -> str | None:
    found = NOT_ELIDED.search(without_code(text))
    return f"not elided: {found.group()!r}" if found else None


def gender(text: str) -> str | None:
    found = GENDERED.search(text)
    return f"gendered: {found.group()!r}" if found else None


def sentence_length(text: str) -> str | None:
    for sentence in re.split(r"[.?!:\n]+", without_code(text)):
        words = sentence.split()
        if len(words) > MAX_WORDS:
            return f"sentence of {len(words)} words (at most {MAX_WORDS}): {sentence.strip()!r}"
    return None


def abbreviation(text: str) -> str | None:
    found = ABBREVIATIONS.search(without_code(text))
    return f"abbreviation: {found.group()!r}" if found else None


def one_word(text: str) -> str | None:
    lowered = without_code(text).lower()
    for used, others in ONE_WORD.items():
        for other in others:
            if re.search(rf"\b{other}s?\b", lowered):
                return f"{other!r} where the catalog says {used!r}"
    return None


RULES: dict[str, Callable[[str], str | None]] = {
    "typography": spacing,
    "elision": elision,
    "neutral": gender,
    "falc-length": sentence_length,
    "falc-abbreviations": abbreviation,
    "falc-one-word": one_word,
}


@pytest.mark.parametrize("rule", list(RULES))
def test_every_french_message_follows_the_rule(rule: str) -> None:
    check = RULES[rule]
    refused = [
        f"  {message_id!r}\n    -> {problem}"
        for message_id, text in french_messages()
        if (problem := check(text)) is not None
        and not (rule == "typography" and message_id in BILINGUAL)
    ]
    assert not refused, f"{len(refused)} French messages break '{rule}':\n" + "\n".join(refused)


@pytest.mark.parametrize(
    ("rule", "bad", "good"),
    [
        ("typography", "Quel est votre prénom ?", "Quel est votre prénom\u00a0?"),
        ("typography", "Quoi: {category}", "Quoi\u00a0: {category}"),
        ("elision", "Les courses de Alice", "Les courses d'Alice"),
        ("neutral", "Enchanté, {name}\u00a0!", "Bienvenue, {name}\u00a0!"),
        ("falc-length", " ".join(["mot"] * 16) + ".", " ".join(["mot"] * 15) + "."),
        ("falc-abbreviations", "Appelez le tél. du centre", "Appelez le téléphone du centre"),
        ("falc-one-word", "Vos tâches", "Vos missions"),
    ],
)
def test_each_rule_refuses_what_it_is_meant_to(rule: str, bad: str, good: str) -> None:
    assert RULES[rule](bad) is not None
    assert RULES[rule](good) is None

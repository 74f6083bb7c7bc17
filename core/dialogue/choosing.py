"""Which of the buttons shown a typed answer means: "2", "dimanche", "le week-end", "1 et 5".

A senior types what she reads on a button, or part of it, with or without accents and in any
case. The answer is matched by meaning, never by guess:

- a number is that button ("2"); several numbers are several buttons ("1 et 5", "1, 3"), for a
  question that takes several answers;
- the whole label, folded (accents, case, hyphens and little words such as "le" ignored), is
  that button ("le week end" for "Week-end");
- a part of a label made of whole words is that button when no other label has it ("dimanche"
  for "Dimanche 14 juin"); a part two labels share is ambiguous and selects nothing.

Only the last buttons shown are candidates (see `shown_choices`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from core.dialogue import shown_choices
from core.dialogue.flows.common import menu_choices
from core.dialogue.turn import Turn
from core.dialogue.words import fold
from core.services.outbox import Choice

# Little words that say nothing about which button is meant ("le week-end", "the first").
LITTLE_WORDS = frozenset(
    {
        "le",
        "la",
        "les",
        "l",
        "un",
        "une",
        "des",
        "de",
        "du",
        "d",
        "a",
        "au",
        "en",
        "et",
        "ou",
        "the",
        "an",
        "of",
        "to",
        "and",
        "or",
        "my",
        "mon",
        "ma",
        "mes",
        "je",
        "j",
        "i",
        "c",
        "est",
        "it",
        "is",
        "pour",
        "for",
    }
)
_NUMBERS = re.compile(r"\s*\d{1,3}(?:\s*(?:,|;|/|&|\+|et|and|\s)\s*\d{1,3})*\s*")


def words_of(text: str) -> list[str]:
    """The words of `text` folded, without punctuation: "Week-end !" -> ["week", "end"]."""
    return re.sub(r"[^a-z0-9]+", " ", fold(text)).split()


def _meaningful(words: list[str]) -> list[str]:
    kept = [w for w in words if w not in LITTLE_WORDS]
    return kept or words


@dataclass(frozen=True)
class Pick:
    """What a typed answer selects among the buttons: `chosen` positions (0-based), or, when
    it names several buttons without choosing one, `ambiguous`."""

    chosen: tuple[int, ...] = ()
    ambiguous: bool = False
    # A number (or numbers) that names no button: the list is to be shown again.
    out_of_range: bool = False


def is_number_list(text: str) -> bool:
    """Whether `text` is nothing but several numbers ("1 et 3", "2, 5"): answers to a list,
    never the words of a danger, whatever a classifier makes of them."""
    folded = fold(text).rstrip(" .!")
    return bool(_NUMBERS.fullmatch(folded)) and len(re.findall(r"\d+", folded)) > 1


def pick(text: str, labels: Sequence[str], *, parts: bool = True) -> Pick:
    """The buttons among `labels` that `text` selects (see the module's docstring).

    `parts`: whether a part of a label is enough (not where the answer is free text, a place
    or a date, which may share a word with a button).
    """
    if not labels or not text.strip():
        return Pick()
    folded = fold(text).rstrip(" .!")
    if _NUMBERS.fullmatch(folded):
        numbers = [int(n) for n in re.findall(r"\d+", folded)]
        if all(1 <= n <= len(labels) for n in numbers):
            return Pick(tuple(dict.fromkeys(n - 1 for n in numbers)))
        return Pick(out_of_range=True)
    said = _meaningful(words_of(text))
    if not said:
        return Pick()
    shown = [_meaningful(words_of(label)) for label in labels]
    whole = [i for i, words in enumerate(shown) if words == said]
    if len(whole) == 1:
        return Pick((whole[0],))
    if whole or not parts:
        return Pick(ambiguous=bool(whole))
    having = [i for i, words in enumerate(shown) if _contains(words, said)]
    if len(having) == 1:
        return Pick((having[0],))
    return Pick(ambiguous=len(having) > 1)


def _contains(words: list[str], part: list[str]) -> bool:
    """Whether `part` is a run of whole words of `words`."""
    size = len(part)
    return any(words[i : i + size] == part for i in range(len(words) - size + 1))


def shown_again(turn: Turn) -> list[Choice]:
    """The last buttons shown in this chat, to show again as they were read (translated)."""
    return [
        Choice(label, action, {"translate": False})
        for label, action in shown_choices.last_shown(turn.conversation)
    ]


def ask_again(turn: Turn, key: str, **params: Any) -> None:
    """Say `key` with the last buttons shown again (the menu if there were none): an answer
    that matched nothing never leaves the person without the list."""
    choices = shown_again(turn)
    if not choices and turn.member is not None:
        choices = menu_choices(turn)
    turn.reply(key, choices=choices, refusal=True, **params)

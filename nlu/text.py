"""Text helpers for the NLU: accent- and case-folding that keeps offsets, language guessing."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence

FRENCH_WORDS = frozenset(
    [
        "je",
        "j",
        "tu",
        "il",
        "elle",
        "nous",
        "vous",
        "ils",
        "elles",
        "le",
        "la",
        "les",
        "un",
        "une",
        "des",
        "du",
        "de",
        "d",
        "au",
        "aux",
        "et",
        "ou",
        "mais",
        "est",
        "suis",
        "pour",
        "avec",
        "sans",
        "chez",
        "pas",
        "ne",
        "plus",
        "mon",
        "ma",
        "mes",
        "ton",
        "ta",
        "votre",
        "vos",
        "notre",
        "nos",
        "ce",
        "cette",
        "ces",
        "qui",
        "que",
        "quoi",
        "quand",
        "comment",
        "bonjour",
        "merci",
        "demain",
        "aujourd",
        "hui",
        "matin",
        "soir",
        "semaine",
        "besoin",
        "aide",
        "aider",
        "courses",
        "voudrais",
        "pourriez",
        "quelqu",
        "quelqu'un",
        "svp",
        "stp",
        "oui",
        "non",
        "dispo",
        "rdv",
        "lundi",
        "mardi",
        "mercredi",
        "jeudi",
        "vendredi",
        "samedi",
        "dimanche",
        "ai",
        "avez",
        "peux",
        "peut",
        "faire",
        "fait",
        "sur",
        "dans",
        "mon",
        "mere",
        "pere",
    ]
)
ENGLISH_WORDS = frozenset(
    [
        "i",
        "you",
        "he",
        "she",
        "we",
        "they",
        "the",
        "a",
        "an",
        "of",
        "and",
        "or",
        "but",
        "is",
        "am",
        "are",
        "to",
        "for",
        "with",
        "without",
        "at",
        "my",
        "your",
        "our",
        "this",
        "that",
        "these",
        "who",
        "what",
        "when",
        "how",
        "hello",
        "hi",
        "thanks",
        "thank",
        "tomorrow",
        "today",
        "morning",
        "evening",
        "week",
        "need",
        "help",
        "could",
        "would",
        "someone",
        "please",
        "yes",
        "no",
        "available",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "can",
        "do",
        "did",
        "done",
        "in",
        "on",
        "me",
        "mum",
        "dad",
        "it",
        "be",
        "have",
        "has",
    ]
)
_WORD = re.compile(r"[a-z0-9']+")


@functools.lru_cache(maxsize=4096)
def fold_char(ch: str) -> str:
    """One character lower-cased and without accents (may be empty or longer: 'ß' -> 'ss')."""
    decomposed = unicodedata.normalize("NFKD", ch.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# One message is folded several times on its way through the NLU (intent features, danger
# patterns, dates, places): the cache makes that once. Offsets are a tuple, so no caller can
# change what another one reads.
@functools.lru_cache(maxsize=256)
def fold_with_offsets(text: str) -> tuple[str, tuple[int, ...]]:
    """Folded text, and for each folded character the index of the original one it came from."""
    if text.isascii():  # most messages: lower-casing is the whole fold, one to one
        return text.lower(), tuple(range(len(text)))
    folded: list[str] = []
    origin: list[int] = []
    for index, ch in enumerate(text):
        piece = fold_char(ch)
        folded.append(piece)
        origin.extend([index] * len(piece))
    return "".join(folded), tuple(origin)


def fold(text: str) -> str:
    return fold_with_offsets(text)[0]


def original_span(
    origin: Sequence[int], start: int, end: int, text_length: int
) -> tuple[int, int]:
    """Map a [start, end) span of the folded text back to the original text."""
    if start >= len(origin):
        return text_length, text_length
    first = origin[start]
    last = origin[end - 1] + 1 if end - 1 < len(origin) else text_length
    return first, last


def guess_language(text: str, default: str = "fr") -> str:
    """'fr' or 'en' from common words (and accents); `default` when nothing tells."""
    words = _WORD.findall(fold(text))
    french = sum(w in FRENCH_WORDS for w in words) + 2 * bool(
        re.search(r"[éèêàçùôî]", text.lower())
    )
    english = sum(w in ENGLISH_WORDS for w in words)
    if french == english:
        return default
    return "fr" if french > english else "en"

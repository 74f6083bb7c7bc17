"""Validation of text typed by members: length, emptiness and control characters."""

from __future__ import annotations

import unicodedata

from core.domain.errors import InvalidInput

MAX_MESSAGE_CHARS = 4000


def clean_text(value: str | None, *, limit: int = MAX_MESSAGE_CHARS, what: str = "text") -> str:
    """Return the text stripped, or raise `InvalidInput` if it is empty, too long or binary.

    Line breaks and tabs are kept; other control characters (which terminals and chat apps
    would interpret) are refused rather than silently removed, so nothing is stored altered.
    """
    if value is None:
        raise InvalidInput("The {what} is empty. Please write something.", what=what)
    text = unicodedata.normalize("NFC", value).strip()
    if not text:
        raise InvalidInput("The {what} is empty. Please write something.", what=what)
    if len(text) > limit:
        raise InvalidInput(
            "The {what} is too long ({length} characters). Please keep it under {limit}.",
            what=what,
            length=len(text),
            limit=limit,
        )
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in text):
        raise InvalidInput(
            "The {what} contains invisible control characters. Please type it again.", what=what
        )
    return text


# Characters a name never needs and that let it pass for another: controls, invisible format
# characters (zero-width spaces and joiners, bidi embeddings, overrides and isolates, the BOM,
# soft hyphens), private-use and unassigned code points, surrogates, line/paragraph separators.
HIDDEN_IN_NAMES = frozenset({"Cc", "Cf", "Co", "Cn", "Cs", "Zl", "Zp"})
MAX_NAME_CHARS = 80


def clean_name(value: str | None, *, limit: int = MAX_NAME_CHARS) -> str:
    """A member's name as stored and shown: NFKC-normalised, spaces collapsed, checked.

    Refused (`InvalidInput`, a kind message) when empty or too long, when it holds a hidden or
    direction-changing character (which would let "Claire Martin" be shown by other letters),
    or when it has no letter at all. Refused rather than cleaned, so nothing is stored altered.
    """
    if value is None:
        raise InvalidInput("The {what} is empty. Please write something.", what="name")
    # NFKC first: full-width letters and compatibility forms become the plain ones; the check
    # then sees what will be stored (and no normalisation can bring a hidden character back).
    text = unicodedata.normalize("NFKC", value)
    if any(unicodedata.category(ch) in HIDDEN_IN_NAMES for ch in text):
        raise InvalidInput(
            "This name contains invisible or special characters. Please type it again."
        )
    name = " ".join(text.split())
    if not name:
        raise InvalidInput("The {what} is empty. Please write something.", what="name")
    if len(name) > limit:
        raise InvalidInput(
            "The {what} is too long ({length} characters). Please keep it under {limit}.",
            what="name",
            length=len(name),
            limit=limit,
        )
    if not any(ch.isalpha() for ch in name):
        raise InvalidInput("Please write your name with letters.")
    return name

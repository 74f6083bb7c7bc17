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

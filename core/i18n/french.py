"""French grammar that depends on the words filled in: elision before a vowel.

"Les courses de {name}" reads "Les courses d'Alice" and "de Bob"; the catalog cannot know
which, since the name is only known when the message is shown.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# Words elided before a vowel ("de Alice" -> "d'Alice", "que Eve" -> "qu'Eve").
_ELIDED = {"de": "d'", "que": "qu'", "je": "j'", "ne": "n'", "le": "l'", "la": "l'"}
_BEFORE_PLACEHOLDER = re.compile(r"\b([Dd]e|[Qq]ue|[Jj]e|[Nn]e|[Ll]e|[Ll]a) \{(\w+)\}")
# Vowels a word can begin with (a mute "h" is too rare in first names to guess at).
_VOWELS = frozenset("aeiouyàâäéèêëîïôöùûüœæAEIOUYÀÂÄÉÈÊËÎÏÔÖÙÛÜŒÆ")


def elide(template: str, values: Mapping[str, Any]) -> str:
    """The template with "de {x}" made "d'{x}" where the value of x begins with a vowel."""

    def joined(match: re.Match[str]) -> str:
        word, name = match.group(1), match.group(2)
        value = str(values.get(name, "")).lstrip()
        if not value or value[0] not in _VOWELS:
            return match.group(0)
        short = _ELIDED[word.lower()]
        if word[0].isupper():
            short = short.capitalize()
        return f"{short}{{{name}}}"

    return _BEFORE_PLACEHOLDER.sub(joined, template)

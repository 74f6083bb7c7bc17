"""Danger now, read from the words: the second safety net of the emergency intent.

The dialogue's keyword net (`core.dialogue.danger_words.looks_like_emergency`) catches the
classic phrases. This one searches the patterns of `nlu.dangers`, which cover every kind of
danger of the intent's definition and more (violence, despair, a person lost or frozen, help
asked while the ambulance is on its way...). A classifier alone cannot promise that no
emergency is missed; patterns written from the definition can be read, tested and extended.

What is told afterwards ("je suis tombée la semaine dernière"), said to be nothing serious, or
a booked appointment is a calm message: `told_calmly` keeps these patterns quiet in its
sentence and those beside it (the model can still recognise it), and `not_an_emergency` says
so outright ("ce n'est pas une urgence").
"""

from __future__ import annotations

import re

from core.dialogue.danger_words import (
    calm_mentions_blanked,
    keyword_anywhere,
    not_an_emergency,
    told_calmly,
    told_now,
)
from nlu.dangers import danger_in
from nlu.text import fold

__all__ = ["danger_now", "not_an_emergency", "reassured", "told_calmly"]


def danger_now(text: str) -> bool:
    """Words that tell of a danger happening now, in a message not told calmly (fire words
    that name no fire, "fire drill", "allumer le feu dans la cheminée", an illness told before
    asking for a chore, an emergency only supposed, are left out first)."""
    folded = fold(text)
    if not any(map(danger_in, _parts(folded))):
        return False  # no danger word at all: nothing for the calm rules to weigh
    return told_now(
        calm_mentions_blanked(folded), lambda sentence: any(map(danger_in, _parts(sentence)))
    )


# A long message is searched in overlapping parts cut at spaces: one search of the whole
# pattern over 4 000 characters holds the interpreter lock ~100 ms (`re` never lets it go),
# which stalls the event loop that serves everybody; between parts, other threads run.
PART = 400
OVERLAP = 120  # longer than any danger phrase, so none is cut in two


def _parts(folded: str) -> list[str]:
    if len(folded) <= PART + OVERLAP:
        return [folded]
    parts, start = [], 0
    while start < len(folded):
        end = min(len(folded), start + PART + OVERLAP)
        if end < len(folded):
            end = max(folded.rfind(" ", start + PART, end), start + PART)
        parts.append(folded[start:end])
        if end >= len(folded):
            break
        following = folded.find(" ", end - OVERLAP, end)
        start = following + 1 if following != -1 else end - OVERLAP
    return parts


# Said outright that all is well: "she got straight back up, she's fine", "plus de peur que de
# mal", "tout va bien, on a aéré". (Not asked: "je ne sais pas s'il va bien".)
_REASSURED = re.compile(
    r"(?<!s')(?<!si )(?<!if )(?<!whether )\b(tout va bien|tout est (en ordre|rentre dans "
    r"l'? ?ordre|regle)|c'?est regle|plus de peur que de mal|rien de (grave|casse)|"
    r"(elle|il|je|on) (va|vais) (tres )?bien|tout le monde va bien|juste un bleu|"
    r"ca va (beaucoup |bien |tellement )?mieux|(much|a lot|far|loads) better now|"
    r"(she'?s|he'?s|i'?m|we'?re|everyone'?s|everybody'?s|she is|he is|i am|we are) (fine|ok|"
    r"okay|alright|all right)|all (fine|good|sorted|ok|okay)|no harm done|nothing (serious|"
    r"broken)|just a (bruise|bump|scratch))\b"
    # Not what she says of herself before the truth: "she says she's fine but she's grey".
    r"(?![^.!?;]{0,60}\b(mais|but|sauf|except|however|pourtant|though|yet|en fait|actually)\b)"
)
# "elle dit qu'elle va bien", "he keeps saying he's fine": a reassurance reported, not given.
_SAID_TO_BE_FINE = re.compile(
    r"\b(dit|dis|repete|pretend|insiste|affirme|assure|jure|says|said|saying|keeps saying|"
    r"insists|claims|swears|reckons|thinks)\b[a-z' ]{0,12}$"
)


def reassured(text: str) -> bool:
    """The message says all is well and holds no word of danger at all, however told: the
    model's alarm on it is news misread ("Maman a glissé hier, elle s'est relevée tout de
    suite, elle va bien"). A danger word anywhere keeps the model's say ("elle dit qu'elle va
    bien mais elle n'arrive pas à se relever")."""
    folded = fold(text)
    if keyword_anywhere(folded) or not any(
        not _SAID_TO_BE_FINE.search(folded[max(0, found.start() - 40) : found.start()])
        for found in _REASSURED.finditer(folded)
    ):
        return False
    return not any(map(danger_in, _parts(folded)))

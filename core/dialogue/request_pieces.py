"""What a message says about a request: what kind of help, when, where; nothing it does not say.

Used for a request written in one message and for a correction at the summary ("plutôt jeudi à
15h", "c'est pour le jardin", "at my daughter's"). Each piece is taken only when the message
names it: a date from its words (the NLU's `when`, else the day and time words themselves), a
place named or "at home", a category the NLU is fairly sure of. A weak guess is no piece: the
question is asked instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.dialogue.dates import parse_window, when_words
from core.dialogue.offload import off_loop
from core.dialogue.turn import Turn, Understanding
from core.dialogue.words import fold
from core.domain.vocabulary import Category, WhenKind
from core.domain.windows import infer_kind

# A category is taken when a word of the message names it ("chien", "courses") and the NLU is
# fairly sure; from the classifier alone ("I need some help at home": shopping, 0.51), only when
# it is clearly sure ("qu'on m'accompagne chez le dentiste": transport, 0.68). Otherwise it is
# asked, never assumed ("j'ai besoin d'aide" was filed as paperwork on a 0.38 guess).
SURE_CATEGORY = 0.5
SURE_WITHOUT_A_WORD = 0.6

_HOME = re.compile(
    r"(?<![a-z])(?:chez moi|a la maison|a domicile|a mon domicile|at home|at my home|"
    r"at my place|at my house|my place)(?![a-z])"
)
# "at my daughter's", "at my neighbour's place": someone's home, said in English.
_SOMEONES = re.compile(r"(?<![a-z])at (?:my|the) [a-z]+(?:'s|s')(?: (?:home|house|place))?")


@dataclass(frozen=True)
class Pieces:
    """The pieces of a request a message names; None (or False) for what it does not say."""

    category: str | None = None
    when_start: str | None = None  # ISO datetimes, as the conversation keeps them
    when_end: str | None = None
    when_kind: str | None = None  # a `WhenKind`: an hour, or a window as it was said
    place: str | None = None
    home: bool = False

    @property
    def any(self) -> bool:
        return bool(self.category or self.when_start or self.place or self.home)


async def pieces_of(turn: Turn, text: str) -> Pieces:
    """The pieces `text` names (see the module's docstring)."""
    when = await _when(turn, text)
    home, place = _place(turn, text)
    return Pieces(
        category=sure_category(turn),
        when_start=when[0] if when else None,
        when_end=when[1] if when else None,
        when_kind=when[2] if when else None,
        place=place,
        home=home,
    )


def sure_category(turn: Turn) -> str | None:
    """The category the NLU found in this message, if it is fairly sure of it."""
    understood = turn.understood
    if understood is None:
        return None
    found = _entity(understood, "category")
    if found is None or found.get("value") not in {c.value for c in Category}:
        return None
    confidence = float(found.get("confidence_entity", 1.0))
    whole_message = found.get("start") == 0 and found.get("end") == len(understood.text)
    if confidence < (SURE_WITHOUT_A_WORD if whole_message else SURE_CATEGORY):
        return None
    return str(found["value"])


def _entity(understood: Understanding, name: str) -> dict[str, Any] | None:
    return next((e for e in understood.entities if e.get("entity") == name), None)


async def _when(turn: Turn, text: str) -> tuple[str, str | None, str] | None:
    """The moment or window the message names, in the future, with its kind (`WhenKind`);
    None when it names none."""
    now = turn.uow.now()
    said = turn.understood.entity("when") if turn.understood is not None else None
    found: tuple[str, str | None, str] | None = None
    if isinstance(said, dict):
        start, end = datetime.fromisoformat(str(said["from"])), str(said["to"])
        kind = said.get("kind") or infer_kind(
            start, datetime.fromisoformat(end), turn.territory.tz
        )
        found = (start.isoformat(), end, str(kind))
    elif isinstance(said, str):
        found = (said, None, WhenKind.AT)
    elif (words := when_words(text)) is not None:
        window = await off_loop(
            parse_window, words, now=now, timezone=turn.territory.timezone, language=turn.language
        )
        if window is not None:
            start, end, kind = window
            found = (start.isoformat(), end.isoformat() if end else None, str(kind))
    if found is None or datetime.fromisoformat(found[1] or found[0]) < now:
        return None  # a past moment is no answer: the question is asked
    return found


def is_home(text: str) -> bool:
    """Whether `text` says the requester's home ("chez moi", "at home")."""
    return _HOME.search(fold(text)) is not None


def _place(turn: Turn, text: str) -> tuple[bool, str | None]:
    """(at home, the place named): "chez moi" is home; "à la pharmacie" a place."""
    folded = fold(text)
    if is_home(text):
        return True, None
    said = turn.understood.entity("place") if turn.understood is not None else None
    if said:
        return False, str(said)[:300]
    someones = _SOMEONES.search(folded.replace("\u2019", "'"))
    if someones is not None:
        return False, _original(text, someones.group())
    return False, None


def _original(text: str, folded_part: str) -> str:
    """`folded_part` as the person wrote it, when it can be found (else folded)."""
    for start in range(len(text) - len(folded_part) + 1):
        candidate = text[start : start + len(folded_part)]
        if fold(candidate).replace("\u2019", "'") == folded_part:
            return candidate
    return folded_part

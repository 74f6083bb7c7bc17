"""Trust at the door: the safety word of an accepted request, and "who is coming?".

When a volunteer accepts a request, the assignment gets a short safety word: two simple words
from a small fixed list in the requester's language, or four digits (the `safety_word`
setting). The requester is told it with the volunteer's first name, the volunteer is told to
say it at the door, and reminders repeat it to both. Only these two ever see it
(`Action.SEE_SAFETY_WORD`): never a public room, a coordinator, a log or an export.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from core.domain.model import Assignment, HelpRequest, Member
from core.domain.vocabulary import RequestState
from core.services import authorization
from core.services.authorization import Action
from core.services.unit_of_work import UnitOfWork

# Words easy to say through a door and to hear: no two alike in sound, no accents, no
# homophones, nothing unkind. Two distinct words: 24 x 23 = 552 pairs per language.
WORDS = {
    "fr": (
        "pomme", "soleil", "bateau", "citron", "lapin", "nuage", "moulin", "cerise",
        "tortue", "violon", "chapeau", "fromage", "girafe", "montagne", "tulipe", "crayon",
        "panier", "sapin", "olive", "castor", "poney", "cactus", "melon", "tambour",
    ),
    "en": (
        "apple", "river", "candle", "garden", "rabbit", "pencil", "basket", "violin",
        "turtle", "lemon", "cherry", "mountain", "window", "button", "tiger", "carrot",
        "kettle", "meadow", "pillow", "rocket", "tulip", "walnut", "orange", "piano",
    ),
}  # fmt: skip
DIGITS = "digits"
# What stands in for a word the reader may not see (as for contact details).
WITHHELD = "-"


def new_word(style: str, language: str) -> str:
    """A fresh safety word: two distinct words of `language`'s list, or four digits."""
    if style == DIGITS:
        return f"{secrets.randbelow(10_000):04d}"
    words = WORDS.get(language, WORDS["fr"])
    first = secrets.choice(words)
    second = secrets.choice([w for w in words if w != first])
    return f"{first} {second}"


def give_word(uow: UnitOfWork, request: HelpRequest, assignment: Assignment) -> None:
    """Give the assignment just made its safety word (in the requester's language)."""
    style = getattr(uow.settings, "safety_word", "words")
    assignment.safety_word = new_word(style, request.requester.language)


def word_for(viewer: Member, request: HelpRequest) -> str:
    """The safety word of the task held now, for the requester or the volunteer holding it;
    `WITHHELD` for anyone else (authorization decides)."""
    holder = request.active_assignment
    if holder is None or not holder.safety_word:
        return WITHHELD
    if not authorization.may(viewer, Action.SEE_SAFETY_WORD, request):
        return WITHHELD
    return holder.safety_word


@dataclass(frozen=True)
class Coming:
    """Who comes for one accepted request of the requester, and the word they will say."""

    request: HelpRequest
    volunteer: str  # the first name
    safety_word: str


async def coming(uow: UnitOfWork, member: Member, request: HelpRequest) -> Coming | None:
    """Who is coming for `request`, if `member` may ask (its requester, or her proxy now:
    authorization) and someone is."""
    await authorization.require_by(uow, member.id, Action.ASK_WHO_IS_COMING, request)
    holder = request.active_assignment
    if request.state != RequestState.ACCEPTED or holder is None:
        return None
    return Coming(request, holder.volunteer.first_name, holder.safety_word or WITHHELD)

"""Learning from use, in the conversation: the member's consent, and what is kept for review.

Kept, only for a member who said yes (`learning_on`), anonymised (`core/services/learning.py`):
- a message the bot was unsure of (it offered meanings instead of acting), with the meaning the
  member then picked among the buttons (`note_pick`, called by the dispatcher);
- a request written in words whose category the member corrected before sending it.
A coordinator labels them in the terminal (`entraide nlu review`).

Actions: learning (what it is, yes or no), learning_on, learning_off.
"""

from __future__ import annotations

from typing import Any

from core.dialogue.flows.common import menu_choices
from core.dialogue.routing import action
from core.dialogue.turn import Turn, Understanding
from core.domain.review import ReviewReason
from core.i18n import N_
from core.services import learning
from core.services.outbox import Choice

# Where the conversation remembers the message just kept and the meanings offered for it, until
# the member's next button: {"id": <review item>, "meanings": {action: intent}}.
REVIEWING = "reviewing"


@action("learning")
async def explain(turn: Turn) -> None:
    """What keeping unclear messages means, and the choice."""
    assert turn.member is not None
    given = await learning.consents(turn.uow, turn.member.id)
    turn.reply(
        N_(
            "Sometimes I do not understand a message. May I keep these messages to learn? "
            "Names, phone numbers and addresses are removed first. A coordinator reads them. "
            "They are deleted after {days} days. You said yes."
        )
        if given
        else N_(
            "Sometimes I do not understand a message. May I keep these messages to learn? "
            "Names, phone numbers and addresses are removed first. A coordinator reads them. "
            "They are deleted after {days} days. For now, I keep nothing."
        ),
        days=turn.uow.settings.retention_days,
        choices=[
            Choice("Yes, keep them", "learning_on"),
            Choice("No, do not keep them", "learning_off"),
            Choice("Back to the menu", "menu"),
        ],
    )


@action("learning_on")
async def consent(turn: Turn) -> None:
    assert turn.member is not None
    await learning.set_consent(turn.uow, turn.member.id, True)
    turn.reply(
        "Thank you! I will keep the messages I do not understand, without names.",
        choices=menu_choices(turn),
    )


@action("learning_off")
async def refuse(turn: Turn) -> None:
    """No: nothing more is kept, and what was kept is deleted now."""
    assert turn.member is not None
    await learning.set_consent(turn.uow, turn.member.id, False)
    turn.reply("Done: I keep none of your messages.", choices=menu_choices(turn))


async def keep_unsure(turn: Turn, understood: Understanding, meanings: dict[str, str]) -> None:
    """Keep a message the bot was unsure of; remember which intent each offered button means
    (`meanings`: action -> intent), so that the member's pick can be added to it."""
    assert turn.member is not None
    item = await learning.keep_for_review(
        turn.uow,
        turn.member,
        understood.text,
        language=_language(turn, understood),
        reason=ReviewReason.UNSURE,
        intent=understood.intent,
        confidence=understood.confidence,
        category=_category(understood),
    )
    if item is None:
        return
    turn.set_data(**{REVIEWING: {"id": item.id, "meanings": meanings}})


async def note_pick(turn: Turn, pressed: str | None) -> None:
    """The member's next button after an unsure message: the meaning they picked, if it is one
    of those offered. Whatever they do next, the message is no longer waiting for a pick."""
    reviewing: Any = turn.data(REVIEWING)
    if not reviewing or turn.member is None:
        return
    turn.set_data(**{REVIEWING: None})
    intent = reviewing.get("meanings", {}).get(pressed) if isinstance(reviewing, dict) else None
    if isinstance(intent, str) and isinstance(reviewing.get("id"), int):
        await learning.note_pick(turn.uow, reviewing["id"], turn.member.id, intent)


async def keep_corrected_category(turn: Turn, guessed: dict[str, Any] | None, chosen: str) -> None:
    """A request written in words, sent with another category than the one understood."""
    if turn.member is None or not isinstance(guessed, dict):
        return
    category = guessed.get("category")
    if not category or category == chosen:
        return
    await learning.keep_for_review(
        turn.uow,
        turn.member,
        str(guessed.get("text") or ""),
        language=str(guessed.get("language") or turn.language),
        reason=ReviewReason.CORRECTED,
        intent=str(guessed.get("intent") or "request_help"),
        confidence=float(guessed.get("confidence") or 0.0),
        category=str(category),
        picked_intent="request_help",
        picked_category=chosen,
    )


def guess_of(understood: Understanding, category: str | None, language: str) -> dict[str, Any]:
    """What the NLU understood of a request written in words, kept in the ask flow's data."""
    return {
        "text": understood.text[:1000],
        "intent": understood.intent,
        "confidence": round(float(understood.confidence), 4),
        "category": category,
        "language": language,
    }


def _category(understood: Understanding) -> str | None:
    value = understood.entity("category")
    return value if isinstance(value, str) else None


def _language(turn: Turn, understood: Understanding) -> str:
    language = getattr(understood, "language", None)
    return language if language in ("fr", "en") else turn.language

"""Emergencies: the numbers at once, the flow in progress put on hold, and a question when
the NLU only half thinks it is one.

A message on the keyword net (`danger_words.looks_like_emergency`) or with a clear model score is
answered at once (`answer_emergency`). A weak score alone sounds no alarm: it asks "Are you in
danger?" (step danger/ask) with "Yes, call for help" (the emergency answer, the coordinators
alerted) and "No" (nothing alerted). Either way the step the member was at is put on hold, not
continued by the next "1": the answer ends with buttons, and "Continue" (action resume) shows
that step's question again.
"""

from __future__ import annotations

from typing import Any

from core.dialogue.flows import onboarding
from core.dialogue.flows.common import menu_choices
from core.dialogue.routing import STEPS, Answer, action, step
from core.dialogue.turn import ASKED, KEPT_ACROSS_FLOWS, Turn
from core.dialogue.words import is_no, is_yes
from core.domain import events
from core.domain.vocabulary import MessageKind
from core.services.outbox import Choice

DANGER_FLOW = "danger"
RESUME = "resume"
# Where the step on hold is kept (in the conversation's data, until the member moves on).
HELD = "held"
# The flows whose step is dropped rather than put on hold (the loneliness check: its running
# total must not outlive the flow, see `flows/loneliness.py`).
NEVER_HELD = frozenset({"loneliness"})
# How sure the NLU must be of an emergency to sound the alarm without asking.
CLEAR_EMERGENCY = 0.6
# The flow of requests: its step on hold is "my request" for the member.
ASKING_FLOW = "ask"


def _hold(turn: Turn) -> dict[str, Any] | None:
    """The step the conversation waits at, with its data, to come back to it (or None)."""
    conversation = turn.conversation
    if conversation.flow == DANGER_FLOW:
        return turn.data(HELD)  # still the step held when the question was asked
    if conversation.flow is None or conversation.step is None:
        return None
    if conversation.flow in NEVER_HELD:
        return None  # the loneliness check's answers are dropped, never kept on hold
    data = {k: v for k, v in conversation.data.items() if k not in KEPT_ACROSS_FLOWS}
    return {"flow": conversation.flow, "step": conversation.step, "data": data}


def _choices(turn: Turn, held: dict[str, Any] | None) -> list[Choice]:
    """What the member may do next: go back to the step on hold, a coordinator, the menu."""
    choices: list[Choice] = []
    if held is not None:
        label = "Continue my request" if held["flow"] == ASKING_FLOW else "Continue where I was"
        choices.append(Choice(label, RESUME))
    if turn.member is not None:
        choices += [
            Choice("Talk to a coordinator", "coordinator"),
            Choice("Back to the menu", "menu"),
        ]
    return choices


async def answer_emergency(turn: Turn, text: str) -> None:
    """Emergency numbers first, at once; the coordinators are alerted; the step in progress
    is put on hold, and the answer ends with what to do next."""
    held = _hold(turn)
    turn.goto(None)
    if held is not None:
        turn.set_data(**{HELD: held})
    turn.reply(
        "If this is an emergency, call now:\n{numbers}\nI am also alerting the coordinators.",
        kind=MessageKind.ALERT,
        numbers=list(turn.territory.emergency_numbers),  # labels shown in the reader's words
        choices=_choices(turn, held),
    )
    if turn.member is not None:
        turn.uow.publish(events.EmergencyRaised(turn.member.id, text[:1000]))
        turn.uow.audit(turn.member.id, "emergency", f"member:{turn.member.id}")


async def ask_if_in_danger(turn: Turn, text: str) -> None:
    """A weak emergency score: ask rather than sound the alarm (the step is put on hold)."""
    held = _hold(turn)
    turn.goto(DANGER_FLOW, "ask", text=text[:1000], **{HELD: held})
    turn.reply("Are you in danger?", choices=_danger_choices())


def _danger_choices() -> list[Choice]:
    return [Choice("Yes, call for help", "danger_yes"), Choice("No", "danger_no")]


@step(DANGER_FLOW, "ask", buttons=("danger_yes", "danger_no"), text=True, otherwise=None)
async def on_danger_answer(turn: Turn, answer: Answer) -> None:
    """Yes: the emergency answer and the coordinators' alert. No: back where the member was,
    nothing alerted. Anything else asks again."""
    if answer.button == "danger_yes" or (not answer.pressed and is_yes(answer.text)):
        await answer_emergency(turn, str(turn.data("text") or ""))
    elif answer.button == "danger_no" or (not answer.pressed and is_no(answer.text)):
        await resume(turn)
    else:
        turn.reply("Are you in danger?", choices=_danger_choices())


@action(RESUME)
async def resume(turn: Turn) -> None:
    """Back to the step put on hold by an emergency: its question, shown again."""
    held = turn.data(HELD)
    asked = held["data"].get(ASKED) if held is not None else None
    if held is None or asked is None or (held["flow"], held["step"]) not in STEPS:
        # Nothing on hold (any more), a question not kept, or a step that no longer exists
        # (a newer version of the bot): the menu, or the start of onboarding for a newcomer.
        if turn.member is None:
            await onboarding.start(turn)
        else:
            turn.goto(None)
            turn.reply("What would you like to do?", choices=menu_choices(turn))
        return
    turn.come_back(str(held["flow"]), str(held["step"]), held["data"])
    turn.ask_again(asked)

"""The loneliness check in the chat, where the territory turned it on (`services/loneliness.py`).

Offered to a requester in her own chat: right after she thanks the volunteer of her first help
(`due_after_help`, `offer`), else by the scheduler the next day, then every three months; never
in the middle of another flow. First a yes or no; "no" is respected until the next time. Then the
three questions of the UK's Office for National Statistics, one at a time, each with its three
answers and a button to stop.

Only the running total is kept in the conversation while she answers; at the end it becomes one
more anonymous count (`LonelinessTally`) and the flow's data is dropped. Stopping, or leaving
for anything else (the menu, an emergency), keeps nothing of the answers.

Steps: loneliness/offer (yes, no), loneliness/question (an answer, or stop).
"""

from __future__ import annotations

from core.dialogue.flows.common import menu_choices
from core.dialogue.routing import Answer, step
from core.dialogue.turn import Turn
from core.domain.errors import InvalidInput
from core.i18n import N_
from core.services import loneliness
from core.services.outbox import Choice

# The names the scheduler's offer moves a chat to as well (`services.loneliness.FLOW`...).
FLOW = "loneliness"
OFFER_STEP = "offer"

QUESTIONS = (
    N_("How often do you feel that you lack companionship?"),
    N_("How often do you feel left out?"),
    N_("How often do you feel isolated from others?"),
)
# The answers' buttons, with their points (the ONS scoring).
ANSWERS = (
    (N_("Hardly ever or never"), 1),
    (N_("Some of the time"), 2),
    (N_("Often"), 3),
)


async def due_after_help(turn: Turn) -> str | None:
    """The wave of the check if it is due now for the member who speaks (she was helped, the
    territory has it on, it was not offered in the last three months, she is in no flow)."""
    member = turn.member
    if member is None or turn.conversation.flow is not None:
        return None
    return await loneliness.wave_to_offer(turn.uow, member)


async def offer(turn: Turn, wave: str) -> None:
    """The yes or no, recorded as offered (to offer it again three months later)."""
    assert turn.member is not None
    await loneliness.mark_offered(turn.uow, turn.member.id)
    turn.goto(FLOW, OFFER_STEP, wave=wave)
    turn.reply(loneliness.OFFER, choices=loneliness.offer_choices())
    return True


@step(FLOW, OFFER_STEP, buttons=("lonely",))
async def on_offer(turn: Turn, answer: Answer) -> None:
    """Yes: the first question. No: nothing is asked until the next time."""
    if answer.value == "yes":
        turn.goto(FLOW, "question", index=0, total=0)
        _ask(turn, 0)
    elif answer.value == "no":
        turn.goto(None)
        turn.reply("All right. Thank you.", choices=menu_choices(turn))
    else:
        raise InvalidInput("Please choose one of the buttons.")


def _ask(turn: Turn, index: int) -> None:
    turn.reply(
        QUESTIONS[index],
        choices=[
            *(Choice(label, f"often:{points}") for label, points in ANSWERS),
            Choice("Stop", "lonely_stop"),
        ],
    )


@step(FLOW, "question", buttons=("often", "lonely_stop"))
async def on_answer(turn: Turn, answer: Answer) -> None:
    """An answer adds its points to the total; after the third, the total is counted (without
    her) and forgotten. "Stop" keeps nothing."""
    assert turn.member is not None
    if answer.button == "lonely_stop":
        turn.goto(None)
        turn.reply("Stopped. Nothing of your answers is kept.", choices=menu_choices(turn))
        return
    points = {str(p): p for _label, p in ANSWERS}.get(answer.value)
    index, total = turn.data("index"), turn.data("total")
    if points is None or not isinstance(index, int) or not isinstance(total, int):
        raise InvalidInput("Please choose one of the buttons.")
    if index + 1 < len(QUESTIONS):
        turn.goto(FLOW, "question", index=index + 1, total=total + points)
        _ask(turn, index + 1)
        return
    wave = str(turn.data("wave"))
    turn.goto(None)  # the flow's data (the total, the wave) is dropped here
    await loneliness.count_answer(turn.uow, turn.member, wave, total + points)
    turn.reply(
        "Thank you. Your answers are counted with the others, without your name.",
        choices=menu_choices(turn),
    )

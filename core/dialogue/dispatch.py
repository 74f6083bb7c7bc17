"""One turn's way through the conversation: safety first, then the router.

In order: an action too long to be real is refused; typed text is cleaned and, if it sounds like
an emergency, answered at once with the emergency numbers (the keyword net, or a clear score of
the NLU; a weak score asks "Are you in danger?" rather than sounding the alarm: see
`flows/emergency.py`); a typed number or label of the last buttons shown is that button; a
newcomer is onboarded; a typed command is its action; a suspended member may only reach the
coordinators; then the current step's button or text answers that step, any other
action is pressed, and free text outside a step goes to what the NLU understood.
"""

from __future__ import annotations

from core.dialogue import newcomers, routing, shown_choices
from core.dialogue.arguments import STALE, is_position
from core.dialogue.flows import (  # noqa: F401  (each flow registers its steps and actions)
    asking,
    common,
    emergency,
    helping,
    link,
    onboarding,
    organising,
    understanding,
    voting,
)
from core.dialogue.turn import Interpreter, Turn
from core.dialogue.words import command_of, fold, looks_like_emergency
from core.domain.errors import InvalidInput, Suspended
from core.domain.vocabulary import MemberStatus
from core.services.text import clean_text

# The longest action an adapter may hand over (a button's data, `link_group:<room id>`).
MAX_INBOUND_ACTION_CHARS = 300
# How sure the NLU must be of an emergency to ask about it inside a flow (a name, a place...:
# below, the step takes the text); outside a flow any emergency guess is asked about. From
# `emergency.CLEAR_EMERGENCY` it interrupts at once (the keyword net always does).
IN_FLOW_EMERGENCY = 0.5
# What a suspended member may still do: reach a coordinator, read the help, see the menu
# (which then offers only these two), and answer about an emergency.
SUSPENDED_MAY = frozenset(
    {"coordinator", "help", "menu", "danger_yes", "danger_no", emergency.RESUME}
)
# The flows whose typed answers a suspended member may still give.
OPEN_FLOWS_WHEN_SUSPENDED = frozenset({common.COORDINATOR_FLOW, emergency.DANGER_FLOW})


async def dispatch(turn: Turn, interpreter: Interpreter | None, *, max_chars: int) -> None:
    """Answer one message or button press (see the module's docstring for the order)."""
    inbound = turn.inbound
    text = inbound.text
    if inbound.action is not None and len(inbound.action) > MAX_INBOUND_ACTION_CHARS:
        raise InvalidInput(STALE)  # no button, command or room id is that long
    if text is not None and inbound.action is None:
        text = clean_text(text, limit=max_chars, what="message")
        if looks_like_emergency(text):
            await emergency.answer_emergency(turn, text)
            return
    here = routing.current_step(turn)
    typed_choices = here is None or here.typed_choices
    action = inbound.action or (_choice_action(turn, text) if text and typed_choices else None)
    if text and action is None and command_of(text) is None and interpreter is not None:
        turn.understood = await interpreter.parse(
            text, language=turn.language, timezone=turn.territory.timezone, now=turn.uow.now()
        )
        if await _on_emergency_guess(turn, text):
            return
    if turn.member is None:
        await newcomers.take_turn(turn, text, action)
        return
    if action is None and text:
        action = _typed_action(text, here)
    if turn.member.status == MemberStatus.SUSPENDED and not _open_when_suspended(
        action, turn.conversation.flow, typed=bool(text) and inbound.action is None
    ):
        raise Suspended()
    if action is not None and not routing.is_step_button(turn, action):
        await routing.press(turn, action)
        return
    if await routing.answer(turn, text, action):
        return
    if turn.understood is not None:
        await understanding.act_on(turn, turn.understood)
        return
    turn.reply(
        "Sorry, I did not understand. Here is what I can do:",
        choices=common.menu_choices(turn),
    )


def _choice_action(turn: Turn, text: str) -> str | None:
    """A number or a label of the last buttons shown stands for pressing that button."""
    last = shown_choices.last_shown(turn.conversation)
    folded = fold(text)
    if is_position(folded) and 1 <= int(folded) <= len(last):
        return last[int(folded) - 1][1]
    for label, action in last:
        if fold(label) == folded:
            return action
    return None


async def _on_emergency_guess(turn: Turn, text: str) -> bool:
    """What the NLU's guess of an emergency calls for: the emergency answer when it is sure,
    the question "Are you in danger?" when it only half thinks so (inside a flow, a weak guess
    about a name or a place is left to the step). Whether the turn was answered."""
    understood = turn.understood
    if understood is None or understood.intent != understanding.EMERGENCY:
        return False
    if understood.confidence >= emergency.CLEAR_EMERGENCY:
        await emergency.answer_emergency(turn, text)
        return True
    if turn.conversation.flow is None or understood.confidence >= IN_FLOW_EMERGENCY:
        await emergency.ask_if_in_danger(turn, text)
        return True
    return False


def _typed_action(text: str, here: routing.Step | None) -> str | None:
    """The command a typed text stands for, if the current step lets it be one (talking to a
    coordinator, only the words to move about are: the rest is the message)."""
    command = command_of(text)
    if here is not None and here.commands is not None:
        return command if command in here.commands else None
    return command or link.typed_link_code(text)


def _open_when_suspended(action: str | None, flow: str | None, *, typed: bool) -> bool:
    """A suspended member may only reach the coordinators (see `SUSPENDED_MAY`), write to
    them, and leave a flow they were in."""
    if action is None:
        return typed and flow in OPEN_FLOWS_WHEN_SUSPENDED
    return action in SUSPENDED_MAY or (action == "abort" and flow is not None)

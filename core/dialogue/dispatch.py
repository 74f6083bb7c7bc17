"""One turn's way through the conversation: safety first, then the router.

In order: an action too long to be real is refused; typed text is cleaned and, if it sounds
like an emergency, answered at once with the emergency numbers (the keyword net, or a clear
score of the NLU; a weak score, or a bare cry such as "AIDE !", asks "Are you in danger?"
rather than sounding the alarm: see `flows/emergency.py`); a typed number or label of the last
buttons shown is that button; a newcomer is onboarded; a typed command is its action; a
suspended member may only reach the coordinators; then the current step's button or text
answers that step, any other action is pressed, and free text outside a step goes to the
coordinator answering the member (`flows/desk_reply.py`), else to what the NLU understood.
"""

from __future__ import annotations

from core.dialogue import choosing, newcomers, routing, shown_choices
from core.dialogue.arguments import STALE
from core.dialogue.danger_words import looks_like_emergency
from core.dialogue.flows import (  # noqa: F401  (each flow registers its steps and actions)
    alerts,
    asking,
    bureau,
    changing,
    common,
    correcting,
    desk_members,
    desk_polls,
    desk_post,
    desk_reply,
    door,
    emergency,
    generations,
    helping,
    learning,
    link,
    loneliness,
    my_requests,
    onboarding,
    organising,
    proxying,
    scams,
    understanding,
    voting,
)
from core.dialogue.turn import Interpreter, Turn
from core.dialogue.words import command_of, is_bare_cry
from core.domain.errors import InvalidInput, Suspended
from core.domain.vocabulary import MemberStatus
from core.services.text import clean_text

# The longest action an adapter may hand over (a button's data, `link_group:<room id>`).
MAX_INBOUND_ACTION_CHARS = 300
# How sure the NLU must be of an emergency to ask about it inside a flow (a name, a place...:
# below, the step takes the text); outside a flow any emergency guess is asked about. From
# `emergency.CLEAR_EMERGENCY` it interrupts at once (the keyword net always does).
IN_FLOW_EMERGENCY = 0.5
# What a suspended member may still do: reach a coordinator (in words or by voice), read the
# help, see the menu (which then offers only these two), and answer about an emergency.
SUSPENDED_MAY = frozenset(
    {"coordinator", "voice", "help", "menu", "danger_yes", "danger_no", emergency.RESUME}
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
        if is_bare_cry(text):  # "AIDE !" is a cry before it is the label of a button
            await emergency.ask_if_in_danger(turn, text)
            return
    here = routing.current_step(turn)
    typed_choices = here is None or here.typed_choices
    picked = choosing.Pick()
    if text and inbound.action is None and typed_choices:
        picked = _pick(turn, text, here)
    action = inbound.action or _chosen_action(turn, picked)
    if action is None and len(picked.chosen) > 1 and await _tick_each(turn, here, picked):
        return
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
        action = _typed_action(text, here) or _meant_choice(turn, here)
    if turn.member.status == MemberStatus.SUSPENDED and not _open_when_suspended(
        action, turn.conversation.flow, typed=bool(text) and inbound.action is None
    ):
        raise Suspended()
    if action is None and (picked.ambiguous or picked.out_of_range) and not _takes_text(here):
        # "3" under two buttons, "demandes" under "My requests" and "Open requests": the
        # list again, never a guess nor a bare "I did not understand".
        choosing.ask_again(turn, "Which one? Please choose in this list.")
        return
    await learning.note_pick(turn, action)
    if action is not None and not routing.is_step_button(turn, action):
        await routing.press(turn, action)
        return
    if await routing.answer(turn, text, action):
        return
    if action is None and text and await desk_reply.to_open_thread(turn, text):
        return  # a coordinator answers this member: their words go back to her
    if turn.understood is not None:
        await understanding.act_on(turn, turn.understood)
        return
    turn.reply(
        "Sorry, I did not understand. Here is what I can do:",
        choices=common.menu_choices(turn),
    )


def _takes_text(here: routing.Step | None) -> bool:
    return here is not None and here.text


def _pick(turn: Turn, text: str, here: routing.Step | None) -> choosing.Pick:
    """The last buttons shown that a typed number, label or part of a label names; where the
    step takes free text (a place, a date), only a number or a whole label is a button."""
    last = shown_choices.last_shown(turn.conversation)
    return choosing.pick(text, [label for label, _action in last], parts=not _takes_text(here))


def _chosen_action(turn: Turn, picked: choosing.Pick) -> str | None:
    """The action of the button picked; several numbers of one poll's answers are one vote
    with all of them (the poll says whether it takes several)."""
    last = shown_choices.last_shown(turn.conversation)
    actions = [last[i][1] for i in picked.chosen]
    if len(actions) == 1:
        return actions[0]
    return voting.vote_for_all(actions) if actions else None


async def _tick_each(turn: Turn, here: routing.Step | None, picked: choosing.Pick) -> bool:
    """Several numbers typed where several answers are ticked ("1 et 3" under the skills):
    each is ticked in turn, and the list is shown once, as it then stands."""
    last = shown_choices.last_shown(turn.conversation)
    actions = [last[i][1] for i in picked.chosen]
    if here is None or here.several is None:
        return False
    if any(action.partition(":")[0] != here.several for action in actions):
        return False
    for action in actions:
        shown = len(turn.replies)
        await routing.answer(turn, None, action)
        if action != actions[-1]:
            await turn.take_back_replies(shown)  # only the list as it stands after the last
    return True


def _meant_choice(turn: Turn, here: routing.Step | None) -> str | None:
    """A button shown that the words mean, as the NLU understood them ("je veux aider" is
    "Open requests"), when the words are clear and the step does not take free text."""
    understood = turn.understood
    if understood is None or _takes_text(here):
        return None
    if understood.confidence < understanding.LOW_CONFIDENCE:
        return None
    if understood.intent in understanding.USES_THE_WORDS:
        return None  # a whole request in one message: its pieces are kept, not asked again
    meaning = understanding.MEANINGS.get(understood.intent)
    shown = {action for _label, action in shown_choices.last_shown(turn.conversation)}
    return meaning.action if meaning is not None and meaning.action in shown else None


async def _on_emergency_guess(turn: Turn, text: str) -> bool:
    """What the NLU's guess of an emergency calls for: the emergency answer when it is sure,
    the question "Are you in danger?" when it only half thinks so (inside a flow, a weak guess
    about a name or a place is left to the step). Whether the turn was answered."""
    understood = turn.understood
    if understood is None or understood.intent != understanding.EMERGENCY:
        return False
    if choosing.is_number_list(text):  # "1 and 2": answers to a list (the nets still read)
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
    return command or link.typed_link_code(text) or proxying.typed_action(text)


def _open_when_suspended(action: str | None, flow: str | None, *, typed: bool) -> bool:
    """A suspended member may only reach the coordinators (see `SUSPENDED_MAY`), write to
    them, and leave a flow they were in."""
    if action is None:
        return typed and flow in OPEN_FLOWS_WHEN_SUSPENDED
    return action in SUSPENDED_MAY or (action == "abort" and flow is not None)

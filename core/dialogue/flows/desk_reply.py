"""A coordinator answers a member through the bot, and the member answers back.

"Reply" under a member's message (action `desk_reply:<member>`) takes the thread and moves the
coordinator to the step desk_reply/talk: each message she types there goes to the member, signed
with her first name, until one side closes the thread ("Close the conversation":
`thread_close:<thread>`, or `/fin`: `thread_end`). The member needs no step: what she types
outside any other step goes back to the coordinator (`to_open_thread`, called by `dispatch`).
An emergency still interrupts first, on both sides, as everywhere.
"""

from __future__ import annotations

from core.dialogue.flows.common import MOVING_ABOUT, menu_choices
from core.dialogue.routing import Answer, MemberId, RowId, action, step
from core.dialogue.turn import Turn
from core.domain.errors import NotAllowed
from core.domain.model import DeskThread, Member
from core.services import threads
from core.services.authorization import COORDINATORS_ONLY
from core.services.lookup import get_member
from core.services.outbox import Choice

FLOW = "desk_reply"
END = "thread_end"
ThreadId = RowId("thread")


def _talk_choices(thread: DeskThread) -> list[Choice]:
    return [threads.close_choice(thread), Choice("Back to the menu", "menu")]


def _me(turn: Turn) -> Member:
    if turn.member is None:
        raise NotAllowed(COORDINATORS_ONLY)
    return turn.member


@action("desk_reply", arg=MemberId)
async def start_reply(turn: Turn, member_id: int) -> None:
    """Take the member's thread (or come back to it) and wait for the coordinator's words."""
    me = _me(turn)
    thread = await threads.take(turn.uow, member_id, by_id=me.id)
    member = await get_member(turn.uow, member_id)
    turn.goto(FLOW, "talk", thread=thread.id)
    turn.reply(
        "Write your message for {name}. Each message goes to them until you close "
        "the conversation.",
        name=member.display_name,
        choices=_talk_choices(thread),
    )


@step(
    FLOW,
    "talk",
    text=True,
    otherwise="Please write your message.",
    # Every typed text is the message, but the words to move about and "/fin".
    commands=MOVING_ABOUT | {END},
    typed_choices=False,
)
async def on_message(turn: Turn, answer: Answer) -> None:
    """The coordinator's message, delivered to the member (in the member's chat)."""
    me = _me(turn)
    thread = await threads.get_thread(turn.uow, int(turn.data("thread", 0) or 0))
    if not threads.may_write(me, thread):
        turn.goto(None)
        turn.reply(threads.CLOSED, choices=menu_choices(turn))
        return
    await threads.write(turn.uow, thread.id, answer.given, by_id=me.id)
    member = await get_member(turn.uow, thread.member_id)
    turn.reply("Sent to {name}.", name=member.display_name, choices=_talk_choices(thread))


async def to_open_thread(turn: Turn, text: str) -> bool:
    """A member's words outside any step, while a coordinator answers them: to her.

    Whether the text went to a thread (False: the usual way, the NLU or "I did not understand").
    """
    member = turn.member
    if member is None or turn.conversation.step is not None:
        return False
    thread = await threads.open_thread_of(turn.uow, member.id)
    if thread is None:
        return False
    await threads.write(turn.uow, thread.id, text, by_id=member.id)
    turn.reply(
        "Sent to the coordination.", choices=[threads.close_choice(thread), Choice("Menu", "menu")]
    )
    return True


@action("thread_close", arg=ThreadId)
async def close_thread(turn: Turn, thread_id: int) -> None:
    """Either side closes the conversation; the other side is told."""
    me = _me(turn)
    await threads.close(turn.uow, thread_id, by_id=me.id)
    turn.goto(None)
    turn.reply("The conversation is closed.", choices=menu_choices(turn))


@action(END)
async def end_thread(turn: Turn) -> None:
    """`/fin`: close the conversation in progress (the coordinator's, or the member's own)."""
    me = _me(turn)
    thread_id = turn.data("thread") if turn.conversation.flow == FLOW else None
    if thread_id is None:
        mine = await threads.open_thread_of(turn.uow, me.id)
        thread_id = mine.id if mine is not None else None
    if thread_id is None:
        turn.goto(None)
        turn.reply("You have no conversation open.", choices=menu_choices(turn))
        return
    await close_thread(turn, int(thread_id))

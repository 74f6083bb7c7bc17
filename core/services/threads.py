"""Coordinators answering members through the bot: take a thread, write in it, close it.

A member's message for the coordinators arrives with a "Reply" button (`desk_reply:<member>`).
The first coordinator who presses it takes the thread (the others are told who did); from then
on what she writes is delivered to the member signed with her first name, and what the member
writes outside any other step goes back to her, until one side closes it. The messages are
never stored here nor written to the audit log: the thread only says who talks with whom.
No contact detail is put in a thread's messages (the coordinator sees them in her alert).
"""

from __future__ import annotations

from sqlalchemy import select, update

from core.domain.errors import DomainError, InvalidInput, NotFound, ThreadTaken
from core.domain.model import Alert, DeskThread, Member
from core.domain.vocabulary import AlertKind, MessageKind
from core.i18n import N_
from core.services import outbox
from core.services.authorization import Action, require, require_by
from core.services.lookup import get_member
from core.services.members import coordinators_of
from core.services.outbox import Choice
from core.services.text import clean_text
from core.services.unit_of_work import UnitOfWork

MAX_MESSAGE = 2000
CLOSED = N_("This conversation is closed.")


def close_choice(thread: DeskThread) -> Choice:
    return Choice("Close the conversation", f"thread_close:{thread.id}")


def reply_choices(thread: DeskThread) -> list[Choice]:
    """Under a member's message, for the coordinator: answer it, or close the thread."""
    return [Choice("Reply", f"desk_reply:{thread.member_id}"), close_choice(thread)]


async def get_thread(uow: UnitOfWork, thread_id: int) -> DeskThread:
    thread = await uow.session.get(DeskThread, thread_id)
    if thread is None:
        raise NotFound()
    return thread


async def open_thread_of(uow: UnitOfWork, member_id: int) -> DeskThread | None:
    """The member's open thread with a coordinator, if any (one at most)."""
    query = select(DeskThread).where(DeskThread.open_for == member_id)
    return (await uow.session.execute(query)).scalar_one_or_none()


async def take(uow: UnitOfWork, member_id: int, *, by_id: int) -> DeskThread:
    """A coordinator answers a member: her thread, opened now or already hers.

    Raises `ThreadTaken` naming the coordinator who answers already. The member's messages
    for the coordinators waiting on the desk are taken by her too, so the console shows who.
    """
    member = await get_member(uow, member_id)
    coordinator = await require_by(uow, by_id, Action.COORDINATE, member)
    assert isinstance(coordinator, Member)
    if member.id == coordinator.id:
        raise InvalidInput("You cannot answer your own message.")
    thread = await open_thread_of(uow, member.id)
    if thread is not None:
        if thread.coordinator_id == by_id:
            return thread
        taker = await uow.session.get(Member, thread.coordinator_id)
        raise ThreadTaken(name=taker.first_name if taker is not None else "?")
    now = uow.now()
    thread = DeskThread(
        territory_id=member.territory_id,
        member_id=member.id,
        coordinator_id=coordinator.id,
        open_for=member.id,
        opened_at=now,
    )
    uow.session.add(thread)
    await uow.session.flush()
    await uow.session.execute(
        update(Alert)
        .where(
            Alert.member_id == member.id,
            Alert.kind == AlertKind.COORDINATOR_CONTACTED,
            Alert.taken_by.is_(None),
            Alert.done_at.is_(None),
        )
        .values(taken_by=coordinator.id, taken_at=now)
        .execution_options(synchronize_session=False)
    )
    uow.audit(by_id, "thread.take", f"member:{member.id}", thread=thread.id)
    for other in await coordinators_of(uow, member.territory_id):
        if other.id not in (coordinator.id, member.id):
            outbox.write(
                uow,
                N_("{coordinator} is answering {name} ({neighbourhood})."),
                member=other,
                topic=outbox.topic_of(member_id=member.id),
                coordinator=coordinator.first_name,
                name=member.display_name,
                neighbourhood=member.neighbourhood or "-",
            )
    outbox.write(
        uow,
        N_(
            "{coordinator}, from the coordination, is answering your message. "
            "Write your answers here."
        ),
        member=member,
        coordinator=coordinator.first_name,
        choices=[close_choice(thread)],
    )
    return thread


async def write(uow: UnitOfWork, thread_id: int, text: str, *, by_id: int) -> DeskThread:
    """Deliver one message to the other side of the thread, in this transaction."""
    thread = await get_thread(uow, thread_id)
    writer = await require_by(uow, by_id, Action.WRITE_IN_THREAD, thread)
    assert isinstance(writer, Member)
    if not thread.is_open:
        raise InvalidInput(CLOSED)
    text = clean_text(text, limit=MAX_MESSAGE, what="message")
    member = await get_member(uow, thread.member_id)
    if writer.id == thread.coordinator_id:
        outbox.write(
            uow,
            N_("{name} (coordination):\n{text}"),
            member=member,
            name=writer.first_name,
            text=text,
            choices=[close_choice(thread)],
        )
    else:
        coordinator = await get_member(uow, thread.coordinator_id)
        outbox.write(
            uow,
            N_("Message from {name} ({neighbourhood}):\n{text}"),
            member=coordinator,
            kind=MessageKind.TEXT,
            topic=outbox.topic_of(member_id=member.id),
            name=member.display_name,
            neighbourhood=member.neighbourhood or "-",
            text=text,
            choices=reply_choices(thread),
        )
    uow.audit(by_id, "thread.message", f"member:{thread.member_id}", thread=thread.id)
    return thread


async def close(uow: UnitOfWork, thread_id: int, *, by_id: int) -> DeskThread:
    """Close the thread (either side); the other side is told. Closing twice says so."""
    thread = await get_thread(uow, thread_id)
    actor = await require_by(uow, by_id, Action.CLOSE_THREAD, thread)
    assert isinstance(actor, Member)
    if not thread.is_open:
        raise InvalidInput(CLOSED)
    thread.closed_at, thread.closed_by, thread.open_for = uow.now(), actor.id, None
    uow.audit(by_id, "thread.close", f"member:{thread.member_id}", thread=thread.id)
    if actor.id != thread.member_id:
        outbox.write(
            uow,
            N_(
                "The coordination closed this conversation. Write to them again whenever you like."
            ),
            member=await get_member(uow, thread.member_id),
            choices=[Choice("Back to the menu", "menu")],
        )
    if actor.id != thread.coordinator_id:
        member = await get_member(uow, thread.member_id)
        outbox.write(
            uow,
            N_("{name} closed the conversation."),
            member=await get_member(uow, thread.coordinator_id),
            topic=outbox.topic_of(member_id=member.id),
            name=actor.first_name,
        )
    return thread


def may_write(actor: Member, thread: DeskThread) -> bool:
    """Whether `actor` may still write in this thread (for the flows' checks)."""
    try:
        require(actor, Action.WRITE_IN_THREAD, thread)
    except DomainError:
        return False
    return thread.is_open

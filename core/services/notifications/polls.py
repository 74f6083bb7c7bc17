"""Messages of a poll: opened (`POLL_OPENED`), closing soon, closed with results (`POLL_CLOSED`).

Adapters publish a `POLL_OPENED` message as a native poll where their platform has one, and
stop those native polls on `POLL_CLOSED`; both name the poll (`poll_id`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core.domain import events
from core.domain.model import BallotReceipt, Member, Poll, Vote
from core.domain.vocabulary import MemberStatus, MessageKind
from core.services import outbox
from core.services.electorate import electorate
from core.services.notifications.common import rooms_of
from core.services.outbox import Choice
from core.services.unit_of_work import EventHandler, UnitOfWork


def poll_choices(poll: Poll) -> list[Choice]:
    """The buttons of a poll: its options; for a secret multiple-choice ballot one "Vote",
    which asks for every choice in one message (no selection is kept between presses)."""
    if poll.secret and poll.kind == "multiple":
        return [Choice("Vote", f"ballot:{poll.id}")]
    return [
        Choice(o.label, f"vote:{poll.id}:{o.position}", {"translate": poll.kind == "proposal"})
        for o in poll.options
    ]


async def _poll(uow: UnitOfWork, poll_id: int) -> Poll:
    poll = await uow.session.get(Poll, poll_id)
    assert poll is not None
    return poll


async def on_poll_opened(uow: UnitOfWork, event: events.PollOpened) -> None:
    """The poll goes to each member who may vote in it and to the territory's public rooms."""
    poll = await _poll(uow, event.poll_id)
    # What adapters read to publish a native poll (`kind` here is the poll's own kind).
    params: dict[str, Any] = {
        "question": poll.question,
        "closes_at": poll.closes_at.isoformat(),
        "poll_id": poll.id,
        "secret": poll.secret,
        "kind": poll.kind,
    }
    key = (
        "New poll: {question}\nVote before {closes_at}."
        if not poll.secret
        else "New secret ballot: {question}\nVote before {closes_at}."
    )
    # Only the members who may vote in it (see `polls.electorate`).
    members = await uow.session.execute(select(Member).where(*electorate(poll)))
    targets: list[dict[str, Any]] = [{"member": member} for member in members.scalars()]
    targets += [{"channel": room} for room in await rooms_of(uow, poll.territory_id)]
    for target in targets:
        outbox.write(
            uow,
            key,
            kind=MessageKind.POLL_OPENED,
            poll_id=poll.id,
            choices=poll_choices(poll),
            params=params,
            **target,
        )


async def on_poll_closed(uow: UnitOfWork, event: events.PollClosed) -> None:
    """The results go to every approved member of the territory and to its public rooms."""
    poll = await _poll(uow, event.poll_id)
    assert poll.result is not None
    params: dict[str, Any] = {
        "question": poll.question,
        "poll_id": poll.id,
        "result": poll.result,
        "kind": poll.kind,
    }
    members = await uow.session.execute(
        select(Member).where(
            Member.territory_id == poll.territory_id, Member.status == MemberStatus.APPROVED
        )
    )
    targets: list[dict[str, Any]] = [{"member": member} for member in members.scalars()]
    targets += [{"channel": room} for room in await rooms_of(uow, poll.territory_id)]
    for target in targets:
        outbox.write(
            uow,
            "Poll closed: {question}",
            kind=MessageKind.POLL_CLOSED,
            poll_id=poll.id,
            params=params,
            **target,
        )


async def on_poll_closing_soon(uow: UnitOfWork, event: events.PollClosingSoon) -> None:
    """A reminder to the members who may vote and have not voted yet."""
    poll = await _poll(uow, event.poll_id)
    source = BallotReceipt if poll.secret else Vote
    voted = select(source.member_id).where(source.poll_id == poll.id)
    members = await uow.session.execute(
        select(Member).where(*electorate(poll), Member.id.not_in(voted)).order_by(Member.id)
    )
    for member in members.scalars():
        outbox.write(
            uow,
            'Reminder: the poll "{question}" closes {closes_at}. You have not voted yet.',
            member=member,
            poll_id=poll.id,
            question=poll.question,
            closes_at=poll.closes_at.isoformat(),
            choices=poll_choices(poll),
        )


HANDLERS: dict[type[events.Event], list[EventHandler]] = {
    events.PollOpened: [on_poll_opened],
    events.PollClosed: [on_poll_closed],
    events.PollClosingSoon: [on_poll_closing_soon],
}

"""Polls and votes: one member one vote, the last open vote counts, secret ballots unlinked."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select, update

from core.domain import events
from core.domain.errors import (
    AlreadyVoted,
    InvalidInput,
    NotFound,
    PollClosed,
)
from core.domain.model import BallotReceipt, Member, Poll, PollOption, SecretTally, Vote
from core.domain.vocabulary import PollKind, PollState, Role
from core.services import authorization
from core.services.authorization import Action, require_coordinator
from core.services.electorate import open_to
from core.services.members import get_member
from core.services.text import clean_text
from core.services.unit_of_work import UnitOfWork

# Proposal polls have fixed answers; their labels are message ids translated when shown.
PROPOSAL_OPTIONS = ("Yes", "No", "Abstain")
MIN_OPTIONS, MAX_OPTIONS = 2, 10


async def get_poll(uow: UnitOfWork, poll_id: int) -> Poll:
    poll = await uow.session.get(Poll, poll_id)
    if poll is None:
        raise NotFound()
    return poll


async def create_poll(
    uow: UnitOfWork,
    territory_id: int,
    question: str,
    options: Sequence[str],
    *,
    closes_at: datetime,
    kind: PollKind | str = PollKind.SINGLE,
    secret: bool = False,
    quorum: int = 0,
    by_id: int | None,
    voter_role: Role | str | None = None,
    prior_members_only: bool = True,
) -> Poll:
    """Open a poll for the members of a territory (coordinators and the administrator).

    Who may vote: its approved members, with `voter_role` if given, and, if
    `prior_members_only` (the default), only those who joined before the poll opened, so that
    accounts made for the occasion cannot decide it.
    """
    await require_coordinator(uow, by_id, territory_id)
    kind = PollKind(kind)
    try:
        role = Role(voter_role) if voter_role is not None else None
    except ValueError as exc:
        raise InvalidInput("Unknown role: {role}.", role=str(voter_role)[:20]) from exc
    question = clean_text(question, limit=300, what="question")
    labels = (
        list(PROPOSAL_OPTIONS)
        if kind == PollKind.PROPOSAL
        else [clean_text(o, limit=100, what="option") for o in options]
    )
    if not MIN_OPTIONS <= len(labels) <= MAX_OPTIONS:
        raise InvalidInput("A poll needs between 2 and 10 options.")
    if len({label.casefold() for label in labels}) != len(labels):
        raise InvalidInput("Two options of the poll are the same.")
    if closes_at <= uow.now():
        raise InvalidInput("The closing time must be in the future.")
    if quorum < 0:
        raise InvalidInput("The quorum cannot be negative.")
    poll = Poll(
        territory_id=territory_id,
        question=question,
        kind=str(kind),
        secret=secret,
        quorum=quorum,
        closes_at=closes_at,
        state=PollState.OPEN,
        created_by=by_id,
        created_at=uow.now(),
        voter_role=str(role) if role else None,
        prior_members_only=prior_members_only,
        options=[PollOption(position=i, label=label) for i, label in enumerate(labels)],
    )
    uow.session.add(poll)
    await uow.session.flush()
    uow.audit(
        by_id,
        "poll.create",
        f"poll:{poll.id}",
        kind=str(kind),
        secret=secret,
        voter_role=poll.voter_role,
        prior_members_only=prior_members_only,
    )
    uow.publish(events.PollOpened(poll.id))
    return poll


async def require_ballot(uow: UnitOfWork, member_id: int, poll_id: int) -> Poll:
    """The poll, if this member may cast a ballot in it now (before asking for the choice)."""
    poll = await get_poll(uow, poll_id)
    _require_voter(await get_member(uow, member_id), poll)
    if not poll.is_open_at(uow.now()):
        raise PollClosed()
    if poll.secret and await uow.session.get(BallotReceipt, (poll.id, member_id)) is not None:
        raise AlreadyVoted()
    return poll


async def vote(uow: UnitOfWork, member_id: int, poll_id: int, choice: Sequence[int]) -> None:
    """Record a member's vote; an empty choice retracts an open-ballot vote."""
    poll = await get_poll(uow, poll_id)
    member = await get_member(uow, member_id)
    _require_voter(member, poll)
    if not poll.is_open_at(uow.now()):
        raise PollClosed()
    positions = poll.validate_choice(list(choice))
    if poll.secret:
        await _cast_secret(uow, poll, member_id, positions)
        return
    existing = (
        await uow.session.execute(
            select(Vote).where(Vote.poll_id == poll_id, Vote.member_id == member_id)
        )
    ).scalar_one_or_none()
    if not positions:
        if existing is not None:
            await uow.session.delete(existing)
            uow.audit(member_id, "poll.retract", f"poll:{poll_id}")
        return
    if existing is None:
        uow.session.add(
            Vote(poll_id=poll_id, member_id=member_id, choice=positions, cast_at=uow.now())
        )
    else:
        existing.choice, existing.cast_at = positions, uow.now()
    uow.audit(member_id, "poll.vote", f"poll:{poll_id}", choice=positions)


async def _cast_secret(uow: UnitOfWork, poll: Poll, member_id: int, positions: list[int]) -> None:
    if not positions:
        raise InvalidInput("A secret ballot cannot be withdrawn. Please choose an option.")
    receipt = await uow.session.get(BallotReceipt, (poll.id, member_id))
    if receipt is not None:
        raise AlreadyVoted()
    # The day is all a receipt needs to say; a finer time would only help to match it with
    # other traces of the same moment.
    day = uow.now().replace(hour=0, minute=0, second=0, microsecond=0)
    uow.session.add(BallotReceipt(poll_id=poll.id, member_id=member_id, cast_at=day))
    await _add_to_secret_tally(uow, poll, positions)
    # The audit says that the member voted, never what they chose.
    uow.audit(member_id, "poll.vote", f"poll:{poll.id}", secret=True)


async def _add_to_secret_tally(uow: UnitOfWork, poll: Poll, positions: list[int]) -> None:
    """Count a secret ballot: one UPDATE rewrites every option's row, the chosen ones plus one.

    No row per ballot exists, and since all rows change together, neither their order, their
    physical place (rowid, ctid) nor their transaction id (xmin) tells what this voter chose.
    """
    have = set(
        (
            await uow.session.execute(
                select(SecretTally.position).where(SecretTally.poll_id == poll.id)
            )
        ).scalars()
    )
    for option in poll.options:  # the rows exist from the first ballot on
        if option.position not in have:
            uow.session.add(SecretTally(poll_id=poll.id, position=option.position, count=0))
    await uow.session.flush()
    # One increment per option, 1 for the chosen ones: the statement has the same shape for
    # every ballot of the poll, so its text (in a log, in pg_stat_statements) tells nothing.
    chosen = set(positions)
    increments = {option.position: int(option.position in chosen) for option in poll.options}
    await uow.session.execute(
        update(SecretTally)
        .where(SecretTally.poll_id == poll.id)
        .values(count=SecretTally.count + case(increments, value=SecretTally.position, else_=0))
        .execution_options(synchronize_session=False)
    )


def _require_voter(member: Member, poll: Poll) -> None:
    authorization.require(member, Action.VOTE, poll)


async def poll_to_vote_in(uow: UnitOfWork, member_id: int, poll_id: int) -> Poll:
    """The poll, if the member may vote in it: a forged button shows nothing of another's."""
    poll = await get_poll(uow, poll_id)
    _require_voter(await get_member(uow, member_id), poll)
    return poll


async def current_choice(uow: UnitOfWork, member_id: int, poll_id: int) -> list[int] | None:
    """The member's counted choice (open ballot), `[]` for a secret ballot cast, None if none."""
    poll = await get_poll(uow, poll_id)
    if poll.secret:
        receipt = await uow.session.get(BallotReceipt, (poll_id, member_id))
        return [] if receipt else None
    vote_row = (
        await uow.session.execute(
            select(Vote.choice).where(Vote.poll_id == poll_id, Vote.member_id == member_id)
        )
    ).scalar_one_or_none()
    return list(vote_row) if vote_row is not None else None


async def tally(uow: UnitOfWork, poll: Poll) -> dict[str, Any]:
    """Count the votes: per option, number of voters, quorum and winners."""
    counts = [0] * len(poll.options)
    voters = 0
    if poll.secret:
        rows = await uow.session.execute(
            select(SecretTally.position, SecretTally.count).where(SecretTally.poll_id == poll.id)
        )
        for position, count in rows:
            if 0 <= position < len(counts):
                counts[position] = count
        voters = await count_votes(uow, poll.id)
    else:
        choices = (
            await uow.session.execute(select(Vote.choice).where(Vote.poll_id == poll.id))
        ).scalars()
        for choice in choices:
            voters += 1
            for position in choice:
                if 0 <= position < len(counts):
                    counts[position] += 1
    top = max(counts) if counts else 0
    winners = [i for i, c in enumerate(counts) if c == top and top > 0]
    return {
        "counts": counts,
        "labels": [o.label for o in poll.options],
        "voters": voters,
        "quorum": poll.quorum,
        "quorum_reached": voters >= poll.quorum,
        "winners": winners,
    }


async def close_poll(uow: UnitOfWork, poll_id: int, *, by_id: int | None) -> dict[str, Any]:
    """Close a poll now (or at its deadline, from the scheduler) and announce the result."""
    poll = await get_poll(uow, poll_id)
    await authorization.require_by(uow, by_id, Action.COORDINATE, poll)
    if poll.state == PollState.CLOSED:
        return poll.result or {}
    poll.result = await tally(uow, poll)
    poll.state = PollState.CLOSED
    poll.closed_at = uow.now()
    uow.audit(by_id, "poll.close", f"poll:{poll_id}", voters=poll.result["voters"])
    uow.publish(events.PollClosed(poll.id))
    return poll.result


async def open_polls_for(uow: UnitOfWork, member_id: int) -> list[Poll]:
    """The open polls this member may vote in, the soonest closed first."""
    member = await get_member(uow, member_id)
    query = select(Poll).where(
        *open_to(member),
        Poll.state == PollState.OPEN,
        Poll.closes_at > uow.now(),
    )
    return list((await uow.session.execute(query.order_by(Poll.closes_at))).scalars())


async def merge_votes(uow: UnitOfWork, from_member: int, into_member: int) -> None:
    """When two accounts join into one member, keep one vote per poll: the latest.

    Secret ballots: only the receipts move (one per poll is kept). The tallies cannot be
    touched: a ballot is not linked to anyone, so one cast from each account stays counted.
    """
    theirs = (
        await uow.session.execute(select(Vote).where(Vote.member_id == from_member))
    ).scalars()
    for old in list(theirs):
        mine = (
            await uow.session.execute(
                select(Vote).where(Vote.poll_id == old.poll_id, Vote.member_id == into_member)
            )
        ).scalar_one_or_none()
        if mine is None:
            old.member_id = into_member
        else:
            if old.cast_at > mine.cast_at:
                mine.choice, mine.cast_at = old.choice, old.cast_at
            await uow.session.delete(old)
    receipts = (
        await uow.session.execute(
            select(BallotReceipt).where(BallotReceipt.member_id == from_member)
        )
    ).scalars()
    for receipt in list(receipts):
        if await uow.session.get(BallotReceipt, (receipt.poll_id, into_member)) is None:
            uow.session.add(
                BallotReceipt(
                    poll_id=receipt.poll_id, member_id=into_member, cast_at=receipt.cast_at
                )
            )
        await uow.session.delete(receipt)
    await uow.session.flush()


async def count_votes(uow: UnitOfWork, poll_id: int) -> int:
    poll = await get_poll(uow, poll_id)
    source = BallotReceipt if poll.secret else Vote
    return int(
        (
            await uow.session.execute(
                select(func.count()).select_from(source).where(source.poll_id == poll_id)
            )
        ).scalar_one()
    )

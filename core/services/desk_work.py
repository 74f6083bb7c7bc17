"""The coordinators' desk work, shared by the chat and the web console: finding a member by
part of their name, the volunteers waiting for approval, and posting a request for someone
who phoned. Every function checks that the actor coordinates the territory."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select

from core.domain.model import HelpRequest, Member, Poll
from core.domain.people import name_key
from core.domain.vocabulary import MemberStatus, PollState
from core.i18n import N_
from core.services import outbox, polls, requests
from core.services.authorization import Action, require_by, require_coordinator
from core.services.electorate import electorate
from core.services.lookup import get_member
from core.services.text import clean_text
from core.services.unit_of_work import UnitOfWork

# As many members as buttons fit in a chat: a longer list asks for more of the name.
FOUND_AT_MOST = 8
PENDING_AT_MOST = 10
POLLS_AT_MOST = 8
# The closed polls still listed: results a coordinator may be asked about this month.
RECENT_POLLS = timedelta(days=30)


@dataclass(frozen=True)
class Participation:
    """How many voted in a poll, out of how many may: counts only, never who (a secret
    ballot's receipts say who voted, not what; they are counted, not shown)."""

    poll: Poll
    voted: int
    voters: int


async def find_by_part(
    uow: UnitOfWork,
    territory_id: int,
    part: str,
    *,
    by_id: int | None,
    requesters_only: bool = False,
    exclude_suspended: bool = False,
) -> list[Member]:
    """The members of the territory whose name contains `part` (case and accents ignored),
    by name."""
    await require_coordinator(uow, by_id, territory_id)
    part = name_key(clean_text(part, limit=80, what="name"))
    query = select(Member).where(
        Member.territory_id == territory_id,
        Member.status != MemberStatus.ERASED,
        Member.name_key.contains(part, autoescape=True),
    )
    if requesters_only:
        query = query.where(Member.is_requester.is_(True))
    if exclude_suspended:
        query = query.where(Member.status != MemberStatus.SUSPENDED)
    if by_id is not None:
        query = query.where(Member.id != by_id)
    query = query.order_by(Member.display_name, Member.id).limit(FOUND_AT_MOST + 1)
    return list((await uow.session.execute(query)).scalars())


async def pending_volunteers(
    uow: UnitOfWork, territory_id: int, *, by_id: int | None
) -> list[Member]:
    """The volunteers waiting for approval, the longest waiting first."""
    await require_coordinator(uow, by_id, territory_id)
    query = (
        select(Member)
        .where(
            Member.territory_id == territory_id,
            Member.status == MemberStatus.PENDING,
            Member.is_volunteer.is_(True),
        )
        .order_by(Member.created_at, Member.id)
        .limit(PENDING_AT_MOST)
    )
    return list((await uow.session.execute(query)).scalars())


async def post_on_behalf(
    uow: UnitOfWork,
    requester_id: int,
    *,
    by_id: int | None,
    category: str,
    when_start: datetime,
    when_end: datetime | None = None,
    place: str | None = None,
    description: str = "",
    when_kind: str | None = None,
) -> HelpRequest:
    """A member phoned: their request, posted by a coordinator, goes through matching,
    escalation and reminders like any other. The member is told in their chat if they have
    one; a member without any platform account is told nothing (the coordinator calls back).
    """
    requester = await get_member(uow, requester_id)
    actor = await require_by(uow, by_id, Action.COORDINATE, requester)
    posted = await requests.post_request(
        uow,
        requester.id,
        category=category,
        when_start=when_start,
        when_end=when_end,
        when_kind=when_kind,
        place=place,
        description=description,
    )
    uow.audit(by_id, "request.post_on_behalf", f"request:{posted.id}", requester=requester.id)
    if any(account.reachable for account in requester.accounts):
        by_whom = (
            N_(
                "{coordinator}, from the coordination, posted a request for you: "
                "{category}, {when}. I will write to you when someone accepts."
            )
            if isinstance(actor, Member)
            else N_(
                "The coordination posted a request for you: {category}, {when}. "
                "I will write to you when someone accepts."
            )
        )
        outbox.write(
            uow,
            by_whom,
            member=requester,
            request_id=posted.id,
            coordinator=actor.first_name if isinstance(actor, Member) else "",
            category=posted.category,
            when=posted.when_start.isoformat(),
        )
    return posted


async def polls_overview(
    uow: UnitOfWork, territory_id: int, *, by_id: int | None
) -> list[Participation]:
    """The open polls and those closed in the last 30 days, the soonest closing first."""
    await require_coordinator(uow, by_id, territory_id)
    now = uow.now()
    query = (
        select(Poll)
        .where(
            Poll.territory_id == territory_id,
            or_(Poll.state == PollState.OPEN, Poll.closed_at >= now - RECENT_POLLS),
        )
        .order_by(Poll.state.desc(), Poll.closes_at.desc(), Poll.id.desc())
        .limit(POLLS_AT_MOST)
    )
    found: list[Participation] = []
    for poll in (await uow.session.execute(query)).scalars():
        voters = select(func.count()).select_from(Member).where(*electorate(poll))
        found.append(
            Participation(
                poll,
                await polls.count_votes(uow, poll.id),
                int((await uow.session.execute(voters)).scalar_one()),
            )
        )
    return found

"""What needs a coordinator now: the queries of the console's "Now" page.

Each list is bounded (`LIMIT`) and read through an index of its table, so the page costs a few
milliseconds on a territory of thousands of members and tens of thousands of requests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, raiseload

from core.domain.model import Alert, HelpRequest, Member, PlatformAccount, Poll
from core.domain.vocabulary import MemberStatus, PollState, RequestState
from core.services.alerts import open_alerts
from core.services.authorization import require_coordinator
from core.services.unit_of_work import UnitOfWork

LIMIT = 50
# The longest waiting first; the page links to the full lists.
SHORT_LIST = 20
# The page shows names, neighbourhoods and contact details: a member's skills, accounts and
# territory (loaded with every member elsewhere) would triple the cost of each list.
BARE_MEMBER = (raiseload(Member.skills), raiseload(Member.accounts), raiseload(Member.territory))
POLLS_CLOSING_WITHIN = timedelta(hours=72)


@dataclass
class Desk:
    """The coordinator's desk for one territory, at one instant."""

    now: datetime
    alerts: list[Alert] = field(default_factory=list)
    open_requests: list[HelpRequest] = field(default_factory=list)
    open_count: int = 0
    approvals: list[Member] = field(default_factory=list)
    unreachable: list[Member] = field(default_factory=list)
    polls_closing: list[Poll] = field(default_factory=list)


async def desk_of(uow: UnitOfWork, territory_id: int, *, by_id: int | None) -> Desk:
    """Everything the "Now" page shows (the territory's coordinators only)."""
    if by_id is not None:  # the actor, bare, so that the authorization finds it loaded
        await uow.session.get(Member, by_id, options=BARE_MEMBER)
    await require_coordinator(uow, by_id, territory_id)
    now = uow.now()
    desk = Desk(now=now, alerts=await open_alerts(uow, territory_id, by_id=by_id, limit=LIMIT))
    waiting = (HelpRequest.territory_id == territory_id, HelpRequest.state == RequestState.OPEN)
    desk.open_count = int(
        (await uow.session.execute(select(func.count()).where(*waiting))).scalar_one()
    )
    desk.open_requests = list(
        (
            await uow.session.execute(
                select(HelpRequest)
                .options(
                    raiseload(HelpRequest.assignments),
                    joinedload(HelpRequest.requester).options(*BARE_MEMBER),
                )
                .where(*waiting)
                .order_by(HelpRequest.created_at, HelpRequest.id)
                .limit(SHORT_LIST)
            )
        ).scalars()
    )
    desk.approvals = list(
        (
            await uow.session.execute(
                select(Member)
                .options(*BARE_MEMBER)
                .where(
                    Member.territory_id == territory_id,
                    Member.status == MemberStatus.PENDING,
                    Member.is_volunteer.is_(True),
                )
                .order_by(Member.created_at, Member.id)
                .limit(SHORT_LIST)
            )
        ).scalars()
    )
    blocked = select(PlatformAccount.member_id).where(PlatformAccount.reachable.is_(False))
    desk.unreachable = list(
        (
            await uow.session.execute(
                select(Member)
                .options(*BARE_MEMBER)
                .where(
                    Member.territory_id == territory_id,
                    Member.status.in_([MemberStatus.APPROVED, MemberStatus.PENDING]),
                    Member.id.in_(blocked),
                )
                .order_by(Member.display_name)
                .limit(LIMIT)
            )
        ).scalars()
    )
    desk.polls_closing = list(
        (
            await uow.session.execute(
                select(Poll)
                .options(raiseload(Poll.options))
                .where(
                    Poll.territory_id == territory_id,
                    Poll.state == PollState.OPEN,
                    Poll.closes_at <= now + POLLS_CLOSING_WITHIN,
                )
                .order_by(Poll.closes_at)
                .limit(LIMIT)
            )
        ).scalars()
    )
    return desk

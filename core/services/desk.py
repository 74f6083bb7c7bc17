"""What needs a coordinator now: the queries of the console's "Now" page.

Each list is bounded (`LIMIT`), comes with its length in the same query, and is read through an
index of its table, so the page costs a few milliseconds and six queries on a territory of
thousands of members and tens of thousands of requests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

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
WITH_TERRITORY = (raiseload(Member.skills), raiseload(Member.accounts))
POLLS_CLOSING_WITHIN = timedelta(hours=72)


@dataclass
class Desk:
    """The coordinator's desk for one territory, at one instant (each list is the start of a
    longer one: the counts say how long, so the page can link to the rest)."""

    now: datetime
    alerts: list[Alert] = field(default_factory=list)
    alerts_count: int = 0
    open_requests: list[HelpRequest] = field(default_factory=list)
    open_count: int = 0
    approvals: list[Member] = field(default_factory=list)
    approvals_count: int = 0
    unreachable: list[Member] = field(default_factory=list)
    unreachable_count: int = 0
    polls_closing: list[Poll] = field(default_factory=list)


async def _first_and_count(
    uow: UnitOfWork, entity: Any, where: Sequence[Any], order: Sequence[Any], options: Any = ()
) -> tuple[list[Any], int]:
    """The first `SHORT_LIST` rows and how many there are, in one round trip: the count is an
    uncorrelated subquery, computed once by the database (SQLite and PostgreSQL alike)."""
    total = select(func.count()).select_from(entity).where(*where).correlate(None)
    rows = (
        await uow.session.execute(
            select(entity, total.scalar_subquery())
            .options(*options)
            .where(*where)
            .order_by(*order)
            .limit(SHORT_LIST)
        )
    ).all()
    return [row[0] for row in rows], int(rows[0][1]) if rows else 0


async def waiting_since(uow: UnitOfWork, territory_id: int, before: datetime) -> int:
    """How many of the territory's open requests were posted before `before` (all of them,
    where the desk lists the first `SHORT_LIST`)."""
    query = select(func.count()).where(
        HelpRequest.territory_id == territory_id,
        HelpRequest.state == RequestState.OPEN,
        HelpRequest.created_at <= before,
    )
    return int((await uow.session.execute(query)).scalar_one())


async def desk_of(uow: UnitOfWork, territory_id: int, *, by_id: int | None) -> Desk:
    """Everything the "Now" page shows (the territory's coordinators only), in six queries (seven
    when more alerts are open than the page lists)."""
    # The actor and their territory in one query, held in variables while the checks run: the
    # session's identity map keeps an object only while something refers to it, and a result
    # thrown away was loaded again (with the member's skills and accounts) by each check.
    actor = await uow.session.get(Member, by_id, options=WITH_TERRITORY) if by_id else None
    territory = actor.territory if actor is not None else None
    await require_coordinator(uow, by_id, territory_id)
    now = uow.now()
    desk = Desk(now=now, alerts=await open_alerts(uow, territory_id, by_id=by_id, limit=LIMIT))
    desk.alerts_count = len(desk.alerts)
    if desk.alerts_count == LIMIT:  # a longer list: its length, read in `ix_alerts_territory_open`
        open_ones = (Alert.territory_id == territory_id, Alert.done_at.is_(None))
        desk.alerts_count = int(
            (await uow.session.execute(select(func.count()).where(*open_ones))).scalar_one()
        )
    desk.open_requests, desk.open_count = await _first_and_count(
        uow,
        HelpRequest,
        (HelpRequest.territory_id == territory_id, HelpRequest.state == RequestState.OPEN),
        (HelpRequest.created_at, HelpRequest.id),
        (
            raiseload(HelpRequest.assignments),
            # Its territory too: the time is shown as said, in the territory's zone.
            joinedload(HelpRequest.requester).options(*WITH_TERRITORY),
        ),
    )
    desk.approvals, desk.approvals_count = await _first_and_count(
        uow,
        Member,
        (
            Member.territory_id == territory_id,
            Member.status == MemberStatus.PENDING,
            Member.is_volunteer.is_(True),
        ),
        (Member.created_at, Member.id),
        BARE_MEMBER,
    )
    blocked = select(PlatformAccount.member_id).where(PlatformAccount.reachable.is_(False))
    desk.unreachable, desk.unreachable_count = await _first_and_count(
        uow,
        Member,
        (
            Member.territory_id == territory_id,
            Member.status.in_([MemberStatus.APPROVED, MemberStatus.PENDING]),
            Member.id.in_(blocked),
        ),
        (Member.display_name, Member.id),
        BARE_MEMBER,
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
    del actor, territory  # referred to until here, through every check of the page
    return desk

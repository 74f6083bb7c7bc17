"""Rank approved volunteers for a help request, in one SQL query that scales to 100 000 members.

Score, highest first (weights are documented so a coordinator can reason about them):
- skill in the request's category: required (the join on `member_skills`);
- same neighbourhood: +8 (everybody else is in the same territory: +0);
- weekly availability overlapping the request's time: +4;
- continuity: already helped this requester and was thanked: +3;
- speaks the requester's language: +2;
- fairness: minus the number of tasks accepted in the last 30 days (ties broken by it too).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Integer, and_, case, func, literal, select
from sqlalchemy.sql import Select

from core.domain.availability import slots_between
from core.domain.model import Assignment, HelpRequest, MatchOffer, Member, MemberSkill
from core.domain.vocabulary import MemberStatus
from core.services.unit_of_work import UnitOfWork

NEIGHBOURHOOD_WEIGHT = 8
AVAILABILITY_WEIGHT = 4
CONTINUITY_WEIGHT = 3
LANGUAGE_WEIGHT = 2
FAIRNESS_WINDOW = timedelta(days=30)


@dataclass(frozen=True)
class RankedVolunteer:
    member_id: int
    score: int
    recent_tasks: int


def candidates_query(request: HelpRequest) -> Select[tuple[int]]:
    """Approved volunteers of the territory with the request's skill (the unranked baseline)."""
    return (
        select(MemberSkill.member_id)
        .join(Member, Member.id == MemberSkill.member_id)
        .where(
            MemberSkill.territory_id == request.territory_id,
            MemberSkill.category == request.category,
            Member.status == MemberStatus.APPROVED,
            Member.is_volunteer.is_(True),
            Member.id != request.requester_id,
        )
    )


def ranking_query(
    request: HelpRequest, *, requester_language: str, limit: int, exclude: set[int], now_utc
) -> Select[tuple[int, int, int]]:
    """The ranking as one SELECT: filter by skill, score, ORDER BY, LIMIT."""
    slots = slots_between(request.when_start, request.when_end, request.requester.territory.tz)
    recent = (
        select(Assignment.volunteer_id, func.count().label("n"))
        .where(Assignment.accepted_at >= now_utc - FAIRNESS_WINDOW)
        .group_by(Assignment.volunteer_id)
        .subquery()
    )
    thanked = (
        select(Assignment.volunteer_id)
        .where(Assignment.requester_id == request.requester_id, Assignment.thanked_at.is_not(None))
        .distinct()
        .subquery()
    )
    recent_n = func.coalesce(recent.c.n, 0)
    score = (
        case((Member.neighbourhood == request.neighbourhood, NEIGHBOURHOOD_WEIGHT), else_=0)
        + case((Member.availability.op("&")(literal(slots, Integer)) != 0, AVAILABILITY_WEIGHT),
               else_=0)
        + case((thanked.c.volunteer_id.is_not(None), CONTINUITY_WEIGHT), else_=0)
        + case((Member.language == requester_language, LANGUAGE_WEIGHT), else_=0)
        - recent_n
    ).label("score")
    query = (
        select(Member.id, score, recent_n.label("recent"))
        .select_from(MemberSkill)
        .join(Member, Member.id == MemberSkill.member_id)
        .outerjoin(recent, recent.c.volunteer_id == Member.id)
        .outerjoin(thanked, thanked.c.volunteer_id == Member.id)
        .where(
            MemberSkill.territory_id == request.territory_id,
            MemberSkill.category == request.category,
            Member.status == MemberStatus.APPROVED,
            Member.is_volunteer.is_(True),
            Member.id != request.requester_id,
        )
        .order_by(score.desc(), recent_n.asc(), Member.id.asc())
        .limit(limit)
    )
    if exclude:
        query = query.where(Member.id.not_in(exclude))
    return query


async def rank_volunteers(
    uow: UnitOfWork, request: HelpRequest, *, limit: int, exclude: set[int] | None = None
) -> list[RankedVolunteer]:
    """Return up to `limit` volunteers for `request`, best first."""
    query = ranking_query(
        request,
        requester_language=request.requester.language,
        limit=limit,
        exclude=exclude or set(),
        now_utc=uow.now(),
    )
    rows = (await uow.session.execute(query)).all()
    return [RankedVolunteer(int(r[0]), int(r[1]), int(r[2])) for r in rows]


async def already_offered(uow: UnitOfWork, request_id: int) -> set[int]:
    rows = await uow.session.execute(
        select(MatchOffer.volunteer_id).where(MatchOffer.request_id == request_id)
    )
    return set(rows.scalars())


async def excluded_volunteers(uow: UnitOfWork, request: HelpRequest) -> set[int]:
    """Volunteers who declined or withdrew from this request are not asked again."""
    declined = await uow.session.execute(
        select(MatchOffer.volunteer_id).where(
            and_(MatchOffer.request_id == request.id, MatchOffer.declined_at.is_not(None))
        )
    )
    withdrew = {a.volunteer_id for a in request.assignments if a.withdrawn_at is not None}
    return set(declined.scalars()) | withdrew

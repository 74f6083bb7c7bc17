"""Rank approved volunteers for a help request, with bounded SQL queries that scale to 100 000
members (see `rank_volunteers`).

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

from sqlalchemy import ColumnElement, Integer, and_, case, func, literal, select, true
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


# The most a volunteer of another neighbourhood can score (available, thanked, same language).
OUTSIDE_NEIGHBOURHOOD_MAX = AVAILABILITY_WEIGHT + CONTINUITY_WEIGHT + LANGUAGE_WEIGHT
# How many of the best "static" scores (before fairness) a bounded pass looks at, at least.
HEAD_SIZE = 50


def _candidate_filter(request: HelpRequest) -> list[ColumnElement[bool]]:
    """Approved volunteers of the request's territory with its skill, other than the requester.

    `members.territory_id` repeats `member_skills.territory_id` so the `ix_members_match`
    index (territory, status, volunteer, neighbourhood, id, ...) can serve the join.
    """
    return [
        MemberSkill.territory_id == request.territory_id,
        MemberSkill.category == request.category,
        Member.territory_id == request.territory_id,
        Member.status == MemberStatus.APPROVED,
        Member.is_volunteer == true(),
        Member.id != request.requester_id,
    ]


def _same_neighbourhood(request: HelpRequest) -> ColumnElement[bool]:
    return Member.neighbourhood == request.neighbourhood


def _static_score(request: HelpRequest, requester_language: str) -> ColumnElement[int]:
    """Everything in the score but fairness: the part that needs no look at past tasks."""
    slots = slots_between(request.when_start, request.when_end, request.requester.territory.tz)
    thanked = select(Assignment.volunteer_id).where(
        Assignment.requester_id == request.requester_id, Assignment.thanked_at.is_not(None)
    )
    return (
        case((_same_neighbourhood(request), NEIGHBOURHOOD_WEIGHT), else_=0)
        + case(
            (Member.availability.op("&")(literal(slots, Integer)) != 0, AVAILABILITY_WEIGHT),
            else_=0,
        )
        + case((Member.id.in_(thanked), CONTINUITY_WEIGHT), else_=0)
        + case((Member.language == requester_language, LANGUAGE_WEIGHT), else_=0)
    )


def candidates_query(request: HelpRequest) -> Select[tuple[int]]:
    """Approved volunteers of the territory with the request's skill (the unranked baseline)."""
    return (
        select(MemberSkill.member_id)
        .join(Member, Member.id == MemberSkill.member_id)
        .where(*_candidate_filter(request))
    )


def ranking_query(
    request: HelpRequest, *, requester_language: str, limit: int, exclude: set[int], now_utc
) -> Select[tuple[int, int, int]]:
    """The ranking as one SELECT over every candidate: the reference `rank_volunteers` matches.

    It aggregates every task of the last 30 days, so it is only run when the bounded passes of
    `rank_volunteers` cannot prove their answer.
    """
    recent = (
        select(Assignment.volunteer_id, func.count().label("n"))
        .where(Assignment.accepted_at >= now_utc - FAIRNESS_WINDOW)
        .group_by(Assignment.volunteer_id)
        .subquery()
    )
    recent_n = func.coalesce(recent.c.n, 0)
    score = (_static_score(request, requester_language) - recent_n).label("score")
    query = (
        select(Member.id, score, recent_n.label("recent"))
        .select_from(MemberSkill)
        .join(Member, Member.id == MemberSkill.member_id)
        .outerjoin(recent, recent.c.volunteer_id == Member.id)
        .where(*_candidate_filter(request))
        .order_by(score.desc(), recent_n.asc(), Member.id.asc())
        .limit(limit)
    )
    if exclude:
        query = query.where(Member.id.not_in(exclude))
    return query


def head_query(
    request: HelpRequest,
    *,
    requester_language: str,
    size: int,
    exclude: set[int],
    now_utc,
    where: ColumnElement[bool] | None = None,
) -> Select[tuple[int, int, int]]:
    """The `size` best candidates by static score (ties: lowest id), with their recent tasks.

    Only those few rows pay for the fairness count, one probe of
    `ix_assignments_volunteer_accepted` each, instead of a GROUP BY over every recent task.
    """
    static = _static_score(request, requester_language).label("static")
    head = (
        select(Member.id.label("id"), static)
        .select_from(MemberSkill)
        .join(Member, Member.id == MemberSkill.member_id)
        .where(*_candidate_filter(request))
        .order_by(static.desc(), Member.id.asc())
        .limit(size)
    )
    if where is not None:
        head = head.where(where)
    if exclude:
        head = head.where(Member.id.not_in(exclude))
    top = head.subquery("head")
    recent = (
        select(func.count())
        .where(
            Assignment.volunteer_id == top.c.id,
            Assignment.accepted_at >= now_utc - FAIRNESS_WINDOW,
        )
        .scalar_subquery()
    )
    return select(top.c.id, top.c.static, recent.label("recent"))


def _proven_top(
    rows: list[tuple[int, int, int]], *, limit: int, size: int, others_max: int | None
) -> list[RankedVolunteer] | None:
    """The final top `limit` of a head, or None when a row outside the head could still enter it.

    `rows` are the `size` best (static, -id) of a set of candidates, with their recent tasks;
    `others_max` bounds the static score of the candidates outside that set (None: no others).
    Fairness only lowers a score, so an unseen candidate scores at most its static score:
    - outside the set, at most `others_max`: the head is enough if the last kept score beats it;
    - inside the set but beyond the head, at most the head's lowest static score `floor`, with
      a higher id than every head row at `floor`: it can only tie the last kept row, and then
      loses unless that row has recent tasks (the tie-break) -- so that row must have none.
    """
    ranked = sorted(
        (RankedVolunteer(int(i), int(s) - int(r), int(r)) for i, s, r in rows),
        key=lambda v: (-v.score, v.recent_tasks, v.member_id),
    )
    if len(ranked) < limit:
        return ranked if others_max is None and len(rows) < size else None
    last = ranked[limit - 1]
    if others_max is not None and last.score <= others_max:
        return None
    if len(rows) == size:  # the set may hold more candidates than the head
        floor = min(int(s) for _, s, _ in rows)
        if last.score < floor or (last.score == floor and last.recent_tasks > 0):
            return None
    return ranked[:limit]


async def rank_volunteers(
    uow: UnitOfWork, request: HelpRequest, *, limit: int, exclude: set[int] | None = None
) -> list[RankedVolunteer]:
    """Return up to `limit` volunteers for `request`, best first (the order of `ranking_query`).

    At 100 000 members a popular skill has ~15 000 candidates, too many to score and join with
    a month of tasks within the latency budget. So the ranking works in bounded passes, each
    exact or declined (see `_proven_top`):
    1. the best static scores among volunteers of the same neighbourhood (an index range),
       enough when the result beats anything from elsewhere (> 9 points);
    2. the best static scores among every candidate;
    3. the full `ranking_query`.
    """
    if limit <= 0:
        return []
    exclude = exclude or set()
    language = request.requester.language
    now = uow.now()
    size = max(HEAD_SIZE, limit * 10)
    passes: list[tuple[ColumnElement[bool] | None, int | None]] = [
        (_same_neighbourhood(request), OUTSIDE_NEIGHBOURHOOD_MAX),
        (None, None),
    ]
    for where, others_max in passes:
        query = head_query(
            request,
            requester_language=language,
            size=size,
            exclude=exclude,
            now_utc=now,
            where=where,
        )
        rows = [tuple(r) for r in (await uow.session.execute(query)).all()]
        proven = _proven_top(rows, limit=limit, size=size, others_max=others_max)
        if proven is not None:
            return proven
    query = ranking_query(
        request, requester_language=language, limit=limit, exclude=exclude, now_utc=now
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

"""Figures about people: active volunteers and requesters, newcomers and how soon they first
help or are helped, pairs that met again, tasks between generations.

A *task* is an assignment that was not given back; it is dated by the request's time
(`when_start`). Definitions: docs/observatory.md.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, func, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from core.domain.model import Assignment, HelpRequest, Member
from core.domain.observatory_tables import MemberAgeBand
from core.observatory.periods import Period
from core.observatory.sql import Figure, count, percentile, ratio, rows_of, seconds_between

R, A = HelpRequest, Assignment


def _tasks(territory_id: int, period: Period) -> Select[Any]:
    """The tasks of the territory dated in the period."""
    return (
        select(A.id, A.volunteer_id, A.requester_id)
        .join(R, R.id == A.request_id)
        .where(
            R.territory_id == territory_id,
            A.withdrawn_at.is_(None),
            R.when_start >= period.start,
            R.when_start < period.end,
        )
    )


def _distinct(territory_id: int, period: Period, who: str) -> Select[Any]:
    sub = _tasks(territory_id, period).subquery()
    return select(sub.c[who]).distinct()


async def active_volunteers(s: AsyncSession, t: int, p: Period, rows: bool = False) -> Figure:
    return await count(s, "active_volunteers", _distinct(t, p, "volunteer_id"), rows)


async def active_requesters(s: AsyncSession, t: int, p: Period, rows: bool = False) -> Figure:
    return await count(s, "active_requesters", _distinct(t, p, "requester_id"), rows)


def _newcomers(territory_id: int, period: Period) -> Select[Any]:
    return select(Member.id, Member.created_at).where(
        Member.territory_id == territory_id,
        Member.created_at >= period.start,
        Member.created_at < period.end,
    )


async def new_members(s: AsyncSession, t: int, p: Period, rows: bool = False) -> Figure:
    return await count(s, "new_members", _newcomers(t, p), rows)


def first_help_query(s: AsyncSession, territory_id: int, period: Period) -> Select[Any]:
    """Members who joined in the period and have had a task since, with the seconds from their
    joining to their first one (given or received, whenever it came)."""
    given = select(A.volunteer_id.label("member_id"), A.accepted_at).where(
        A.withdrawn_at.is_(None)
    )
    received = select(A.requester_id.label("member_id"), A.accepted_at).where(
        A.withdrawn_at.is_(None)
    )
    both = union_all(given, received).subquery()
    joined = _newcomers(territory_id, period).subquery()
    first = (
        select(both.c.member_id, func.min(both.c.accepted_at).label("first_at"))
        .where(both.c.member_id.in_(select(joined.c.id)))
        .group_by(both.c.member_id)
        .subquery()
    )
    return select(
        joined.c.id, seconds_between(s, joined.c.created_at, first.c.first_at).label("seconds")
    ).join(first, first.c.member_id == joined.c.id)


async def first_help_median(s: AsyncSession, t: int, p: Period, rows: bool = False) -> Figure:
    query = first_help_query(s, t, p)
    return await percentile(s, "first_help_median_s", query, "seconds", 0.5, rows)


def pairs_again_query(territory_id: int, period: Period) -> Select[Any]:
    """Pairs (volunteer, requester) with a task in the period and at least two tasks together
    up to the period's end: people who met again. Only the period's pairs are looked up in the
    history (through the volunteer's index), never the whole history grouped."""
    here = _tasks(territory_id, period).subquery()
    pairs = select(here.c.volunteer_id, here.c.requester_id).distinct().subquery()
    return (
        select(pairs.c.volunteer_id, pairs.c.requester_id)
        .join(
            A,
            and_(A.volunteer_id == pairs.c.volunteer_id, A.requester_id == pairs.c.requester_id),
        )
        .join(R, R.id == A.request_id)
        .where(A.withdrawn_at.is_(None), R.when_start < period.end)
        .group_by(pairs.c.volunteer_id, pairs.c.requester_id)
        .having(func.count() >= 2)
    )


async def pairs_met_again(s: AsyncSession, t: int, p: Period, rows: bool = False) -> Figure:
    return await count(s, "pairs_met_again", pairs_again_query(t, p), rows)


def generations_query(territory_id: int, period: Period) -> Select[Any]:
    """The period's tasks where both people gave an age band, with the two bands."""
    here = _tasks(territory_id, period).subquery()
    giver, receiver = aliased(MemberAgeBand), aliased(MemberAgeBand)
    return (
        select(
            here.c.id, giver.band.label("volunteer_band"), receiver.band.label("requester_band")
        )
        .join(giver, giver.member_id == here.c.volunteer_id)
        .join(receiver, receiver.member_id == here.c.requester_id)
    )


async def intergenerational_share(
    s: AsyncSession, t: int, p: Period, rows: bool = False
) -> Figure:
    """Of the tasks where both people gave an age band, the share between different bands."""
    sub = generations_query(t, p).subquery()
    different, known = (
        await s.execute(
            select(
                func.count().filter(sub.c.volunteer_band != sub.c.requester_band), func.count()
            ).select_from(sub)
        )
    ).one()
    listed = await rows_of(s, generations_query(t, p)) if rows else None
    return Figure("intergenerational_share", ratio(different, known), listed)


async def age_bands(s: AsyncSession, t: int, p: Period, rows: bool = False) -> Figure:
    """The bands of the members active in the period (either side of a task) who gave one."""
    here = _tasks(t, p).subquery()
    people = union_all(
        select(here.c.volunteer_id.label("member_id")),
        select(here.c.requester_id.label("member_id")),
    ).subquery()
    query = select(MemberAgeBand.member_id, MemberAgeBand.band).where(
        MemberAgeBand.member_id.in_(select(people.c.member_id))
    )
    sub = query.subquery()
    grouped = await s.execute(select(sub.c.band, func.count()).group_by(sub.c.band))
    value = {str(k): int(n) for k, n in grouped.all()}
    return Figure("age_bands", value, await rows_of(s, query) if rows else None)

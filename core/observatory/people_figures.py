"""Figures about people: active volunteers and requesters, newcomers and how soon they first
help or are helped, pairs that met again, tasks between generations.

A *task* is an assignment that was not given back; it is dated by the request's time
(`when_start`). Definitions: docs/observatory.md.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from core.domain.model import Assignment, HelpRequest, Member
from core.domain.observatory_tables import MemberAgeBand
from core.observatory.periods import Period
from core.observatory.sql import (
    Figure,
    count,
    once,
    percentile,
    ratio,
    rows_of,
    seconds_between,
)

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


async def _active(s: AsyncSession, t: int, p: Period) -> tuple[int, int]:
    """How many volunteers and how many requesters the period's tasks have, in one query (read
    once by the two figures when computed together)."""

    async def both() -> tuple[int, int]:
        sub = _tasks(t, p).subquery()
        volunteers, requesters = (
            await s.execute(
                select(
                    func.count(sub.c.volunteer_id.distinct()),
                    func.count(sub.c.requester_id.distinct()),
                )
            )
        ).one()
        return int(volunteers), int(requesters)

    return await once(s, ("active", t, p), both)


async def _people(
    s: AsyncSession, name: str, value: int, t: int, p: Period, who: str, rows: bool
) -> Figure:
    return Figure(name, value, await rows_of(s, _distinct(t, p, who)) if rows else None)


async def active_volunteers(s: AsyncSession, t: int, p: Period, rows: bool = False) -> Figure:
    volunteers = (await _active(s, t, p))[0]
    return await _people(s, "active_volunteers", volunteers, t, p, "volunteer_id", rows)


async def active_requesters(s: AsyncSession, t: int, p: Period, rows: bool = False) -> Figure:
    requesters = (await _active(s, t, p))[1]
    return await _people(s, "active_requesters", requesters, t, p, "requester_id", rows)


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
    joining to their first one (given or received, whenever it came). Each side is looked up for
    the period's newcomers only (through the volunteer's and the requester's indexes), never the
    whole history of tasks."""
    newcomers = select(_newcomers(territory_id, period).subquery().c.id)
    given = select(A.volunteer_id.label("member_id"), A.accepted_at).where(
        A.withdrawn_at.is_(None), A.volunteer_id.in_(newcomers)
    )
    received = select(A.requester_id.label("member_id"), A.accepted_at).where(
        A.withdrawn_at.is_(None), A.requester_id.in_(newcomers)
    )
    both = union_all(given, received).subquery()
    joined = _newcomers(territory_id, period).subquery()
    first = (
        select(both.c.member_id, func.min(both.c.accepted_at).label("first_at"))
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
    up to the period's end: people who met again. The period's pairs are grouped; one with a
    single task there looks for another task up to the end (through the pair's index, the
    first found is enough), never counting its whole history."""
    here = _tasks(territory_id, period).subquery()
    pairs = (
        select(
            here.c.volunteer_id,
            here.c.requester_id,
            func.count().label("tasks"),
            func.min(here.c.id).label("task_id"),
        )
        .group_by(here.c.volunteer_id, here.c.requester_id)
        .subquery()
    )
    another = (
        select(A.id)
        .join(R, R.id == A.request_id)
        .where(
            A.volunteer_id == pairs.c.volunteer_id,
            A.requester_id == pairs.c.requester_id,
            A.id != pairs.c.task_id,
            A.withdrawn_at.is_(None),
            R.when_start < period.end,
        )
        .exists()
    )
    return select(pairs.c.volunteer_id, pairs.c.requester_id).where(
        or_(pairs.c.tasks >= 2, another)
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

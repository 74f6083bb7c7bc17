"""Figures about people: newcomers and how soon they first help or are helped (the figures
about the period's tasks and the people in them: task_figures.py).

A *task* is an assignment that was not given back. Definitions: docs/observatory.md.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from core.domain.model import Assignment, HelpRequest, Member
from core.observatory.periods import Period
from core.observatory.sql import (
    Figure,
    count,
    percentile,
    seconds_between,
)

R, A = HelpRequest, Assignment


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

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
    joining to their first one (given or received, whenever it came). A newcomer's first task on
    each side is the first entry of the volunteer's or the requester's index by acceptance, not
    a scan of their history, nor of everyone's."""
    joined = _newcomers(territory_id, period).subquery()

    def first_as(side: Any) -> Any:
        return (
            select(func.min(A.accepted_at))
            .where(side == joined.c.id, A.withdrawn_at.is_(None))
            .correlate(joined)
            .scalar_subquery()
        )

    sides = union_all(
        select(first_as(A.volunteer_id).label("at")), select(first_as(A.requester_id).label("at"))
    ).subquery()
    first_at = select(func.min(sides.c.at)).scalar_subquery()
    timed = select(joined.c.id, joined.c.created_at, first_at.label("first_at")).subquery()
    return select(
        timed.c.id, seconds_between(s, timed.c.created_at, timed.c.first_at).label("seconds")
    ).where(timed.c.first_at.is_not(None))


async def first_help_median(s: AsyncSession, t: int, p: Period, rows: bool = False) -> Figure:
    query = first_help_query(s, t, p)
    return await percentile(s, "first_help_median_s", query, "seconds", 0.5, rows)

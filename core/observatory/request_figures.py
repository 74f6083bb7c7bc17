"""Figures about requests: posted, accepted, done, cancelled, expired, fulfilled, how fast, hours,
unmet by category and by neighbourhood. Definitions: docs/observatory.md."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from core.domain.model import Assignment, HelpRequest
from core.domain.vocabulary import RequestState
from core.observatory.periods import Period
from core.observatory.sql import (
    Figure,
    Spread,
    count,
    once,
    ratio,
    rows_of,
    seconds_between,
    spread,
    total,
)

R, A = HelpRequest, Assignment
# A request's ending (done, cancelled, expired) is its last change: its `updated_at`.
ENDED = (RequestState.DONE, RequestState.CANCELLED, RequestState.EXPIRED)


def _within(column: Any, period: Period) -> Any:
    return and_(column >= period.start, column < period.end)


def posted_query(territory_id: int, period: Period) -> Select[Any]:
    return select(R.id, R.category).where(
        R.territory_id == territory_id, _within(R.created_at, period)
    )


def first_accepted_query(session: AsyncSession, territory_id: int, period: Period) -> Select[Any]:
    """Requests whose first acceptance falls in the period, and how long it took (seconds).

    The period's acceptances are read by their date, and each is checked against its request's
    first assignment (the smallest id: one look-up of the request's index), so that neither the
    territory's requests nor all the assignments are scanned."""
    first = aliased(Assignment)
    first_id = select(func.min(first.id)).where(first.request_id == A.request_id).scalar_subquery()
    return (
        select(R.id, seconds_between(session, R.created_at, A.accepted_at).label("seconds"))
        .join(A, A.request_id == R.id)
        .where(R.territory_id == territory_id, _within(A.accepted_at, period), A.id == first_id)
    )


def ended_query(territory_id: int, period: Period, *states: str) -> Select[Any]:
    return select(R.id, R.state).where(
        R.territory_id == territory_id,
        R.state.in_([str(s) for s in states]),
        _within(R.updated_at, period),
    )


def done_assignments_query(territory_id: int, period: Period) -> Select[Any]:
    """The tasks completed in the period (the assignment that was not given back)."""
    # Each task's request is read by its key (a scalar subquery, one look-up per task): as a
    # join, PostgreSQL scanned all the territory's requests for the month's thousands of tasks.
    request_state = (
        select(R.state).where(R.id == A.request_id, R.territory_id == territory_id)
    ).scalar_subquery()
    return select(A.id, func.coalesce(A.hours, 0.0).label("hours")).where(
        A.withdrawn_at.is_(None),
        _within(A.completed_at, period),
        request_state == RequestState.DONE,
    )


async def posted(s: AsyncSession, t: int, p: Period, rows: bool = False) -> Figure:
    return await count(s, "posted", posted_query(t, p), rows)


async def _acceptance(s: AsyncSession, t: int, p: Period) -> Spread:
    """The first acceptances of the period: how many, and the median and 90th percentile of
    their delays, in one query (read once by the three figures when computed together)."""
    return await once(
        s,
        ("acceptance", t, p),
        lambda: spread(s, first_accepted_query(s, t, p), "seconds", (0.5, 0.9)),
    )


async def _listed(s: AsyncSession, query: Select[Any], rows: bool) -> list[tuple[Any, ...]] | None:
    return await rows_of(s, query) if rows else None


async def accepted(s: AsyncSession, t: int, p: Period, rows: bool = False) -> Figure:
    found = await _acceptance(s, t, p)
    return Figure("accepted", found.n, await _listed(s, first_accepted_query(s, t, p), rows))


async def _ended(s: AsyncSession, t: int, p: Period) -> dict[str, int]:
    """How many requests ended in the period, by state (done, cancelled, expired), in one query
    (read once by the four figures when computed together)."""

    async def by_state() -> dict[str, int]:
        sub = ended_query(t, p, *ENDED).subquery()
        grouped = await s.execute(select(sub.c.state, func.count()).group_by(sub.c.state))
        return {str(state): int(n) for state, n in grouped.all()}

    return await once(s, ("ended", t, p), by_state)


async def _ended_as(
    s: AsyncSession, name: str, t: int, p: Period, state: str, rows: bool
) -> Figure:
    value = (await _ended(s, t, p)).get(str(state), 0)
    return Figure(name, value, await _listed(s, ended_query(t, p, state), rows))


async def done(s: AsyncSession, t: int, p: Period, rows: bool = False) -> Figure:
    return await _ended_as(s, "done", t, p, RequestState.DONE, rows)


async def cancelled(s: AsyncSession, t: int, p: Period, rows: bool = False) -> Figure:
    return await _ended_as(s, "cancelled", t, p, RequestState.CANCELLED, rows)


async def expired(s: AsyncSession, t: int, p: Period, rows: bool = False) -> Figure:
    return await _ended_as(s, "expired", t, p, RequestState.EXPIRED, rows)


async def fulfilled_share(s: AsyncSession, t: int, p: Period, rows: bool = False) -> Figure:
    """Of the requests that ended in the period, the share done."""
    ended = await _ended(s, t, p)
    value = ratio(ended.get(str(RequestState.DONE), 0), sum(ended.values()))
    return Figure("fulfilled_share", value, await _listed(s, ended_query(t, p, *ENDED), rows))


async def acceptance_median(s: AsyncSession, t: int, p: Period, rows: bool = False) -> Figure:
    value = (await _acceptance(s, t, p)).quantiles[0.5]
    listed = await _listed(s, first_accepted_query(s, t, p), rows)
    return Figure("acceptance_median_s", value, listed)


async def acceptance_p90(s: AsyncSession, t: int, p: Period, rows: bool = False) -> Figure:
    value = (await _acceptance(s, t, p)).quantiles[0.9]
    return Figure("acceptance_p90_s", value, await _listed(s, first_accepted_query(s, t, p), rows))


async def hours_given(s: AsyncSession, t: int, p: Period, rows: bool = False) -> Figure:
    return await total(s, "hours_given", done_assignments_query(t, p), "hours", rows)


async def _unmet_by(
    s: AsyncSession, name: str, column: Any, t: int, p: Period, rows: bool
) -> Figure:
    """Expired requests (nobody could come before their time) grouped by one column."""
    key = func.coalesce(column, "")
    query = select(R.id, key.label("key")).where(
        R.territory_id == t, R.state == RequestState.EXPIRED, _within(R.updated_at, p)
    )
    sub = query.subquery()
    grouped = await s.execute(select(sub.c.key, func.count()).group_by(sub.c.key))
    value = {str(k): int(n) for k, n in grouped.all()}
    return Figure(name, value, await rows_of(s, query) if rows else None)


async def unmet_by_category(s: AsyncSession, t: int, p: Period, rows: bool = False) -> Figure:
    return await _unmet_by(s, "unmet_by_category", R.category, t, p, rows)


async def unmet_by_neighbourhood(s: AsyncSession, t: int, p: Period, rows: bool = False) -> Figure:
    return await _unmet_by(s, "unmet_by_neighbourhood", R.neighbourhood, t, p, rows)

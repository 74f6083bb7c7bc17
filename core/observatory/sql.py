"""What every figure shares: its result type, and portable SQL aggregates.

A figure is computed by the database (a COUNT, a SUM, a percentile read with ORDER BY ...
OFFSET), never by a Python loop over rows; with `rows=True` the same selection is also returned
row by row, so that a total can be checked against the list it counts (reconciliation).
"""

from __future__ import annotations

import math
import typing
from collections.abc import Awaitable, Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Float, Integer, Select, and_, cast, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

Value = int | float | dict[str, int] | None
T = TypeVar("T")
_SHARED = "observatory_shared_work"


@dataclass(frozen=True)
class Figure:
    """One figure's value and, when asked for, the rows it was computed from."""

    name: str
    value: Value
    rows: list[tuple[Any, ...]] | None = field(default=None, compare=False)


def dialect(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def seconds_between(session: AsyncSession, start: Any, end: Any) -> ColumnElement[float]:
    """`end - start` in seconds, in the database's own arithmetic."""
    if dialect(session) == "sqlite":
        return cast((func.julianday(end) - func.julianday(start)) * 86400.0, Float)
    return cast(func.extract("epoch", end - start), Float)


async def rows_of(session: AsyncSession, query: Select[Any]) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in (await session.execute(query)).all()]


async def count(session: AsyncSession, name: str, query: Select[Any], rows: bool) -> Figure:
    """How many rows `query` selects (one per counted thing: its first column is its id)."""
    sub = query.subquery()
    value = (await session.execute(select(func.count()).select_from(sub))).scalar_one()
    return Figure(name, int(value), await rows_of(session, query) if rows else None)


async def total(
    session: AsyncSession, name: str, query: Select[Any], column: str, rows: bool
) -> Figure:
    """The sum of one column of `query` (0 when it selects nothing)."""
    sub = query.subquery()
    value = (await session.execute(select(func.coalesce(func.sum(sub.c[column]), 0)))).scalar_one()
    return Figure(name, round(float(value), 2), await rows_of(session, query) if rows else None)


@dataclass(frozen=True)
class Spread:
    """How many values a query selects, and some of their quantiles (None when it selects
    nothing)."""

    n: int
    quantiles: dict[float, float | None]


async def spread(
    session: AsyncSession, query: Select[Any], column: str, shares: tuple[float, ...]
) -> Spread:
    """The number of rows of `query` and the `shares` quantiles of one column, linearly
    interpolated (as PostgreSQL's percentile_cont and numpy's default). One query: the database
    numbers the sorted values (a window function) and returns only the one or two around each
    quantile's position."""
    sub = query.subquery()
    ranked = select(
        sub.c[column].label("v"),
        (func.row_number().over(order_by=sub.c[column]) - 1).label("k"),
        func.count().over().label("n"),
    ).subquery()
    near = []
    for share in shares:
        position = (ranked.c.n - 1) * share
        # floor(): SQLite's CAST truncates (the same for a position >= 0), PostgreSQL's rounds.
        low = cast(position if dialect(session) == "sqlite" else func.floor(position), Integer)
        near.append(and_(ranked.c.k >= low, ranked.c.k <= low + 1))
    picked = (
        await session.execute(
            select(ranked.c.v, ranked.c.k, ranked.c.n).where(or_(*near)).order_by(ranked.c.k)
        )
    ).all()
    if not picked:
        return Spread(0, dict.fromkeys(shares))
    n = int(picked[0][2])
    at = {int(k): float(v) for v, k, _ in picked}
    found: dict[float, float | None] = {}
    for share in shares:
        position = share * (n - 1)
        first = at[math.floor(position)]
        second = at.get(math.floor(position) + 1, first)
        found[share] = round(first + (second - first) * (position - math.floor(position)), 1)
    return Spread(n, found)


async def percentile(
    session: AsyncSession, name: str, query: Select[Any], column: str, share: float, rows: bool
) -> Figure:
    """The `share` quantile of one column (see `spread`)."""
    value = (await spread(session, query, column, (share,))).quantiles[share]
    return Figure(name, value, await rows_of(session, query) if rows else None)


@contextmanager
def shared_work(session: AsyncSession) -> Iterator[None]:
    """While computing several figures of one period: what some of them share (the same
    selection counted and its quantiles read) is computed once (`once`)."""
    session.info[_SHARED] = {}
    try:
        yield
    finally:
        session.info.pop(_SHARED, None)


async def once(session: AsyncSession, key: Hashable, make: Callable[[], Awaitable[T]]) -> T:
    """`make()`, or what it gave for the same key within `shared_work` (outside: always made)."""
    shared = session.info.get(_SHARED)
    if shared is None:
        return await make()
    if key not in shared:
        shared[key] = await make()
    return typing.cast(T, shared[key])


def interpolated(values: list[float], share: float) -> float | None:
    """The same quantile computed in Python: for tests and for the rows a figure lists."""
    if not values:
        return None
    ordered = sorted(values)
    position = share * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return round(ordered[low] + (ordered[high] - ordered[low]) * (position - low), 1)


def ratio(numerator: int | float, denominator: int | float) -> float | None:
    """A share between 0 and 1, or None when there is nothing to divide (not a zero)."""
    return None if not denominator else round(numerator / denominator, 4)

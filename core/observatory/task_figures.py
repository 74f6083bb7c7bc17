"""Figures about the period's tasks: active volunteers and requesters, pairs that met again, tasks
between generations and the age bands of the people active.

A *task* is an assignment that was not given back; it is dated by the request's time
(`when_start`). Definitions: docs/observatory.md.

Each figure's selection is built from the period's tasks by one function (`*_query(here)`),
used for its value and for its rows. To compute the five figures, the tasks are selected once:
one statement holds them as a common table expression and reads every figure from it
(`_task_counts`); the rows behind one figure select the tasks again, as its own query.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import FromClause, Select, case, func, literal, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from core.domain.model import Assignment, HelpRequest
from core.domain.observatory_tables import MemberAgeBand
from core.observatory.periods import Period
from core.observatory.sql import Figure, once, ratio, rows_of

R, A = HelpRequest, Assignment


def tasks_query(territory_id: int, period: Period) -> Select[Any]:
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


def people_query(here: FromClause, who: str) -> Select[Any]:
    """The volunteers (`who="volunteer_id"`) or the requesters of the tasks `here`."""
    return select(here.c[who]).distinct()


def pairs_again_query(here: FromClause, period: Period) -> Select[Any]:
    """Pairs (volunteer, requester) with a task in the period and at least two tasks together
    up to the period's end: people who met again. The period's pairs are grouped; one with a
    single task there looks for another task up to the end (through the pair's index, the
    first found is enough), never counting its whole history."""
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


def generations_query(here: FromClause) -> Select[Any]:
    """The tasks `here` where both people gave an age band, with the two bands."""
    giver, receiver = aliased(MemberAgeBand), aliased(MemberAgeBand)
    return (
        select(
            here.c.id, giver.band.label("volunteer_band"), receiver.band.label("requester_band")
        )
        .join(giver, giver.member_id == here.c.volunteer_id)
        .join(receiver, receiver.member_id == here.c.requester_id)
    )


def bands_query(here: FromClause) -> Select[Any]:
    """The members active in the tasks `here` (either side) who gave an age band, and theirs."""
    people = union_all(
        select(here.c.volunteer_id.label("member_id")),
        select(here.c.requester_id.label("member_id")),
    ).subquery()
    return select(MemberAgeBand.member_id, MemberAgeBand.band).where(
        MemberAgeBand.member_id.in_(select(people.c.member_id))
    )


async def _task_counts(s: AsyncSession, t: int, p: Period) -> dict[tuple[str, str], int]:
    """Every count the five figures need, from one statement over the period's tasks (read once
    when the figures are computed together): keyed by (what, age band or "")."""

    async def make() -> dict[tuple[str, str], int]:
        here = tasks_query(t, p).cte("tasks")
        generations = generations_query(here).subquery()
        between = generations.c.volunteer_band != generations.c.requester_band
        pair = case((between, "different"), else_="same").label("pair")
        bands = bands_query(here).subquery()

        def counted(what: str, query: Select[Any]) -> Select[Any]:
            sub = query.subquery()
            return select(literal(what), literal(""), func.count()).select_from(sub)

        parts = union_all(
            counted("volunteers", people_query(here, "volunteer_id")),
            counted("requesters", people_query(here, "requester_id")),
            counted("pairs", pairs_again_query(here, p)),
            select(literal("generations"), pair, func.count()).group_by(pair),
            select(literal("band"), bands.c.band, func.count()).group_by(bands.c.band),
        )
        return {(str(w), str(b)): int(n) for w, b, n in (await s.execute(parts)).all()}

    return await once(s, ("tasks", t, p), make)


async def _rows(s: AsyncSession, query: Select[Any], rows: bool) -> list[tuple[Any, ...]] | None:
    return await rows_of(s, query) if rows else None


def _here(t: int, p: Period) -> FromClause:
    return tasks_query(t, p).subquery()


async def active_volunteers(s: AsyncSession, t: int, p: Period, rows: bool = False) -> Figure:
    value = (await _task_counts(s, t, p))["volunteers", ""]
    listed = await _rows(s, people_query(_here(t, p), "volunteer_id"), rows)
    return Figure("active_volunteers", value, listed)


async def active_requesters(s: AsyncSession, t: int, p: Period, rows: bool = False) -> Figure:
    value = (await _task_counts(s, t, p))["requesters", ""]
    listed = await _rows(s, people_query(_here(t, p), "requester_id"), rows)
    return Figure("active_requesters", value, listed)


async def pairs_met_again(s: AsyncSession, t: int, p: Period, rows: bool = False) -> Figure:
    value = (await _task_counts(s, t, p))["pairs", ""]
    return Figure(
        "pairs_met_again", value, await _rows(s, pairs_again_query(_here(t, p), p), rows)
    )


async def intergenerational_share(
    s: AsyncSession, t: int, p: Period, rows: bool = False
) -> Figure:
    """Of the tasks where both people gave an age band, the share between different bands."""
    counts = await _task_counts(s, t, p)
    different, same = (
        counts.get(("generations", "different"), 0),
        counts.get(("generations", "same"), 0),
    )
    value = ratio(different, different + same)
    listed = await _rows(s, generations_query(_here(t, p)), rows)
    return Figure("intergenerational_share", value, listed)


async def age_bands(s: AsyncSession, t: int, p: Period, rows: bool = False) -> Figure:
    """The bands of the members active in the period (either side of a task) who gave one."""
    counts = await _task_counts(s, t, p)
    value = {band: n for (what, band), n in counts.items() if what == "band"}
    return Figure("age_bands", value, await _rows(s, bands_query(_here(t, p)), rows))

"""The list of the observatory's figures: one function each, in the order they are shown.

The console's Impact page, the printed report, the open-data export and the benchmark all call
`compute`, so a figure has one definition (docs/observatory.md) and one implementation.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.domain.errors import NotFound
from core.domain.model import Territory
from core.observatory import desk_figures as desk
from core.observatory import people_figures as people
from core.observatory import request_figures as requests
from core.observatory import task_figures as tasks
from core.observatory.periods import Period
from core.observatory.sql import Figure, shared_work


class Unit(StrEnum):
    COUNT = "count"  # a number of requests, people, alerts...
    SHARE = "share"  # between 0 and 1
    SECONDS = "seconds"  # a duration
    HOURS = "hours"
    BREAKDOWN = "breakdown"  # counts by category or neighbourhood
    SCORE = "score"  # the loneliness scale's mean total (3 to 9)


FigureFunction = Callable[[AsyncSession, int, Period, bool], Awaitable[Figure]]


@dataclass(frozen=True)
class Definition:
    name: str
    unit: Unit
    function: FigureFunction


FIGURES: tuple[Definition, ...] = (
    Definition("posted", Unit.COUNT, requests.posted),
    Definition("accepted", Unit.COUNT, requests.accepted),
    Definition("done", Unit.COUNT, requests.done),
    Definition("cancelled", Unit.COUNT, requests.cancelled),
    Definition("expired", Unit.COUNT, requests.expired),
    Definition("fulfilled_share", Unit.SHARE, requests.fulfilled_share),
    Definition("acceptance_median_s", Unit.SECONDS, requests.acceptance_median),
    Definition("acceptance_p90_s", Unit.SECONDS, requests.acceptance_p90),
    Definition("hours_given", Unit.HOURS, requests.hours_given),
    Definition("active_volunteers", Unit.COUNT, tasks.active_volunteers),
    Definition("active_requesters", Unit.COUNT, tasks.active_requesters),
    Definition("new_members", Unit.COUNT, people.new_members),
    Definition("first_help_median_s", Unit.SECONDS, people.first_help_median),
    Definition("pairs_met_again", Unit.COUNT, tasks.pairs_met_again),
    Definition("unmet_by_category", Unit.BREAKDOWN, requests.unmet_by_category),
    Definition("unmet_by_neighbourhood", Unit.BREAKDOWN, requests.unmet_by_neighbourhood),
    Definition("escalations", Unit.COUNT, desk.escalations),
    Definition("emergencies", Unit.COUNT, desk.emergencies),
    Definition("poll_participation", Unit.SHARE, desk.poll_participation),
    Definition("alerts_handled", Unit.COUNT, desk.alerts_handled),
    Definition("handling_median_s", Unit.SECONDS, desk.handling_median),
    Definition("handling_p90_s", Unit.SECONDS, desk.handling_p90),
    Definition("intergenerational_share", Unit.SHARE, tasks.intergenerational_share),
    Definition("age_bands", Unit.BREAKDOWN, tasks.age_bands),
    Definition("loneliness_mean", Unit.SCORE, desk.loneliness_mean),
)
BY_NAME = {d.name: d for d in FIGURES}


async def compute(
    session: AsyncSession, territory_id: int, period: Period, *, rows: bool = False
) -> dict[str, Figure]:
    """Every figure of one territory for one period (with their rows if asked); figures that
    share a selection (a count and its quantiles) read it once."""
    with shared_work(session):
        return {d.name: await d.function(session, territory_id, period, rows) for d in FIGURES}


async def one(
    session: AsyncSession, name: str, territory_id: int, period: Period, *, rows: bool = True
) -> Figure:
    """One figure by its name (the drill-down); an unknown name is `NotFound`."""
    definition = BY_NAME.get(name)
    if definition is None:
        raise NotFound()
    return await definition.function(session, territory_id, period, rows)


async def territory_by_name(session: AsyncSession, name: str) -> Territory:
    territory = (
        await session.execute(select(Territory).where(Territory.name == name))
    ).scalar_one_or_none()
    if territory is None:
        raise NotFound()
    return territory

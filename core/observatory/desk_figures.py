"""Figures about the desk and the cooperative's life: escalations, emergencies, coordinators'
workload, poll participation, and the loneliness check's anonymous counts.
Definitions: docs/observatory.md."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, func, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from core.domain.model import Alert, BallotReceipt, Member, Poll, Vote
from core.domain.observatory_tables import LonelinessTally
from core.domain.vocabulary import AlertKind, MemberStatus, PollState
from core.observatory.periods import Period
from core.observatory.protection import SMALLEST_PUBLISHED
from core.observatory.sql import (
    Figure,
    Spread,
    count,
    once,
    ratio,
    rows_of,
    seconds_between,
    spread,
)


def _alerts(territory_id: int, period: Period, *kinds: AlertKind) -> Select[Any]:
    return select(Alert.id).where(
        Alert.territory_id == territory_id,
        Alert.kind.in_([str(kind) for kind in kinds]),
        Alert.created_at >= period.start,
        Alert.created_at < period.end,
    )


async def escalations(s: AsyncSession, t: int, p: Period, rows: bool = False) -> Figure:
    """Requests handed to the coordinators to find someone: nobody could be offered them, or
    nobody took them by the last escalation step (one alert per request while it is open)."""
    kinds = (AlertKind.NOBODY_TO_OFFER, AlertKind.REQUEST_UNANSWERED)
    return await count(s, "escalations", _alerts(t, p, *kinds), rows)


async def emergencies(s: AsyncSession, t: int, p: Period, rows: bool = False) -> Figure:
    return await count(s, "emergencies", _alerts(t, p, AlertKind.EMERGENCY), rows)


def handled_query(s: AsyncSession, territory_id: int, period: Period) -> Select[Any]:
    return select(
        Alert.id, seconds_between(s, Alert.created_at, Alert.done_at).label("seconds")
    ).where(
        Alert.territory_id == territory_id,
        Alert.done_at >= period.start,
        Alert.done_at < period.end,
    )


async def _handling(s: AsyncSession, t: int, p: Period) -> Spread:
    """The alerts handled in the period: how many, and the median and 90th percentile of the
    time to handle them, in one query (read once by the three figures when computed together)."""
    return await once(
        s, ("handling", t, p), lambda: spread(s, handled_query(s, t, p), "seconds", (0.5, 0.9))
    )


async def _handled(
    s: AsyncSession, name: str, value: Any, t: int, p: Period, rows: bool
) -> Figure:
    return Figure(name, value, await rows_of(s, handled_query(s, t, p)) if rows else None)


async def alerts_handled(s: AsyncSession, t: int, p: Period, rows: bool = False) -> Figure:
    return await _handled(s, "alerts_handled", (await _handling(s, t, p)).n, t, p, rows)


async def handling_median(s: AsyncSession, t: int, p: Period, rows: bool = False) -> Figure:
    value = (await _handling(s, t, p)).quantiles[0.5]
    return await _handled(s, "handling_median_s", value, t, p, rows)


async def handling_p90(s: AsyncSession, t: int, p: Period, rows: bool = False) -> Figure:
    value = (await _handling(s, t, p)).quantiles[0.9]
    return await _handled(s, "handling_p90_s", value, t, p, rows)


def polls_query(territory_id: int, period: Period) -> Select[Any]:
    """Polls closed in the period, with how many voted and how many could vote.

    Who could vote is read as the poll's own rule (approved members of the territory, of its
    role, who joined before it opened when it says so) applied to the members as they are now.
    """
    ballots = union_all(select(Vote.poll_id), select(BallotReceipt.poll_id)).subquery()
    voters = (
        select(func.count())
        .select_from(ballots)
        .where(ballots.c.poll_id == Poll.id)
        .scalar_subquery()
    )
    role_ok = or_(
        Poll.voter_role.is_(None),
        and_(Poll.voter_role == "volunteer", Member.is_volunteer),
        and_(Poll.voter_role == "requester", Member.is_requester),
        and_(Poll.voter_role == "coordinator", Member.is_coordinator),
    )
    electorate = (
        select(func.count())
        .select_from(Member)
        .where(
            Member.territory_id == Poll.territory_id,
            Member.status == MemberStatus.APPROVED,
            role_ok,
            or_(~Poll.prior_members_only, Member.created_at <= Poll.created_at),
        )
        .scalar_subquery()
    )
    return select(Poll.id, voters.label("voters"), electorate.label("electorate")).where(
        Poll.territory_id == territory_id,
        Poll.state == PollState.CLOSED,
        Poll.closed_at >= period.start,
        Poll.closed_at < period.end,
    )


async def poll_participation(s: AsyncSession, t: int, p: Period, rows: bool = False) -> Figure:
    """Votes cast over votes possible, across the polls closed in the period."""
    sub = polls_query(t, p).subquery()
    voted, could = (
        await s.execute(
            select(
                func.coalesce(func.sum(sub.c.voters), 0),
                func.coalesce(func.sum(sub.c.electorate), 0),
            )
        )
    ).one()
    listed = await rows_of(s, polls_query(t, p)) if rows else None
    return Figure("poll_participation", ratio(int(voted), int(could)), listed)


def _quarters(period: Period) -> list[str]:
    names, year, quarter = [], period.first.year, (period.first.month - 1) // 3 + 1
    while (year, quarter) <= (period.last.year, (period.last.month - 1) // 3 + 1):
        names.append(f"{year}-Q{quarter}")
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return names


def loneliness_query(territory_id: int, period: Period) -> Select[Any]:
    return select(
        LonelinessTally.quarter, LonelinessTally.wave, LonelinessTally.score, LonelinessTally.count
    ).where(
        LonelinessTally.territory_id == territory_id,
        LonelinessTally.quarter.in_(_quarters(period)),
    )


async def loneliness_mean(s: AsyncSession, t: int, p: Period, rows: bool = False) -> Figure:
    """The mean total score (3 = hardly ever lonely, 9 = often) over the quarters the period
    touches; None (and no rows behind it) when fewer than `SMALLEST_PUBLISHED` people answered:
    answered privately, a score of one or two people must not be read back, even by the
    coordinators who know whom they helped."""
    sub = loneliness_query(t, p).subquery()
    points, people = (
        await s.execute(
            select(
                func.coalesce(func.sum(sub.c.score * sub.c["count"]), 0),
                func.coalesce(func.sum(sub.c["count"]), 0),
            )
        )
    ).one()
    if int(people) < SMALLEST_PUBLISHED:
        return Figure("loneliness_mean", None, [] if rows else None)
    value = round(int(points) / int(people), 2)
    return Figure(
        "loneliness_mean", value, await rows_of(s, loneliness_query(t, p)) if rows else None
    )

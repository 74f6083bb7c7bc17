"""Made-up but realistic activity for a fresh database (`entraide demo`).

Seasons (more requests in winter), newcomers through the months, regular pairs (most requesters
have a volunteer they see again), a few unmet requests, escalations, emergencies handled by the
desk, polls, age bands and loneliness counts. Every row that has words is marked as demo
(" (démo)" after each name, "[démo]" in descriptions, questions and alert texts) and the
territory is flagged `demo` in `observatory_settings`. It refuses a database holding any member
that is not demo: it never mixes made-up activity with real people's.

The rows are generated in Python with a seeded random generator and written with bulk INSERTs
(thousands per statement), so that the benchmark's 500 000 requests take minutes, not hours.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.domain.errors import InvalidInput
from core.domain.model import (
    Alert,
    Assignment,
    HelpRequest,
    Member,
    Territory,
)
from core.domain.observatory_tables import LonelinessTally, MemberAgeBand, ObservatorySetting
from core.observatory.demo_life import DEMO_TEXT, loneliness, polls, write
from core.observatory.demo_people import FIRST_NAMES, NEIGHBOURHOODS, people

DEMO_NAME = " (démo)"
MAX_MEMBERS = 200_000
MAX_WEEKS = 520
CATEGORIES = (
    ("shopping", 30),
    ("transport", 18),
    ("company", 14),
    ("paperwork", 10),
    ("digital", 10),
    ("meals", 6),
    ("diy", 5),
    ("gardening", 4),
    ("pets", 2),
    ("other", 1),
)


@dataclass
class DemoSummary:
    territory_id: int
    members: int
    requests: int
    polls: int


async def refuse_real_members(session: AsyncSession) -> None:
    """The demo fills a fresh database only: any member not made by the demo stops it."""
    real = (
        await session.execute(
            select(func.count())
            .select_from(Member)
            .where(~Member.display_name.endswith(DEMO_NAME))
        )
    ).scalar_one()
    if real:
        raise InvalidInput(
            "This database holds real members: the demo fills only a fresh database."
        )


async def _next_id(session: AsyncSession, column: Any) -> int:
    return (
        int((await session.execute(select(func.coalesce(func.max(column), 0)))).scalar_one()) + 1
    )


def _season(moment: datetime) -> float:
    """More requests in winter (January), fewer in summer: ±30 %."""
    day = moment.timetuple().tm_yday
    return 1.0 + 0.3 * math.cos(2 * math.pi * (day - 15) / 365)


async def fill(
    session: AsyncSession,
    territory_name: str,
    *,
    members: int,
    weeks: int,
    end: datetime,
    requests: int | None = None,
    seed: int = 1,
) -> DemoSummary:
    """Fill `territory_name` (created if needed) with `weeks` of activity ending at `end`."""
    if not 10 <= members <= MAX_MEMBERS:
        raise InvalidInput("Between 10 and 200000 members, please.")
    if not 1 <= weeks <= MAX_WEEKS:
        raise InvalidInput("Between 1 and 520 weeks, please.")
    await refuse_real_members(session)
    rng = random.Random(seed)
    start = end - timedelta(weeks=weeks)
    territory = (
        await session.execute(select(Territory).where(Territory.name == territory_name))
    ).scalar_one_or_none()
    if territory is None:
        territory = Territory(
            name=territory_name, neighbourhoods=list(NEIGHBOURHOODS), created_at=start
        )
        session.add(territory)
        await session.flush()
    t = territory.id
    await session.merge(ObservatorySetting(territory_id=t, demo=True, loneliness_check=True))
    first_member = await _next_id(session, Member.id)
    crowd = people(rng, members, first_member, start, end, t, DEMO_NAME)
    await write(session, Member, crowd.rows)
    await write(session, MemberAgeBand, crowd.bands)
    total = requests if requests is not None else round(members * weeks * 0.08)
    made = _requests(rng, crowd, t, start, end, total, await _next_id(session, HelpRequest.id))
    await write(session, HelpRequest, made.requests)
    await write(session, Assignment, made.assignments)
    await write(session, Alert, made.alerts)
    made_polls = await polls(session, rng, crowd, t, start, end)
    await write(session, LonelinessTally, loneliness(rng, t, start, end, len(crowd.requesters)))
    return DemoSummary(t, members, len(made.requests), made_polls)


@dataclass
class _Made:
    requests: list[dict[str, Any]]
    assignments: list[dict[str, Any]]
    alerts: list[dict[str, Any]]


def _requests(
    rng: random.Random, crowd: Any, t: int, start: datetime, end: datetime, total: int, first: int
) -> _Made:
    made = _Made([], [], [])
    span = (end - start).total_seconds()
    names, weights = zip(*CATEGORIES, strict=True)
    next_request, next_assignment = first, 1
    coordinator = crowd.coordinators[0]
    for _ in range(total):
        # Rejection sampling of the moment, so winter weeks get more requests.
        while True:
            created = start + timedelta(seconds=rng.random() * span)
            if rng.random() * 1.3 <= _season(created):
                break
        who = crowd.requester_joined_before(rng, created)
        when = created + timedelta(hours=rng.uniform(6, 24 * 7))
        request_id, state, updated = next_request, "open", created
        next_request += 1
        roll = rng.random()
        volunteer = crowd.volunteer_for(rng, who, created)
        past = when < end
        if roll < 0.84 and volunteer is not None:
            accepted = created + timedelta(hours=rng.lognormvariate(1.0, 1.1))
            if accepted >= end:
                accepted = created
            if rng.random() < 0.04:  # given back, then taken by someone else
                other = crowd.any_volunteer(rng)
                made.assignments.append(
                    dict(
                        id=next_assignment,
                        request_id=request_id,
                        volunteer_id=other,
                        requester_id=who["id"],
                        accepted_at=accepted,
                        withdrawn_at=accepted + timedelta(hours=1),
                    )
                )
                next_assignment += 1
                accepted += timedelta(hours=2)
            done = past and rng.random() < 0.95
            state = "done" if done else ("cancelled" if past else "accepted")
            updated = when + timedelta(hours=2) if past else accepted
            made.assignments.append(
                dict(
                    id=next_assignment,
                    request_id=request_id,
                    volunteer_id=volunteer,
                    requester_id=who["id"],
                    accepted_at=accepted,
                    completed_at=updated if done else None,
                    hours=round(rng.choice((0.5, 1, 1, 1.5, 2, 2, 3)), 1) if done else None,
                )
            )
            next_assignment += 1
        elif roll < 0.93 and past:
            state, updated = "expired", when
            made.alerts.append(
                _alert(
                    rng,
                    t,
                    "request_unanswered",
                    who["id"],
                    created + (when - created) * 0.8,
                    coordinator,
                    end,
                    request_id,
                )
            )
        elif past:
            state, updated = "cancelled", created + (when - created) * rng.random()
        made.requests.append(
            dict(
                id=request_id,
                territory_id=t,
                requester_id=who["id"],
                category=rng.choices(names, weights)[0],
                description=DEMO_TEXT,
                when_start=when,
                neighbourhood=who["neighbourhood"],
                state=state,
                created_at=created,
                updated_at=updated,
                version=1,
            )
        )
        if rng.random() < 0.004:
            made.alerts.append(_alert(rng, t, "emergency", who["id"], created, coordinator, end))
        elif rng.random() < 0.01:
            made.alerts.append(
                _alert(rng, t, "coordinator_contacted", who["id"], created, coordinator, end)
            )
    return made


def _alert(
    rng: random.Random,
    t: int,
    kind: str,
    member: int,
    at: datetime,
    by: int,
    end: datetime,
    request_id: int | None = None,
) -> dict[str, Any]:
    done = at + timedelta(minutes=rng.lognormvariate(4.0, 1.0))
    return dict(
        territory_id=t,
        kind=kind,
        member_id=member,
        request_id=request_id,
        text=DEMO_TEXT,
        created_at=at,
        taken_by=by if done < end else None,
        taken_at=at if done < end else None,
        done_by=by if done < end else None,
        done_at=done if done < end else None,
    )


__all__ = ["DEMO_NAME", "DEMO_TEXT", "FIRST_NAMES", "DemoSummary", "fill", "refuse_real_members"]

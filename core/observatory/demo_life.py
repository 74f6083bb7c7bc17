"""The demo's cooperative life beside the requests: polls with their votes, and the loneliness
check's anonymous counts (a little lower at the second answer, as a cooperative would hope)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from core.domain.model import Poll, PollOption, Vote

DEMO_TEXT = "[démo]"
CHUNK = 5000


async def write(session: AsyncSession, table: Any, rows: list[dict[str, Any]]) -> None:
    """Bulk INSERTs, a few thousand rows per statement."""
    for start in range(0, len(rows), CHUNK):
        await session.execute(insert(table), rows[start : start + CHUNK])


async def polls(
    session: AsyncSession, rng: random.Random, crowd: Any, t: int, start: datetime, end: datetime
) -> int:
    """A poll every six weeks; between a quarter and a half of the members vote."""
    opened, made = start + timedelta(weeks=2), 0
    while opened + timedelta(days=10) < end:
        closes = opened + timedelta(days=10)
        poll = Poll(
            territory_id=t,
            question=f"{DEMO_TEXT} {rng.choice(QUESTIONS)}",
            closes_at=closes,
            state="closed",
            created_at=opened,
            closed_at=closes,
            result={},
            options=[
                PollOption(position=i, label=label) for i, label in enumerate(("Oui", "Non"))
            ],
        )
        session.add(poll)
        await session.flush()
        electorate = [m for m in crowd.rows if m["created_at"] <= opened]
        share = rng.uniform(0.25, 0.5)
        votes = [
            dict(poll_id=poll.id, member_id=m["id"], choice=[rng.randrange(2)], cast_at=opened)
            for m in electorate
            if rng.random() < share
        ]
        await write(session, Vote, votes)
        made += 1
        opened += timedelta(weeks=6)
    return made


QUESTIONS = (
    "Une fête de quartier en juin ?",
    "Un atelier numérique le samedi ?",
    "Acheter un vélo cargo pour les courses ?",
)


def loneliness(
    rng: random.Random, t: int, start: datetime, end: datetime, requesters: int
) -> list[dict[str, Any]]:
    """Counts per quarter and total score: first answers, then answers again, a little lower."""
    rows, year, quarter = [], start.year, (start.month - 1) // 3 + 1
    step = 0
    while (year, quarter) <= (end.year, (end.month - 1) // 3 + 1):
        for wave, shift in (("first", 0.0), ("again", -0.4 - 0.1 * step)):
            people_here = max(5, int(requesters * rng.uniform(0.05, 0.1)))
            counts: dict[int, int] = {}
            for _ in range(people_here):
                score = min(9, max(3, round(rng.gauss(6.2 + shift, 1.4))))
                counts[score] = counts.get(score, 0) + 1
            rows += [
                dict(territory_id=t, quarter=f"{year}-Q{quarter}", wave=wave, score=s, count=n)
                for s, n in counts.items()
            ]
        step += 1
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return rows

"""The made-up members of the demo: names, roles, neighbourhoods, joining dates, age bands, and
who helps whom (each requester has a regular volunteer, usually from their neighbourhood)."""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

FIRST_NAMES = (
    "Alice",
    "Bernard",
    "Chantal",
    "Denis",
    "Élise",
    "Fatou",
    "Gérard",
    "Hélène",
    "Inès",
    "Jacques",
    "Karim",
    "Lucie",
    "Marcel",
    "Nadia",
    "Odile",
    "Paul",
    "Quentin",
    "Rose",
    "Samir",
    "Thérèse",
    "Ursule",
    "Victor",
    "Yvonne",
    "Zoé",
)
# Rezé's neighbourhoods; the last one is small on purpose (the export merges it).
NEIGHBOURHOODS = (
    "Trentemoult",
    "Pont-Rousseau",
    "Château",
    "Ragon",
    "La Houssais",
    "Haute-Île",
    "Port-au-Blé",
)
NEIGHBOURHOOD_WEIGHTS = (22, 22, 18, 14, 12, 11, 1)


@dataclass
class Crowd:
    rows: list[dict[str, Any]] = field(default_factory=list)
    bands: list[dict[str, Any]] = field(default_factory=list)
    requesters: list[dict[str, Any]] = field(default_factory=list)
    volunteers: list[int] = field(default_factory=list)
    coordinators: list[int] = field(default_factory=list)
    by_neighbourhood: dict[str, list[int]] = field(default_factory=dict)
    regular: dict[int, int] = field(default_factory=dict)
    founders: list[int] = field(default_factory=list)
    joined_at: dict[int, datetime] = field(default_factory=dict)
    _joined: list[datetime] = field(default_factory=list)

    def requester_joined_before(self, rng: random.Random, moment: datetime) -> dict[str, Any]:
        """A requester who had joined by `moment` (the earliest one if nobody had)."""
        known = bisect.bisect_right(self._joined, moment)
        return self.requesters[rng.randrange(max(1, known))]  # the first ones joined at start

    def volunteer_for(
        self, rng: random.Random, requester: dict[str, Any], moment: datetime
    ) -> int | None:
        """Their regular volunteer six times out of ten, else one from their neighbourhood."""
        if not self.volunteers:
            return None
        if rng.random() < 0.6:
            chosen = self.regular[requester["id"]]
        else:
            near = self.by_neighbourhood.get(requester["neighbourhood"]) or self.volunteers
            chosen = rng.choice(near)
        # Nobody helps before joining: a volunteer who came later is replaced by a founder.
        if self.joined_at[chosen] > moment:
            return rng.choice(self.founders) if self.founders else None
        return chosen

    def any_volunteer(self, rng: random.Random) -> int:
        return rng.choice(self.founders or self.volunteers)


def people(
    rng: random.Random,
    count: int,
    first_id: int,
    start: datetime,
    end: datetime,
    t: int,
    mark: str,
) -> Crowd:
    crowd = Crowd()
    span = (end - start).total_seconds()
    for index in range(count):
        member_id = first_id + index
        coordinator = index < max(1, count // 100)
        volunteer = not coordinator and rng.random() < 0.3
        # Four in ten were there from the start; the others joined through the months.
        joined = start if rng.random() < 0.4 else start + timedelta(seconds=rng.random() * span)
        place = rng.choices(NEIGHBOURHOODS, NEIGHBOURHOOD_WEIGHTS)[0]
        row = dict(
            id=member_id,
            territory_id=t,
            is_coordinator=coordinator,
            is_volunteer=volunteer,
            is_requester=not (coordinator or volunteer),
            language="fr",
            neighbourhood=place,
            availability=0,
            status="approved",
            weekly_digest=True,
            created_at=joined,
            approved_at=joined,
            display_name=f"{rng.choice(FIRST_NAMES)} {member_id}{mark}",
        )
        crowd.rows.append(row)
        if coordinator:
            crowd.coordinators.append(member_id)
        elif volunteer:
            crowd.volunteers.append(member_id)
            crowd.joined_at[member_id] = joined
            if joined == start:
                crowd.founders.append(member_id)
            crowd.by_neighbourhood.setdefault(place, []).append(member_id)
        else:
            crowd.requesters.append(row)
        if rng.random() < 0.7:  # seven in ten chose to give their age band
            weights = (5, 30, 35, 30) if volunteer or coordinator else (1, 9, 30, 60)
            band = rng.choices(("under_30", "30_59", "60_74", "75_plus"), weights)[0]
            crowd.bands.append(
                dict(member_id=member_id, band=band, consented_at=joined, updated_at=joined)
            )
    crowd.requesters.sort(key=lambda r: r["created_at"])
    crowd._joined = [r["created_at"] for r in crowd.requesters]
    for requester in crowd.requesters:
        # Their regular volunteer lives nearby and was there when they joined.
        near = crowd.by_neighbourhood.get(requester["neighbourhood"]) or crowd.volunteers
        there = [v for v in near if crowd.joined_at[v] <= requester["created_at"]]
        if there or crowd.founders:
            crowd.regular[requester["id"]] = rng.choice(there or crowd.founders)
    return crowd

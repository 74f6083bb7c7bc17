"""A small hand-built history with known answers, for the observatory's figures.

Territory Rezé (Europe/Paris), period March 2026 in local time. Every row is written directly
with its instants, so each figure's expected value can be counted by hand (see the comments).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.app import Core
from core.domain.model import (
    Alert,
    Assignment,
    BallotReceipt,
    HelpRequest,
    Member,
    Poll,
    Territory,
    Vote,
)
from core.domain.observatory_tables import LonelinessTally, MemberAgeBand


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


class History:
    """Ids of what `build` wrote."""

    territory_id: int
    coordinator: int
    v1: int
    v2: int
    r1: int
    r2: int


async def build(core: Core) -> History:
    h = History()
    async with core.uow() as uow:
        s = uow.session
        territory = Territory(
            name="Rezé",
            timezone="Europe/Paris",
            neighbourhoods=["Trentemoult", "Château"],
            created_at=at(1, 1),
        )
        s.add(territory)
        await s.flush()
        t = h.territory_id = territory.id

        def member(name: str, joined: datetime, **roles: bool) -> Member:
            m = Member(
                territory_id=t, display_name=name, created_at=joined, status="approved", **roles
            )
            s.add(m)
            return m

        coordinator = member("Claire", at(1, 2), is_coordinator=True)
        v1 = member("Bob", at(2, 1), is_volunteer=True)
        r1 = member("Alice", at(2, 1), is_requester=True)
        v2 = member("Vera", at(3, 1, 8), is_volunteer=True)  # new in March
        r2 = member("Rémi", at(3, 1, 8), is_requester=True)  # new in March
        member("Zoé", at(4, 2), is_requester=True)  # joins in April
        await s.flush()
        h.v1, h.v2, h.r1, h.r2 = v1.id, v2.id, r1.id, r2.id
        h.coordinator = coordinator.id

        def request(
            who: Member,
            created: datetime,
            when: datetime,
            state: str,
            updated: datetime,
            category: str = "shopping",
            neighbourhood: str | None = None,
        ) -> HelpRequest:
            r = HelpRequest(
                territory_id=t,
                requester_id=who.id,
                category=category,
                when_start=when,
                state=state,
                created_at=created,
                updated_at=updated,
                neighbourhood=neighbourhood,
            )
            s.add(r)
            return r

        q5 = request(r1, at(2, 25), at(3, 1), "done", at(3, 1, 12))  # before March, done in it
        q1 = request(r1, at(3, 2), at(3, 3), "done", at(3, 3, 12))
        q2 = request(r1, at(3, 4), at(3, 6), "done", at(3, 6, 12))
        request(r2, at(3, 10), at(3, 12), "expired", at(3, 12), "transport", "Château")
        request(r1, at(3, 20), at(3, 25), "cancelled", at(3, 21))
        q6 = request(r1, at(3, 30, 22, 30), at(4, 2), "accepted", at(4, 1))  # 00:30 local Mar 31
        request(r1, at(3, 31, 22, 30), at(4, 5), "open", at(3, 31, 22, 30))  # 00:30 local Apr 1
        request(r2, at(3, 15), at(3, 16), "expired", at(3, 16), "shopping", "Trentemoult")
        q9 = request(r2, at(3, 5), at(3, 8), "done", at(3, 8, 12))
        await s.flush()

        def assign(
            q: HelpRequest,
            v: Member,
            accepted: datetime,
            *,
            completed: datetime | None = None,
            hours: float | None = None,
            withdrawn: datetime | None = None,
        ) -> None:
            s.add(
                Assignment(
                    request_id=q.id,
                    volunteer_id=v.id,
                    requester_id=q.requester_id,
                    accepted_at=accepted,
                    completed_at=completed,
                    hours=hours,
                    withdrawn_at=withdrawn,
                )
            )

        assign(q5, v1, at(2, 25, 11), completed=at(3, 1, 12), hours=1.0)
        assign(q1, v1, at(3, 2, 11), completed=at(3, 3, 12), hours=2.0)  # accepted after 1 h
        assign(q2, v1, at(3, 4, 12), withdrawn=at(3, 4, 13))  # first acceptance: 2 h
        await s.flush()
        assign(q2, v2, at(3, 4, 14), completed=at(3, 6, 12), hours=1.5)
        assign(q9, v2, at(3, 5, 10, 30), completed=at(3, 8, 12), hours=3.0)  # 30 min
        assign(q6, v1, at(4, 1))

        def alert(kind: str, created: datetime, done: datetime | None) -> None:
            s.add(
                Alert(
                    territory_id=t,
                    kind=kind,
                    member_id=r1.id,
                    created_at=created,
                    done_at=done,
                    done_by=coordinator.id if done else None,
                )
            )

        alert("request_unanswered", at(3, 11), at(3, 11, 12))  # handled in 2 h
        alert("emergency", at(3, 20), at(3, 20, 10, 10))  # handled in 10 min
        alert("emergency", at(2, 28, 22, 30), at(2, 28, 23, 30))  # 23:30 Feb 28 local, done 00:30
        alert("coordinator_contacted", at(3, 29), None)  # not handled yet

        open_poll = Poll(
            territory_id=t,
            question="Fête ?",
            closes_at=at(3, 25),
            state="closed",
            created_at=at(3, 10),
            closed_at=at(3, 25),
        )
        secret_poll = Poll(
            territory_id=t,
            question="Budget ?",
            closes_at=at(3, 28),
            state="closed",
            secret=True,
            voter_role="volunteer",
            created_at=at(3, 2),
            closed_at=at(3, 28),
        )
        s.add_all([open_poll, secret_poll])
        await s.flush()
        s.add_all(
            [
                Vote(poll_id=open_poll.id, member_id=v1.id, choice=[0], cast_at=at(3, 11)),
                Vote(poll_id=open_poll.id, member_id=r1.id, choice=[1], cast_at=at(3, 11)),
                BallotReceipt(poll_id=secret_poll.id, member_id=v2.id, cast_at=at(3, 3)),
            ]
        )
        for m, band in ((v1, "30_59"), (r1, "75_plus"), (v2, "75_plus"), (r2, "60_74")):
            s.add(
                MemberAgeBand(
                    member_id=m.id, band=band, consented_at=at(3, 1), updated_at=at(3, 1)
                )
            )
        s.add_all(
            [
                LonelinessTally(territory_id=t, quarter="2026-Q1", wave="first", score=6, count=3),
                LonelinessTally(territory_id=t, quarter="2026-Q1", wave="again", score=4, count=2),
                LonelinessTally(
                    territory_id=t, quarter="2026-Q2", wave="again", score=9, count=10
                ),
            ]
        )
        await uow.commit()
    return h


# What March 2026 (local) must show, counted by hand from the rows above.
EXPECTED_MARCH = {
    "posted": 7,  # q1 q2 q3 q4 q6 q8 q9 (q5 in February, q7 in April local)
    "accepted": 3,  # q1 (1 h), q2 (2 h, the withdrawn one counts), q9 (30 min); q6 in April
    "done": 4,  # q5 q1 q2 q9
    "cancelled": 1,
    "expired": 2,
    "fulfilled_share": 0.5714,  # 4 of 7 ended
    "acceptance_median_s": 3600.0,
    "acceptance_p90_s": 6480.0,  # 3600 + 0.8 × (7200 − 3600)
    "hours_given": 7.5,
    "active_volunteers": 2,
    "active_requesters": 2,
    "new_members": 2,
    "first_help_median_s": 317700.0,  # Vera 3 d 6 h, Rémi 4 d 2 h 30: their middle
    "pairs_met_again": 1,  # Bob and Alice (q5, q1)
    "unmet_by_category": {"transport": 1, "shopping": 1},
    "unmet_by_neighbourhood": {"Château": 1, "Trentemoult": 1},
    "escalations": 1,
    "emergencies": 1,
    "poll_participation": 0.4286,  # (2 + 1) of (5 + 2)
    "alerts_handled": 3,
    "handling_median_s": 3600.0,
    "handling_p90_s": 6480.0,
    "intergenerational_share": 0.75,  # 3 of 4 tasks between different bands
    "age_bands": {"30_59": 1, "75_plus": 2, "60_74": 1},
    "loneliness_mean": 5.2,  # (3 × 6 + 2 × 4) / 5, first quarter only
}

__all__ = ["EXPECTED_MARCH", "History", "at", "build", "timedelta"]

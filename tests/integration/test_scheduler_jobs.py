"""Every job of the scheduler with a controllable clock, on SQLite and PostgreSQL.

The clock is moved by hand and `run_due` does what is due at that instant, through the same
`execute` the APScheduler jobs call: each effect happens once, at its time, or not at all.
"""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from core.app import Core
from core.dialogue.render import render_text
from core.domain.model import HelpRequest, MatchOffer
from core.domain.vocabulary import RequestState
from core.scheduling import execute, planned, run_due
from core.scheduling.jobs import Runtime, execute_many
from core.scheduling.plan import digest_instant, escalation_times, wall_clock_before
from core.services import members, polls, recurring, requests, timed
from tests.conftest import NOW, Cooperative, FrozenClock
from tests.integration._scheduling import add_channel, add_volunteers, runs, sent
from tests.integration._support import accept, post


async def plan_of(core: Core, *kinds: str, days: float = 10) -> list[tuple[str, datetime]]:
    async with core.uow() as uow:
        now = uow.now()
        works = await planned(
            uow, core.settings, now=now, until=now + timedelta(days=days), kinds=kinds
        )
        return [(w.key, w.due_at) for w in works]


async def request_at(coop: Cooperative, when: datetime, **extra: object) -> int:
    async with coop.core.uow() as uow:
        request = await requests.post_request(
            uow, coop.alice, category="shopping", when_start=when, **extra
        )
        await uow.commit()
        return request.id


# --- reminders --------------------------------------------------------------------------------


async def test_reminders_come_24_h_and_1_h_before_the_task_once_each(
    coop: Cooperative, clock: FrozenClock
) -> None:
    core = coop.core
    request_id = await post(coop, days=3)
    await accept(coop, coop.bob, request_id)
    start = NOW + timedelta(days=3)

    clock.now = start - timedelta(hours=24, minutes=1)
    assert await run_due(core, ["reminder"]) == {}
    clock.advance(minutes=1)
    assert await run_due(core, ["reminder"]) == {"done": 1}
    assert await run_due(core, ["reminder"]) == {}

    to_bob = await sent(core, member_id=coop.bob, startswith="Reminder:")
    to_alice = await sent(core, member_id=coop.alice, startswith="Reminder:")
    assert len(to_bob) == len(to_alice) == 1
    # What, when, where, who: and the address only to the volunteer holding the task.
    assert to_bob[0].params["address"] == "3 rue des Pêcheurs"
    assert to_bob[0].params["phone"] == "06 12 34 56 78"
    assert to_bob[0].params["when"] == start.isoformat()
    assert to_bob[0].params["category"] == "shopping"
    assert to_bob[0].params["requester"] == "Alice Durand"
    assert "address" not in to_alice[0].params and "phone" not in to_alice[0].params
    assert to_alice[0].params["volunteer"] == "Bob Leroy"
    assert await sent(core, member_id=coop.carol, startswith="Reminder:") == []

    clock.now = start - timedelta(hours=1)
    assert await run_due(core, ["reminder"]) == {"done": 1}
    assert sorted(await runs(core)) == [
        f"reminder-1h:request:{request_id}:assignment:1",
        f"reminder-24h:request:{request_id}:assignment:1",
    ]
    assert len(await sent(core, member_id=coop.bob, startswith="Reminder:")) == 2


async def test_a_second_run_of_the_same_reminder_finds_it_done(
    coop: Cooperative, clock: FrozenClock
) -> None:
    request_id = await post(coop, days=3)
    await accept(coop, coop.bob, request_id)
    clock.now = NOW + timedelta(days=2)
    assert await execute(coop.core, "reminder", (request_id, 1, 24)) == "done"
    assert await execute(coop.core, "reminder", (request_id, 1, 24)) == "already done"
    assert len(await sent(coop.core, member_id=coop.bob, startswith="Reminder:")) == 1


async def test_two_simultaneous_runs_of_one_reminder_send_it_once(
    coop: Cooperative, clock: FrozenClock
) -> None:
    request_id = await post(coop, days=3)
    await accept(coop, coop.bob, request_id)
    clock.now = NOW + timedelta(days=2)
    outcomes = await asyncio.gather(
        *(execute(coop.core, "reminder", (request_id, 1, 24)) for _ in range(3))
    )
    assert sorted(outcomes) == ["already done", "already done", "done"]
    assert len(await sent(coop.core, member_id=coop.bob, startswith="Reminder:")) == 1
    assert len(await sent(coop.core, member_id=coop.alice, startswith="Reminder:")) == 1


async def test_a_crash_during_the_work_leaves_nothing_and_the_next_run_does_it(
    coop: Cooperative, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    request_id = await post(coop, days=3)
    await accept(coop, coop.bob, request_id)
    clock.now = NOW + timedelta(days=2)
    real = timed.send_reminder

    async def crashing(*args: object) -> str:
        await real(*args)  # type: ignore[arg-type]
        raise RuntimeError("the process dies here")

    monkeypatch.setattr(timed, "send_reminder", crashing)
    with pytest.raises(RuntimeError):
        await execute(coop.core, "reminder", (request_id, 1, 24))
    assert await runs(coop.core) == {}
    assert await sent(coop.core, startswith="Reminder:") == []
    monkeypatch.setattr(timed, "send_reminder", real)
    assert await run_due(coop.core, ["reminder"]) == {"done": 1}
    assert len(await sent(coop.core, startswith="Reminder:")) == 2


async def test_a_reminder_late_past_the_next_one_is_dropped(
    coop: Cooperative, clock: FrozenClock
) -> None:
    request_id = await post(coop, days=3)
    await accept(coop, coop.bob, request_id)
    clock.now = NOW + timedelta(days=3) - timedelta(minutes=30)  # down since yesterday
    assert await run_due(coop.core, ["reminder"]) == {"done": 1}
    assert list(await runs(coop.core)) == [f"reminder-1h:request:{request_id}:assignment:1"]
    assert await execute(coop.core, "reminder", (request_id, 1, 24)) == "not wanted"


async def test_no_24_h_reminder_for_a_task_accepted_less_than_24_h_before(
    coop: Cooperative, clock: FrozenClock
) -> None:
    request_id = await post(coop, days=1)
    clock.advance(hours=10)
    await accept(coop, coop.bob, request_id)
    assert [key for key, _ in await plan_of(coop.core, "reminder")] == [
        f"reminder-1h:request:{request_id}:assignment:1"
    ]


async def test_no_reminder_for_a_cancelled_task(coop: Cooperative, clock: FrozenClock) -> None:
    request_id = await post(coop, days=3)
    await accept(coop, coop.bob, request_id)
    async with coop.core.uow() as uow:
        await requests.cancel(uow, coop.alice, request_id)
        await uow.commit()
    clock.now = NOW + timedelta(days=2)
    assert await plan_of(coop.core, "reminder") == []
    assert await execute(coop.core, "reminder", (request_id, 1, 24)) == "not wanted"
    assert await sent(coop.core, startswith="Reminder:") == []


async def test_a_new_volunteer_gets_the_reminder_and_the_address_not_the_one_who_left(
    coop: Cooperative, clock: FrozenClock
) -> None:
    request_id = await post(coop, days=3)
    await accept(coop, coop.bob, request_id)
    async with coop.core.uow() as uow:
        await requests.withdraw(uow, coop.bob, request_id)
        await uow.commit()
    await accept(coop, coop.carol, request_id)
    clock.now = NOW + timedelta(days=2)
    assert await run_due(coop.core, ["reminder"]) == {"done": 1}
    assert await sent(coop.core, member_id=coop.bob, startswith="Reminder:") == []
    (to_carol,) = await sent(coop.core, member_id=coop.carol, startswith="Reminder:")
    assert to_carol.params["address"] == "3 rue des Pêcheurs"
    assert list(await runs(coop.core)) == [f"reminder-24h:request:{request_id}:assignment:2"]


async def test_the_day_before_reminder_keeps_the_local_time_across_daylight_saving(
    coop: Cooperative, clock: FrozenClock
) -> None:
    # Sunday 28 March 2027 at 10:00 in Paris (summer time since 02:00 that night: 08:00 UTC).
    clock.now = datetime(2027, 3, 20, 9, 0, tzinfo=UTC)
    start = datetime(2027, 3, 28, 8, 0, tzinfo=UTC)
    request_id = await request_at(coop, start)
    await accept(coop, coop.bob, request_id)
    dues = dict(await plan_of(coop.core, "reminder"))
    # Saturday 10:00 in Paris is 09:00 UTC (winter time): 23 hours of real time before.
    assert dues[f"reminder-24h:request:{request_id}:assignment:1"] == datetime(
        2027, 3, 27, 9, 0, tzinfo=UTC
    )
    assert dues[f"reminder-1h:request:{request_id}:assignment:1"] == datetime(
        2027, 3, 28, 7, 0, tzinfo=UTC
    )


def test_wall_clock_offsets() -> None:
    autumn = datetime(2026, 10, 25, 9, 0, tzinfo=UTC)  # Sunday 10:00 CET, clocks went back
    assert wall_clock_before(autumn, 24, "Europe/Paris") == datetime(
        2026, 10, 24, 8, 0, tzinfo=UTC
    )
    assert wall_clock_before(autumn, 1, "Europe/Paris") == autumn - timedelta(hours=1)


# --- escalation -------------------------------------------------------------------------------


async def test_an_unanswered_request_reaches_more_volunteers_then_everyone_then_coordinators(
    coop: Cooperative, clock: FrozenClock
) -> None:
    core = coop.core
    await add_channel(coop)
    extra = await add_volunteers(coop, "Dan Morel", "Eve Roux", "Fay Blanc", "Gus Noir")
    request_id = await post(coop, days=3)  # offered to the 3 best at once (matching_top_n)

    async def offered() -> set[int]:
        async with core.uow() as uow:
            rows = await uow.session.execute(
                select(MatchOffer.volunteer_id).where(MatchOffer.request_id == request_id)
            )
            return set(rows.scalars())

    first = await offered()
    assert len(first) == 3
    clock.advance(hours=2)
    assert await run_due(core, ["escalation"]) == {"done": 1}
    second = await offered()
    assert len(second) == 6 and first < second
    assert await run_due(core, ["escalation"]) == {}

    clock.advance(hours=6)  # 8 h: the whole territory, and the public rooms
    assert await run_due(core, ["escalation"]) == {"done": 1}
    assert await offered() == {coop.bob, coop.carol, *extra}
    (room,) = await sent(core, channel=True, startswith="Still looking")
    assert room.params["first_name"] == "Alice" and "address" not in room.params
    assert await sent(core, member_id=coop.coordinator, startswith="Nobody") == []

    clock.advance(hours=16)  # 24 h: the coordinators, and the requester is reassured
    assert await run_due(core, ["escalation"]) == {"done": 1}
    (alert,) = await sent(core, member_id=coop.coordinator, startswith="Nobody")
    assert alert.params["name"] == "Alice Durand"
    assert len(await sent(core, member_id=coop.alice, startswith="We are still looking")) == 1
    assert sorted(await runs(core)) == [
        f"escalation-{level}:request:{request_id}:opening:0" for level in (1, 2, 3)
    ]
    clock.advance(hours=1)
    assert await run_due(core, ["escalation"]) == {}


async def test_escalation_stops_once_a_volunteer_accepts(
    coop: Cooperative, clock: FrozenClock
) -> None:
    request_id = await post(coop, days=3)
    clock.advance(hours=1)
    await accept(coop, coop.bob, request_id)
    assert await plan_of(coop.core, "escalation") == []
    clock.advance(hours=30)
    assert await run_due(coop.core, ["escalation"]) == {}
    assert await execute(coop.core, "escalation", (request_id, 3, 0)) == "not wanted"


async def test_a_request_for_soon_escalates_faster_so_a_coordinator_hears_in_time(
    coop: Cooperative, clock: FrozenClock
) -> None:
    request_id = await request_at(coop, NOW + timedelta(hours=4))
    dues = [due for _, due in await plan_of(coop.core, "escalation")]
    # The 2 h / 8 h / 24 h steps, fitted into three quarters of the 4 hours left.
    assert dues == [NOW + timedelta(minutes=m) for m in (15, 60, 180)]
    assert escalation_times(NOW, NOW + timedelta(days=3), [2, 8, 24])[2] == NOW + timedelta(
        hours=24
    )
    clock.advance(hours=3)
    assert await run_due(coop.core, ["escalation"]) == {"done": 2, "nothing to say": 1}
    assert len(await sent(coop.core, member_id=coop.coordinator, startswith="Nobody")) == 1
    assert (await runs(coop.core))[
        f"escalation-1:request:{request_id}:opening:0"
    ] == "nothing to say"  # only two volunteers in the territory: both were offered at once


async def test_a_request_reopened_by_a_withdrawal_escalates_again(
    coop: Cooperative, clock: FrozenClock
) -> None:
    request_id = await post(coop, days=3)
    clock.advance(hours=1)
    await accept(coop, coop.bob, request_id)
    clock.advance(hours=2)
    async with coop.core.uow() as uow:
        await requests.withdraw(uow, coop.bob, request_id)
        await uow.commit()
    withdrawn_at = clock.now
    assert await plan_of(coop.core, "escalation", days=3) == [
        (f"escalation-{level}:request:{request_id}:opening:1", withdrawn_at + timedelta(hours=h))
        for level, h in ((1, 2), (2, 8), (3, 24))
    ]


async def test_escalation_hours_can_be_set_per_territory(
    coop: Cooperative, clock: FrozenClock
) -> None:
    coop.core.settings = coop.core.settings.model_copy(
        update={"escalation_hours_by_territory": {"Rezé": [1.0, 2.0, 3.0]}}
    )
    await post(coop, days=3)
    dues = [due for _, due in await plan_of(coop.core, "escalation")]
    assert dues == [NOW + timedelta(hours=h) for h in (1, 2, 3)]


# --- expiry -----------------------------------------------------------------------------------


async def test_an_unmatched_request_expires_when_its_time_has_passed_and_alice_is_told(
    coop: Cooperative, clock: FrozenClock
) -> None:
    request_id = await post(coop, days=1)
    clock.now = NOW + timedelta(days=1, minutes=59)
    assert await run_due(coop.core, ["expiry"]) == {}
    clock.advance(minutes=1)
    assert await run_due(coop.core, ["expiry"]) == {"done": 1}
    assert await run_due(coop.core, ["expiry"]) == {}
    async with coop.core.uow() as uow:
        assert (await requests.get_request(uow, request_id)).state == RequestState.EXPIRED
    (told,) = await sent(coop.core, member_id=coop.alice, startswith="Sorry, nobody was free")
    assert [c["action"] for c in told.choices] == ["need_help"]  # offered to ask again


async def test_a_request_with_a_time_window_expires_at_its_end(
    coop: Cooperative, clock: FrozenClock
) -> None:
    start = NOW + timedelta(days=1)
    request_id = await request_at(coop, start, when_end=start + timedelta(hours=3))
    assert dict(await plan_of(coop.core, "expiry"))[f"expiry:request:{request_id}"] == (
        start + timedelta(hours=3)
    )


# --- follow-up --------------------------------------------------------------------------------


async def test_after_the_task_the_volunteer_is_asked_for_hours_and_alice_how_it_went(
    coop: Cooperative, clock: FrozenClock
) -> None:
    request_id = await post(coop, days=1)
    await accept(coop, coop.bob, request_id)
    clock.now = NOW + timedelta(days=1, hours=3)
    assert await run_due(coop.core, ["follow-up"]) == {"done": 1}
    assert await run_due(coop.core, ["follow-up"]) == {}
    (to_bob,) = await sent(coop.core, member_id=coop.bob, startswith="How did it go")
    assert [c["action"] for c in to_bob.choices] == [f"done:{request_id}"]
    (to_alice,) = await sent(coop.core, member_id=coop.alice, startswith="Did {volunteer}")
    assert to_alice.params["volunteer"] == "Bob"


async def test_after_a_task_marked_done_alice_is_invited_to_thank(
    coop: Cooperative, clock: FrozenClock
) -> None:
    done_id = await post(coop, days=1)
    thanked_id = await post(coop, days=1, category="transport")
    for request_id in (done_id, thanked_id):
        await accept(coop, coop.bob, request_id)
    clock.now = NOW + timedelta(days=1, hours=2)
    async with coop.core.uow() as uow:
        for request_id in (done_id, thanked_id):
            await requests.complete(uow, coop.bob, request_id, 1.5)
        await requests.thank(uow, coop.alice, thanked_id)
        await uow.commit()
    clock.advance(hours=1)
    assert await run_due(coop.core, ["follow-up"]) == {"done": 1}
    assert await sent(coop.core, member_id=coop.bob, startswith="How did it go") == []
    (invite,) = await sent(coop.core, member_id=coop.alice, startswith="We hope it went well")
    assert [c["action"] for c in invite.choices] == [f"thank:{done_id}", "coordinator"]


# --- polls ------------------------------------------------------------------------------------


async def make_poll(coop: Cooperative, hours: float, *, secret: bool = False) -> int:
    async with coop.core.uow() as uow:
        poll = await polls.create_poll(
            uow,
            coop.territory_id,
            "Shall we buy a second cargo bike?",
            ["Yes", "No"],
            closes_at=NOW + timedelta(hours=hours),
            secret=secret,
            by_id=coop.coordinator,
        )
        await uow.commit()
        return poll.id


@pytest.mark.parametrize("secret", [False, True])
async def test_a_poll_reminds_who_has_not_voted_then_closes_at_its_deadline(
    coop: Cooperative, clock: FrozenClock, secret: bool
) -> None:
    core = coop.core
    await add_channel(coop)
    poll_id = await make_poll(coop, 72, secret=secret)
    async with core.uow() as uow:
        await polls.vote(uow, coop.bob, poll_id, [0])
        await uow.commit()

    clock.now = NOW + timedelta(hours=48)
    assert await run_due(core, ["poll-reminder", "poll-close"]) == {"done": 1}
    reminded = {n.member_id for n in await sent(core, startswith="Reminder: the poll")}
    assert reminded == {coop.coordinator, coop.alice, coop.carol}

    clock.now = NOW + timedelta(hours=72) - timedelta(seconds=1)
    assert await run_due(core, ["poll-reminder", "poll-close"]) == {}
    clock.advance(seconds=1)
    assert await run_due(core, ["poll-reminder", "poll-close"]) == {"done": 1}
    assert await run_due(core, ["poll-reminder", "poll-close"]) == {}
    closed = await sent(core, startswith="Poll closed")
    members_told = {n.member_id for n in closed if n.member_id is not None}
    assert members_told == {coop.coordinator, coop.alice, coop.bob, coop.carol}
    assert len([n for n in closed if n.channel_id is not None]) == 1
    assert closed[0].params["result"]["counts"] == [1, 0]


async def test_a_short_poll_gets_no_reminder(coop: Cooperative, clock: FrozenClock) -> None:
    poll_id = await make_poll(coop, 30)
    assert [key for key, _ in await plan_of(coop.core, "poll-reminder", "poll-close")] == [
        f"poll-close:poll:{poll_id}"
    ]


async def test_a_poll_closed_by_hand_is_not_closed_again(
    coop: Cooperative, clock: FrozenClock
) -> None:
    poll_id = await make_poll(coop, 72)
    async with coop.core.uow() as uow:
        await polls.close_poll(uow, poll_id, by_id=coop.coordinator)
        await uow.commit()
    clock.now = NOW + timedelta(hours=80)
    assert await run_due(coop.core, ["poll-reminder", "poll-close"]) == {}
    assert await execute(coop.core, "poll-close", (poll_id,)) == "not wanted"
    assert len(await sent(coop.core, member_id=coop.alice, startswith="Poll closed")) == 1


# --- weekly digest ----------------------------------------------------------------------------


async def test_the_weekly_digest_tells_volunteers_of_requests_near_them_unless_they_opted_out(
    coop: Cooperative, clock: FrozenClock
) -> None:
    core = coop.core
    (gardener,) = await add_volunteers(coop, "Hugo Vert", skill="gardening")
    soon = await post(coop, days=2)
    await post(coop, days=4, category="transport")
    async with core.uow() as uow:
        await timed.set_weekly_digest(uow, coop.carol, False, by_id=coop.carol)
        await uow.commit()

    # NOW is Monday 10:00 in Paris: this week's digest (Monday 09:00) is due.
    assert await run_due(core, ["digest"]) == {"done": 1, "nothing to say": 1}
    (digest,) = await sent(core, member_id=coop.bob, startswith="Open requests near you")
    assert digest.params["count"] == 2  # shopping and transport: Bob's two skills
    assert digest.request_id == soon  # the soonest request, named by its typed reference
    assert [c["action"] for c in digest.choices] == ["requests", "digest_off"]
    assert await sent(core, member_id=coop.carol, startswith="Open requests near") == []
    assert await sent(core, member_id=gardener, startswith="Open requests near") == []
    assert await run_due(core, ["digest"]) == {}

    await post(coop, days=9)
    clock.advance(days=7)
    assert await run_due(core, ["digest"]) == {"done": 1, "nothing to say": 1}
    assert sorted(k for k in await runs(core) if k.startswith(f"digest:member:{coop.bob}:")) == [
        f"digest:member:{coop.bob}:week:2026-W48",
        f"digest:member:{coop.bob}:week:2026-W49",
    ]


def test_the_digest_is_at_9_local_time_in_winter_and_in_summer() -> None:
    from core.config import Settings

    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert digest_instant(2026, 48, settings, "Europe/Paris") == datetime(
        2026, 11, 23, 8, 0, tzinfo=UTC
    )
    assert digest_instant(2027, 14, settings, "Europe/Paris") == datetime(
        2027, 4, 5, 7, 0, tzinfo=UTC
    )


# --- recurring requests -----------------------------------------------------------------------


async def add_tuesday_shopping(coop: Cooperative, **extra: object) -> int:
    async with coop.core.uow() as uow:
        rule = await recurring.add_recurring(
            uow,
            coop.alice,
            category="shopping",
            weekday="mardi",
            minute_of_day=10 * 60,
            duration_minutes=60,
            **extra,  # type: ignore[arg-type]
        )
        await uow.commit()
        return rule.id


async def occurrences(core: Core) -> list[tuple[datetime, datetime | None, int | None]]:
    async with core.uow() as uow:
        rows = await uow.session.execute(
            select(HelpRequest.when_start, HelpRequest.when_end, HelpRequest.recurring_id)
            .where(HelpRequest.recurring_id.is_not(None))
            .order_by(HelpRequest.when_start)
        )
        return [tuple(r) for r in rows.all()]  # type: ignore[misc]


async def test_every_tuesday_shopping_is_posted_a_week_ahead_once_per_occurrence(
    coop: Cooperative, clock: FrozenClock
) -> None:
    core = coop.core
    rule_id = await add_tuesday_shopping(coop)
    # Monday: tomorrow's occurrence is already within the week ahead.
    assert await run_due(core, ["recurring"]) == {"done": 1}
    assert await run_due(core, ["recurring"]) == {}
    tuesday = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # 10:00 in Paris
    assert await occurrences(core) == [(tuesday, tuesday + timedelta(hours=1), rule_id)]
    # Posted like any request: offered to volunteers at once.
    assert len(await sent(core, member_id=coop.bob, startswith="New request near you")) == 1

    clock.advance(days=1)
    assert await run_due(core, ["recurring"]) == {"done": 1}
    assert [start for start, _, _ in await occurrences(core)] == [
        tuesday,
        tuesday + timedelta(days=7),
    ]
    async with core.uow() as uow:
        await recurring.stop_recurring(uow, rule_id, by_id=coop.alice)
        await uow.commit()
    clock.advance(days=7)
    assert await run_due(core, ["recurring"]) == {}
    assert len(await occurrences(core)) == 2


async def test_a_recurring_request_stays_at_10_local_time_across_daylight_saving(
    coop: Cooperative, clock: FrozenClock
) -> None:
    clock.now = datetime(2027, 3, 24, 12, 0, tzinfo=UTC)
    await add_tuesday_shopping(coop, every_weeks=1)
    assert await run_due(coop.core, ["recurring"]) == {"done": 1}
    # The next one is posted a week ahead to the local minute: Tuesday 10:00 summer time.
    clock.now = datetime(2027, 3, 30, 7, 59, tzinfo=UTC)
    assert await run_due(coop.core, ["recurring"]) == {}
    clock.now = datetime(2027, 3, 30, 8, 0, tzinfo=UTC)
    assert await run_due(coop.core, ["recurring"]) == {"done": 1}
    assert [start for start, _, _ in await occurrences(coop.core)] == [
        datetime(2027, 3, 30, 8, 0, tzinfo=UTC),  # 10:00 summer time
        datetime(2027, 4, 6, 8, 0, tzinfo=UTC),
    ]


async def test_a_fortnightly_request_skips_every_other_week(
    coop: Cooperative, clock: FrozenClock
) -> None:
    await add_tuesday_shopping(coop, every_weeks=2)
    for _ in range(30):
        await run_due(coop.core, ["recurring"])
        clock.advance(days=1)
    starts = [start for start, _, _ in await occurrences(coop.core)]
    assert [(b - a).days for a, b in itertools.pairwise(starts)] == [14, 14]


async def test_no_occurrence_for_a_requester_who_left(
    coop: Cooperative, clock: FrozenClock
) -> None:
    await add_tuesday_shopping(coop)
    async with coop.core.uow() as uow:
        await members.suspend_member(uow, coop.alice, by_id=coop.coordinator)
        await uow.commit()
    assert await run_due(coop.core, ["recurring"]) == {}


# --- the whole plan ---------------------------------------------------------------------------


async def test_the_plan_lists_everything_due_and_nothing_done(
    coop: Cooperative, clock: FrozenClock
) -> None:
    accepted = await post(coop, days=3)
    await accept(coop, coop.bob, accepted)
    open_id = await post(coop, days=2, category="transport")
    await make_poll(coop, 72)
    kinds = {key.split(":")[0] for key, _ in await plan_of(coop.core, *_all_kinds())}
    assert kinds >= {
        "reminder-24h",
        "reminder-1h",
        "follow-up",
        "escalation-1",
        "expiry",
        "poll-reminder",
        "poll-close",
        "digest",
    }
    done = await run_due(coop.core)
    assert done.get("done", 0) >= 1
    keys = {key for key, _ in await plan_of(coop.core, *_all_kinds())}
    assert not keys & set(await runs(coop.core))
    assert f"expiry:request:{open_id}" in keys


def _all_kinds() -> tuple[str, ...]:
    from core.scheduling import KINDS

    return KINDS


async def test_the_volunteer_reminder_reads_well_in_french_with_the_local_time(
    coop: Cooperative, clock: FrozenClock
) -> None:
    request_id = await post(coop, days=3, place="Carrefour Market")
    await accept(coop, coop.bob, request_id)
    clock.now = NOW + timedelta(days=2)
    await run_due(coop.core, ["reminder"])
    (to_bob,) = await sent(coop.core, member_id=coop.bob, startswith="Reminder:")
    text = render_text(to_bob.key, to_bob.params, "fr", "Europe/Paris")
    assert "jeudi 26 novembre à 10:00" in text
    assert "3 rue des Pêcheurs" in text and "06 12 34 56 78" in text
    assert "Carrefour Market" in text


# --- batches ----------------------------------------------------------------------------------


async def test_a_batch_does_each_piece_once_in_one_transaction(
    coop: Cooperative, clock: FrozenClock
) -> None:
    first, second = await post(coop, days=3), await post(coop, days=3, category="transport")
    for request_id in (first, second):
        await accept(coop, coop.bob, request_id)
    clock.now = NOW + timedelta(days=2)
    outcomes = await execute_many(
        coop.core,
        [
            ("reminder", (first, 1, 24)),
            ("reminder", (second, 2, 24)),
            ("reminder", (first, 1, 24)),  # the same job twice: done once
            ("reminder", (first, 1, 1)),  # not due for another day
            ("expiry", (first,)),  # accepted: nothing to expire
        ],
    )
    assert outcomes == ["done", "done", "already done", "not yet", "not wanted"]
    assert len(await sent(coop.core, member_id=coop.bob, startswith="Reminder:")) == 2
    assert await execute_many(coop.core, [("reminder", (first, 1, 24))]) == ["already done"]


async def test_one_failing_piece_of_a_batch_delays_no_other(
    coop: Cooperative, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = [await post(coop, days=3) for _ in range(3)]
    for request_id in ids:
        await accept(coop, coop.bob, request_id)
    clock.now = NOW + timedelta(days=2)
    real = timed.send_reminder

    async def fragile(uow, request_id, assignment_id, hours):  # type: ignore[no-untyped-def]
        if request_id == ids[1]:
            raise RuntimeError("this one cannot be sent now")
        return await real(uow, request_id, assignment_id, hours)

    monkeypatch.setattr(timed, "send_reminder", fragile)
    runtime = Runtime(coop.core, consumers=1)
    outcomes = await asyncio.gather(
        *(runtime.run("reminder", (rid, i + 1, 24)) for i, rid in enumerate(ids))
    )
    assert outcomes == ["done", "failed", "done"]
    assert runtime.busy("reminder", (ids[1], 2, 24))  # waits before trying again
    monkeypatch.setattr(timed, "send_reminder", real)
    assert await run_due(coop.core, ["reminder"]) == {"done": 1}
    await runtime.drain(1)
    assert await runtime.run("reminder", (ids[0], 1, 24)) == "postponed"  # stopping

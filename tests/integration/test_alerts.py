"""Alerts on the coordinators' desk: raised with the events that call for a coordinator, taken
by exactly one coordinator, marked done, audited, and refused to anyone else."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from core.app import Core
from core.domain import events
from core.domain.errors import AlertTaken, InvalidInput, NotAllowed
from core.domain.model import Alert, AuditEntry
from core.domain.vocabulary import AlertKind, Role
from core.services import alerts, members
from tests.conftest import Cooperative
from tests.integration._support import post


async def _publish(core: Core, event: events.Event) -> None:
    async with core.uow() as uow:
        uow.publish(event)
        await uow.commit()


async def _open(coop: Cooperative) -> list[Alert]:
    async with coop.core.uow() as uow:
        return await alerts.open_alerts(uow, coop.territory_id, by_id=coop.coordinator)


async def _second_coordinator(coop: Cooperative) -> int:
    async with coop.core.uow() as uow:
        other = await members.onboard_member(
            uow, coop.territory_id, "Denise Roux", roles=[Role.COORDINATOR]
        )
        await uow.commit()
        return other.id


async def _audit(core: Core, action: str) -> list[AuditEntry]:
    async with core.uow() as uow:
        query = select(AuditEntry).where(AuditEntry.action == action)
        return list((await uow.session.execute(query)).scalars())


async def test_an_emergency_a_message_and_an_unreachable_member_each_raise_an_alert(
    coop: Cooperative,
) -> None:
    await _publish(coop.core, events.EmergencyRaised(coop.alice, "Je suis tombée " * 100))
    await _publish(coop.core, events.CoordinatorContacted(coop.alice, "Rappelez-moi"))
    await _publish(coop.core, events.MemberUnreachable(coop.bob, "telegram"))
    found = await _open(coop)
    assert [(a.kind, a.member_id) for a in found] == [
        (AlertKind.EMERGENCY, coop.alice),
        (AlertKind.COORDINATOR_CONTACTED, coop.alice),
        (AlertKind.MEMBER_UNREACHABLE, coop.bob),
    ]
    assert len(found[0].text) == alerts.MAX_TEXT  # the quote is capped
    assert found[1].text == "Rappelez-moi"


async def test_a_request_escalated_to_the_coordinators_raises_an_alert_about_it(
    coop: Cooperative,
) -> None:
    request_id = await post(coop)
    await _publish(coop.core, events.RequestEscalated(request_id, "territory"))
    assert await _open(coop) == []  # the public rooms first: no coordinator yet
    await _publish(coop.core, events.RequestEscalated(request_id, "coordinators"))
    (alert,) = await _open(coop)
    assert (alert.kind, alert.member_id, alert.request_id) == (
        AlertKind.REQUEST_UNANSWERED,
        coop.alice,
        request_id,
    )


async def test_a_coordinator_takes_then_marks_done_and_both_are_audited(
    coop: Cooperative,
) -> None:
    await _publish(coop.core, events.EmergencyRaised(coop.alice, "Au secours"))
    (alert,) = await _open(coop)
    async with coop.core.uow() as uow:
        taken = await alerts.take(uow, alert.id, by_id=coop.coordinator)
        await uow.commit()
    assert taken.taken_by == coop.coordinator and taken.taken_at is not None
    async with coop.core.uow() as uow:
        done = await alerts.mark_done(uow, alert.id, by_id=coop.coordinator)
        await uow.commit()
    assert done.done_by == coop.coordinator and done.done_at is not None
    assert await _open(coop) == []
    (take_line,) = await _audit(coop.core, "alert.take")
    (done_line,) = await _audit(coop.core, "alert.done")
    assert take_line.actor_id == done_line.actor_id == coop.coordinator
    assert take_line.subject == f"alert:{alert.id}"
    async with coop.core.uow() as uow:
        with pytest.raises(InvalidInput):
            await alerts.mark_done(uow, alert.id, by_id=coop.coordinator)


async def test_marking_done_an_alert_nobody_took_records_the_coordinator_as_taker(
    coop: Cooperative,
) -> None:
    await _publish(coop.core, events.CoordinatorContacted(coop.alice, "Bonjour"))
    (alert,) = await _open(coop)
    async with coop.core.uow() as uow:
        done = await alerts.mark_done(uow, alert.id, by_id=coop.coordinator)
        await uow.commit()
    assert done.taken_by == done.done_by == coop.coordinator


async def test_two_coordinators_taking_the_same_alert_at_once_one_wins_the_other_is_told_who(
    coop: Cooperative,
) -> None:
    other = await _second_coordinator(coop)
    await _publish(coop.core, events.EmergencyRaised(coop.alice, "Au secours"))
    (alert,) = await _open(coop)
    first_took = asyncio.Event()
    release_first = asyncio.Event()

    async def first() -> str:
        async with coop.core.uow() as uow:
            await alerts.take(uow, alert.id, by_id=coop.coordinator)
            first_took.set()
            await release_first.wait()  # hold the transaction open while the second one tries
            await uow.commit()
            return "won"

    async def second() -> str:
        await first_took.wait()
        async with coop.core.uow() as uow:
            try:
                await alerts.take(uow, alert.id, by_id=other)
            except AlertTaken as refusal:
                return f"refused: {refusal.params['name']}"
            await uow.commit()
            return "won"

    winner = asyncio.create_task(first())
    loser = asyncio.create_task(second())
    await first_took.wait()
    await asyncio.sleep(0.3)  # the second take is now waiting (row lock, or SQLite's writer)
    release_first.set()
    assert await asyncio.gather(winner, loser) == ["won", "refused: Claire"]
    (still_open,) = await _open(coop)
    assert still_open.taken_by == coop.coordinator
    assert len(await _audit(coop.core, "alert.take")) == 1


async def test_simultaneous_takes_by_many_coordinators_have_exactly_one_winner(
    coop: Cooperative,
) -> None:
    others = [await _second_coordinator(coop) for _ in range(3)]
    await _publish(coop.core, events.EmergencyRaised(coop.alice, "Au secours"))
    (alert,) = await _open(coop)

    async def attempt(coordinator_id: int) -> bool:
        async with coop.core.uow() as uow:
            try:
                await alerts.take(uow, alert.id, by_id=coordinator_id)
            except AlertTaken:
                return False
            await uow.commit()
            return True

    outcomes = await asyncio.gather(*(attempt(c) for c in [coop.coordinator, *others]))
    assert outcomes.count(True) == 1


async def test_only_coordinators_of_the_territory_see_take_or_close_its_alerts(
    coop: Cooperative,
) -> None:
    await _publish(coop.core, events.EmergencyRaised(coop.alice, "Au secours"))
    (alert,) = await _open(coop)
    async with coop.core.uow() as uow:
        elsewhere = await members.add_territory(uow, "Bouguenais")
        stranger = await members.onboard_member(
            uow, elsewhere.id, "Eve Noir", roles=[Role.COORDINATOR]
        )
        await uow.commit()
    for actor in (coop.bob, coop.alice, stranger.id):
        async with coop.core.uow() as uow:
            with pytest.raises(NotAllowed):
                await alerts.open_alerts(uow, coop.territory_id, by_id=actor)
            with pytest.raises(NotAllowed):
                await alerts.take(uow, alert.id, by_id=actor)
            with pytest.raises(NotAllowed):
                await alerts.mark_done(uow, alert.id, by_id=actor)
    (unchanged,) = await _open(coop)
    assert unchanged.taken_by is None and unchanged.done_at is None
    assert await _audit(coop.core, "alert.take") == []

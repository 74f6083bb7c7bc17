"""A request the coordinators are asked to find someone for (SQLite and PostgreSQL).

Nobody could be offered it when it was posted: at once, an alert with the requester's phone
and address and "Offer to…". One such alert is open per request (the escalation a day later
does not raise a second one), and it ends by itself when the request stops waiting: accepted,
cancelled or passed. The coordinators are told why, and it is never sent again after that.
"""

from __future__ import annotations

from sqlalchemy import select

from core.dialogue.engine import ConversationEngine
from core.dialogue.render import render
from core.domain.model import Alert, AuditEntry, Notification
from core.domain.vocabulary import AlertKind, MessageKind
from core.scheduling import run_due
from core.services import requests, timed
from tests.conftest import Cooperative, FrozenClock
from tests.integration._support import accept, post
from tests.integration.test_conversation import as_member, say


async def _alerts(coop: Cooperative) -> list[Alert]:
    async with coop.core.uow() as uow:
        return list((await uow.session.execute(select(Alert).order_by(Alert.id))).scalars())


async def _to(coop: Cooperative, member_id: int) -> list[Notification]:
    async with coop.core.uow() as uow:
        query = select(Notification).where(Notification.member_id == member_id)
        return list((await uow.session.execute(query.order_by(Notification.id))).scalars())


def _french(row: Notification) -> str:
    return render(row, "fr", "Europe/Paris").text


async def test_a_request_nobody_can_be_offered_is_an_alert_with_contact_and_offer_to(
    coop: Cooperative,
) -> None:
    request_id = await post(coop, category="gardening")  # no volunteer offers gardening
    (alert,) = await _alerts(coop)
    assert (alert.kind, alert.request_id, alert.member_id) == (
        AlertKind.NOBODY_TO_OFFER,
        request_id,
        coop.alice,
    )
    [notice] = [r for r in await _to(coop, coop.coordinator) if r.kind == MessageKind.ALERT]
    text = _french(notice)
    assert text.startswith("Aucun bénévole n'a pu recevoir cette nouvelle demande")
    assert "06 12 34 56 78" in text and "3 rue des Pêcheurs" in text
    shown = render(notice, "fr", "Europe/Paris")
    assert [b.label for b in shown.buttons] == ["Je m'en occupe", "Proposer à…", "C'est fait"]
    assert f"alert_offer:{alert.id}" in [b.action for b in shown.buttons]
    assert [r for r in await _to(coop, coop.alice) if r.kind == MessageKind.ALERT] == []


async def test_the_escalation_of_a_request_already_alerted_raises_no_second_alert(
    coop: Cooperative,
) -> None:
    request_id = await post(coop, category="gardening")
    before = len(await _to(coop, coop.coordinator))
    async with coop.core.uow() as uow:
        await timed.escalate(uow, request_id, timed.COORDINATORS)
        await uow.commit()
    assert len(await _alerts(coop)) == 1
    assert [
        r for r in (await _to(coop, coop.coordinator))[before:] if r.kind == MessageKind.ALERT
    ] == []
    told = [r.key for r in await _to(coop, coop.alice)]
    assert any("A coordinator has been told and will help." in key for key in told)


async def test_an_accepted_request_closes_its_alert_tells_why_and_is_never_sent_again(
    coop: Cooperative, clock: FrozenClock
) -> None:
    await as_member(coop.core, "claire", coop.coordinator)
    engine = ConversationEngine(coop.core)
    request_id = await post(coop, category="gardening")
    (alert,) = await _alerts(coop)
    await say(engine, "claire", action=f"alert_offer_to:{alert.id}:{coop.carol}")
    await accept(coop, coop.carol, request_id)
    (closed,) = await _alerts(coop)
    assert closed.done_at is not None and closed.done_by is None
    assert closed.taken_by == coop.coordinator  # who took it stays on record
    last = (await _to(coop, coop.coordinator))[-1]
    assert _french(last).startswith("Carol Petit a accepté la demande d'Alice Durand")
    assert "L'alerte est close" in _french(last)
    async with coop.core.uow() as uow:
        audit = await uow.session.execute(
            select(AuditEntry.action, AuditEntry.actor_id).where(
                AuditEntry.subject == f"alert:{alert.id}"
            )
        )
        assert ("alert.settled", None) in audit.all()
    clock.advance(minutes=30)
    assert await run_due(coop.core, ["alert-resend"]) == {}


async def test_a_cancelled_request_closes_an_alert_nobody_took_and_stops_its_resending(
    coop: Cooperative, clock: FrozenClock
) -> None:
    request_id = await post(coop, category="gardening")
    async with coop.core.uow() as uow:
        await requests.cancel(uow, coop.alice, request_id)
        await uow.commit()
    (closed,) = await _alerts(coop)
    assert closed.done_at is not None and closed.taken_by is None
    assert "est annulée" in _french((await _to(coop, coop.coordinator))[-1])
    clock.advance(minutes=30)
    assert await run_due(coop.core, ["alert-resend"]) == {}


async def test_an_emergency_alert_is_not_closed_by_its_members_request_being_accepted(
    coop: Cooperative,
) -> None:
    await as_member(coop.core, "alice", coop.alice)
    engine = ConversationEngine(coop.core)
    request_id = await post(coop)
    await say(engine, "alice", "Je suis tombée dans la cuisine, aidez-moi")
    await accept(coop, coop.bob, request_id)
    (emergency,) = await _alerts(coop)
    assert emergency.kind == AlertKind.EMERGENCY and emergency.done_at is None

"""Alerts nobody took come back every period until one coordinator takes them; `/bureau`
shows what needs a coordinator now with its buttons; `/console` sends a one-time login link
(SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.dialogue.engine import ConversationEngine
from core.dialogue.messages import Inbound
from core.domain import events
from core.domain.model import Alert, AuditEntry, JobRun, Notification
from core.domain.vocabulary import Role
from core.scheduling import run_due
from core.services import desk, members, polls, web_access
from tests.conftest import NOW, Cooperative, FrozenClock
from tests.integration._support import post
from tests.integration.test_conversation import as_member, say

STILL_OPEN = "Nobody has taken this alert yet. Here it is again."


async def _resent_to(coop: Cooperative, member_id: int) -> int:
    async with coop.core.uow() as uow:
        rows = await uow.session.execute(
            select(Notification.key).where(Notification.member_id == member_id)
        )
        return sum(key == STILL_OPEN for key in rows.scalars())


async def _emergency(coop: Cooperative) -> int:
    async with coop.core.uow() as uow:
        uow.publish(events.EmergencyRaised(coop.alice, "Au secours"))
        await uow.commit()
    async with coop.core.uow() as uow:
        return (await uow.session.execute(select(Alert.id))).scalar_one()


async def test_an_alert_nobody_took_is_sent_again_once_per_period_until_taken(
    coop: Cooperative, clock: FrozenClock
) -> None:
    async with coop.core.uow() as uow:
        denise = await members.onboard_member(
            uow, coop.territory_id, "Denise Roux", roles=[Role.COORDINATOR]
        )
        await uow.commit()
    alert_id = await _emergency(coop)
    clock.advance(minutes=4, seconds=59)
    assert await run_due(coop.core, ["alert-resend"]) == {}
    clock.advance(seconds=1)
    assert await run_due(coop.core, ["alert-resend"]) == {"done": 1}
    assert await run_due(coop.core, ["alert-resend"]) == {}  # once per period
    assert await _resent_to(coop, coop.coordinator) == await _resent_to(coop, denise.id) == 1
    assert await _resent_to(coop, coop.alice) == 0
    clock.advance(minutes=5)
    assert await run_due(coop.core, ["alert-resend"]) == {"done": 1}
    assert await _resent_to(coop, coop.coordinator) == 2
    async with coop.core.uow() as uow:
        keys = set((await uow.session.execute(select(JobRun.key))).scalars())
    assert keys == {
        f"alert-resend:alert:{alert_id}:round:1",
        f"alert-resend:alert:{alert_id}:round:2",
    }
    await as_member(coop.core, "claire", coop.coordinator)
    await say(ConversationEngine(coop.core), "claire", action=f"alert_take:{alert_id}")
    clock.advance(minutes=5)
    assert await run_due(coop.core, ["alert-resend"]) == {}
    assert await _resent_to(coop, denise.id) == 2


async def test_rounds_missed_while_the_scheduler_was_away_are_sent_once(
    coop: Cooperative, clock: FrozenClock
) -> None:
    alert_id = await _emergency(coop)
    clock.advance(minutes=32)
    assert await run_due(coop.core, ["alert-resend"]) == {"done": 1}
    assert await _resent_to(coop, coop.coordinator) == 1
    async with coop.core.uow() as uow:
        resend = (
            await uow.session.execute(
                select(AuditEntry).where(AuditEntry.action == "alert.resend")
            )
        ).scalar_one()
    assert resend.subject == f"alert:{alert_id}" and resend.details["round"] == 6


async def test_bureau_shows_alerts_waiting_requests_approvals_and_polls_with_their_buttons(
    coop: Cooperative, clock: FrozenClock
) -> None:
    await as_member(coop.core, "claire", coop.coordinator)
    alert_id = await _emergency(coop)
    request_id = await post(coop)
    async with coop.core.uow() as uow:
        dan = await members.onboard_member(
            uow, coop.territory_id, "Dan Morel", roles=[Role.VOLUNTEER], neighbourhood="Château"
        )
        poll = await polls.create_poll(
            uow,
            coop.territory_id,
            "Fête de quartier samedi ?",
            ["Oui", "Non"],
            closes_at=NOW + timedelta(days=1),
            by_id=coop.coordinator,
        )
        await uow.commit()
    clock.advance(hours=3)
    replies = await say(ConversationEngine(coop.core), "claire", "bureau")
    assert replies[0].key.startswith("What needs you now:")
    assert "Alertes à traiter\u00a0: 1" in replies[0].text
    assert "Demandes en attente depuis plus de 2 heures\u00a0: 1" in replies[0].text
    actions = [b.action for r in replies for b in r.buttons]
    assert f"alert_take:{alert_id}" in actions and f"alert_done:{alert_id}" in actions
    assert f"request_offer:{request_id}" in actions
    assert f"approve:{dan.id}" in actions
    assert any(r.poll_id == poll.id for r in replies)
    [alert] = [r for r in replies if r.key.startswith("EMERGENCY")]
    assert "06 12 34 56 78" in alert.text


async def test_bureau_offers_a_waiting_request_to_a_chosen_volunteer(
    coop: Cooperative, clock: FrozenClock
) -> None:
    await as_member(coop.core, "claire", coop.coordinator)
    engine = ConversationEngine(coop.core)
    request_id = await post(coop)
    clock.advance(hours=3)
    [listed] = await say(engine, "claire", action=f"request_offer:{request_id}")
    assert f"request_offer_to:{request_id}:{coop.bob}" in [b.action for b in listed.buttons]
    await say(engine, "claire", action=f"request_offer_to:{request_id}:{coop.bob}")
    async with coop.core.uow() as uow:
        audit = (
            await uow.session.execute(
                select(AuditEntry).where(AuditEntry.action == "request.offer")
            )
        ).scalar_one()
    assert audit.actor_id == coop.coordinator and audit.details["volunteer"] == coop.bob


async def test_bureau_and_console_are_refused_to_a_member_who_is_not_a_coordinator(
    coop: Cooperative,
) -> None:
    await as_member(coop.core, "bob", coop.bob)
    engine = ConversationEngine(coop.core)
    for pressed in ("desk_now", "console_link", f"request_offer:{await post(coop)}"):
        [refused] = await say(engine, "bob", action=pressed)
        assert refused.key == "Only a coordinator of this territory can do that.", pressed
    async with coop.core.uow() as uow:
        rows = await uow.session.execute(select(AuditEntry.action))
        assert "web.link" not in set(rows.scalars())


async def test_bureau_with_nothing_to_do_says_so(coop: Cooperative) -> None:
    await as_member(coop.core, "claire", coop.coordinator)
    async with coop.core.uow() as uow:
        await members.approve_member(uow, coop.alice, by_id=coop.coordinator)
        await uow.commit()
    [answer] = await say(ConversationEngine(coop.core), "claire", action="desk_now")
    assert answer.key == "Nothing needs you now. Thank you!"


async def test_console_sends_a_one_time_link_in_a_private_chat_only(coop: Cooperative) -> None:
    await as_member(coop.core, "claire", coop.coordinator)
    engine = ConversationEngine(coop.core)
    [answer] = await say(engine, "claire", "console")
    link = answer.params["link"]
    assert isinstance(link, str) and "/login?token=" in link and link in answer.text
    token = link.rsplit("=", 1)[1]
    async with coop.core.uow() as uow:
        member = await web_access.redeem_login(uow, token, subject="test")
        await uow.commit()
    assert member.id == coop.coordinator
    # The same command in a group (no private chat): no link.
    group = Inbound("console", "claire", None, action="console_link", territory="Rezé")
    [refused] = await engine.handle(group)
    assert refused.key == "I send this link only in a private chat with me."
    async with coop.core.uow() as uow:
        rows = await uow.session.execute(
            select(AuditEntry.actor_id).where(AuditEntry.action == "web.link")
        )
        assert list(rows.scalars()) == [coop.coordinator]


async def test_the_console_link_is_not_kept_in_the_outbox_once_delivered(
    coop: Cooperative,
) -> None:
    """Only the token's hash is stored (`web_logins`): the message that carried it keeps no
    copy of it once delivered, so reading the database never lets anyone in."""
    await as_member(coop.core, "claire", coop.coordinator)
    [answer] = await say(ConversationEngine(coop.core), "claire", "console")
    token = str(answer.params["link"]).rsplit("=", 1)[1]
    async with coop.core.uow() as uow:
        rows = (await uow.session.execute(select(Notification))).scalars().all()
        stored = [(row.params, row.sent_at) for row in rows if "console" in row.key]
    assert stored, "the answer is a message of the outbox"
    assert all(sent_at is not None and token not in str(params) for params, sent_at in stored)


async def test_bureau_counts_every_open_alert_and_every_volunteer_waiting_not_only_those_listed(
    coop: Cooperative,
) -> None:
    await as_member(coop.core, "claire", coop.coordinator)
    alerts, waiting = desk.LIMIT + 3, desk.SHORT_LIST + 2
    async with coop.core.uow() as uow:
        for n in range(alerts):
            uow.session.add(
                Alert(
                    territory_id=coop.territory_id,
                    kind="emergency",
                    member_id=coop.alice,
                    text="Au secours",
                    created_at=NOW - timedelta(minutes=n),
                )
            )
        for n in range(waiting):
            await members.onboard_member(
                uow, coop.territory_id, f"Bénévole {n}", roles=[Role.VOLUNTEER]
            )
        await uow.commit()
    async with coop.core.uow() as uow:
        found = await desk.desk_of(uow, coop.territory_id, by_id=coop.coordinator)
    assert (len(found.alerts), found.alerts_count) == (desk.LIMIT, alerts)
    assert (len(found.approvals), found.approvals_count) == (desk.SHORT_LIST, waiting)
    replies = await say(ConversationEngine(coop.core), "claire", "bureau")
    assert f"Alertes à traiter\u00a0: {alerts}\n" in replies[0].text
    assert f"Bénévoles à valider\u00a0: {waiting}\n" in replies[0].text


async def test_bureau_counts_every_request_waiting_not_only_the_oldest_listed(
    coop: Cooperative, clock: FrozenClock
) -> None:
    await as_member(coop.core, "claire", coop.coordinator)
    old = desk.SHORT_LIST + 4
    for _ in range(old):
        await post(coop, category="gardening", days=3)  # nobody offers gardening: they wait
    clock.advance(hours=3)  # beyond `desk_waiting_hours`
    await post(coop, category="gardening", days=3)  # a new one, not waiting long yet
    replies = await say(ConversationEngine(coop.core), "claire", "bureau")
    assert f"Demandes en attente depuis plus de 2 heures\u00a0: {old}\n" in replies[0].text

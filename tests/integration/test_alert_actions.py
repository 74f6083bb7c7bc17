"""The coordinators' alerts in the chat, as coordinators meet them (SQLite and PostgreSQL).

Each alert reaches the coordinators of the member's territory only, with the member's name,
phone and address, the words, the time in the territory's zone and the buttons of its kind.
The first coordinator who takes it is named to the others, a second "take" is told who has it
and changes nothing, "Done" closes it and tells the others; every action is audited with its
actor; anyone else, another territory's coordinator, a forged or unknown alert is refused.
"""

from __future__ import annotations

from sqlalchemy import func, select

from core.dialogue.engine import ConversationEngine
from core.dialogue.render import render
from core.domain import events
from core.domain.model import Alert, AuditEntry, MatchOffer, Member, Notification
from core.domain.vocabulary import AlertKind, MessageKind, Role
from core.services import members, timed
from tests.conftest import Cooperative
from tests.integration._support import post
from tests.integration.test_conversation import as_member, say

FALL = "Je suis tombée dans la cuisine, aidez-moi"


async def _engine(coop: Cooperative) -> ConversationEngine:
    """The engine, with Alice, Bob and Claire (coordinator) on the console."""
    for who, member_id in (("alice", coop.alice), ("bob", coop.bob), ("claire", coop.coordinator)):
        await as_member(coop.core, who, member_id)
    return ConversationEngine(coop.core)


async def _second_coordinator(coop: Cooperative) -> int:
    async with coop.core.uow() as uow:
        denise = await members.onboard_member(
            uow, coop.territory_id, "Denise Roux", roles=[Role.COORDINATOR]
        )
        await uow.commit()
    await as_member(coop.core, "denise", denise.id)
    return denise.id


async def _to(coop: Cooperative, member_id: int) -> list[Notification]:
    async with coop.core.uow() as uow:
        query = select(Notification).where(Notification.member_id == member_id)
        return list((await uow.session.execute(query.order_by(Notification.id))).scalars())


async def _alerts(coop: Cooperative) -> list[Alert]:
    async with coop.core.uow() as uow:
        return list((await uow.session.execute(select(Alert).order_by(Alert.id))).scalars())


async def _audit(coop: Cooperative, prefix: str = "alert.") -> list[tuple[str, int | None]]:
    async with coop.core.uow() as uow:
        rows = await uow.session.execute(
            select(AuditEntry.action, AuditEntry.actor_id).order_by(AuditEntry.id)
        )
        return [(a, actor) for a, actor in rows.all() if a.startswith(prefix)]


def _french(row: Notification) -> str:
    return render(row, "fr", "Europe/Paris").text


def _buttons(row: Notification) -> list[tuple[str, str]]:
    shown = render(row, "fr", "Europe/Paris")
    return [(b.label, b.action) for b in shown.buttons]


async def test_an_emergency_alert_carries_contact_words_time_and_two_buttons(
    coop: Cooperative,
) -> None:
    engine = await _engine(coop)
    await say(engine, "alice", FALL)
    (alert,) = await _alerts(coop)
    [notice] = [r for r in await _to(coop, coop.coordinator) if r.kind == MessageKind.ALERT]
    text = _french(notice)
    assert "URGENCE" in text and "Alice Durand" in text and FALL in text
    assert "06 12 34 56 78" in text and "3 rue des Pêcheurs" in text
    assert "lundi 23 novembre à 10:00" in text  # 09:00 UTC, in Paris
    assert _buttons(notice) == [
        ("Je l'appelle", f"alert_take:{alert.id}"),
        ("C'est réglé", f"alert_done:{alert.id}"),
    ]


async def test_only_the_coordinators_of_the_members_territory_get_the_alert(
    coop: Cooperative,
) -> None:
    async with coop.core.uow() as uow:
        elsewhere = await members.add_territory(uow, "Bouguenais")
        stranger = await members.onboard_member(
            uow, elsewhere.id, "Eve Noir", roles=[Role.COORDINATOR]
        )
        await uow.commit()
    engine = await _engine(coop)
    await say(engine, "alice", FALL)
    assert [r for r in await _to(coop, stranger.id) if r.kind == MessageKind.ALERT] == []
    for member_id in (coop.bob, coop.carol):
        assert not any("06 12 34 56 78" in str(r.params) for r in await _to(coop, member_id))


async def test_the_first_coordinator_who_takes_it_is_named_and_a_second_take_changes_nothing(
    coop: Cooperative,
) -> None:
    denise = await _second_coordinator(coop)
    engine = await _engine(coop)
    await say(engine, "alice", FALL)
    (alert,) = await _alerts(coop)
    [taken] = await say(engine, "claire", action=f"alert_take:{alert.id}")
    assert "Vous vous occupez" in taken.text and "06 12 34 56 78" in taken.text
    assert [b.action for b in taken.buttons] == [f"alert_done:{alert.id}"]
    told = [r for r in await _to(coop, denise) if r.key.startswith("{coordinator} is handling")]
    assert [_french(r) for r in told] == ["Claire s'occupe de l'alerte concernant Alice Durand."]
    [refused] = await say(engine, "denise", action=f"alert_take:{alert.id}")
    assert refused.key == "{name} is already handling this alert."
    assert "Claire" in refused.text
    (still,) = await _alerts(coop)
    assert still.taken_by == coop.coordinator
    assert await _audit(coop) == [("alert.take", coop.coordinator)]


async def test_done_closes_the_alert_tells_the_others_and_is_audited_with_its_actor(
    coop: Cooperative,
) -> None:
    denise = await _second_coordinator(coop)
    engine = await _engine(coop)
    async with coop.core.uow() as uow:
        uow.publish(events.MemberUnreachable(coop.bob, "telegram"))
        await uow.commit()
    (alert,) = await _alerts(coop)
    [notice] = [r for r in await _to(coop, denise) if r.kind == MessageKind.ALERT]
    assert "Telegram" in _french(notice)
    assert [label for label, _ in _buttons(notice)] == ["Je m'en occupe", "C'est fait"]
    [closed] = await say(engine, "denise", action=f"alert_done:{alert.id}")
    assert closed.key == "Thank you. The alert about {name} is closed."
    told = [
        r for r in await _to(coop, coop.coordinator) if r.key.startswith("{coordinator} closed")
    ]
    assert [_french(r) for r in told] == ["Denise a réglé l'alerte concernant Bob Leroy."]
    (done,) = await _alerts(coop)
    assert done.done_by == denise and done.taken_by == denise
    assert await _audit(coop) == [("alert.done", denise)]
    [again] = await say(engine, "claire", action=f"alert_done:{alert.id}")
    assert again.key == "This alert is already handled."
    assert await _audit(coop) == [("alert.done", denise)]


async def test_a_member_who_asked_for_a_coordinator_is_told_who_took_the_message(
    coop: Cooperative,
) -> None:
    engine = await _engine(coop)
    await say(engine, "alice", action="coordinator")
    await say(engine, "alice", "Pouvez-vous me rappeler demain ?")
    (alert,) = await _alerts(coop)
    assert alert.kind == AlertKind.COORDINATOR_CONTACTED
    [notice] = [r for r in await _to(coop, coop.coordinator) if r.kind == MessageKind.ALERT]
    assert "Pouvez-vous me rappeler demain" in _french(notice)
    await say(engine, "claire", action=f"alert_take:{alert.id}")
    [told] = [r for r in await _to(coop, coop.alice) if r.key.startswith("{coordinator}, a")]
    assert _french(told).startswith("Claire, de l'équipe de coordination")


async def test_pressing_an_alert_button_is_refused_to_anyone_but_its_territorys_coordinators(
    coop: Cooperative,
) -> None:
    async with coop.core.uow() as uow:
        elsewhere = await members.add_territory(uow, "Bouguenais")
        stranger = await members.onboard_member(
            uow, elsewhere.id, "Eve Noir", roles=[Role.COORDINATOR]
        )
        await uow.commit()
    await as_member(coop.core, "eve", stranger.id)
    engine = await _engine(coop)
    await say(engine, "alice", FALL)
    (alert,) = await _alerts(coop)
    for who in ("bob", "alice", "eve"):
        for pressed in (f"alert_take:{alert.id}", f"alert_done:{alert.id}"):
            [refused] = await say(engine, who, action=pressed)
            assert refused.key == "Only a coordinator of this territory can do that.", who
    (untouched,) = await _alerts(coop)
    assert untouched.taken_by is None and untouched.done_at is None
    assert await _audit(coop) == []


async def test_a_forged_or_unknown_alert_id_gets_a_kind_answer_and_changes_nothing(
    coop: Cooperative,
) -> None:
    engine = await _engine(coop)
    await say(engine, "alice", FALL)
    for pressed in (
        "alert_take:99999999999",
        "alert_take:0",
        "alert_done:-1",
        "alert_offer:abc",
        "alert_offer_to:1",
        "alert_offer_to:1:2147483648",
    ):
        [refused] = await say(engine, "claire", action=pressed)
        assert refused.key == "This button is no longer valid. Here is the menu.", pressed
    for pressed in ("alert_take:4242", "alert_done:4242"):
        [unknown] = await say(engine, "claire", action=pressed)
        assert unknown.key == "I could not find that. It may have been removed.", pressed
    (untouched,) = await _alerts(coop)
    assert untouched.taken_by is None
    assert await _audit(coop) == []


async def test_offer_to_lists_the_best_suited_volunteers_and_offers_the_request_to_one(
    coop: Cooperative,
) -> None:
    engine = await _engine(coop)
    request_id = await post(coop)
    async with coop.core.uow() as uow:
        await timed.escalate(uow, request_id, timed.COORDINATORS)
        await uow.commit()
    (alert,) = await _alerts(coop)
    [notice] = [r for r in await _to(coop, coop.coordinator) if r.kind == MessageKind.ALERT]
    text = _french(notice)
    assert "06 12 34 56 78" in text and "3 rue des Pêcheurs" in text
    assert [label for label, _ in _buttons(notice)] == [
        "Je m'en occupe",
        "Proposer à…",
        "C'est fait",
    ]
    [listed] = await say(engine, "claire", action=f"alert_offer:{alert.id}")
    offers = [b.action for b in listed.buttons if b.action.startswith("alert_offer_to:")]
    assert offers == [
        f"alert_offer_to:{alert.id}:{coop.bob}",
        f"alert_offer_to:{alert.id}:{coop.carol}",
    ]
    assert "Bob Leroy" in [b.label for b in listed.buttons]
    before = len(await _to(coop, coop.carol))
    await say(engine, "claire", action=f"alert_offer_to:{alert.id}:{coop.carol}")
    [offer] = (await _to(coop, coop.carol))[before:]
    assert offer.kind == MessageKind.REQUEST_POST and offer.request_id == request_id
    assert offer.choices[0]["action"] == f"accept:{request_id}"
    assert "06 12 34 56 78" not in str(offer.params)  # the offer has no contact details
    async with coop.core.uow() as uow:
        assert await uow.session.get(MatchOffer, (request_id, coop.carol)) is not None
    (taken,) = await _alerts(coop)
    assert taken.taken_by == coop.coordinator
    assert await _audit(coop) == [
        ("alert.take", coop.coordinator),
        ("alert.offer", coop.coordinator),
    ]
    assert ("request.offer", coop.coordinator) in await _audit(coop, "request.")


async def test_offer_to_is_refused_to_a_volunteer_and_for_an_alert_without_request(
    coop: Cooperative,
) -> None:
    engine = await _engine(coop)
    await say(engine, "alice", FALL)
    (alert,) = await _alerts(coop)
    [refused] = await say(engine, "bob", action=f"alert_offer:{alert.id}")
    assert refused.key == "Only a coordinator of this territory can do that."
    [no_request] = await say(engine, "claire", action=f"alert_offer:{alert.id}")
    assert no_request.key == "This alert is not about a request."
    [forged] = await say(engine, "claire", action=f"alert_offer_to:{alert.id}:{coop.bob}")
    assert forged.key == "This alert is not about a request."
    assert await _audit(coop) == []


async def test_a_voice_message_becomes_a_listen_and_call_back_alert_with_its_audio(
    coop: Cooperative,
) -> None:
    await _second_coordinator(coop)
    engine = await _engine(coop)
    [told, *_] = await say(
        engine, "alice", action="voice", media_ref="AwACAgQAAxkBAAI00000001voice"
    )
    assert "Claire, Denise" in told.text and "5 minutes" in told.text
    (alert,) = await _alerts(coop)
    assert alert.kind == AlertKind.VOICE_MESSAGE
    [notice] = [
        r for r in await _to(coop, coop.coordinator) if r.kind == MessageKind.FORWARDED_AUDIO
    ]
    assert notice.params["audio_ref"] == "AwACAgQAAxkBAAI00000001voice"
    assert notice.params["audio_platform"] == "console"
    text = _french(notice)
    assert "Message vocal" in text and "06 12 34 56 78" in text
    assert _buttons(notice)[0] == ("Je rappelle", f"alert_take:{alert.id}")
    await say(engine, "claire", action=f"alert_take:{alert.id}")
    [promise] = [r for r in await _to(coop, coop.alice) if r.key.startswith("{coordinator}, a")]
    assert "Claire" in _french(promise)
    assert ("alert.voice", coop.alice) in await _audit(coop)


async def test_a_voice_message_with_a_forged_reference_still_reaches_the_coordinators(
    coop: Cooperative,
) -> None:
    engine = await _engine(coop)
    await say(engine, "alice", action="voice", media_ref="x" * 600)
    [notice] = [r for r in await _to(coop, coop.coordinator) if r.key.startswith("Voice message")]
    assert notice.kind == MessageKind.ALERT and "audio_ref" not in notice.params


async def test_a_member_without_coordinator_is_told_so_and_nothing_is_raised(
    coop: Cooperative,
) -> None:
    async with coop.core.uow() as uow:
        await members.suspend_member(uow, coop.coordinator, by_id=None)
        await uow.commit()
    engine = await _engine(coop)
    [answer] = await say(engine, "alice", action="voice", media_ref="AwACvoice")
    assert answer.key.startswith("There is no coordinator to listen to it yet")
    assert await _alerts(coop) == []


async def test_a_newcomers_voice_message_starts_onboarding_and_raises_nothing(
    coop: Cooperative,
) -> None:
    engine = await _engine(coop)
    [answer] = await say(engine, "zoe", action="voice", media_ref="AwACvoice")
    assert "Which language do you prefer?" in answer.key  # nobody to call back yet
    assert await _alerts(coop) == []
    async with coop.core.uow() as uow:
        assert (
            await uow.session.execute(select(func.count()).select_from(Member))
        ).scalar_one() == 4


async def test_a_coordinator_who_never_wrote_to_the_bot_answers_an_alert_by_its_number(
    coop: Cooperative,
) -> None:
    """Her first words in that chat are "1": it means the alert's first button ("I am calling
    them"), not "I did not understand"."""
    from core.dialogue.port import ChannelPort
    from core.domain.model import Conversation

    await as_member(coop.core, "alice", coop.alice)
    account = await as_member(coop.core, "claire", coop.coordinator, platform="matrix")
    engine = ConversationEngine(coop.core)
    await say(engine, "alice", FALL)
    async with coop.core.uow() as uow:
        assert await uow.session.get(Conversation, account) is None
    shown = await ChannelPort(coop.core).pending("matrix")
    assert next(m.buttons[0].action for m in shown if m.buttons).startswith("alert_take:")
    await engine.mark_delivered(shown)
    [answer, *_] = await say(engine, "claire", "1", platform="matrix")
    assert answer.key.startswith("You are handling the alert about {name}.")
    (alert,) = await _alerts(coop)
    assert alert.taken_by == coop.coordinator

"""The conversation engine as members meet it, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import func, select

from core.app import Core
from core.dialogue.engine import ConversationEngine
from core.domain.model import AuditEntry, HelpRequest, Member, Notification
from core.services import members
from tests.conftest import Cooperative
from tests.integration._support import as_member, say, texts


async def counts(core: Core) -> tuple[int, int, int]:
    async with core.uow() as uow:
        return tuple(
            [  # type: ignore[return-value]
                (await uow.session.execute(select(func.count()).select_from(model))).scalar_one()
                for model in (HelpRequest, AuditEntry, Member)
            ]
        )


async def test_a_newcomer_onboards_in_french_and_is_greeted_by_name(coop: Cooperative) -> None:
    engine = ConversationEngine(coop.core)
    first = await say(engine, "zoe", "bonjour", display_name="Zoé")
    assert "Quelle langue" in first[0].text
    await say(engine, "zoe", action="lang:fr")
    await say(engine, "zoe", action="role:requester")
    await say(engine, "zoe", action="nb:0")
    await say(engine, "zoe", "06 11 22 33 44")
    await say(engine, "zoe", action="skip")
    done = await say(engine, "zoe", action="band:none")
    assert "Zoé" in done[0].text and "Bienvenue" in done[0].text
    async with coop.core.uow() as uow:
        zoe = (
            await uow.session.execute(select(Member).where(Member.display_name == "Zoé"))
        ).scalar_one()
    assert (zoe.language, zoe.neighbourhood, zoe.phone) == ("fr", "Trentemoult", "06 11 22 33 44")


async def test_a_forged_button_gets_a_kind_answer_and_changes_nothing(coop: Cooperative) -> None:
    engine = ConversationEngine(coop.core)
    await as_member(coop.core, "carol", coop.carol)
    before = await counts(coop.core)
    for forged in ("accept:99999", "accept:abc", "vote:1", "drop_table:1", "x" * 500, "done:1"):
        replies = await say(engine, "carol", action=forged)
        assert replies and replies[0].text
    assert await counts(coop.core) == before


async def test_a_volunteer_cannot_close_someone_elses_task(coop: Cooperative) -> None:
    engine = ConversationEngine(coop.core)
    await as_member(coop.core, "alice", coop.alice)
    await as_member(coop.core, "bob", coop.bob)
    await as_member(coop.core, "carol", coop.carol)
    for step in ("need_help", "cat:shopping", "when:tomorrow_morning", "where:home", "confirm"):
        await say(engine, "alice", action=step)
    async with coop.core.uow() as uow:
        request_id = (await uow.session.execute(select(HelpRequest.id))).scalar_one()
    await say(engine, "bob", action=f"accept:{request_id}")
    replies = await say(engine, "carol", action=f"done:{request_id}")
    assert "not yours" in texts(replies)


async def test_an_oversized_message_is_refused_kindly(coop: Cooperative) -> None:
    engine = ConversationEngine(coop.core)
    await as_member(coop.core, "alice", coop.alice)
    before = await counts(coop.core)
    replies = await say(engine, "alice", "a" * 4001)
    assert "too long" in texts(replies)
    assert await counts(coop.core) == before


async def test_control_characters_are_refused(coop: Cooperative) -> None:
    engine = ConversationEngine(coop.core)
    await as_member(coop.core, "alice", coop.alice)
    replies = await say(engine, "alice", "hello\x1b[31m")
    assert "control characters" in texts(replies)


async def test_an_emergency_is_answered_with_numbers_even_in_the_middle_of_a_flow(
    coop: Cooperative,
) -> None:
    engine = ConversationEngine(coop.core)
    await as_member(coop.core, "alice", coop.alice)
    await say(engine, "alice", action="need_help")
    replies = await say(engine, "alice", "Je suis tombée et je ne peux pas me relever")
    assert "112" in replies[0].text and "15" in replies[0].text
    async with coop.core.uow() as uow:
        alerts = (
            await uow.session.execute(
                select(Notification).where(Notification.member_id == coop.coordinator)
            )
        ).scalars()
        assert any("EMERGENCY" in row.key for row in alerts)


async def test_the_same_update_delivered_twice_is_answered_once(coop: Cooperative) -> None:
    engine = ConversationEngine(coop.core)
    await as_member(coop.core, "alice", coop.alice)
    first = await say(engine, "alice", action="need_help", message_ref="update-7")
    again = await say(engine, "alice", action="need_help", message_ref="update-7")
    assert first and again == []


async def test_a_number_answers_the_last_buttons_shown(coop: Cooperative) -> None:
    engine = ConversationEngine(coop.core)
    await as_member(coop.core, "alice", coop.alice)
    await say(engine, "alice", action="need_help")
    replies = await say(engine, "alice", "1")
    assert "When do you need help" in texts(replies)


async def test_a_flow_survives_a_restart_of_the_engine(coop: Cooperative) -> None:
    await as_member(coop.core, "alice", coop.alice)
    await say(ConversationEngine(coop.core), "alice", action="need_help")
    await say(ConversationEngine(coop.core), "alice", action="cat:shopping")
    replies = await say(ConversationEngine(coop.core), "alice", "jeudi 10h")
    assert "Where?" in texts(replies)


async def test_a_volunteer_can_stop_the_weekly_digest_from_its_button(coop: Cooperative) -> None:
    engine = ConversationEngine(coop.core)
    await as_member(coop.core, "bob", coop.bob)
    replies = await say(engine, "bob", action="digest_off")
    assert replies[0].key.startswith("Done: you will no longer receive")
    async with coop.core.uow() as uow:
        bob = await uow.session.get(Member, coop.bob)
        assert bob is not None and bob.weekly_digest is False


async def test_the_emergency_numbers_are_given_in_the_members_language_with_the_police(
    coop: Cooperative,
) -> None:
    engine = ConversationEngine(coop.core)
    await as_member(coop.core, "alice", coop.alice)  # Alice writes in French (the default)
    [french, *_] = await say(engine, "alice", "au secours je suis tombée")
    for number in ("112", "15", "17", "18", "114"):
        assert f"\n{number}\u00a0: " in french.text, french.text
    assert "Police" in french.text and "Pompiers" in french.text
    for english in ("European emergency number", "Fire brigade", "medical emergency", "By SMS"):
        assert english not in french.text
    async with coop.core.uow() as uow:
        await members.update_profile(uow, coop.bob, language="en")
        await uow.commit()
    await as_member(coop.core, "bob", coop.bob)
    [answer, *_] = await say(engine, "bob", "help I have fallen and I can't get up")
    assert "\n17: Police" in answer.text and "\n18: Fire brigade" in answer.text, answer.text


async def test_a_newcomer_in_distress_is_answered_in_the_language_of_their_app(
    coop: Cooperative,
) -> None:
    engine = ConversationEngine(coop.core)
    [answer, *_] = await say(engine, "stranger", "I've fallen and I can't get up", language="en")
    assert answer.text.startswith("If this is an emergency, call now:"), answer.text
    assert "\n15: SAMU: medical emergency" in answer.text
    [other, *_] = await say(engine, "inconnue", "je suis tombée", language="fr-FR")
    assert other.text.startswith("Si c'est une urgence"), other.text

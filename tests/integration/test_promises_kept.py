"""What members are told is what happens: nobody to offer a request, a race lost, a task kept,
an offer declined (SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import select

from core.dialogue.engine import ConversationEngine
from core.domain.model import HelpRequest, Notification
from core.domain.vocabulary import MessageKind, Outcome
from core.services import members, timed
from core.services.notifications.requests import TAKEN_BY_ANOTHER
from tests.conftest import Cooperative
from tests.integration._support import accept, as_member, post, say, texts

ASK_GARDENING = ("need_help", "cat:gardening", "when:tomorrow_morning", "where:home", "confirm")
VOLUNTEER_MENU = ["requests", "my_tasks", "polls", "coordinator", "help"]


async def to(coop: Cooperative, member_id: int) -> list[Notification]:
    """Every message written for a member (not as an answer in their chat)."""
    async with coop.core.uow() as uow:
        rows = await uow.session.execute(
            select(Notification).where(Notification.member_id == member_id)
        )
        return list(rows.scalars())


async def test_a_request_nobody_can_be_offered_alerts_the_coordinators_at_once(
    coop: Cooperative,
) -> None:
    engine = ConversationEngine(coop.core)
    await as_member(coop.core, "alice", coop.alice)
    for step in ASK_GARDENING:  # nobody offers gardening
        replies = await say(engine, "alice", action=step)
    assert replies[-1].key.startswith("Your request is saved. No volunteer is available")
    assert "I have told the coordinators" in replies[-1].key
    async with coop.core.uow() as uow:
        request_id = (await uow.session.execute(select(HelpRequest.id))).scalar_one()
    alerts = [
        row
        for row in await to(coop, coop.coordinator)
        if row.kind == MessageKind.ALERT and row.request_id == request_id
    ]
    assert len(alerts) == 1, "told in the same transaction, not a day later"
    assert alerts[0].params["name"] == "Alice Durand"


async def test_without_a_coordinator_the_requester_is_not_promised_one(
    coop: Cooperative,
) -> None:
    async with coop.core.uow() as uow:
        await members.suspend_member(uow, coop.coordinator, by_id=None)
        await uow.commit()
    engine = ConversationEngine(coop.core)
    await as_member(coop.core, "alice", coop.alice)
    for step in ASK_GARDENING:
        replies = await say(engine, "alice", action=step)
    assert "coordinator" not in replies[-1].key
    assert "offer it to the volunteers again later" in replies[-1].key


async def test_the_requester_is_told_in_a_sentence_how_many_volunteers_were_told(
    coop: Cooperative,
) -> None:
    engine = ConversationEngine(coop.core)
    await as_member(coop.core, "alice", coop.alice)
    for step in ("need_help", "cat:shopping", "when:tomorrow_morning", "where:home", "confirm"):
        replies = await say(engine, "alice", action=step)
    assert replies[-1].text.startswith("Votre demande est envoyée. J'ai prévenu 2 bénévoles.")
    assert [row for row in await to(coop, coop.coordinator) if row.kind == MessageKind.ALERT] == []


async def test_the_volunteer_who_lost_the_race_is_told_once(coop: Cooperative) -> None:
    engine = ConversationEngine(coop.core)
    await as_member(coop.core, "bob", coop.bob)
    await as_member(coop.core, "carol", coop.carol)
    request_id = await post(coop)  # offered to Bob and Carol
    await say(engine, "bob", action=f"accept:{request_id}")
    replies = await say(engine, "carol", action=f"accept:{request_id}")
    assert texts(replies) == "Thank you! Another volunteer has already taken this request."
    assert [b.action for b in replies[-1].buttons] == VOLUNTEER_MENU
    [notice] = [row for row in await to(coop, coop.carol) if row.key == TAKEN_BY_ANOTHER]
    assert notice.outcome == Outcome.SKIPPED, "the notice is not sent after the answer"


async def test_no_i_will_come_keeps_the_task_and_ends_with_the_menu(coop: Cooperative) -> None:
    engine = ConversationEngine(coop.core)
    await as_member(coop.core, "bob", coop.bob)
    request_id = await post(coop)
    await accept(coop, coop.bob, request_id)
    [question] = await say(engine, "bob", action=f"withdraw:{request_id}")
    assert question.buttons[1].label == "Non, je viendrai"
    [answer] = await say(engine, "bob", "2")
    assert answer.text.startswith("Merci. Vous gardez cette mission")
    assert [b.action for b in answer.buttons] == VOLUNTEER_MENU
    async with coop.core.uow() as uow:
        request = await uow.session.get(HelpRequest, request_id)
        assert request is not None and request.active_assignment is not None


async def test_declining_an_offer_ends_with_the_menu(coop: Cooperative) -> None:
    engine = ConversationEngine(coop.core)
    await as_member(coop.core, "carol", coop.carol)
    request_id = await post(coop)
    [answer] = await say(engine, "carol", action=f"decline:{request_id}")
    assert answer.text == "Pas de souci. Merci d'avoir répondu."
    assert [b.action for b in answer.buttons] == VOLUNTEER_MENU


async def test_the_volunteers_card_says_you_are_helping_and_where_without_a_dash(
    coop: Cooperative,
) -> None:
    engine = ConversationEngine(coop.core)
    async with coop.core.uow() as uow:
        await members.update_profile(uow, coop.bob, language="en")
        await uow.commit()
    await as_member(coop.core, "bob", coop.bob)
    await as_member(coop.core, "carol", coop.carol)
    at_home = await post(coop)  # no place given: at Alice's home
    [card] = await say(engine, "bob", action=f"accept:{at_home}")
    assert card.text.startswith("Thank you! You are helping Alice Durand:"), card.text
    assert card.text.endswith("Where: at their home, the address above"), card.text
    elsewhere = await post(coop, place="au marché")
    [french] = await say(engine, "carol", action=f"accept:{elsewhere}")
    assert french.text.endswith("Lieu\u00a0: au marché"), french.text
    assert "Lieu\u00a0: -" not in french.text


async def test_the_category_question_is_pour_quelle_aide(coop: Cooperative) -> None:
    engine = ConversationEngine(coop.core)
    await as_member(coop.core, "alice", coop.alice)
    [question] = await say(engine, "alice", action="need_help")
    assert question.text == "Pour quelle aide\u00a0?"


async def test_write_it_or_press_skip_comes_with_the_skip_button(coop: Cooperative) -> None:
    engine = ConversationEngine(coop.core)
    await say(engine, "zoe", "bonjour", display_name="Zoé")
    for action in ("lang:fr", "role:requester", "nb:0"):
        await say(engine, "zoe", action=action)
    [again] = await say(engine, "zoe", action="role:volunteer")  # an old button, not an answer
    assert again.key == 'Please write it, or press "Skip".' and "appuyez" in again.text
    assert [b.action for b in again.buttons] == ["skip"]


async def test_when_the_search_reaches_the_coordinators_only_a_real_one_is_promised(
    coop: Cooperative,
) -> None:
    async with coop.core.uow() as uow:
        await members.suspend_member(uow, coop.coordinator, by_id=None)
        await uow.commit()
    request_id = await post(coop, category="gardening")
    async with coop.core.uow() as uow:
        await timed.escalate(uow, request_id, timed.COORDINATORS)
        await uow.commit()
    [told] = [row for row in await to(coop, coop.alice) if row.request_id == request_id]
    assert told.key.startswith("We are still looking for someone")
    assert "coordinator" not in told.key and told.choices == []

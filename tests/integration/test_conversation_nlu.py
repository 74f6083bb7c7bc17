"""Free text in the conversation: one-message requests, missing pieces, unclear messages."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.dialogue.engine import ConversationEngine
from core.dialogue.port import ChannelPort
from core.domain.model import Assignment, HelpRequest
from core.services import requests
from nlu.interpreter import BuiltinInterpreter
from tests.conftest import Cooperative
from tests.integration._support import accept, as_member, post, say


async def test_a_complete_request_in_one_message_is_posted_after_one_confirmation(
    coop: Cooperative, interpreter: BuiltinInterpreter
) -> None:
    engine = ConversationEngine(coop.core, interpreter)
    await as_member(coop.core, "alice", coop.alice)
    replies = await say(
        engine,
        "alice",
        "Bonjour, pourriez-vous m'aider à faire mes courses au marché jeudi à 10h ? Merci",
    )
    assert replies[-1].key.startswith("Here is your request")
    done = await say(engine, "alice", "oui")
    assert done[-1].key.startswith("Your request is sent")
    async with coop.core.uow() as uow:
        request = (await uow.session.execute(select(HelpRequest))).scalar_one()
    assert (request.category, request.place) == ("shopping", "au marché")


async def test_a_request_without_a_time_asks_for_the_time_only(
    coop: Cooperative, interpreter: BuiltinInterpreter
) -> None:
    engine = ConversationEngine(coop.core, interpreter)
    await as_member(coop.core, "alice", coop.alice)
    replies = await say(engine, "alice", "j'ai besoin de quelqu'un pour faire mes courses")
    assert replies[-1].key.startswith("When do you need help?")


async def test_an_emergency_in_free_words_is_answered_with_the_numbers(
    coop: Cooperative, interpreter: BuiltinInterpreter
) -> None:
    engine = ConversationEngine(coop.core, interpreter)
    await as_member(coop.core, "alice", coop.alice)
    replies = await say(engine, "alice", "mon mari ne répond plus il est allongé dans la cuisine")
    assert "112" in replies[0].text


async def test_an_unclear_message_offers_the_likeliest_meanings_as_buttons(
    coop: Cooperative, interpreter: BuiltinInterpreter
) -> None:
    engine = ConversationEngine(coop.core, interpreter)
    await as_member(coop.core, "alice", coop.alice)
    replies = await say(engine, "alice", "euh")
    assert replies[-1].buttons, "a message is never silently ignored"


async def test_typing_a_first_name_during_onboarding_is_not_an_emergency(
    coop: Cooperative, interpreter: BuiltinInterpreter
) -> None:
    engine = ConversationEngine(coop.core, interpreter)
    await say(engine, "newcomer", "bonjour")
    await say(engine, "newcomer", action="lang:fr")
    replies = await say(engine, "newcomer", "Jeanne")
    assert "112" not in replies[0].text
    assert replies[-1].key.startswith("Nice to meet you")


@pytest.mark.parametrize("answer", ["merci", "thank you", "oui merci", "Merci beaucoup !"])
async def test_a_senior_who_answers_merci_to_the_thanks_question_records_her_thanks(
    coop: Cooperative, interpreter: BuiltinInterpreter, answer: str
) -> None:
    request_id = await post(coop)
    await accept(coop, coop.bob, request_id)
    async with coop.core.uow() as uow:
        await requests.complete(uow, coop.bob, request_id, 1.5)
        await uow.commit()
    engine = ConversationEngine(coop.core, interpreter)
    await as_member(coop.core, "alice", coop.alice)
    await say(engine, "alice", action="menu")  # she has talked to the bot before
    asked = await ChannelPort(coop.core).pending("console", member_ids={coop.alice})
    assert any("thank:" in b.action for m in asked for b in m.buttons)
    await engine.mark_delivered(asked)  # the question with its button is on her screen

    await say(engine, "alice", answer)

    async with coop.core.uow() as uow:
        assignment = (await uow.session.execute(select(Assignment))).scalar_one()
    assert assignment.thanked_at is not None

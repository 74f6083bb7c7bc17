"""Emergencies in the conversation: the flow in progress is put on hold and offered back, and a
weak guess of the NLU asks "Are you in danger?" instead of sounding the alarm (SQLite and
PostgreSQL)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from core.dialogue.engine import ConversationEngine
from core.domain.model import Conversation, Notification, PlatformAccount
from nlu.interpreter import BuiltinInterpreter
from tests.conftest import Cooperative
from tests.integration._support import as_member, say, texts

FALL = "Je suis tombée et je ne peux pas me relever"
WHEN_QUESTION = "When do you need help?"


@dataclass
class Guess:
    """What a model answered: an intent with its confidence, nothing else."""

    intent: str
    confidence: float
    ranking: list[tuple[str, float]] = field(default_factory=list)

    def entity(self, name: str) -> Any:
        return None


class FixedGuess:
    """An interpreter whose every answer is the same guess (the score under test)."""

    def __init__(self, intent: str, confidence: float) -> None:
        self.guess = Guess(intent, confidence)

    async def parse(
        self, text: str, *, language: str | None, timezone: str, now: datetime | None
    ) -> Guess:
        return self.guess


async def emergency_alerts(coop: Cooperative) -> int:
    async with coop.core.uow() as uow:
        rows = await uow.session.execute(
            select(Notification.key).where(Notification.member_id == coop.coordinator)
        )
        return sum("EMERGENCY" in key for key in rows.scalars())


async def step_of(coop: Cooperative, who: str) -> tuple[str | None, str | None]:
    """Where `who`'s conversation waits: (flow, step)."""
    async with coop.core.uow() as uow:
        row = (
            await uow.session.execute(
                select(Conversation.flow, Conversation.step)
                .join(PlatformAccount, PlatformAccount.id == Conversation.account_id)
                .where(PlatformAccount.external_id == who)
            )
        ).one()
        return row.flow, row.step


async def test_after_the_emergency_answer_a_typed_one_continues_the_request_held(
    coop: Cooperative,
) -> None:
    engine = ConversationEngine(coop.core)
    await as_member(coop.core, "alice", coop.alice)
    await say(engine, "alice", action="need_help")
    await say(engine, "alice", action="cat:shopping")
    [answer] = await say(engine, "alice", FALL)
    assert "112" in answer.text
    assert [b.action for b in answer.buttons] == ["resume", "coordinator", "menu"]
    assert answer.buttons[0].label == "Continuer ma demande"
    assert await step_of(coop, "alice") == (None, None), "the request is on hold"
    again = await say(engine, "alice", "1")  # the first of the emergency answer's buttons
    assert texts(again).startswith(WHEN_QUESTION), texts(again)
    assert again[-1].buttons[0].action.startswith("when:")
    assert await step_of(coop, "alice") == ("ask", "when")
    following = await say(engine, "alice", action="when:tomorrow_morning")
    assert texts(following).startswith("Where?")  # the request goes on as it was


async def test_after_the_emergency_answer_a_typed_number_never_answers_the_step_on_hold(
    coop: Cooperative,
) -> None:
    engine = ConversationEngine(coop.core)
    await as_member(coop.core, "alice", coop.alice)
    await say(engine, "alice", action="need_help")
    await say(engine, "alice", FALL)
    replies = await say(engine, "alice", "2")  # not the second category: "a coordinator"
    assert texts(replies).startswith("Write your message for the coordinators")


async def test_an_emergency_outside_any_flow_offers_a_coordinator_and_the_menu(
    coop: Cooperative,
) -> None:
    engine = ConversationEngine(coop.core)
    await as_member(coop.core, "alice", coop.alice)
    [answer] = await say(engine, "alice", FALL)
    assert [b.action for b in answer.buttons] == ["coordinator", "menu"]
    assert await emergency_alerts(coop) == 1


async def test_a_newcomer_in_distress_comes_back_to_the_onboarding_question(
    coop: Cooperative,
) -> None:
    engine = ConversationEngine(coop.core)
    await say(engine, "zoe", "bonjour", display_name="Zoé")
    await say(engine, "zoe", action="lang:fr")
    [answer] = await say(engine, "zoe", FALL)
    assert [b.action for b in answer.buttons] == ["resume"]
    again = await say(engine, "zoe", "1")
    assert await step_of(coop, "zoe") == ("onboarding", "role"), texts(again)


async def test_a_weak_emergency_guess_asks_and_a_no_alerts_nobody(coop: Cooperative) -> None:
    engine = ConversationEngine(coop.core, FixedGuess("emergency", 0.28))
    await as_member(coop.core, "carol", coop.carol)
    [question] = await say(engine, "carol", "repondre a alice")
    assert question.key == "Are you in danger?"
    assert [b.action for b in question.buttons] == ["danger_yes", "danger_no"]
    assert "112" not in question.text
    replies = await say(engine, "carol", action="danger_no")
    assert texts(replies) == "What would you like to do?"
    assert await emergency_alerts(coop) == 0


async def test_a_weak_emergency_guess_answered_yes_gives_the_numbers_and_alerts(
    coop: Cooperative,
) -> None:
    engine = ConversationEngine(coop.core, FixedGuess("emergency", 0.3))
    await as_member(coop.core, "alice", coop.alice)
    await say(engine, "alice", "j'ai un souci avec ma voisine")
    [answer] = await say(engine, "alice", "1")  # "Yes, call for help"
    assert "112" in answer.text and answer.key.startswith("If this is an emergency")
    assert await emergency_alerts(coop) == 1


async def test_a_weak_guess_in_a_flow_asks_and_no_comes_back_to_the_step(
    coop: Cooperative,
) -> None:
    engine = ConversationEngine(coop.core)
    await as_member(coop.core, "alice", coop.alice)
    await say(engine, "alice", action="need_help")
    await say(engine, "alice", action="cat:shopping")
    engine.interpreter = FixedGuess("emergency", 0.55)
    [question] = await say(engine, "alice", "je sais pas trop")
    assert question.key == "Are you in danger?"
    replies = await say(engine, "alice", "non")
    assert texts(replies).startswith(WHEN_QUESTION)
    assert await step_of(coop, "alice") == ("ask", "when")
    assert await emergency_alerts(coop) == 0


async def test_a_clear_emergency_score_sounds_the_alarm_at_once(coop: Cooperative) -> None:
    engine = ConversationEngine(coop.core, FixedGuess("emergency", 0.9))
    await as_member(coop.core, "alice", coop.alice)
    [answer] = await say(engine, "alice", "mon mari est allongé dans la cuisine")
    assert "112" in answer.text
    assert await emergency_alerts(coop) == 1


async def test_a_coordinator_writing_repondre_a_alice_sounds_no_alarm(
    coop: Cooperative, interpreter: BuiltinInterpreter
) -> None:
    engine = ConversationEngine(coop.core, interpreter)
    await as_member(coop.core, "carol", coop.coordinator)
    replies = await say(engine, "carol", "repondre a alice")
    assert "112" not in "\n".join(r.text for r in replies)
    assert await emergency_alerts(coop) == 0


async def test_a_shouted_help_asks_whether_she_is_in_danger_and_a_plain_help_explains(
    coop: Cooperative, interpreter: BuiltinInterpreter
) -> None:
    engine = ConversationEngine(coop.core, interpreter)
    await as_member(coop.core, "alice", coop.alice)
    for cry in ("HELP", "aide !", "à l'aide", "urgent", "c'est urgent urgent"):
        [question] = await say(engine, "alice", cry)
        assert question.key == "Are you in danger?", cry
        await say(engine, "alice", action="danger_no")
    [explained] = await say(engine, "alice", "aide")
    assert explained.key.startswith("I connect the members")
    assert await emergency_alerts(coop) == 0


async def test_a_shouted_help_in_the_middle_of_a_request_asks_and_no_comes_back(
    coop: Cooperative, interpreter: BuiltinInterpreter
) -> None:
    engine = ConversationEngine(coop.core, interpreter)
    await as_member(coop.core, "alice", coop.alice)
    await say(engine, "alice", action="need_help")
    await say(engine, "alice", action="cat:shopping")
    [question] = await say(engine, "alice", "AIDE !")
    assert question.key == "Are you in danger?"
    replies = await say(engine, "alice", "non")
    assert texts(replies).startswith(WHEN_QUESTION)
    assert await emergency_alerts(coop) == 0

"""Questions about the service itself are answered for what they ask ("c'est combien ?", "who
sees my address?"), and commands said politely are still commands ("je voudrais parler à
quelqu'un"): at the engine, with the built-in NLU, on both databases."""

from __future__ import annotations

import pytest

from core.dialogue.engine import ConversationEngine
from core.dialogue.faq import topic_of
from nlu.interpreter import BuiltinInterpreter
from tests.conftest import Cooperative
from tests.integration._support import as_member, say

ANSWERS = {
    "cost": "The volunteers are not paid for their help.",
    "trust": "A coordinator approves each volunteer",
    "privacy": "Your phone and address are seen only by the volunteer",
    "change": "To change a request",
    "cancel": "To cancel a request",
}


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("c'est combien ce service ?", "cost"),
        ("est-ce que je dois payer le bénévole", "cost"),
        ("is it free?", "cost"),
        ("les bénévoles sont-ils vérifiés ?", "trust"),
        ("can I trust the volunteers?", "trust"),
        ("qui peut voir mon adresse ?", "privacy"),
        ("who can see my phone number?", "privacy"),
        ("how do I change my request?", "change"),
    ],
)
async def test_a_question_about_the_service_gets_its_own_answer_and_the_menu(
    coop: Cooperative, interpreter: BuiltinInterpreter, question: str, topic: str
) -> None:
    engine = ConversationEngine(coop.core, interpreter)
    await as_member(coop.core, "alice", coop.alice)

    [answer] = await say(engine, "alice", question)

    assert answer.key.startswith(ANSWERS[topic]), answer.key
    assert "my_requests" in [b.action for b in answer.buttons]  # the menu, to go on


async def test_a_question_about_the_language_offers_the_language_button(
    coop: Cooperative, interpreter: BuiltinInterpreter
) -> None:
    engine = ConversationEngine(coop.core, interpreter)
    await as_member(coop.core, "alice", coop.alice)
    [answer] = await say(engine, "alice", "je voudrais parler en anglais")
    assert answer.buttons[0].action == "language"


async def test_a_long_message_about_money_elsewhere_is_not_answered_as_the_service_s_price(
    coop: Cooperative, interpreter: BuiltinInterpreter
) -> None:
    engine = ConversationEngine(coop.core, interpreter)
    await as_member(coop.core, "alice", coop.alice)
    [answer] = await say(
        engine,
        "alice",
        "pouvez-vous me prêter 200 euros jusqu'à la fin du mois pour payer le loyer",
    )
    assert not answer.key.startswith(ANSWERS["cost"])


@pytest.mark.parametrize(
    "words",
    [
        "je voudrais parler a quelqu un",
        "Je voudrais parler à quelqu'un s'il vous plaît",
        "I'd like to talk to someone please",
    ],
)
async def test_asking_politely_for_a_person_reaches_the_coordinators(
    coop: Cooperative, interpreter: BuiltinInterpreter, words: str
) -> None:
    engine = ConversationEngine(coop.core, interpreter)
    await as_member(coop.core, "alice", coop.alice)
    replies = await say(engine, "alice", words)
    assert not any(r.key.startswith("Sorry, I can only help") for r in replies)
    [direct] = await say(ConversationEngine(coop.core, interpreter), "alice", "coordinateur")
    assert replies[0].key == direct.key  # the same as the command itself


@pytest.mark.parametrize(
    "text",
    ["are you free on thursday?", "quelle heure est-il", "merci beaucoup", "bonjour"],
)
def test_words_that_ask_nothing_about_the_service_have_no_topic(text: str) -> None:
    assert topic_of(text) is None or topic_of(text).name == "cost"  # "free" alone is ambiguous


@pytest.mark.parametrize(
    "text", ["help please", "HELP PLEASE", "aide svp", "aide s'il vous plaît"]
)
def test_a_polite_help_is_left_to_the_nlu_which_may_hear_a_cry_for_help(text: str) -> None:
    """Only the bare word is the help command: "help please" may be someone in danger."""
    from core.dialogue.words import command_of

    assert command_of(text) is None
    assert command_of("aide") == command_of("help") == "help"

"""Choices answered in words: part of a label, several numbers, the list shown again.

Issue 11, "Answers in words": a typed answer is matched to the buttons last shown by meaning
(see `core/dialogue/choosing.py`); an answer that matches nothing shows the list again.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.dialogue.engine import ConversationEngine
from core.dialogue.messages import Outgoing
from core.domain.model import Vote
from core.domain.vocabulary import PollKind
from nlu.interpreter import BuiltinInterpreter
from tests.conftest import Cooperative
from tests.integration._support import as_member, open_poll, say

DAYS = ["Samedi 13 juin", "Dimanche 14 juin", "Samedi 20 juin"]
QUESTION = "Quel jour pour la fête ?"


async def _votes(coop: Cooperative, poll_id: int) -> list[list[int]]:
    async with coop.core.uow() as uow:
        rows = await uow.session.execute(select(Vote).where(Vote.poll_id == poll_id))
        return [sorted(v.choice) for v in rows.scalars() if v.choice]


def _labels(reply: Outgoing) -> list[str]:
    return [b.label for b in reply.buttons]


async def _shown_poll(coop: Cooperative, engine: ConversationEngine, poll_id: int) -> None:
    await as_member(coop.core, "bob", coop.bob)
    replies = await say(engine, "bob", action="polls")
    assert any(b.action.startswith(f"vote:{poll_id}:") for b in replies[-1].buttons)


async def test_a_unique_word_of_an_answer_chooses_it_whatever_the_accents_and_case(
    coop: Cooperative,
) -> None:
    engine = ConversationEngine(coop.core)
    poll_id = await open_poll(coop, DAYS, question=QUESTION)
    await _shown_poll(coop, engine, poll_id)

    replies = await say(engine, "bob", "DIMANCHE")

    assert replies[-1].key.startswith("Your vote is recorded")
    assert await _votes(coop, poll_id) == [[1]]


async def test_a_word_two_answers_share_chooses_nothing_and_shows_the_list_again(
    coop: Cooperative,
) -> None:
    engine = ConversationEngine(coop.core)
    poll_id = await open_poll(coop, DAYS, question=QUESTION)
    await _shown_poll(coop, engine, poll_id)

    replies = await say(engine, "bob", "samedi")

    assert _labels(replies[-1]) == DAYS
    assert await _votes(coop, poll_id) == []
    # The list shown again is the one a number answers.
    replies = await say(engine, "bob", "3")
    assert await _votes(coop, poll_id) == [[2]]


async def test_several_numbers_are_several_answers_of_a_multiple_choice_poll(
    coop: Cooperative,
) -> None:
    engine = ConversationEngine(coop.core)
    options = ["Jardin", "Cuisine", "Musique", "Lecture", "Promenade"]
    poll_id = await open_poll(coop, options, question=QUESTION, kind=PollKind.MULTIPLE)
    await _shown_poll(coop, engine, poll_id)

    replies = await say(engine, "bob", "1 et 5")

    assert replies[-1].key.startswith("Your vote is recorded")
    assert await _votes(coop, poll_id) == [[0, 4]]
    await say(engine, "bob", action="polls")
    await say(engine, "bob", "1, 3")
    assert await _votes(coop, poll_id) == [[0, 2]]


async def test_several_numbers_for_a_poll_of_one_answer_are_refused_with_the_list(
    coop: Cooperative,
) -> None:
    engine = ConversationEngine(coop.core)
    poll_id = await open_poll(coop, DAYS, question=QUESTION)
    await _shown_poll(coop, engine, poll_id)

    replies = await say(engine, "bob", "1 et 2")

    assert _labels(replies[-1]) == DAYS
    assert await _votes(coop, poll_id) == []


async def test_a_number_out_of_range_on_the_menu_shows_the_whole_menu_again(
    coop: Cooperative,
) -> None:
    engine = ConversationEngine(coop.core)
    await as_member(coop.core, "alice", coop.alice)
    menu = await say(engine, "alice", action="menu")

    replies = await say(engine, "alice", "7")

    assert _labels(replies[-1]) == _labels(menu[-1])
    assert len(_labels(menu[-1])) == 5


async def test_the_words_of_a_button_answer_the_question_of_a_newcomer(
    coop: Cooperative,
) -> None:
    engine = ConversationEngine(coop.core)
    await say(engine, "nina", "bonjour", display_name="Nina")
    asked = await say(engine, "nina", action="lang:fr")  # her name came with her account
    assert asked[-1].key.startswith("Nice to meet you")

    replies = await say(engine, "nina", "je veux aider")  # "Je veux aider les autres"

    assert replies[-1].key.startswith("Which neighbourhood")


async def test_an_answer_that_matches_no_button_shows_the_buttons_again(
    coop: Cooperative,
) -> None:
    engine = ConversationEngine(coop.core)
    await say(engine, "nina", "bonjour", display_name="Nina")
    asked = await say(engine, "nina", action="lang:fr")

    replies = await say(engine, "nina", "euh je sais pas")

    assert replies[-1].buttons and _labels(replies[-1]) == _labels(asked[-1])


@pytest.mark.parametrize("typed", ["1 and 2", "1 et 2", "1, 2"])
async def test_several_numbers_at_the_skills_tick_each_and_never_ask_about_danger(
    coop: Cooperative, interpreter: BuiltinInterpreter, typed: str
) -> None:
    """A new volunteer types the numbers of two kinds of help: both are ticked, the list is
    shown once as it then stands, and no "Are you in danger?" (the model read "1 and 2" as
    an emergency at 0.53)."""
    engine = ConversationEngine(coop.core, interpreter)
    for step in ("bonjour", "2", "Sam", "2"):  # English, a name, "I want to help others"
        replies = await say(engine, "sam", step)
    if replies[-1].key.startswith("Which neighbourhood"):
        replies = await say(engine, "sam", "1")
    assert replies[-1].key.startswith("How would you like to help?")

    replies = await say(engine, "sam", typed)

    assert [r.key for r in replies] == [replies[-1].key]
    assert replies[-1].key.startswith("How would you like to help?")
    ticked = [b.action for b in replies[-1].buttons if b.label.startswith("✓ ")]
    assert ticked == ["skill:shopping", "skill:transport"]

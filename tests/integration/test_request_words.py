"""A request keeps every piece the senior said, and she can correct it at the summary.

Issue 11, "Correcting the summary" and "Pieces ignored": each test is a conversation at the
engine with the built-in NLU, on both databases. Nothing she did not say is ever filled in.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from core.dialogue.engine import ConversationEngine
from core.domain.model import HelpRequest
from nlu.interpreter import BuiltinInterpreter
from tests.conftest import Cooperative
from tests.integration._support import as_member, say

PARIS = ZoneInfo("Europe/Paris")
SUMMARY = "Here is your request"
THURSDAY_15H = datetime(2026, 11, 26, 15, 0, tzinfo=PARIS)  # the clock's Monday + 3 days
SATURDAY = datetime(2026, 11, 28, tzinfo=PARIS).date()


async def _summary(coop: Cooperative, engine: ConversationEngine) -> None:
    """Alice's shopping, tomorrow morning, at home: at the summary."""
    await as_member(coop.core, "alice", coop.alice)
    for pressed in ("need_help", "cat:shopping", "when:tomorrow_morning"):
        await say(engine, "alice", action=pressed)
    replies = await say(engine, "alice", action="where:home")
    assert replies[-1].key.startswith(SUMMARY)


async def _sent(coop: Cooperative, engine: ConversationEngine) -> HelpRequest:
    replies = await say(engine, "alice", "oui")
    assert replies[-1].key.startswith("Your request is")
    async with coop.core.uow() as uow:
        return (await uow.session.execute(select(HelpRequest))).scalar_one()


def _local(moment: datetime) -> datetime:
    return moment.replace(tzinfo=moment.tzinfo or ZoneInfo("UTC")).astimezone(PARIS)


@pytest.mark.parametrize("answer", ["non", "no", "Non."])
async def test_no_at_the_summary_offers_to_change_what_when_or_where_or_to_cancel(
    coop: Cooperative, interpreter: BuiltinInterpreter, answer: str
) -> None:
    engine = ConversationEngine(coop.core, interpreter)
    await _summary(coop, engine)

    replies = await say(engine, "alice", answer)

    assert replies[-1].key == "What would you like to change?"
    assert [b.action for b in replies[-1].buttons] == [
        "change:what",
        "change:when",
        "change:where",
        "abort",
    ]
    asked = await say(engine, "alice", action="change:when")
    assert asked[-1].key.startswith("When do you need help?")
    again = await say(engine, "alice", action="when:tomorrow_afternoon")
    assert again[-1].key.startswith(SUMMARY)  # the place was kept, not asked again
    request = await _sent(coop, engine)
    assert (request.category, request.place) == ("shopping", None)
    assert _local(request.when_start).hour == 14


@pytest.mark.parametrize("correction", ["non c'est plutôt jeudi à 15h", "plutôt jeudi à 15h"])
async def test_a_correction_of_the_day_changes_the_day_only_and_shows_the_summary_again(
    coop: Cooperative, interpreter: BuiltinInterpreter, correction: str
) -> None:
    engine = ConversationEngine(coop.core, interpreter)
    await _summary(coop, engine)

    replies = await say(engine, "alice", correction)

    assert replies[-1].key.startswith(SUMMARY)
    request = await _sent(coop, engine)
    assert _local(request.when_start) == THURSDAY_15H and request.when_end is None
    assert (request.category, request.place) == ("shopping", None)


async def test_a_correction_of_the_kind_of_help_changes_the_category_only(
    coop: Cooperative, interpreter: BuiltinInterpreter
) -> None:
    engine = ConversationEngine(coop.core, interpreter)
    await _summary(coop, engine)

    replies = await say(engine, "alice", "c'est pour le jardin")

    assert replies[-1].key.startswith(SUMMARY)
    request = await _sent(coop, engine)
    assert (request.category, request.place) == ("gardening", None)
    assert _local(request.when_start).hour == 9  # tomorrow morning, as chosen


async def test_a_correction_of_the_place_changes_the_place_only(
    coop: Cooperative, interpreter: BuiltinInterpreter
) -> None:
    engine = ConversationEngine(coop.core, interpreter)
    await _summary(coop, engine)

    replies = await say(engine, "alice", "at my daughter's")

    assert replies[-1].key.startswith(SUMMARY)
    request = await _sent(coop, engine)
    assert (request.category, request.place) == ("shopping", "at my daughter's")


async def test_an_answer_that_names_nothing_at_the_summary_keeps_every_button(
    coop: Cooperative, interpreter: BuiltinInterpreter
) -> None:
    engine = ConversationEngine(coop.core, interpreter)
    await _summary(coop, engine)

    replies = await say(engine, "alice", "euh attendez")

    actions = [b.action for b in replies[-1].buttons]
    assert "confirm" in actions and "change:when" in actions and "abort" in actions


async def test_the_day_said_in_the_first_message_is_kept_and_not_asked_again(
    coop: Cooperative, interpreter: BuiltinInterpreter
) -> None:
    engine = ConversationEngine(coop.core, interpreter)
    await as_member(coop.core, "alice", coop.alice)

    replies = await say(engine, "alice", "quelqu'un pour mon chien samedi")
    if replies[-1].key.startswith("What do you need help with?"):
        replies = await say(engine, "alice", action="cat:pets")

    assert replies[-1].key.startswith("Where?")  # not "When do you need help?"
    await say(engine, "alice", "chez moi")
    request = await _sent(coop, engine)
    assert _local(request.when_start).date() == SATURDAY
    assert request.place is None  # her home


@pytest.mark.parametrize(
    "message",
    ["I need someone to walk my dog saturday at home", "quelqu'un pour mon chien samedi chez moi"],
)
async def test_at_home_in_the_first_message_is_the_place(
    coop: Cooperative, interpreter: BuiltinInterpreter, message: str
) -> None:
    engine = ConversationEngine(coop.core, interpreter)
    await as_member(coop.core, "alice", coop.alice)

    replies = await say(engine, "alice", message)

    assert replies[-1].key.startswith(SUMMARY)
    request = await _sent(coop, engine)
    assert (request.category, request.place) == ("pets", None)
    assert _local(request.when_start).date() == SATURDAY


@pytest.mark.parametrize("message", ["j'ai besoin d'aide", "I need some help at home tomorrow"])
async def test_a_weak_guess_of_the_kind_of_help_is_asked_not_assumed(
    coop: Cooperative, interpreter: BuiltinInterpreter, message: str
) -> None:
    engine = ConversationEngine(coop.core, interpreter)
    await as_member(coop.core, "alice", coop.alice)

    replies = await say(engine, "alice", message)

    assert replies[-1].key.startswith("What do you need help with?")
    assert len(replies[-1].buttons) >= 5  # the categories, as buttons


async def test_a_whole_request_after_the_menu_keeps_its_pieces(coop: Cooperative) -> None:
    """The menu shows "I need help": a request written in full is not reduced to that button."""
    engine = ConversationEngine(coop.core, BuiltinInterpreter())
    await as_member(coop.core, "alice", coop.alice)
    await say(engine, "alice", action="menu")
    replies = await say(
        engine,
        "alice",
        "Bonjour, j'aurais besoin qu'on m'accompagne chez le dentiste jeudi à 10h s'il vous plaît",
    )
    assert replies[-1].key.startswith("Here is your request")
    assert replies[-1].params.get("category") == "transport"


@pytest.mark.parametrize(
    "words", ["mes courses jeudi matin svp", "my shopping on thursday morning please"]
)
async def test_words_at_the_kind_of_help_keep_the_day_they_name_too(
    coop: Cooperative, interpreter: BuiltinInterpreter, words: str
) -> None:
    engine = ConversationEngine(coop.core, interpreter)
    await as_member(coop.core, "alice", coop.alice)
    await say(engine, "alice", action="need_help")

    replies = await say(engine, "alice", words)

    assert replies[-1].key.startswith("Where?")  # not "When do you need help?" again
    await say(engine, "alice", action="where:home")
    request = await _sent(coop, engine)
    assert request.category == "shopping" and request.when_kind == "morning"
    assert _local(request.when_start).date() == THURSDAY_15H.date()


async def _at_the_day_question(
    coop: Cooperative, interpreter: BuiltinInterpreter
) -> ConversationEngine:
    """Alice asked for help with shopping: the bot asks when."""
    engine = ConversationEngine(coop.core, interpreter)
    await as_member(coop.core, "alice", coop.alice)
    for pressed in ("need_help", "cat:shopping"):
        await say(engine, "alice", action=pressed)
    return engine


async def test_words_at_the_day_question_keep_the_place_they_name_too(
    coop: Cooperative, interpreter: BuiltinInterpreter
) -> None:
    engine = await _at_the_day_question(coop, interpreter)

    replies = await say(engine, "alice", "plutôt jeudi matin, chez moi")

    assert replies[-1].key.startswith(SUMMARY)  # not "Where?"
    request = await _sent(coop, engine)
    assert (request.place, request.when_kind) == (None, "morning")
    assert _local(request.when_start).date() == THURSDAY_15H.date()


async def test_words_at_the_day_question_that_name_no_day_say_so_and_keep_the_buttons(
    coop: Cooperative, interpreter: BuiltinInterpreter
) -> None:
    engine = await _at_the_day_question(coop, interpreter)

    replies = await say(engine, "alice", "je ne sais pas trop")

    assert replies[-1].key.startswith("I did not understand the date.")
    assert [b.action for b in replies[-1].buttons][:2] == ["when:today", "when:tomorrow_morning"]

"""Trust at the door: the safety word of an accepted request, and "who is coming?".

Issue 15: each accepted request gets a short safety word; the requester is told it with the
volunteer's first name, the volunteer is told to say it at the door, reminders repeat it to
both, and only these two ever see it. The requester can ask "who is coming?" at any time;
nobody else can. Engine level, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.dialogue.engine import ConversationEngine
from core.domain.errors import NotFound
from core.domain.model import Assignment, AuditEntry, Notification
from core.scheduling import run_due
from core.services import privacy, requests, safety
from core.services.notifications.door import SAFETY_WORD_NOTICE
from tests.conftest import NOW, Cooperative, FrozenClock
from tests.integration._scheduling import add_channel
from tests.integration._support import post
from tests.integration.test_conversation import as_member, say


async def _word(coop: Cooperative, request_id: int) -> str:
    async with coop.core.uow() as uow:
        assignment = (
            await uow.session.execute(
                select(Assignment).where(
                    Assignment.request_id == request_id, Assignment.withdrawn_at.is_(None)
                )
            )
        ).scalar_one()
        assert assignment.safety_word
        return assignment.safety_word


async def _all_rows(coop: Cooperative) -> list[Notification]:
    async with coop.core.uow() as uow:
        return list((await uow.session.execute(select(Notification))).scalars())


async def _accepted(coop: Cooperative, engine: ConversationEngine) -> tuple[int, str, str]:
    """Alice's request accepted by Bob in his chat: (request id, the word, Bob's card)."""
    for who, member_id in (("alice", coop.alice), ("bob", coop.bob), ("carol", coop.carol)):
        await as_member(coop.core, who, member_id)
    request_id = await post(coop)
    [card] = await say(engine, "bob", action=f"accept:{request_id}")
    return request_id, await _word(coop, request_id), card.text


async def test_an_accepted_request_gets_two_simple_words_told_to_both_sides(
    coop: Cooperative,
) -> None:
    engine = ConversationEngine(coop.core)
    request_id, word, card = await _accepted(coop, engine)

    first, second = word.split()
    assert first != second and {first, second} <= set(safety.WORDS["fr"])  # Alice's language
    assert f"À la porte, dites ce mot de sécurité\u00a0: {word}" in card
    [notice] = [
        row
        for row in await _all_rows(coop)
        if row.member_id == coop.alice and row.key == SAFETY_WORD_NOTICE
    ]
    assert notice.request_id == request_id
    assert (notice.params["volunteer"], notice.params["safety_word"]) == ("Bob", word)
    assert [c["action"] for c in notice.choices] == [f"who_coming:{request_id}"]


async def test_the_safety_word_is_four_digits_when_the_setting_says_so(
    coop: Cooperative,
) -> None:
    coop.core.settings.safety_word = "digits"
    engine = ConversationEngine(coop.core)
    _request_id, word, card = await _accepted(coop, engine)
    assert re.fullmatch(r"\d{4}", word) and word in card


async def test_only_the_requester_and_the_volunteer_ever_see_the_safety_word(
    coop: Cooperative, clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    # Everything entraide logs, down to its debug lines (a database driver's own debug trace
    # of bound parameters is never switched on: see `bots.runner.configure_logging`).
    caplog.set_level(logging.INFO)
    for ours in ("entraide", "core", "bots", "nlu"):
        caplog.set_level(logging.DEBUG, logger=ours)
    await add_channel(coop)  # a public room, which sees the request taken
    engine = ConversationEngine(coop.core)
    request_id, word, _card = await _accepted(coop, engine)
    clock.now = NOW + timedelta(days=2)  # a day before the task: the reminders
    assert await run_due(coop.core, ["reminder"]) == {"done": 1}

    rows = await _all_rows(coop)
    holding = [row for row in rows if word in repr(row.params)]
    assert {row.member_id for row in holding} == {coop.alice, coop.bob}
    assert all(row.channel_id is None for row in holding)
    assert any(row.channel_id is not None for row in rows), "the room was told, without it"
    async with coop.core.uow() as uow:
        audit = (await uow.session.execute(select(AuditEntry))).scalars().all()
    assert all(word not in repr(entry.details) for entry in audit)
    assert all(word not in record.getMessage() for record in caplog.records)
    # The volunteer who was not chosen cannot read it in any answer either.
    replies = await say(engine, "carol", action=f"who_coming:{request_id}")
    assert all(word not in r.text for r in replies)


async def test_reminders_repeat_the_safety_word_to_both(
    coop: Cooperative, clock: FrozenClock
) -> None:
    engine = ConversationEngine(coop.core)
    _request_id, word, _card = await _accepted(coop, engine)
    clock.now = NOW + timedelta(days=2)
    assert await run_due(coop.core, ["reminder"]) == {"done": 1}
    reminders = [row for row in await _all_rows(coop) if row.key.startswith("Reminder:")]
    assert {row.member_id for row in reminders} == {coop.alice, coop.bob}
    for row in reminders:
        assert row.params["safety_word"] == word
        assert "{safety_word}" in row.key


@pytest.mark.parametrize("words", ["qui vient ?", "Qui vient", "who is coming?", "/qui_vient"])
async def test_the_requester_asks_who_is_coming_and_hears_the_name_the_time_and_the_word(
    coop: Cooperative, words: str
) -> None:
    engine = ConversationEngine(coop.core)
    _request_id, word, _card = await _accepted(coop, engine)
    [answer] = await say(engine, "alice", words)
    assert answer.text.startswith("Bob vient vous aider jeudi 26 novembre à 10:00"), answer.text
    assert word in answer.text
    assert "Leroy" not in answer.text  # the first name only


async def test_the_button_under_her_request_says_who_is_coming(coop: Cooperative) -> None:
    engine = ConversationEngine(coop.core)
    request_id, word, _card = await _accepted(coop, engine)
    mine = await say(engine, "alice", action="my_requests")
    assert f"who_coming:{request_id}" in [b.action for r in mine for b in r.buttons]
    [answer] = await say(engine, "alice", action=f"who_coming:{request_id}")
    assert "Bob" in answer.text and word in answer.text


async def test_nobody_but_the_requester_can_ask_who_is_coming(coop: Cooperative) -> None:
    engine = ConversationEngine(coop.core)
    request_id, word, _card = await _accepted(coop, engine)
    await as_member(coop.core, "claire", coop.coordinator)
    for who in ("bob", "carol", "claire"):
        forged = await say(engine, who, action=f"who_coming:{request_id}")
        typed = await say(engine, who, "qui vient ?")
        assert all(word not in r.text for r in forged + typed)
        assert forged[-1].key == NotFound.key  # her request does not exist for them
        assert typed[-1].key.startswith("Nobody is coming yet")  # none of their own


async def test_before_anyone_accepts_nobody_is_coming_and_no_word_exists(
    coop: Cooperative,
) -> None:
    engine = ConversationEngine(coop.core)
    await as_member(coop.core, "alice", coop.alice)
    request_id = await post(coop)
    [typed] = await say(engine, "alice", "qui vient ?")
    assert typed.key.startswith("Nobody is coming yet")
    [pressed] = await say(engine, "alice", action=f"who_coming:{request_id}")
    assert pressed.key.startswith("Nobody has accepted this request yet")


async def test_a_volunteer_who_gives_the_task_back_takes_the_word_away(
    coop: Cooperative,
) -> None:
    engine = ConversationEngine(coop.core)
    request_id, _, _card = await _accepted(coop, engine)
    async with coop.core.uow() as uow:
        await requests.withdraw(uow, coop.bob, request_id)
        await uow.commit()
    [answer] = await say(engine, "alice", "qui vient ?")
    assert answer.key.startswith("Nobody is coming yet")
    async with coop.core.uow() as uow:
        await requests.accept(uow, coop.carol, request_id)
        await uow.commit()
    new_word = await _word(coop, request_id)
    [answer] = await say(engine, "alice", "qui vient ?")
    assert answer.text.startswith("Carol vient") and new_word in answer.text


async def test_an_export_of_either_member_never_holds_the_safety_word(coop: Cooperative) -> None:
    engine = ConversationEngine(coop.core)
    _request_id, word, _card = await _accepted(coop, engine)
    async with coop.core.uow() as uow:
        for member_id in (coop.alice, coop.bob):
            exported = await privacy.export_member(uow, member_id)
            assert word not in json.dumps(exported, default=str)

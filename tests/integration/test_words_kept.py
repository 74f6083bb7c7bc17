"""What members say is recorded as they meant it: hours in full, old buttons refused at once.

Issue 11, "Words that were lost or twisted": each test is a conversation at the engine, on both
databases, as a volunteer or a senior would have it.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.dialogue.engine import ConversationEngine
from core.domain.model import Assignment, HelpRequest, Member
from core.services import requests
from tests.conftest import Cooperative
from tests.integration._support import as_member, say, texts


async def _accepted_task(coop: Cooperative, engine: ConversationEngine) -> int:
    await as_member(coop.core, "alice", coop.alice)
    await as_member(coop.core, "bob", coop.bob)
    for step in ("need_help", "cat:shopping", "when:tomorrow_morning", "where:home", "confirm"):
        await say(engine, "alice", action=step)
    async with coop.core.uow() as uow:
        request_id = (await uow.session.execute(select(HelpRequest.id))).scalar_one()
    await say(engine, "bob", action=f"accept:{request_id}")
    return int(request_id)


async def _recorded_hours(coop: Cooperative, request_id: int) -> float | None:
    async with coop.core.uow() as uow:
        assignment = (
            await uow.session.execute(
                select(Assignment).where(Assignment.request_id == request_id)
            )
        ).scalar_one()
        return assignment.hours


@pytest.mark.parametrize(
    ("typed", "hours"),
    [
        ("1h30", 1.5),
        ("2h30", 2.5),
        ("1 h 30", 1.5),
        ("90 min", 1.5),
        ("une heure et demie", 1.5),
        ("1,5", 1.5),
        ("one and a half hours", 1.5),
    ],
)
async def test_the_hours_typed_are_recorded_in_full(
    coop: Cooperative, typed: str, hours: float
) -> None:
    engine = ConversationEngine(coop.core)
    request_id = await _accepted_task(coop, engine)
    await say(engine, "bob", action=f"done:{request_id}")
    replies = await say(engine, "bob", typed)
    assert "Recorded" in texts(replies)
    assert await _recorded_hours(coop, request_id) == pytest.approx(hours)


async def test_the_hour_buttons_are_written_as_the_reader_writes_numbers(
    coop: Cooperative,
) -> None:
    engine = ConversationEngine(coop.core)
    request_id = await _accepted_task(coop, engine)
    async with coop.core.uow() as uow:
        bob = await uow.session.get(Member, coop.bob)
        assert bob is not None
        bob.language = "fr"
        await uow.commit()
    [question] = await say(engine, "bob", action=f"done:{request_id}")
    labels = [button.label for button in question.buttons]
    assert "1,5" in labels and "1.5" not in labels
    await say(engine, "bob", action="hours:1.5")
    assert await _recorded_hours(coop, request_id) == pytest.approx(1.5)


async def test_an_answer_that_is_no_duration_asks_again_with_the_buttons(
    coop: Cooperative,
) -> None:
    engine = ConversationEngine(coop.core)
    request_id = await _accepted_task(coop, engine)
    await say(engine, "bob", action=f"done:{request_id}")
    [again] = await say(engine, "bob", "longtemps")
    assert again.buttons and all(b.action.startswith("hours:") for b in again.buttons)
    assert await _recorded_hours(coop, request_id) is None
    await say(engine, "bob", "2")
    assert await _recorded_hours(coop, request_id) == pytest.approx(2.0)


async def test_a_leftover_done_button_of_a_cancelled_request_is_refused_at_once(
    coop: Cooperative,
) -> None:
    engine = ConversationEngine(coop.core)
    request_id = await _accepted_task(coop, engine)
    async with coop.core.uow() as uow:
        await requests.cancel(uow, coop.alice, request_id)
        await uow.commit()
    replies = await say(engine, "bob", action=f"done:{request_id}")
    assert "How many hours" not in texts(replies)
    assert [r.params.get("state") for r in replies] == ["cancelled"]  # said with its state

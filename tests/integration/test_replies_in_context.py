"""Replies to a request offered or a task held are understood in context, in English too.

Issue 11, "'I'll help' in English": under a request's buttons, "yes I can do it" accepts it,
"no sorry not this time" declines it; under a task's, "i cant come anymore sorry" asks to
withdraw. An unclear reply shows the request's buttons again. Engine level, both databases.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.dialogue.engine import ConversationEngine
from core.dialogue.port import ChannelPort
from core.domain.model import Assignment, HelpRequest
from core.domain.vocabulary import RequestState
from nlu.interpreter import BuiltinInterpreter
from tests.conftest import Cooperative
from tests.integration._support import as_member, post, say


async def _offered_to_bob(coop: Cooperative, engine: ConversationEngine) -> int:
    """A request offered to Bob, the offer on his screen."""
    await as_member(coop.core, "bob", coop.bob)
    await say(engine, "bob", action="menu")  # he has talked to the bot before
    request_id = await post(coop)
    offers = await ChannelPort(engine.core).pending("console", member_ids={coop.bob})
    assert any(b.action == f"accept:{request_id}" for m in offers for b in m.buttons)
    await engine.mark_delivered(offers)
    return request_id


async def _state(coop: Cooperative, request_id: int) -> tuple[str, list[int]]:
    async with coop.core.uow() as uow:
        request = await uow.session.get(HelpRequest, request_id)
        assert request is not None
        rows = await uow.session.execute(
            select(Assignment.volunteer_id).where(Assignment.request_id == request_id)
        )
        return str(request.state), list(rows.scalars())


@pytest.mark.parametrize("reply", ["yes I can do it", "oui je peux y aller"])
async def test_a_yes_under_a_request_offered_accepts_that_request(
    coop: Cooperative, interpreter: BuiltinInterpreter, reply: str
) -> None:
    engine = ConversationEngine(coop.core, interpreter)
    request_id = await _offered_to_bob(coop, engine)

    await say(engine, "bob", reply)

    assert await _state(coop, request_id) == (RequestState.ACCEPTED, [coop.bob])


async def test_a_no_under_a_request_offered_declines_it(
    coop: Cooperative, interpreter: BuiltinInterpreter
) -> None:
    engine = ConversationEngine(coop.core, interpreter)
    request_id = await _offered_to_bob(coop, engine)

    replies = await say(engine, "bob", "no sorry not this time")

    assert replies[-1].key == "No problem. Thank you for answering."
    assert await _state(coop, request_id) == (RequestState.OPEN, [])


async def test_i_cant_come_anymore_under_a_task_asks_to_withdraw(
    coop: Cooperative, interpreter: BuiltinInterpreter
) -> None:
    engine = ConversationEngine(coop.core, interpreter)
    request_id = await _offered_to_bob(coop, engine)
    await say(engine, "bob", action=f"accept:{request_id}")  # the task's card is on his screen

    replies = await say(engine, "bob", "i cant come anymore sorry")

    assert replies[-1].key.startswith("You can no longer come?")
    assert replies[-1].buttons[0].action == f"withdraw_yes:{request_id}"
    await say(engine, "bob", action=f"withdraw_yes:{request_id}")
    assert (await _state(coop, request_id))[0] == RequestState.OPEN


@pytest.mark.parametrize("reply", ["hmm", "euh...", "ah bon ?", "bof"])
async def test_an_unclear_reply_under_a_request_offered_shows_its_buttons_again(
    coop: Cooperative, interpreter: BuiltinInterpreter, reply: str
) -> None:
    """A hesitation is no yes: it never accepts the task (nor reveals an address)."""
    engine = ConversationEngine(coop.core, interpreter)
    request_id = await _offered_to_bob(coop, engine)

    replies = await say(engine, "bob", reply)

    actions = [b.action for b in replies[-1].buttons]
    assert f"accept:{request_id}" in actions and f"decline:{request_id}" in actions
    assert await _state(coop, request_id) == (RequestState.OPEN, [])

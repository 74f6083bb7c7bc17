"""A command typed where the bot waits for free text is that command, never the text.

At every step that takes typed text (a first name, a place, hours, a poll's question, a
message...), "annuler", "cancel", "/annuler", "stop", "menu", "aide" or "coordinateur" does what
it says and nothing is stored: a newcomer who answers "annuler" to "What is your first name?"
is not named Annuler. The steps are read from the router, so a new free-text step must be
added here (the first test fails otherwise).

Members: the command runs (the menu, the help, the coordinators' prompt; "annuler" stops the
flow). Newcomers have no menu yet: "annuler" stops the onboarding, any other command asks the
same question again. Talking to a coordinator, only the words to move about are commands (the
step declares them): "aide" is a message to the coordinators there.
"""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import select

from core.dialogue import routing
from core.dialogue.engine import ConversationEngine
from core.dialogue.flood import FloodGate
from core.dialogue.shown_choices import LAST_CHOICES
from core.dialogue.words import command_of, fold
from core.domain.model import Conversation, HelpRequest, Member, Notification, Poll
from core.domain.vocabulary import PollKind, Role
from core.services import identity, members, polls
from tests.conftest import Cooperative, FrozenClock
from tests.integration._support import accept, post, say, texts
from tests.integration.test_emergency_hold import FixedGuess

WORDS = ["annuler", "cancel", "/annuler", "stop", "menu", "aide", "coordinateur"]
STOPPED = "Stopped. Nothing was sent."
# What each command answers a member (its message id).
ANSWERS = {
    "menu": "What would you like to do?",
    "help": "I connect the members of the cooperative who help each other.",
    "coordinator": "Write your message for the coordinators. A person will answer you.",
}
_refs = itertools.count()


class Chat:
    """The cooperative's people, talking to one engine on the console."""

    def __init__(self, coop: Cooperative, engine: ConversationEngine) -> None:
        self.coop, self.engine = coop, engine

    async def say(self, who: str, text: str | None = None, action: str | None = None) -> str:
        """Send a message; the message ids of the answers, one per line."""
        return texts(await say(self.engine, who, text, action))

    async def at(self, who: str) -> tuple[str | None, str | None]:
        async with self.coop.core.uow() as uow:
            account = await identity.account_for(uow, "console", who)
            assert account is not None
            conversation = await uow.session.get(Conversation, account.id)
            assert conversation is not None
            return conversation.flow, conversation.step


Reach = Callable[[Chat, dict[str, Any]], Awaitable[str]]  # -> who is now at the step


def newcomer(*actions: str | tuple[str, str]) -> Reach:
    """A new person onboarding: "bonjour", then these button presses and (text,) answers."""

    async def reach(chat: Chat, setup: dict[str, Any]) -> str:
        who = f"newcomer{next(_refs)}"
        await chat.say(who, "bonjour")
        for step in actions:
            if isinstance(step, tuple):
                await chat.say(who, step[1])
            else:
                await chat.say(who, action=step)
        return who

    return reach


def member(who: str, *actions: str) -> Reach:
    async def reach(chat: Chat, setup: dict[str, Any]) -> str:
        for action in actions:
            await chat.say(who, action=action.format(**setup))
        return who

    return reach


async def _at_poll_options(chat: Chat, setup: dict[str, Any]) -> str:
    await chat.say("claire", action="new_poll")
    await chat.say("claire", "Quelle fête cet été ?")
    await chat.say("claire", action="poll_kind:single")  # the answers are then typed one by one
    return "claire"


async def _at_thread(chat: Chat, setup: dict[str, Any]) -> str:
    """Claire answers Alice's message for the coordinators (see test_desk_reply)."""
    await chat.say("alice", action="coordinator")
    await chat.say("alice", "Rappelez-moi")
    await chat.say("claire", action=f"desk_reply:{chat.coop.alice}")
    return "claire"


async def _at_refusal_reason(chat: Chat, setup: dict[str, Any]) -> str:
    async with chat.coop.core.uow() as uow:
        waiting = await members.onboard_member(
            uow, chat.coop.territory_id, f"Volunteer {next(_refs)}", roles=[Role.VOLUNTEER]
        )
        await uow.commit()
    await chat.say("claire", action=f"desk_refuse:{waiting.id}")
    return "claire"


async def _at_suspension_reason(chat: Chat, setup: dict[str, Any]) -> str:
    await chat.say("claire", action="suspend")
    await chat.say("claire", action=f"desk_pick:{chat.coop.carol}")
    return "claire"


def _posting_for_alice(*actions: str) -> Reach:
    async def reach(chat: Chat, setup: dict[str, Any]) -> str:
        await chat.say("claire", action="post_for")
        await chat.say("claire", action=f"desk_pick:{chat.coop.alice}")
        for action in actions:
            await chat.say("claire", action=action)
        return "claire"

    return reach


async def _at_link_confirm(chat: Chat, setup: dict[str, Any]) -> str:
    async with chat.coop.core.uow() as uow:
        code = await identity.issue_link_code(uow, chat.coop.alice)
        await uow.commit()
    await chat.say("bob", f"lier {code.code}")
    return "bob"


async def _at_danger_question(chat: Chat, setup: dict[str, Any]) -> str:
    """A weak guess of an emergency asks "Are you in danger?" (see test_emergency_hold)."""
    chat.engine.interpreter = FixedGuess("emergency", 0.3)
    await chat.say("alice", "repondre a bob")
    chat.engine.interpreter = None
    return "alice"


REACH: dict[tuple[str, str], Reach] = {
    ("onboarding", "language"): newcomer(),
    ("onboarding", "name"): newcomer("lang:fr"),
    ("onboarding", "neighbourhood"): newcomer("lang:fr", ("text", "Zoé"), "role:requester"),
    ("onboarding", "phone"): newcomer("lang:fr", ("text", "Zoé"), "role:requester", "nb:0"),
    ("onboarding", "address"): newcomer(
        "lang:fr", ("text", "Zoé"), "role:requester", "nb:0", "skip"
    ),
    ("onboarding", "age_band"): newcomer(
        "lang:fr", ("text", "Zoé"), "role:requester", "nb:0", "skip", "skip"
    ),
    ("ask", "category"): member("alice", "need_help"),
    ("ask", "when"): member("alice", "need_help", "cat:shopping"),
    ("ask", "where"): member("alice", "need_help", "cat:shopping", "when:tomorrow_morning"),
    ("ask", "confirm"): member(
        "alice", "need_help", "cat:shopping", "when:tomorrow_morning", "where:home"
    ),
    ("coordinator", "message"): member("alice", "coordinator"),
    ("done", "hours"): member("bob", "done:{request}"),
    ("poll", "question"): member("claire", "new_poll"),
    ("poll", "options"): _at_poll_options,
    ("ballot", "numbers"): member("carol", "ballot:{ballot}"),
    ("link", "confirm"): _at_link_confirm,
    ("danger", "ask"): _at_danger_question,
    ("desk_reply", "talk"): _at_thread,
    ("desk_refuse", "reason"): _at_refusal_reason,
    ("desk_suspend", "who"): member("claire", "suspend"),
    ("desk_suspend", "reason"): _at_suspension_reason,
    ("desk_post", "who"): member("claire", "post_for"),
    ("desk_post", "when"): _posting_for_alice("cat:shopping"),
    ("desk_post", "where"): _posting_for_alice("cat:shopping", "when:tomorrow_morning"),
    ("proxy", "name"): member("alice", "proxy_add"),
    ("change", "choose"): member("alice", "change_req:{request}"),
    ("change", "what"): member("alice", "change_req:{request}", "change:what"),
    ("change", "when"): member("alice", "change_req:{request}", "change:when"),
    ("change", "where"): member("alice", "change_req:{request}", "change:where"),
    ("change", "confirm"): member(
        "alice", "change_req:{request}", "change:when", "when:tomorrow_afternoon"
    ),
}
FREE_TEXT_STEPS = sorted(key for key, step in routing.STEPS.items() if step.text)


def test_every_step_that_takes_typed_text_is_checked_here() -> None:
    assert set(REACH) == set(FREE_TEXT_STEPS)


async def _setup(coop: Cooperative, clock: FrozenClock) -> dict[str, Any]:
    for who, member_id in (
        ("alice", coop.alice),
        ("bob", coop.bob),
        ("carol", coop.carol),
        ("claire", coop.coordinator),
    ):
        async with coop.core.uow() as uow:
            account = await identity.ensure_account(uow, "console", who, who)
            account.member_id = member_id
            await uow.commit()
    request = await post(coop)
    await accept(coop, coop.bob, request)
    clock.advance(minutes=1)  # the members joined before the poll opened: they vote
    async with coop.core.uow() as uow:
        ballot = await polls.create_poll(
            uow,
            coop.territory_id,
            "Quel panier ?",
            ["Légumes", "Fruits", "Pain"],
            kind=PollKind.MULTIPLE,
            secret=True,
            closes_at=clock.now.replace(year=clock.now.year + 1),
            by_id=None,
        )
        await uow.commit()
    return {"request": request, "ballot": ballot.id}


async def _stored(coop: Cooperative, word: str) -> list[str]:
    """Where `word` was kept as data: conversations, members, polls, requests, messages."""
    found = []
    async with coop.core.uow() as uow:
        for conversation in await uow.session.scalars(select(Conversation)):
            data = {k: v for k, v in conversation.data.items() if k != LAST_CHOICES}
            found += [f"conversation {k}" for k, v in data.items() if _is(v, word)]
        for row in await uow.session.scalars(select(Member)):
            fields = (row.display_name, row.neighbourhood, row.phone, row.address)
            found += [f"member {row.id}" for value in fields if _is(value, word)]
        polls_ = await uow.session.scalars(select(Poll))
        found += [f"poll {p.id}" for p in polls_ if _is(p.question, word)]
        for request in await uow.session.scalars(select(HelpRequest)):
            if _is(request.place, word) or _is(request.description, word):
                found.append(f"request {request.id}")
        for message in await uow.session.scalars(select(Notification)):
            found += [f"message {message.id}" for v in message.params.values() if _is(v, word)]
    return found


def _is(value: object, word: str) -> bool:
    return isinstance(value, str) and fold(value).strip("/") == fold(word).strip("/")


@pytest.mark.parametrize("step", FREE_TEXT_STEPS, ids="/".join)
async def test_a_command_typed_at_a_free_text_step_is_that_command_and_never_stored(
    coop: Cooperative, clock: FrozenClock, step: tuple[str, str]
) -> None:
    # Many messages in a row from one person: not a flood here.
    chat = Chat(coop, ConversationEngine(coop.core, flood=FloodGate(10_000, 10_000)))
    setup = await _setup(coop, clock)
    here = routing.STEPS[step]
    for word in WORDS:
        command = command_of(word)
        assert command is not None
        if here.commands is not None and command not in here.commands:
            continue  # declared: at this step the word is the text (a message to coordinators)
        who = await REACH[step](chat, setup)
        assert await chat.at(who) == step, f"{step} not reached"
        is_newcomer = step[0] == "onboarding"

        answered = await chat.say(who, word)

        assert await _stored(coop, word) == [], f"{word!r} stored at {step}"
        if command == "abort":
            assert await chat.at(who) == (None, None), f"{word!r} did not stop {step}"
            assert answered == ("Nothing was linked." if step[0] == "link" else STOPPED)
        elif is_newcomer:
            assert await chat.at(who) == step, f"{word!r} moved a newcomer on from {step}"
        else:
            assert answered.splitlines()[0] == ANSWERS[command], (step, word, answered)

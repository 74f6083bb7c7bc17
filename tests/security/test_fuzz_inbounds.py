"""Random messages, commands, deep links and buttons never stall the bot (finding 5).

Hypothesis sends what anyone can type or forge: text of any size with control characters and
direction marks, commands with odd arguments, deep-link payloads, button data (`accept:<any>`,
`vote:..`, `vote_set:..`, garbage). Through the engine (on SQLite and PostgreSQL, more than
2 000 inbounds in all), then fewer through the real Telegram adapter (the local Bot API server)
and the real Matrix adapter (Synapse). No unexpected exception may escape (a refusal is a kind
answer), nothing is set aside as a dead letter, and a member who writes afterwards is answered.
Examples are derandomized: CI runs the same inputs every time.
"""

from __future__ import annotations

import asyncio
import itertools
import os
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bots.commands import LINK_ROOM, PRIVATE_ACTIONS, TAKE
from bots.telegram.links import start_action
from core.app import Core
from core.dialogue.engine import ConversationEngine
from core.dialogue.flood import FloodGate
from core.dialogue.messages import Inbound
from core.dialogue.routing import ACTIONS, STEPS
from core.domain.model import DeadLetter, InboundReceipt
from core.domain.vocabulary import Role
from core.services import polls, requests
from tests.conftest import NOW, Cooperative, _backends
from tests.matrix.botkit import BotRunner, People, body_of, direct_chat
from tests.matrix.fixtures import ClientFactory
from tests.matrix.fixtures import homeserver_fixture as homeserver_fixture
from tests.matrix.fixtures import matrix_client_fixture as matrix_client_fixture
from tests.matrix.homeserver import Homeserver
from tests.telegram.bot_api import FakeMessage, FakeUser
from tests.telegram.harness import telegram_account

from .stalls_kit import TelegramBench, database_url, telegram_bench

HELP_FR = "Je mets en relation"
# Per run of each engine test (two tests, two databases): at least 4 x 520 = 2 080 inbounds.
ENGINE_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "130"))
MIN_PER_EXAMPLE = 4
TELEGRAM_EXAMPLES = 30  # x 4 to 5 updates x 2 databases: a few hundred
MATRIX_EXAMPLES = 6  # x 3 to 4 events: a few dozen

# --- what anyone can send -------------------------------------------------------------------

NASTY = [
    "\u202e",  # right-to-left override
    "\u200f",  # right-to-left mark
    "\u200b",  # zero-width space
    "\x00",
    "\x1b",
    "\r",
    "\n",
    "²",  # a digit for str.isdigit(), not for int()
    "١",  # an Arabic-Indic digit
    "፩",  # Ethiopic digit one
    "🆘",
    "é",
    ":",
    ",",
    "_",
    "#",
    "/",
    "9",
]
WORDS = [
    "menu",
    "aide",
    "oui",
    "1",
    "2",
    "99",
    "annuler",
    "urgence",
    "mes missions",
    "lier ABC234",
    "coordinateur",
    "demande",
    "/start",
    "sondages",
]
ids = st.one_of(
    st.integers(-3, 12).map(str),
    st.integers(2**31 - 2, 2**31 + 2).map(str),
    st.integers(0, 10**30).map(str),
    st.sampled_from(["9" * 20, "²", "١٢", "", "1e9", "0x10", " 1", "1 ", "-0"]),
    st.integers(4000, 5000).map(lambda n: "9" * n),  # past int()'s 4 300 digits
    st.text(max_size=12),
)
characters = st.one_of(st.sampled_from(NASTY), st.characters())
texts = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=characters, min_size=1, max_size=80),
    st.builds(
        lambda piece, n: piece * n,
        st.sampled_from(["x", "9", "\u202e", "é ", ">\n", "urgence "]),
        st.integers(1000, 6000),
    ),
    st.sampled_from(WORDS),
)
ACTION_NAMES = sorted({*ACTIONS, *(b for s in STEPS.values() for b in s.buttons)})
button_data = st.one_of(
    st.builds("{}:{}".format, st.sampled_from(ACTION_NAMES), ids),
    st.builds(
        "{}:{}:{}".format,
        st.sampled_from(["vote", "vote_set"]),
        ids,
        st.one_of(ids, st.lists(ids, max_size=4).map(",".join)),
    ),
    st.sampled_from(ACTION_NAMES),
    st.text(max_size=70),
)
deep_links = st.one_of(
    st.builds("join_{}".format, ids),
    st.text(max_size=70),
    st.sampled_from(["go", "ABC234", "join_", "join_1", "join_" + "9" * 20]),
)
COMMAND_NAMES = sorted({*PRIVATE_ACTIONS, *LINK_ROOM.names, *TAKE.names, "start"})
commands = st.builds(
    lambda name, args: f"/{name} {args}".strip(),
    st.one_of(st.sampled_from(COMMAND_NAMES), st.from_regex(r"[a-z_]{1,12}", fullmatch=True)),
    st.one_of(ids, texts.map(lambda t: t[:100])),
)
# (kind, value): "text" (also commands, as typed), "action" (a button), "start" (a deep link).
inbounds = st.one_of(
    st.tuples(st.just("text"), texts),
    st.tuples(st.just("text"), commands),
    st.tuples(st.just("action"), button_data),
    st.tuples(st.just("start"), deep_links),
)
SENDERS = ["coordinator", "bob", "alice", "newcomer-1", "newcomer-2", "newcomer-3"]
messages = st.lists(
    st.tuples(st.sampled_from(SENDERS), inbounds), min_size=MIN_PER_EXAMPLE, max_size=6
)

# --- through the engine ---------------------------------------------------------------------


# The fuzz is about crashes and stalls, not rates: the one member who checks after every
# batch that the bot still answers would otherwise be slowed down by the flood gate
# (tests/security/test_flooding.py specifies the gate).
UNLIMITED_SETTINGS = {"flood_burst": 10_000, "flood_per_minute": 100_000}
UNLIMITED = FloodGate(burst=10_000, per_minute=100_000)


@dataclass
class World:
    """The engine on a cooperative with a request and a poll; counts what it was sent."""

    core: Core
    engine: ConversationEngine
    sent: int = 0
    refs: itertools.count[int] = field(default_factory=itertools.count)

    def inbound(self, sender: str, kind: str, value: str) -> Inbound:
        ref = f"fuzz-{next(self.refs)}"
        if kind == "text":
            return Inbound("telegram", sender, sender, text=value, message_ref=ref)
        action = value if kind == "action" else start_action(value.split() or None)
        return Inbound("telegram", sender, sender, action=action, message_ref=ref)

    async def send(self, batch: list[tuple[str, tuple[str, str]]]) -> None:
        items = [self.inbound(sender, kind, value) for sender, (kind, value) in batch]
        # At once: they share transactions (the group commit), as under load.
        await asyncio.gather(*(self.engine.handle(item) for item in items))
        self.sent += len(items)
        answer = await self.engine.handle(self.inbound("observer", "text", "menu"))
        assert answer, "a member who writes after them is answered"

    async def dead_letters(self) -> int:
        async with self.core.uow() as uow:
            query = select(func.count()).select_from(DeadLetter)
            return int((await uow.session.execute(query)).scalar_one())


@pytest.fixture
async def world(coop: Cooperative) -> AsyncIterator[World]:
    core = coop.core
    async with core.uow() as uow:
        for name, member_id in [
            ("coordinator", coop.coordinator),
            ("bob", coop.bob),
            ("alice", coop.alice),
            ("observer", coop.carol),
        ]:
            await telegram_account(uow, name, member_id=member_id)
        await requests.post_request(
            uow, coop.alice, category="shopping", when_start=NOW + timedelta(days=2)
        )
        await polls.create_poll(
            uow,
            coop.territory_id,
            "Fête de quartier ?",
            ["Samedi", "Dimanche"],
            closes_at=NOW + timedelta(days=7),
            by_id=coop.coordinator,
        )
        await uow.commit()
    built = World(core, ConversationEngine(core, flood=UNLIMITED))
    yield built
    assert await built.dead_letters() == 0


ENGINE_SETTINGS = settings(
    max_examples=ENGINE_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


@ENGINE_SETTINGS
@example(batch=[("newcomer-1", ("start", "join_" + "9" * 20))] * MIN_PER_EXAMPLE)
@example(batch=[("bob", ("action", f"accept:{2**31}"))] * MIN_PER_EXAMPLE)
@given(batch=messages)
async def test_random_messages_and_buttons_never_escape_the_engine(
    world: World, batch: list[tuple[str, tuple[str, str]]]
) -> None:
    await world.send(batch)


@ENGINE_SETTINGS
@example(batch=[("coordinator", ("action", f"vote:{2**31}:0"))] * MIN_PER_EXAMPLE)
@given(
    batch=st.lists(
        st.tuples(
            st.sampled_from(SENDERS),
            st.one_of(
                st.tuples(st.just("action"), button_data),
                st.tuples(st.just("start"), deep_links),
            ),
        ),
        min_size=MIN_PER_EXAMPLE,
        max_size=6,
    )
)
async def test_random_buttons_and_deep_links_never_escape_the_engine(
    world: World, batch: list[tuple[str, tuple[str, str]]]
) -> None:
    await world.send(batch)


# --- through the real Telegram adapter --------------------------------------------------------


@dataclass
class TelegramFuzz:
    bench: TelegramBench
    menus: dict[int, FakeMessage]
    observer: FakeUser
    people: list[FakeUser]


@pytest.fixture(params=_backends())
async def telegram(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[TelegramFuzz]:
    async with telegram_bench(request.param, tmp_path, **UNLIMITED_SETTINGS) as bench:
        api = bench.api
        await bench.start()
        observer = bench.members[2]
        people = [bench.coordinator, *bench.members[:2], api.user(901, "Eve", started=True)]
        menus = {}
        for person in people:  # a message with buttons to press under, for each
            api.command(person, "/aide")
            [menus[person.id]] = await api.wait_sent(person, 1, timeout=10)
        yield TelegramFuzz(bench, menus, observer, people)
        assert await bench.dead_letters() == []


def _telegram_text(text: str) -> str:
    return text[:4096] or "?"


def _callback_data(data: str) -> str:
    capped = data.encode()[:64].decode(errors="ignore")
    return capped or "?"


@settings(
    max_examples=TELEGRAM_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],  # a stalled bot fails at once: no shrinking
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@example(batch=[(0, ("start", "join_" + "9" * 20))] * MIN_PER_EXAMPLE)
@given(batch=st.lists(st.tuples(st.integers(0, 3), inbounds), min_size=4, max_size=5))
async def test_random_updates_never_stall_the_telegram_bot(
    telegram: TelegramFuzz, batch: list[tuple[int, tuple[str, str]]]
) -> None:
    api = telegram.bench.api
    for index, (kind, value) in batch:
        person = telegram.people[index]
        if kind == "text" and value.startswith("/") and len(value) > 1:
            name, _, args = value[1:4000].partition(" ")
            api.command(person, name, args or None)
        elif kind == "text":
            api.private_text(person, _telegram_text(value))
        elif kind == "start":
            api.command(person, "/start", value.replace("\n", " ")[:64] or None)
        else:
            api.press(person, telegram.menus[person.id], _callback_data(value), check=False)
    seen = len(api.sent(telegram.observer))
    api.command(telegram.observer, "/aide")
    answers = await api.wait_sent(telegram.observer, seen + 1, timeout=10)
    await api.wait_confirmed(timeout=10)
    assert HELP_FR in (answers[-1].text or "")


# --- through the real Matrix adapter ----------------------------------------------------------


@pytest.fixture
async def matrix_bot(homeserver: Homeserver, tmp_path: Path) -> AsyncIterator[BotRunner]:
    """The Matrix bot on PostgreSQL, where an id past 2**31 used to stall its sync loop."""
    async with AsyncExitStack() as stack:
        runner = BotRunner(homeserver, tmp_path)
        backend = _backends()[-1]
        await runner.core.close()
        update: dict[str, object] = dict(UNLIMITED_SETTINGS)
        if backend == "postgres":
            update["database_url"] = await database_url(stack, backend, tmp_path)
        runner.core = Core.open(runner.core.settings.model_copy(update=update), runner.core.clock)
        await runner.core.create_schema()
        stack.push_async_callback(runner.close)
        yield runner


matrix_texts = st.one_of(
    st.text(alphabet=characters, min_size=1, max_size=60),
    st.builds(
        lambda name, arg: f"!{name} {arg}".strip(),
        st.sampled_from(COMMAND_NAMES),
        st.one_of(ids.map(lambda i: i[:40]), st.text(max_size=20)),
    ),
    st.sampled_from(WORDS),
)


@pytest.mark.matrix
async def test_random_events_never_stall_the_matrix_bot(
    matrix_bot: BotRunner, matrix_client: ClientFactory
) -> None:
    people = People(matrix_client, matrix_bot)
    try:
        coordinator = await matrix_bot.add_member(
            "@fuzz-coordinator:localhost", "Claire", roles=[Role.COORDINATOR]
        )
        person = await people("fuzz")
        await matrix_bot.add_member(
            person.user_id, "Victor", roles=[Role.VOLUNTEER], approve_by=coordinator
        )
        await matrix_bot.start()
        room = await direct_chat(person, matrix_bot.user_id)

        async def handled(event_id: str) -> bool:
            async with matrix_bot.core.uow() as uow:
                found = await uow.session.get(InboundReceipt, ("matrix", event_id))
                return found is not None

        @settings(
            max_examples=MATRIX_EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @example(batch=["!prendre 9999999999", f"!take #{'9' * 20}", "!aide ²"])
        @given(batch=st.lists(matrix_texts.filter(str.strip), min_size=3, max_size=4))
        def run(batch: list[str]) -> None:
            pending.append(batch)

        # Hypothesis draws the examples; the event loop of the test sends them.
        pending: list[list[str]] = []
        run()
        for batch in pending:
            for text in batch:
                await person.say(room, text)
            last = await person.say(room, "!aide")
            deadline = asyncio.get_running_loop().time() + 20
            while not await handled(last):
                assert asyncio.get_running_loop().time() < deadline, f"stalled after {batch}"
                await asyncio.sleep(0.1)
        await person.wait_for(
            lambda r, e: r == room and e.sender == matrix_bot.user_id and HELP_FR in body_of(e)
        )
        async with matrix_bot.core.uow() as uow:
            letters = (await uow.session.execute(select(DeadLetter))).scalars().all()
        assert letters == []
        assert len(pending) >= MATRIX_EXAMPLES
    finally:
        await people.stop()

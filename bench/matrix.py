"""Reply latency of the entraide Matrix bot beside Synapse's own client-to-client round trip.

One real Synapse on 127.0.0.1 (the tests' harness, tests/matrix/homeserver.py), in the same run:

- round trip: Alice sends "ping N" to an echo client that answers "pong N" as soon as its sync
  shows the ping; measured from Alice's send to the pong in Alice's sync (two trips through
  Synapse, no work in between);
- bot reply: Alice, a member, sends "!aide" in her direct chat with the bot (the real
  `MatrixChannel`, the real engine on SQLite: receipt, reply in the outbox, one commit); measured
  from Alice's send to the bot's reply in Alice's sync.

The two are interleaved, message after message, so that both see the same machine. The echo
client and the bot run in this process, each with its own long-polling sync.

    python bench/matrix.py [--messages 40] [--warmup 5]

Goal: bot p50 <= 1.5 x round-trip p50 + 20 ms. Last line, exactly:
`reply_latency_ratio=<bot p50 / round-trip p50> p50_ms=<bot p50>`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]
sys.path.insert(0, str(ROOT))

import nio  # noqa: E402

from bots.matrix.channel import MatrixChannel, MatrixSettings  # noqa: E402
from core.app import Core  # noqa: E402
from core.config import Settings  # noqa: E402
from core.dialogue.engine import ConversationEngine  # noqa: E402
from core.dialogue.port import ChannelPort  # noqa: E402
from core.domain.vocabulary import Platform, Role  # noqa: E402
from core.services import identity, members  # noqa: E402
from tests.matrix.homeserver import Homeserver, create_room, synapse_python  # noqa: E402


class Inbox:
    """A client's sync loop that timestamps every message it receives, by body."""

    def __init__(self, client: nio.AsyncClient) -> None:
        self.client = client
        self.arrived: dict[str, float] = {}
        self.event = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.client.sync(timeout=0)
        self.task = asyncio.create_task(self._loop())

    async def _loop(self) -> None:
        while True:
            response = await self.client.sync(timeout=30_000)
            now = time.perf_counter()
            if not isinstance(response, nio.SyncResponse):
                continue
            for room in response.rooms.join.values():
                for event in room.timeline.events:
                    if isinstance(event, nio.RoomMessage) and event.sender != self.client.user_id:
                        self.arrived.setdefault(event.source["content"].get("body", ""), now)
                        self.arrived.setdefault(event.event_id, now)
            self.event.set()

    async def first(self, predicate, timeout: float = 30.0) -> float:  # type: ignore[no-untyped-def]
        deadline = time.perf_counter() + timeout
        while True:
            for key, at in self.arrived.items():
                if predicate(key):
                    del self.arrived[key]
                    return at
            self.event.clear()
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError("no answer")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.event.wait(), left)

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task


async def echo(client: nio.AsyncClient, room_id: str) -> None:
    """Answer every "ping N" with "pong N", as fast as a plain client can."""
    await client.sync(timeout=0)
    while True:
        response = await client.sync(timeout=30_000)
        if not isinstance(response, nio.SyncResponse):
            continue
        joined = response.rooms.join.get(room_id)
        for event in joined.timeline.events if joined else []:
            if isinstance(event, nio.RoomMessageText) and event.body.startswith("ping "):
                await client.room_send(
                    room_id,
                    "m.room.message",
                    {"msgtype": "m.text", "body": "pong " + event.body[5:]},
                )


async def send(client: nio.AsyncClient, room_id: str, body: str) -> float:
    started = time.perf_counter()
    sent = await client.room_send(room_id, "m.room.message", {"msgtype": "m.text", "body": body})
    assert isinstance(sent, nio.RoomSendResponse), sent
    return started


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def main(messages: int, warmup: int) -> None:
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("nio").setLevel(logging.ERROR)  # cancelled long polls at the end
    work = Path(tempfile.mkdtemp(prefix="entraide-bench-matrix-"))
    print("starting Synapse...", file=sys.stderr)
    server = Homeserver.start(work, python=synapse_python())
    core: Core | None = None
    clients: list[nio.AsyncClient] = []
    tasks: list[asyncio.Task[None]] = []
    try:
        bot_user = server.register(server.unique_username("entraide"))
        alice_user = server.register(server.unique_username("alice"))
        peer_user = server.register(server.unique_username("echo"))
        alice = await server.login_client(alice_user)
        peer = await server.login_client(peer_user)
        clients += [alice, peer]

        settings = Settings(  # type: ignore[call-arg]
            database_url=f"sqlite+aiosqlite:///{work / 'entraide.sqlite3'}",
            default_territory="Rezé",
            # One member sends every "!aide": the flood gate would drop most of them.
            flood_burst=10_000,
            flood_per_minute=100_000,
            _env_file=None,
        )
        core = Core.open(settings)
        await core.create_schema()
        async with core.uow() as uow:
            territory = await members.add_territory(uow, "Rezé", neighbourhoods=["Trentemoult"])
            account = await identity.ensure_account(uow, Platform.MATRIX, alice.user_id)
            await members.onboard_member(
                uow, territory.id, "Alice Durand", roles=[Role.REQUESTER], account=account
            )
            await uow.commit()
        channel = MatrixChannel(
            ConversationEngine(core),
            ChannelPort(core),
            MatrixSettings(
                homeserver=server.url,
                user_id=bot_user.user_id,
                password=bot_user.password,
                store_path=str(work / "matrix-store"),
            ),
        )
        stop = asyncio.Event()
        tasks.append(asyncio.create_task(channel.run(stop)))
        await asyncio.wait_for(channel.ready.wait(), 30)

        echo_room = await create_room(alice, "Echo", invite=[peer])
        tasks.append(asyncio.create_task(echo(peer, echo_room)))
        created = await alice.room_create(
            invite=[bot_user.user_id], is_direct=True, preset=nio.RoomPreset.trusted_private_chat
        )
        assert isinstance(created, nio.RoomCreateResponse), created
        bot_room = created.room_id
        inbox = Inbox(alice)
        await inbox.start()
        await inbox.first(lambda key: "1. " in key)  # the bot joined and greeted
        await asyncio.sleep(0.5)

        round_trips: list[float] = []
        replies: list[float] = []
        for n in range(warmup + messages):
            started = await send(alice, echo_room, f"ping {n}")
            arrived = await inbox.first(lambda key, n=n: key == f"pong {n}")
            if n >= warmup:
                round_trips.append((arrived - started) * 1000)
            started = await send(alice, bot_room, "!aide")
            arrived = await inbox.first(lambda key: "coopérative" in key)
            if n >= warmup:
                replies.append((arrived - started) * 1000)
        stop.set()
        await asyncio.wait_for(tasks.pop(0), 30)  # the bot finishes and closes its client
        await inbox.stop()

        rt50, bot50 = statistics.median(round_trips), statistics.median(replies)
        goal = 1.5 * rt50 + 20
        print(f"Synapse {server.url}, {messages} messages each after {warmup} of warm-up")
        print(
            f"client-to-client round trip (ping -> echo -> pong): p50 {rt50:.1f} ms, "
            f"p90 {pct(round_trips, 0.9):.1f} ms, max {max(round_trips):.1f} ms"
        )
        print(
            f'bot reply ("!aide" -> help, engine on SQLite): p50 {bot50:.1f} ms, '
            f"p90 {pct(replies, 0.9):.1f} ms, max {max(replies):.1f} ms"
        )
        print(
            f"goal: bot p50 <= 1.5 x round trip + 20 ms = {goal:.1f} ms: "
            f"{'met' if bot50 <= goal else 'NOT met'}"
        )
        print(f"reply_latency_ratio={bot50 / rt50:.2f} p50_ms={bot50:.1f}")
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for client in clients:
            await client.close()
        if core is not None:
            await core.close()
        server.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=40)
    parser.add_argument("--warmup", type=int, default=5)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.messages, arguments.warmup))

"""`PersonQueue`: one person's updates and the sends answering them in order, people apart."""

from __future__ import annotations

import asyncio

from bots.ordering import PersonQueue
from core.dialogue.batching import on_queued


async def test_a_persons_next_update_waits_until_the_one_before_is_queued_in_the_engine() -> None:
    queue = PersonQueue()
    started: list[str] = []
    queued_first = asyncio.Event()
    release_first = asyncio.Event()

    async def first() -> str:
        started.append("alice 1")
        await queued_first.wait()
        signal = on_queued.get()  # what the engine calls once the update has its place
        assert signal is not None
        signal()
        await release_first.wait()  # still being handled in the engine's transaction
        return "1"

    async def update(name: str) -> str:
        started.append(name)
        return name

    one = queue.turn("alice", first)
    two = queue.turn("alice", lambda: update("alice 2"))
    other = queue.turn("bob", lambda: update("bob 1"))
    assert await other == "bob 1"  # Bob does not wait for Alice
    assert started == ["alice 1", "bob 1"]  # her second waits for her first
    queued_first.set()
    assert await two == "alice 2"  # once queued, before the first is answered
    assert started == ["alice 1", "bob 1", "alice 2"] and not one.done()
    release_first.set()
    assert await one == "1"


async def test_a_persons_replies_go_out_in_the_order_of_their_updates() -> None:
    queue = PersonQueue()
    sent: list[str] = []

    async def send(text: str, wait: float) -> None:
        await asyncio.sleep(wait)
        sent.append(text)

    queue.later("alice", lambda: send("alice 1", 0.05))  # slow: the network
    queue.later("alice", lambda: send("alice 2", 0))
    queue.later("bob", lambda: send("bob 1", 0))
    await queue.drain()
    assert sent == ["bob 1", "alice 1", "alice 2"]


async def test_a_failed_send_does_not_stop_the_next_ones() -> None:
    queue = PersonQueue()
    sent: list[str] = []

    async def broken() -> None:
        raise ConnectionError("the platform is away")

    async def send() -> None:
        sent.append("alice 2")

    queue.later("alice", broken)
    queue.later("alice", send)
    await queue.drain()
    assert sent == ["alice 2"]

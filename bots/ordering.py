"""`PersonQueue`: each person's updates, and the sends answering them, in order; different
people at the same time. One mechanism for every platform.

A member who changes a poll vote twice in a second must end with their last choice, and read
the answers in the order of their messages; the platform alone gives no order between two
updates of the same person handled at once.

- `turn(person, work)`: handle an update once the person's previous update has its place in
  the engine's queue (not once it is answered): still in order, but a burst of one person's
  messages shares a transaction (the engine's group commit) instead of taking one each.
- `later(person, send)`: send the replies without holding the update up (they are in the
  outbox, leased to this process: the update can be confirmed and the next ones handled
  meanwhile), after the replies to that person's earlier updates.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Awaitable, Callable, Hashable
from typing import TypeVar

from core.dialogue.batching import on_queued

log = logging.getLogger("entraide.ordering")

T = TypeVar("T")
# Updates handled at once (they join one transaction: a whole Telegram batch of 100).
CONCURRENT_UPDATES = 100


class PersonQueue:
    """Keeps one person's work in order while different people's runs at once."""

    def __init__(self, concurrent_updates: int = CONCURRENT_UPDATES) -> None:
        self._slots = asyncio.Semaphore(concurrent_updates)
        # Per person: their last update's signal (set once it is queued in the engine, or
        # done), how many of their updates are not done, their last send.
        self._queued: dict[Hashable, asyncio.Event] = {}
        self._open: dict[Hashable, int] = {}
        self._last_send: dict[Hashable, asyncio.Task[None]] = {}
        self._sends: set[asyncio.Task[None]] = set()

    def turn(self, person: Hashable, work: Callable[[], Awaitable[T]]) -> asyncio.Task[T]:
        """Start handling one update of `person` after their earlier ones (see the module).

        Its place is taken now, when called: call in the order the updates came.
        """
        previous = self._queued.get(person)
        queued = asyncio.Event()
        self._queued[person] = queued
        self._open[person] = self._open.get(person, 0) + 1
        context = contextvars.copy_context()
        context.run(on_queued.set, queued.set)  # the engine calls it once the update is queued
        return asyncio.create_task(self._take(person, previous, queued, work), context=context)

    async def _take(
        self,
        person: Hashable,
        previous: asyncio.Event | None,
        queued: asyncio.Event,
        work: Callable[[], Awaitable[T]],
    ) -> T:
        try:
            if previous is not None:
                await previous.wait()
            async with self._slots:
                return await work()
        finally:
            queued.set()
            self._open[person] -= 1
            if not self._open[person]:  # forget idle people: memory stays bounded
                del self._open[person]
                del self._queued[person]

    def later(self, person: Hashable, send: Callable[[], Awaitable[None]]) -> None:
        """Run `send` after the sends for `person`'s earlier updates, without waiting for it."""
        previous = self._last_send.get(person)

        async def in_turn() -> None:
            if previous is not None:
                await asyncio.wait([previous])
            try:
                await send()
            except Exception:  # a send must never take the channel down
                log.exception("sending the replies to %s failed", person)

        task = asyncio.create_task(in_turn())
        self._last_send[person] = task
        self._sends.add(task)
        task.add_done_callback(lambda done: self._forget(person, done))

    def _forget(self, person: Hashable, task: asyncio.Task[None]) -> None:
        self._sends.discard(task)
        if self._last_send.get(person) is task:
            del self._last_send[person]

    async def drain(self) -> None:
        """Wait for every send started so far (and those they start): before stopping."""
        while self._sends:
            await asyncio.gather(*self._sends, return_exceptions=True)

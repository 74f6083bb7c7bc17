"""Group commit: calls that arrive while a batch is being handled are handled together next.

The database is the bottleneck of a busy bot (SQLite lets one writer in at a time, and each
transaction costs round trips whatever it holds). Messages that arrive while one batch is in
its transaction wait for it, then go together in one transaction: alone, a message waits for
nothing; under load, each costs a fraction of a transaction. The same idea as a database's
own group commit of its log.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Generic, TypeVar

In = TypeVar("In")
Out = TypeVar("Out")
# Handles a batch; returns one result (or the exception for that item) per item, in order.
BatchHandler = Callable[[list[In]], Awaitable[list[Out | BaseException]]]
# Called (in the caller's context) once an item has its place in the queue, before it is
# handled: a channel may then start a person's next message, which keeps their order and
# lets their messages share a transaction (see TelegramChannel._process_batch).
on_queued: ContextVar[Callable[[], None] | None] = ContextVar("on_queued", default=None)


class GroupCommit(Generic[In, Out]):
    """`await submit(item)` gives this item's result; items are handled in arrival order."""

    def __init__(
        self,
        handle_batch: BatchHandler[In, Out],
        max_batch: int = 32,
        *,
        light: Callable[[In], bool] = lambda item: False,
    ) -> None:
        """At most `max_batch` items per batch, not counting the `light` ones: those (quick to
        handle, and waited for) all go in the next batch, however long the queue."""
        self._handle_batch = handle_batch
        self._max_batch = max_batch
        self._light = light
        self._queue: list[tuple[In, asyncio.Future[Out]]] = []
        self._runner: asyncio.Task[None] | None = None

    async def submit(self, item: In) -> Out:
        future: asyncio.Future[Out] = asyncio.get_running_loop().create_future()
        self._queue.append((item, future))
        if (queued := on_queued.get()) is not None:
            queued()
        if self._runner is None or self._runner.done():
            # A task of its own: a caller cancelled while waiting cannot cut a transaction
            # in half, and the batch is finished for the others.
            self._runner = asyncio.create_task(self._drain(), name="entraide-group-commit")
        return await future

    async def wait_idle(self) -> None:
        """Return once every submitted item is handled (for a clean shutdown)."""
        while self._runner is not None and not self._runner.done():
            await asyncio.shield(self._runner)

    async def _drain(self) -> None:
        while self._queue:
            batch, later, heavy = [], [], 0
            for entry in self._queue:
                if self._light(entry[0]):
                    batch.append(entry)
                elif heavy < self._max_batch:
                    batch.append(entry)
                    heavy += 1
                else:
                    later.append(entry)
            self._queue = later
            try:
                results = await self._handle_batch([item for item, _ in batch])
            except Exception as error:  # handed to every caller of the batch
                results = [error] * len(batch)
            except BaseException:  # cancelled (the loop is closing): so are the callers
                for _, future in batch + self._queue:
                    future.cancel()
                raise
            _settle(batch, results)


def _settle(
    batch: list[tuple[In, asyncio.Future[Out]]], results: list[Out | BaseException]
) -> None:
    for (_, future), result in zip(batch, results, strict=True):
        if future.done():
            continue  # its caller gave up waiting
        if isinstance(result, BaseException):
            future.set_exception(result)
        else:
            future.set_result(result)

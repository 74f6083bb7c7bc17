"""Process updates of different people at the same time, but each person's in order.

A member who changes a poll vote twice in a second must end with their last choice; PTB's
concurrent processing alone gives no order between two updates of the same person.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


def sender_of(update: object) -> int | None:
    if not isinstance(update, Update):
        return None
    if update.poll_answer is not None and update.poll_answer.user is not None:
        return update.poll_answer.user.id
    user = update.effective_user
    return user.id if user is not None else None


class PerSenderUpdateProcessor(BaseUpdateProcessor):
    """At most `max_concurrent_updates` at once; one at a time for the same sender."""

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        sender = sender_of(update)
        if sender is None:
            await coroutine
            return
        lock = self._locks.setdefault(sender, asyncio.Lock())
        self._waiting[sender] = self._waiting.get(sender, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._waiting[sender] -= 1
            if not self._waiting[sender]:  # forget idle senders: memory stays bounded
                del self._waiting[sender]
                self._locks.pop(sender, None)

    async def initialize(self) -> None:
        """Nothing to prepare."""

    async def shutdown(self) -> None:
        """Nothing to release."""

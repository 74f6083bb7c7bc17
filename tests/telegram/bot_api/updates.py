"""The bot's updates: the queue of what happened, and getUpdates (long polling).

As Telegram does: `offset` confirms (drops) older updates, and without it unconfirmed updates
come again; `timeout` long-polls; `allowed_updates` is remembered and applies to updates
created afterwards (default: all but chat_member, message_reaction, message_reaction_count);
a second getUpdates ends a pending one with 409 "Conflict: terminated by other getUpdates
request..."; getUpdates while a webhook is set gives 409 too.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from .protocol import JSON, ApiError, Params, api_method, bad_request
from .state import World

DEFAULT_EXCLUDED_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


@dataclass
class QueuedUpdate:
    update: JSON
    forced: bool = False  # a duplicate: survives the offset until delivered once
    delivered: bool = False


class UpdateQueue(World):
    """Updates waiting for the bot, handed out by getUpdates (or the webhook, see webhook.py)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.updates: list[JSON] = []  # every update enqueued, in order
        self.filtered_updates: list[JSON] = []  # not delivered: excluded by allowed_updates
        self.allowed_updates: set[str] | None = None  # None: Telegram's default
        self.webhook_url = ""  # set by setWebhook (webhook.py)
        self._pending: list[QueuedUpdate] = []
        self._next_update_id = 700_000_001
        self._poll_generation = 0

    @property
    def pending_updates(self) -> list[JSON]:
        """Updates not confirmed yet by the bot."""
        return [q.update for q in self._pending]

    async def wait_confirmed(self, timeout: float = 5.0) -> None:
        """Until the bot has confirmed (by offset) every update enqueued so far."""
        await self.wait_until(lambda: not self._pending, timeout)

    def duplicate_last_update(self) -> JSON:
        """Send again the last update, same update_id, even if the bot confirmed it."""
        if not self.updates:
            raise ValueError("no update yet")
        update = self.updates[-1]
        self._pending.append(QueuedUpdate(update, forced=True))
        self._notify()
        return update

    def _enqueue(self, payload: JSON) -> JSON:
        """A new update with the next update_id; kept aside when allowed_updates excludes it."""
        update = {"update_id": self._next_update_id, **payload}
        self._next_update_id += 1
        kind = next(k for k in payload if k != "update_id")
        allowed = (
            kind not in DEFAULT_EXCLUDED_UPDATES
            if self.allowed_updates is None
            else kind in self.allowed_updates
        )
        if not allowed:
            self.filtered_updates.append(update)
            return update
        self.updates.append(update)
        self._pending.append(QueuedUpdate(update))
        self._notify()
        return update

    def _confirm(self, offset: int) -> None:
        """What getUpdates' `offset` does: a negative one keeps the last -offset updates."""
        if offset < 0:
            keep = self._pending[offset:] if -offset < len(self._pending) else self._pending
            self._pending = list(keep)
            return
        if offset:
            self._pending = [
                q
                for q in self._pending
                if q.update["update_id"] >= offset or (q.forced and not q.delivered)
            ]

    @api_method("getUpdates")
    async def _get_updates(self, p: Params) -> list[JSON]:
        """Updates after `offset`, at most `limit`, waiting up to `timeout` seconds for one."""
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )
        offset = p.int("offset", 0) or 0
        limit = min(max(p.int("limit", 100) or 100, 1), 100)
        try:
            timeout = max(float(p.raw.get("timeout") or 0), 0.0)
        except (TypeError, ValueError):
            raise bad_request("invalid timeout specified") from None
        allowed = p.json("allowed_updates")
        if allowed is not None:
            # An empty list means Telegram's default set.
            self.allowed_updates = set(allowed) if allowed else None
        self._confirm(offset)
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()  # an older pending getUpdates ends with 409
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            batch = self._pending[:limit]
            if p.client_gone():
                return []  # the client gave up (e.g. PTB stopping): hand nothing out
            if batch or self._closing or loop.time() >= deadline:
                break
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only "
                    "one bot instance is running",
                )
            await self._wait_change(deadline - loop.time())
        for queued in batch:
            queued.delivered = True
        return [queued.update for queued in batch]

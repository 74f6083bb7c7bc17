"""setWebhook and deleteWebhook, and the delivery of updates to the bot's webhook.

Telegram posts updates to the https URL given to setWebhook; on loopback there is no TLS, so a
test says where the front proxy would forward them (`deliver_webhooks_to`). While a webhook is
set, getUpdates answers 409.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from aiohttp import ClientError, ClientSession, ClientTimeout

from .protocol import JSON, Params, api_method, bad_request
from .updates import QueuedUpdate, UpdateQueue

_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")


class Webhook(UpdateQueue):
    """The webhook the bot set, and the posting of its updates."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.webhook: JSON = {}  # what setWebhook was given (url, secret_token...)
        self.webhook_target: str | None = None  # where updates are posted (the bot's listener)
        self.webhook_calls: list[tuple[int, int]] = []  # (update_id, HTTP status; 0: no answer)
        self.webhook_retry_delay = 0.2  # seconds before an update that failed is posted again
        self._webhook_task: asyncio.Task[None] | None = None

    def deliver_webhooks_to(self, target: str) -> None:
        """Post webhook updates to `target` (http on loopback) instead of the https URL."""
        self.webhook_target = target
        self._start_webhook_delivery()

    async def _stop_webhook_delivery(self) -> None:
        if self._webhook_task is not None:
            await asyncio.gather(self._webhook_task, return_exceptions=True)

    @api_method("setWebhook")
    async def _set_webhook(self, p: Params) -> bool:
        """Set the webhook: an https URL, an optional secret token, 1-100 connections."""
        url = p.str("url") or ""
        if url and not url.startswith("https://"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = p.str("secret_token")
        if secret is not None and not _SECRET_TOKEN.fullmatch(secret):
            raise bad_request("bad webhook: secret token contains unallowed characters")
        connections = p.int("max_connections", 40) or 40
        if not 1 <= connections <= 100:
            raise bad_request("bad webhook: max_connections must be between 1 and 100")
        if p.bool("drop_pending_updates"):
            self._pending.clear()
        allowed = p.json("allowed_updates")
        self.webhook_url = url
        self.webhook = {
            "url": url,
            "allowed_updates": allowed,
            "secret_token": secret,
            "max_connections": connections,
        }
        if allowed is not None:
            self.allowed_updates = set(allowed) or None
        self._start_webhook_delivery()
        return True

    @api_method("deleteWebhook")
    async def _delete_webhook(self, p: Params) -> bool:
        """Remove the webhook (getUpdates works again); pending updates kept unless dropped."""
        if p.bool("drop_pending_updates"):
            self._pending.clear()
        self.webhook_url = ""
        self.webhook = {}
        self._notify()
        return True

    def _start_webhook_delivery(self) -> None:
        if (
            self.webhook_url
            and self.webhook_target
            and (self._webhook_task is None or self._webhook_task.done())
        ):
            self._webhook_task = asyncio.create_task(self._deliver_webhooks())

    async def _deliver_webhooks(self) -> None:
        """Each pending update is posted until the bot answers 2xx, then it is confirmed.

        As Telegram does: at most `max_connections` at once, the secret token in the
        X-Telegram-Bot-Api-Secret-Token header, and a failed call repeated later.
        """
        in_flight: set[int] = set()
        resting: dict[int, float] = {}  # update_id -> time before which it is not retried
        loop = asyncio.get_running_loop()
        async with ClientSession(timeout=ClientTimeout(total=30)) as session:

            async def post(queued: QueuedUpdate) -> None:
                update_id = queued.update["update_id"]
                headers = {}
                if self.webhook.get("secret_token"):
                    headers["X-Telegram-Bot-Api-Secret-Token"] = self.webhook["secret_token"]
                status = 0
                try:
                    assert self.webhook_target is not None
                    async with session.post(
                        self.webhook_target, json=queued.update, headers=headers
                    ) as response:
                        status = response.status
                except (ClientError, TimeoutError):
                    pass
                self.webhook_calls.append((update_id, status))
                if 200 <= status < 300:
                    self._pending = [q for q in self._pending if q is not queued]
                else:
                    resting[update_id] = loop.time() + self.webhook_retry_delay
                in_flight.discard(update_id)
                self._notify()

            tasks: set[asyncio.Task[None]] = set()
            while self.webhook_url and self.webhook_target and not self._closing:
                now = loop.time()
                room = int(self.webhook.get("max_connections", 40)) - len(in_flight)
                for queued in list(self._pending):
                    update_id = queued.update["update_id"]
                    if room <= 0:
                        break
                    if update_id in in_flight or resting.get(update_id, 0) > now:
                        continue
                    in_flight.add(update_id)
                    resting.pop(update_id, None)
                    room -= 1
                    task = asyncio.create_task(post(queued))
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)
                wake = min((t for t in resting.values() if t > now), default=now + 1.0) - now
                await self._wait_change(max(min(wake, 1.0), 0.01))
            await asyncio.gather(*tasks, return_exceptions=True)

"""Telegram updates in: long polling or the webhook, confirmed only once handled.

Each update runs PTB's handlers (`bots.telegram.handlers`) in its person's turn
(`bots.ordering.PersonQueue`). An update whose handler failed is fetched again while the fault
may pass (the database away); one that keeps failing, or fails on a wrong value, is set aside
as a dead letter and the bot moves on (`core.dialogue.inbound_failures`).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
from collections.abc import Hashable

from aiohttp import web
from telegram import Update
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.ext import Application, ContextTypes

from bots.ordering import PersonQueue
from bots.telegram.sender import seconds
from core.dialogue.inbound_failures import InboundFailures
from core.persistence.faults import is_transient

log = logging.getLogger("entraide.telegram")

ALLOWED_UPDATES = [
    "message",
    "edited_message",
    "callback_query",
    "poll",
    "poll_answer",
    "my_chat_member",
]
POLL_TIMEOUT = 10


class TelegramUpdates:
    """Fetches (or receives) updates, handles them in order, confirms what was handled."""

    def __init__(
        self,
        app: Application,  # type: ignore[type-arg]
        queue: PersonQueue,
        failures: InboundFailures,
        token: str,
    ) -> None:
        self.app = app
        self.queue = queue
        self.failures = failures
        self.token = token
        # Whether a batch is being handled (writing to the database: not to be cancelled).
        self.handling = False
        # Updates whose handler raised, with the error (see _on_error).
        self._failed: dict[int, BaseException] = {}
        app.add_error_handler(self._on_error)

    async def poll_forever(self, stop: asyncio.Event) -> None:
        """Long polling that confirms a batch of updates only once it is handled.

        PTB's own updater confirms updates as soon as it has fetched them (the next
        getUpdates carries the offset), so a crash loses what was fetched but not handled.
        Here the offset moves after the batch is in our database; a crash makes Telegram send
        the batch again and the receipts of what was handled keep it from being handled twice.
        """
        offset: int | None = None
        backoff = 1.0
        failures = 0
        while not stop.is_set():
            try:
                updates = await self.app.bot.get_updates(
                    offset=offset,
                    timeout=POLL_TIMEOUT,
                    allowed_updates=ALLOWED_UPDATES,
                    read_timeout=POLL_TIMEOUT + 10,
                )
            except RetryAfter as exc:
                await asyncio.sleep(seconds(exc.retry_after))
                continue
            except (NetworkError, TimedOut) as exc:
                log.warning("getUpdates failed (%s): retrying in %.0f s", exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 30.0)
                continue
            backoff = 1.0
            if not updates:
                continue
            self.handling = True
            try:
                failed = await self.handle_batch(updates)
            finally:
                self.handling = False
            if not failed:
                failures = 0
                offset = updates[-1].update_id + 1
                continue
            # Not confirmed from the first update that failed (the database was away, say):
            # Telegram sends it and the next ones again, and the receipts of those that were
            # handled keep them from being handled twice.
            offset = min(failed)
            failures += 1
            wait = min(2.0**failures, 60.0)
            log.error("%d update(s) not handled: fetched again in %.0f s", len(failed), wait)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), wait)

    async def handle_batch(self, updates: tuple[Update, ...]) -> list[int]:
        """Different people at the same time, each person's updates in order.

        Returns the ids of the updates that failed: a person's updates after a failed one are
        left for later too, so that they are never handled out of order (those already in the
        engine's queue when it failed are handled, in the same transaction as it would have
        been: they fail with it, unless it alone was at fault).
        """
        halted: set[Hashable] = set()

        async def in_turn(update: Update, person: Hashable) -> bool | None:
            if person in halted:
                return None
            handled = await self._process(update)
            if not handled:
                halted.add(person)
            return handled

        turns = []
        for update in updates:  # their places are taken in the order they came
            person = _person(update)
            turns.append(self.queue.turn(person, lambda u=update, p=person: in_turn(u, p)))
        results = await asyncio.gather(*turns)
        return [
            u.update_id for u, handled in zip(updates, results, strict=True) if handled is False
        ]

    async def start_webhook(self, url: str, listen: str) -> web.AppRunner:
        """Receive Telegram's webhook calls at `listen` (behind the HTTPS proxy of `url`).

        Each call is answered once its update is in our database: 200 then, 500 if handling
        failed, so that Telegram keeps the update and calls again (PTB's own webhook answers
        at once, and a crash in between would lose the update).
        """
        host, _, port = listen.rpartition(":")
        path = "/" + url.rstrip("/").rsplit("/", 1)[-1]
        server = web.Application(client_max_size=1024 * 1024)
        server.router.add_post(path, self._on_webhook_call)
        runner = web.AppRunner(server, handle_signals=False, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, host or "127.0.0.1", int(port)).start()
        await self.app.bot.set_webhook(
            url, allowed_updates=ALLOWED_UPDATES, secret_token=webhook_secret(self.token)
        )
        return runner

    async def _on_webhook_call(self, request: web.Request) -> web.Response:
        secret = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        if not hmac.compare_digest(secret, webhook_secret(self.token)):
            return web.Response(status=403)
        try:
            update = Update.de_json(await request.json(), self.app.bot)
        except ValueError:
            return web.Response(status=400)
        if update is None:
            return web.Response(status=200)
        # In its person's turn: one person's updates in the order they came.
        handled = await self.queue.turn(_person(update), lambda: self._process(update))
        return web.Response(status=200 if handled else 500)

    async def _process(self, update: Update) -> bool:
        """Run the handlers; False if the update must be fetched again."""
        await self.app.process_update(update)
        ref = str(update.update_id)
        error = self._failed.pop(update.update_id, None)
        if error is None:
            self.failures.succeeded(ref)
            return True
        return await self.failures.failed(ref, error, lambda: _payload(update))

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A handler raised: log it, and remember the update so that it is not confirmed."""
        update_id = update.update_id if isinstance(update, Update) else None
        log.error("update %s could not be handled", update_id, exc_info=context.error)
        if update_id is not None:
            self._failed[update_id] = context.error or RuntimeError("unknown error")


def passes(error: BaseException) -> bool:
    """A fault that may pass: the Bot API unreachable or busy, the database away. A refusal
    (BadRequest: a query too old to answer...), a data error or a bug is not."""
    if isinstance(error, RetryAfter):
        return True
    if isinstance(error, NetworkError) and not isinstance(error, BadRequest):
        return True
    return is_transient(error)


def webhook_secret(token: str) -> str:
    """A secret Telegram echoes in each webhook call, derived from the token (not guessable)."""
    return hashlib.sha256(f"entraide-webhook:{token}".encode()).hexdigest()[:64]


def _person(update: Update) -> Hashable:
    """Whose update this is (a poll answer's voter, else the sender); an update of nobody is
    its own."""
    if update.poll_answer is not None and update.poll_answer.user is not None:
        return update.poll_answer.user.id
    user = update.effective_user
    return user.id if user is not None else ("update", update.update_id)


def _payload(update: Update) -> str:
    """The update as JSON, for a person to look at in the dead letters (capped there)."""
    return json.dumps(update.to_dict(), ensure_ascii=False, default=str)

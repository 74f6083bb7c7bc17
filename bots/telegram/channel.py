"""The Telegram channel: updates in, outbox out, through the same engine as every platform.

Handlers only translate: a PTB `Update` becomes an `Inbound`, the engine's `Outgoing` messages
become `sendMessage`, `editMessageText` or `sendPoll` calls. Conversation state, polls and
deduplication (by `update_id`) live in our database, not in PTB's memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import gc
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from aiohttp import web
from telegram import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.constants import ChatMemberStatus, ChatType, ParseMode
from telegram.error import (
    BadRequest,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    PollAnswerHandler,
    filters,
)

from bots.telegram import render
from bots.telegram.ordering import PerSenderUpdateProcessor, sender_of
from bots.telegram.transport import AiohttpRequest
from core.dialogue.batching import on_queued
from core.dialogue.engine import ConversationEngine
from core.dialogue.inbound_failures import InboundFailures
from core.dialogue.messages import Inbound, Outgoing, failed_as, sent_as
from core.dialogue.words import LINK_ROOM_COMMANDS, PLATFORM_COMMANDS
from core.domain.vocabulary import Outcome, Platform
from core.persistence.faults import is_transient
from core.redaction import remember_secrets
from core.services.invitations import looks_like_code

log = logging.getLogger("entraide.telegram")

MENU = {
    "fr": [
        ("aide", "Comment ça marche"),
        ("demande", "Demander de l'aide"),
        ("mes_demandes", "Mes demandes"),
        ("dispo", "Demandes ouvertes (bénévoles)"),
        ("mes_missions", "Mes missions"),
        ("sondages", "Sondages en cours"),
        ("annuler", "Arrêter ce qui est en cours"),
        ("coordinateur", "Parler à un coordinateur"),
        ("langue", "Changer de langue"),
        ("lier", "Relier mon compte Matrix"),
    ],
    "en": [
        ("help", "How it works"),
        ("request", "Ask for help"),
        ("my_requests", "My requests"),
        ("available", "Open requests (volunteers)"),
        ("my_tasks", "My tasks"),
        ("polls", "Open polls"),
        ("cancel", "Stop what is going on"),
        ("coordinator", "Talk to a coordinator"),
        ("language", "Change language"),
        ("link", "Link my Matrix account"),
    ],
}
ALLOWED_UPDATES = [
    "message",
    "edited_message",
    "callback_query",
    "poll",
    "poll_answer",
    "my_chat_member",
]
DELIVERY_INTERVAL = 0.3
# Updates handled at once: they join one transaction (the engine's group commit), so a whole
# getUpdates batch (at most 100) costs little more than one update.
CONCURRENT_UPDATES = 100
# Connections to the Bot API: the sends, and what handlers ask at once (answerCallbackQuery).
CONNECTIONS = 64
# Replies sent at once (network waits, not CPU). Also the most a crash can send twice: a
# message Telegram accepted whose send the killed process had not recorded yet.
CONCURRENT_SENDS = 8
POLL_TIMEOUT = 10
# Deep links' payloads are [A-Za-z0-9_-]{1,64}; link codes are six letters and digits.
INVITATION_PREFIX = "join_"
RETRY_BACKOFF = timedelta(seconds=5)
# Who is in a group, for getChatMember (a private poll is skipped only for them).
IN_GROUP = frozenset(
    {ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.MEMBER}
)


@dataclass
class TelegramSettings:
    token: str
    api_url: str | None = None
    webhook_url: str | None = None
    webhook_listen: str = "127.0.0.1:8443"
    rate_limited: bool = True


class TelegramChannel:
    """Owns the PTB `Application` and the outbox delivery loop for Telegram."""

    def __init__(self, engine: ConversationEngine, settings: TelegramSettings) -> None:
        self.engine = engine
        self.settings = settings
        # The token is in the URL of every call (errors quote it): never logged, never stored.
        remember_secrets([settings.token, _webhook_secret(settings.token)])
        self.app = self._build()
        self.username: str | None = None
        self._handling = False
        # Updates whose handler raised, with the error (see _on_error).
        self._failed: dict[int, BaseException] = {}
        # Tries of updates that failed: fetched again, or set aside (dead letters).
        self._failures = InboundFailures(engine, "telegram", transient=_passes)
        self._sends: set[asyncio.Task[None]] = set()
        self._sends_by_sender: dict[str, asyncio.Task[None]] = {}
        self._send_slots = asyncio.Semaphore(CONCURRENT_SENDS)

    def _build(self) -> Application:
        builder = ApplicationBuilder().token(self.settings.token)
        if self.settings.api_url:
            # TELEGRAM_API_URL is PTB's base_url ("https://api.telegram.org/bot"): the token is
            # appended to it; files live beside it under /file/bot.
            base = self.settings.api_url.rstrip("/")
            root = base.removesuffix("/bot")
            builder = builder.base_url(base).base_file_url(f"{root}/file/bot")
        if self.settings.rate_limited:
            builder = builder.rate_limiter(AIORateLimiter(max_retries=0))
        # aiohttp rather than PTB's httpx: a third of the CPU per call (see transport.py).
        builder = builder.request(AiohttpRequest(CONNECTIONS)).get_updates_request(
            AiohttpRequest(1, read_timeout=POLL_TIMEOUT + 10)
        )
        app = builder.concurrent_updates(PerSenderUpdateProcessor(CONCURRENT_UPDATES)).build()
        app.add_handler(CommandHandler("start", self.on_start))
        app.add_handler(CommandHandler(sorted(LINK_ROOM_COMMANDS), self.on_link_group))
        app.add_handler(CommandHandler(sorted(PLATFORM_COMMANDS), self.on_command))
        app.add_handler(CallbackQueryHandler(self.on_button))
        app.add_handler(PollAnswerHandler(self.on_poll_answer))
        private = filters.ChatType.PRIVATE
        app.add_handler(MessageHandler(private & filters.TEXT & ~filters.COMMAND, self.on_text))
        app.add_handler(
            MessageHandler(
                private & (filters.VOICE | filters.AUDIO | filters.VIDEO_NOTE), self.on_voice
            )
        )
        app.add_handler(MessageHandler(private & ~filters.TEXT & ~filters.COMMAND, self.on_other))
        app.add_error_handler(self._on_error)
        return app

    # --- life cycle ----------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Poll Telegram (or serve the webhook) and deliver the outbox until `stop` is set."""
        await self.app.initialize()
        me = await self.app.bot.get_me()
        self.username = me.username
        await self.set_commands()
        await self.app.start()
        # What start-up made (modules, the NLU model, PTB's and SQLAlchemy's structures) lives
        # as long as the process: out of the collector's full passes, which otherwise pause a
        # busy bot ~100 ms (measured with bench/telegram.py).
        gc.freeze()
        assert self.app.updater is not None
        tasks = [asyncio.create_task(self._deliver_forever(stop), name="telegram-delivery")]
        webhook: web.AppRunner | None = None
        if self.settings.webhook_url:
            webhook = await self._start_webhook()
        else:
            await self.app.bot.delete_webhook()
            tasks.append(asyncio.create_task(self._poll_forever(stop), name="telegram-polling"))
        try:
            await stop.wait()
        finally:
            # Let a round that is writing to the database finish: cancelling it in the middle
            # of a transaction would leave a connection behind. Only a wait on the network
            # (long polling) is cancelled.
            if not self._handling:
                for task in tasks[1:]:
                    task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if webhook is not None:  # finishes the calls being handled, refuses new ones
                await webhook.cleanup()
            while self._sends:  # the replies already leased to this process go out first
                await asyncio.gather(*self._sends, return_exceptions=True)
            await self.engine.finish()
            if self.app.updater.running:
                await self.app.updater.stop()
            await self.app.stop()
            await self.app.shutdown()

    async def _start_webhook(self) -> web.AppRunner:
        """Receive Telegram's webhook calls at `webhook_listen` (behind the HTTPS proxy of
        ENTRAIDE_TELEGRAM_WEBHOOK_URL).

        Each call is answered once its update is in our database: 200 then, 500 if handling
        failed, so that Telegram keeps the update and calls again (PTB's own webhook answers
        at once, and a crash in between would lose the update).
        """
        assert self.settings.webhook_url
        host, _, port = self.settings.webhook_listen.rpartition(":")
        path = "/" + self.settings.webhook_url.rstrip("/").rsplit("/", 1)[-1]
        server = web.Application(client_max_size=1024 * 1024)
        server.router.add_post(path, self._on_webhook_call)
        runner = web.AppRunner(server, handle_signals=False, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, host or "127.0.0.1", int(port)).start()
        await self.app.bot.set_webhook(
            self.settings.webhook_url,
            allowed_updates=ALLOWED_UPDATES,
            secret_token=_webhook_secret(self.settings.token),
        )
        return runner

    async def _on_webhook_call(self, request: web.Request) -> web.Response:
        secret = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        if not hmac.compare_digest(secret, _webhook_secret(self.settings.token)):
            return web.Response(status=403)
        try:
            update = Update.de_json(await request.json(), self.app.bot)
        except ValueError:
            return web.Response(status=400)
        if update is None:
            return web.Response(status=200)
        handled = False

        async def process() -> None:
            nonlocal handled
            handled = await self._process(update)

        # Through PTB's update processor: at most CONCURRENT_UPDATES at once, and one person's
        # updates one at a time, in the order they came.
        await self.app.update_processor.process_update(update, process())
        return web.Response(status=200 if handled else 500)

    async def _poll_forever(self, stop: asyncio.Event) -> None:
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
                await asyncio.sleep(_seconds(exc.retry_after))
                continue
            except (NetworkError, TimedOut) as exc:
                log.warning("getUpdates failed (%s): retrying in %.0f s", exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 30.0)
                continue
            backoff = 1.0
            if not updates:
                continue
            self._handling = True
            try:
                failed = await self._process_batch(updates)
            finally:
                self._handling = False
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

    async def _process_batch(self, updates: tuple[Update, ...]) -> list[int]:
        """Different people at the same time, each person's updates in order.

        Returns the ids of the updates that failed: a person's updates after a failed one are
        left for later too, so that they are never handled out of order (those already in the
        engine's queue when it failed are handled, in the same transaction as it would have
        been: they fail with it, unless it alone was at fault).
        """
        by_sender: dict[object, list[Update]] = {}
        for update in updates:
            by_sender.setdefault(sender_of(update) or update.update_id, []).append(update)
        slots = asyncio.Semaphore(CONCURRENT_UPDATES)
        failed: list[int] = []

        async def one_sender(queue: list[Update]) -> None:
            async with slots:
                # Each update starts once the one before has its place in the engine's queue
                # (not once it is answered): still in order, but a burst of one person's
                # updates shares a transaction instead of taking one each, in turn, while
                # the next getUpdates (everyone else's messages) waits for this batch.
                halted: list[int] = []
                previous: asyncio.Event | None = None
                tasks = []
                for update in queue:
                    queued = asyncio.Event()
                    context = contextvars.copy_context()
                    context.run(on_queued.set, queued.set)
                    work = self._in_order(update, previous, queued, halted)
                    tasks.append(asyncio.create_task(work, context=context))
                    previous = queued
                for update, handled in zip(queue, await asyncio.gather(*tasks), strict=True):
                    if handled is False:
                        failed.append(update.update_id)

        await asyncio.gather(*(one_sender(queue) for queue in by_sender.values()))
        return failed

    async def _in_order(
        self,
        update: Update,
        after: asyncio.Event | None,
        queued: asyncio.Event,
        halted: list[int],
    ) -> bool | None:
        """Handle `update` once the update before it is queued or done; None if a failure
        before it halts this person's updates (they are left for later, in order)."""
        try:
            if after is not None:
                await after.wait()
            if halted:
                return None
            handled = await self._process(update)
            if not handled:
                halted.append(update.update_id)
            return handled
        finally:
            queued.set()

    async def _process(self, update: Update) -> bool:
        """Run the handlers; False if the update must be fetched again.

        A handler that failed (PTB reports it to `_on_error`, not here) makes the update come
        again while the fault may pass (the database away); one that keeps failing, or fails
        on a wrong value, is set aside as a dead letter and counts as done: the bot moves on.
        """
        await self.app.process_update(update)
        ref = str(update.update_id)
        error = self._failed.pop(update.update_id, None)
        if error is None:
            self._failures.succeeded(ref)
            return True
        return await self._failures.failed(ref, error, lambda: _payload(update))

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A handler raised: log it, and remember the update so that it is not confirmed."""
        update_id = update.update_id if isinstance(update, Update) else None
        log.error("update %s could not be handled", update_id, exc_info=context.error)
        if update_id is not None:
            self._failed[update_id] = context.error or RuntimeError("unknown error")

    async def set_commands(self) -> None:
        """The command menu in French (default) and English (`language_code`)."""
        bot = self.app.bot
        for language, entries in MENU.items():
            commands = [BotCommand(name, text) for name, text in entries]
            await bot.set_my_commands(
                commands,
                scope=BotCommandScopeAllPrivateChats(),
                language_code=None if language == "fr" else language,
            )

    # --- updates -> engine ---------------------------------------------------------------------

    def _inbound(self, update: Update, **fields: Any) -> Inbound:
        user = update.effective_user
        chat = update.effective_chat
        assert user is not None
        private = chat is not None and chat.type == ChatType.PRIVATE
        return Inbound(
            platform=Platform.TELEGRAM,
            user_ref=str(user.id),
            chat_ref=str(chat.id) if private and chat is not None else None,
            display_name=user.first_name,
            language=user.language_code,
            message_ref=f"update:{update.update_id}",
            **fields,
        )

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A private message in the member's own words."""
        message = update.effective_message
        assert message is not None
        await self._handle(self._inbound(update, text=message.text))

    async def on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """`/aide`, `/demande`... (English aliases too) in a private chat."""
        message = update.effective_message
        assert message is not None and message.text is not None
        if message.chat.type != ChatType.PRIVATE:
            return  # in groups only /lier_groupe speaks; members talk to the bot privately
        name = message.text.split()[0].lstrip("/").split("@")[0].lower()
        action = PLATFORM_COMMANDS.get(name, "menu")
        if action == "abort":
            await self._handle(self._inbound(update, text="annuler"))
            return
        if action == "link" and context.args:
            action = f"link:{context.args[0][:16]}"
        await self._handle(self._inbound(update, action=action))

    async def on_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """`/start` opens the conversation. A deep link's payload: `join_<code>` (an invitation
        to a territory, see `entraide territory invite`), or a link code (joins a Matrix
        account)."""
        message = update.effective_message
        assert message is not None
        if message.chat.type != ChatType.PRIVATE:
            return
        await self._handle(self._inbound(update, action=start_action(context.args)))

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A button press: answered at once, then handled like a chosen action."""
        query = update.callback_query
        assert query is not None and update.effective_user is not None
        chat = update.effective_chat
        in_group = chat is not None and chat.type != ChatType.PRIVATE
        if in_group and not await self.engine.has_private_chat(
            Platform.TELEGRAM, str(update.effective_user.id)
        ):
            await query.answer(self._open_me_first(update), show_alert=True)
            await self._send_deep_link(chat.id if chat else None, update)
            return
        await query.answer()
        inbound = self._inbound(update, action=query.data or "")
        replies = await self.engine.handle(inbound)
        pressed = query.message if not in_group else None

        async def answer() -> None:
            rest = replies
            if pressed is not None and replies:
                # After a choice, the message with the buttons becomes the answer.
                chat_id, message_id = pressed.chat_id, pressed.message_id
                if await self._edit(chat_id, message_id, replies[0]):
                    await self._record([sent_as(replies[0], _ref(chat_id, message_id))])
                    rest = replies[1:]
            await self._send_all(rest)

        self._send_later(inbound.user_ref, answer)

    async def on_poll_answer(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A vote in a native poll (changed votes and retractions included)."""
        answer = update.poll_answer
        if answer is None or answer.user is None:
            return  # a vote cast as a channel or chat: not a member
        poll_id = await self.engine.poll_for_publication(Platform.TELEGRAM, answer.poll_id)
        if poll_id is None:
            return
        choice = ",".join(str(i) for i in answer.option_ids)
        await self._handle(self._inbound(update, action=f"vote_set:{poll_id}:{choice}"))

    async def on_voice(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Voice messages cannot be understood yet: say so kindly."""
        await self._handle(self._inbound(update, action="voice"))

    async def on_other(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Photos, stickers, files: the bot only reads text."""
        await self._handle(self._inbound(update, action="not_text"))

    async def on_link_group(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """`/lier_groupe` by a coordinator makes this group the territory's public room."""
        message = update.effective_message
        chat = update.effective_chat
        assert message is not None and chat is not None
        if chat.type == ChatType.PRIVATE:
            await self._handle(self._inbound(update, action="link_group_private"))
            return
        await self._handle(
            self._inbound(update, action=f"link_group:{chat.id}"), group_chat=chat.id
        )

    async def _handle(self, inbound: Inbound, group_chat: int | None = None) -> None:
        replies = await self.engine.handle(inbound)
        if group_chat is not None:
            replies = [r if r.chat_ref else _to_chat(r, group_chat) for r in replies]
        self._send_later(inbound.user_ref, lambda: self._send_all(replies))

    def _send_later(self, sender: str, send: Callable[[], Awaitable[None]]) -> None:
        """Send the replies to an update without holding the update up.

        Once the engine has answered, the replies are in the outbox, leased to this process: the
        update can be confirmed to Telegram and the next ones handled while these are sent (a
        crash before the send leaves them to the outbox). The replies to one person's updates
        still go out in the order of the updates.
        """
        previous = self._sends_by_sender.get(sender)

        async def in_turn() -> None:
            if previous is not None:
                await asyncio.wait([previous])
            async with self._send_slots:
                try:
                    await send()
                except Exception:  # a send must never take the channel down
                    log.exception("sending the replies to %s failed", sender)

        task = asyncio.create_task(in_turn())
        self._sends_by_sender[sender] = task
        self._sends.add(task)
        task.add_done_callback(lambda done: self._forget_send(sender, done))

    def _forget_send(self, sender: str, task: asyncio.Task[None]) -> None:
        self._sends.discard(task)
        if self._sends_by_sender.get(sender) is task:
            del self._sends_by_sender[sender]

    # --- engine -> Telegram ----------------------------------------------------------------------

    async def _deliver_forever(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                pending = await self.engine.pending(Platform.TELEGRAM)
                async with self._send_slots:
                    await self._send_all(pending)
            except Exception:  # a delivery round must never stop the loop
                log.exception("outbox delivery round failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), DELIVERY_INTERVAL)

    async def _send_all(self, messages: list[Outgoing]) -> None:
        for message in messages:
            await self._deliver(message)

    async def _deliver(self, message: Outgoing) -> None:
        """Send one message and record how it ended; failures go back to the outbox or not.

        Each try counts: past `max_delivery_attempts` the outbox sets the message aside.
        """
        try:
            done = await self._send(message)
        except RetryAfter as exc:
            wait = _seconds(exc.retry_after)
            await self.engine.release(message, f"RetryAfter {wait}", timedelta(seconds=wait))
            return
        except TimedOut as exc:
            # The message may have arrived: do not send it twice. Recorded as uncertain (a
            # contact card is followed by the details again: see record_sends).
            log.warning("timed out sending notification %s: not retried", message.notification_id)
            done = failed_as(message, Outcome.UNCERTAIN, f"TimedOut: {exc}")
        except Forbidden as exc:
            await self.engine.unreachable(message, str(exc))
            return
        except BadRequest as exc:  # before NetworkError, of which PTB makes it a subclass
            log.error("Telegram refused notification %s: %s", message.notification_id, exc)
            done = failed_as(message, Outcome.REFUSED, f"BadRequest: {exc}")
        except NetworkError as exc:  # includes BadGateway and dropped connections
            await self.engine.release(message, f"{type(exc).__name__}: {exc}", RETRY_BACKOFF)
            return
        except Exception as exc:  # this message only: the others of the round still go out
            log.exception("notification %s could not be sent", message.notification_id)
            await self.engine.release(message, f"{type(exc).__name__}: {exc}", RETRY_BACKOFF)
            return
        await self._record([done])

    async def _record(self, sent: list[Outgoing]) -> None:
        # Awaited, so that at most CONCURRENT_SENDS messages are ever sent but not recorded
        # (what a crash could send twice); the engine batches the records of many sends.
        await self.engine.mark_delivered(sent)

    async def _send(self, message: Outgoing) -> Outgoing:
        """Send (or edit) and return the message with its outcome (sent, or skipped)."""
        chat_id = message.chat_ref
        if chat_id is None:
            return failed_as(message, Outcome.SKIPPED, "no chat to write in")
        if _is_native_poll(message):
            return await self._send_poll(message, chat_id)
        if message.key.startswith("Poll closed"):
            await self._stop_polls(message)
        if (
            message.channel_id is not None
            and message.topic
            and message.topic.startswith("request:")
        ):
            # The group's post about this request is edited ("taken", "cancelled"): the last
            # one that was sent, whatever happened to the posts after it.
            previous = await self.engine.last_channel_message(message.channel_id, message.topic)
            target = _parse_ref(previous) if previous is not None else None
            if target is not None:
                if await self._edit(*target, message):
                    return sent_as(message, previous)
                if not any(b.action.startswith("accept:") for b in message.buttons):
                    # Not editable: at least the old post no longer offers to help.
                    await self._remove_buttons(*target)
        parts = render.html_parts(message)
        sent = None
        for index, part in enumerate(parts):
            markup = render.keyboard(message) if index == len(parts) - 1 else None
            sent = await self.app.bot.send_message(
                chat_id, part, parse_mode=ParseMode.HTML, reply_markup=markup
            )
        assert sent is not None
        return sent_as(message, _ref(sent.chat_id, sent.message_id))

    async def _edit(self, chat_id: int, message_id: int, message: Outgoing) -> bool:
        parts = render.html_parts(message)
        if len(parts) != 1:
            return False
        try:
            await self.app.bot.edit_message_text(
                parts[0],
                chat_id=chat_id,
                message_id=message_id,
                parse_mode=ParseMode.HTML,
                reply_markup=render.keyboard(message),
            )
        except BadRequest as exc:
            if "not modified" in str(exc).lower():
                return True
            log.info("could not edit %s:%s (%s): sending a new message", chat_id, message_id, exc)
            return False
        return True

    async def _remove_buttons(self, chat_id: int, message_id: int) -> None:
        """Take the buttons off a message (best effort: it may be gone or too old)."""
        try:
            await self.app.bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)
        except TelegramError as exc:  # the new message is what matters: it is sent all the same
            log.info("could not take the buttons off %s:%s (%s)", chat_id, message_id, exc)

    async def _send_poll(self, message: Outgoing, chat_id: str) -> Outgoing:
        poll_id = int(message.params["poll_id"])  # type: ignore[arg-type]
        if await self.engine.skip_private_poll(
            message, Platform.TELEGRAM, in_group=self._in_group
        ):
            return failed_as(message, Outcome.SKIPPED, "in the group, where the poll is")
        labels = [button.label[:100] for button in message.buttons]
        question = str(message.params.get("question", ""))[:300]
        sent = await self.app.bot.send_poll(
            chat_id,
            question,
            labels,
            is_anonymous=False,
            allows_multiple_answers=message.params.get("kind") == "multiple",
        )
        assert sent.poll is not None
        await self.engine.publish_poll(
            poll_id, Platform.TELEGRAM, str(sent.chat_id), str(sent.message_id), sent.poll.id
        )
        return sent_as(message, _ref(sent.chat_id, sent.message_id))

    async def _in_group(self, chat_ref: str, user_ref: str) -> bool:
        """Whether Telegram says this user is in this group now.

        The Bot API cannot list a group's members, but getChatMember answers for one user in a
        group the bot is in: one call per member and poll. When it cannot answer, the member
        is taken as not in the group and gets the poll privately (twice is better than never).
        """
        try:
            member = await self.app.bot.get_chat_member(int(chat_ref), int(user_ref))
        except (TelegramError, ValueError) as exc:
            log.info("getChatMember %s in %s: %s", user_ref, chat_ref, exc)
            return False
        # A restricted member may not see or vote in everything: they get the private copy.
        return member.status in IN_GROUP

    async def _stop_polls(self, message: Outgoing) -> None:
        poll_id = message.params.get("poll_id")
        if poll_id is None or message.chat_ref is None:
            return
        for chat, message_id in await self.engine.poll_messages(
            int(poll_id), Platform.TELEGRAM, message.chat_ref
        ):
            try:
                await self.app.bot.stop_poll(int(chat), int(message_id))
            except BadRequest as exc:  # already stopped, or deleted by a member
                log.info("stopPoll %s:%s: %s", chat, message_id, exc)

    def _open_me_first(self, update: Update) -> str:
        language = (
            (update.effective_user.language_code or "fr")[:2] if update.effective_user else "fr"
        )
        return self.engine.translate(
            language, "Please open a private chat with me first: I send the details there."
        )

    async def _send_deep_link(self, chat_id: int | None, update: Update) -> None:
        if chat_id is None or self.username is None:
            return
        language = (
            (update.effective_user.language_code or "fr")[:2] if update.effective_user else "fr"
        )
        text = self.engine.translate(language, "To help, first open a private chat with me:")
        button = InlineKeyboardButton(
            self.engine.translate(language, "Open the chat"),
            url=f"https://t.me/{self.username}?start=go",
        )
        try:
            await self.app.bot.send_message(
                chat_id,
                render.to_html(text),
                parse_mode=ParseMode.HTML,
                reply_markup=InlineKeyboardMarkup([[button]]),
            )
        except (NetworkError, Forbidden) as exc:
            log.info("could not post the deep link in %s: %s", chat_id, exc)


def start_action(args: list[str] | None) -> str:
    """The engine's action for `/start PAYLOAD` (Telegram passes deep links' payloads so)."""
    payload = args[0][:64] if args else ""
    code = payload.removeprefix(INVITATION_PREFIX)
    if payload.startswith(INVITATION_PREFIX) and looks_like_code(code):
        # An invitation's code (or an old link's territory id): the engine checks it.
        return f"join:{code}"
    if payload and payload.isalnum() and payload != "go":
        return f"link:{payload[:16]}"
    return "menu"


def invitation_link(bot_username: str, code: str) -> str:
    """The link that opens the bot with an invitation's code (for posters, leaflets, QR codes):
    newcomers who follow it join the invitation's territory while it is valid."""
    return f"https://t.me/{bot_username}?start={INVITATION_PREFIX}{code}"


def _passes(error: BaseException) -> bool:
    """A fault that may pass: the Bot API unreachable or busy, the database away. A refusal
    (BadRequest: a query too old to answer...), a data error or a bug is not."""
    if isinstance(error, RetryAfter):
        return True
    if isinstance(error, NetworkError) and not isinstance(error, BadRequest):
        return True
    return is_transient(error)


def _payload(update: Update) -> str:
    """The update as JSON, for a person to look at in the dead letters (capped there)."""
    return json.dumps(update.to_dict(), ensure_ascii=False, default=str)


def _ref(chat_id: int, message_id: int) -> str:
    return f"{chat_id}:{message_id}"


def _parse_ref(reference: str) -> tuple[int, int] | None:
    """The chat and message ids of a reference made by `_ref`; None for anything else."""
    chat, _, message_id = reference.partition(":")
    try:
        return int(chat), int(message_id)
    except ValueError:
        log.warning("not a Telegram message reference: %r", reference[:60])
        return None


def _to_chat(message: Outgoing, chat_id: int) -> Outgoing:
    from dataclasses import replace

    return replace(message, chat_ref=str(chat_id))


def _is_native_poll(message: Outgoing) -> bool:
    """Open-ballot polls become native Telegram polls; secret ballots stay private buttons."""
    return (
        message.key.startswith("New poll")
        and "poll_id" in message.params
        and not message.params.get("secret")
    )


def _webhook_secret(token: str) -> str:
    """A secret Telegram echoes in each webhook call, derived from the token (not guessable)."""
    import hashlib

    return hashlib.sha256(f"entraide-webhook:{token}".encode()).hexdigest()[:64]


def _seconds(period: int | float | timedelta) -> float:
    """PTB gives `retry_after` as seconds or, with PTB_TIMEDELTA, as a timedelta."""
    return period.total_seconds() if isinstance(period, timedelta) else float(period)

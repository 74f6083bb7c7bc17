"""The Telegram channel: updates in, outbox out, through the same engine as every platform.

A translator of Telegram's objects, in three parts: `updates` (long polling or the webhook,
confirmed once handled), `handlers` (a PTB `Update` becomes an `Inbound`) and `sender` (the
`Sender` primitives: sendMessage, editMessageText, sendPoll...). Conversation state, polls and
deduplication (by `update_id`) live in our database, not in PTB's memory; the outbox is
delivered by the shared `OutboxPump`, each person's replies in order (`PersonQueue`).
"""

from __future__ import annotations

import asyncio
import gc
import logging
from dataclasses import dataclass

from aiohttp import web
from telegram import BotCommand, BotCommandScopeAllPrivateChats
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder

from bots import commands
from bots.inlet import Inlet
from bots.ordering import PersonQueue
from bots.pump import OutboxPump
from bots.telegram.handlers import TelegramHandlers
from bots.telegram.sender import TelegramSender
from bots.telegram.transport import AiohttpRequest
from bots.telegram.updates import POLL_TIMEOUT, TelegramUpdates, passes, webhook_secret
from core.dialogue.engine import ConversationEngine
from core.dialogue.inbound_failures import InboundFailures
from core.dialogue.port import ChannelPort
from core.domain.vocabulary import Platform
from core.redaction import remember_secrets

log = logging.getLogger("entraide.telegram")

# Connections to the Bot API: the sends, and what handlers ask at once (answerCallbackQuery).
CONNECTIONS = 64


@dataclass
class TelegramSettings:
    token: str
    api_url: str | None = None
    webhook_url: str | None = None
    webhook_listen: str = "127.0.0.1:8443"
    rate_limited: bool = True


class TelegramChannel:
    """Owns the PTB `Application`; its `TelegramSender` delivers for the shared pump."""

    platform = Platform.TELEGRAM
    connected = True  # sends are tried whenever; a failure says when to try again

    def __init__(
        self, engine: ConversationEngine, port: ChannelPort, settings: TelegramSettings
    ) -> None:
        self.engine = engine
        self.settings = settings
        # The token is in the URL of every call (errors quote it): never logged, never stored.
        remember_secrets([settings.token, webhook_secret(settings.token)])
        self.app = self._build()
        self.sender = TelegramSender(self.app.bot)
        self.pump = OutboxPump(self.sender, port, engine)
        self.queue = PersonQueue()
        self.handlers = TelegramHandlers(
            Inlet(engine, self.pump, self.queue, wake_pump=False), port
        )
        self.handlers.register(self.app)
        failures = InboundFailures(engine, Platform.TELEGRAM, transient=passes)
        self.updates = TelegramUpdates(self.app, self.queue, failures, settings.token)

    @property
    def username(self) -> str | None:
        return self.handlers.username

    def _build(self) -> Application:  # type: ignore[type-arg]
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
        return builder.build()

    # --- life cycle ----------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Poll Telegram (or serve the webhook) and deliver the outbox until `stop` is set."""
        await self.app.initialize()
        me = await self.app.bot.get_me()
        self.handlers.username = me.username
        await self.set_commands()
        await self.app.start()
        # What start-up made (modules, the NLU model, PTB's and SQLAlchemy's structures) lives
        # as long as the process: out of the collector's full passes, which otherwise pause a
        # busy bot ~100 ms (measured with bench/telegram.py).
        gc.freeze()
        tasks = [asyncio.create_task(self.pump.run(stop), name="telegram-delivery")]
        webhook: web.AppRunner | None = None
        if self.settings.webhook_url:
            webhook = await self.updates.start_webhook(
                self.settings.webhook_url, self.settings.webhook_listen
            )
        else:
            await self.app.bot.delete_webhook()
            polling = self.updates.poll_forever(stop)
            tasks.append(asyncio.create_task(polling, name="telegram-polling"))
        try:
            await stop.wait()
        finally:
            # Let a round that is writing to the database finish: cancelling it in the middle
            # of a transaction would leave a connection behind. Only a wait on the network
            # (long polling) is cancelled.
            if not self.updates.handling:
                for task in tasks[1:]:
                    task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if webhook is not None:  # finishes the calls being handled, refuses new ones
                await webhook.cleanup()
            await self.queue.drain()  # the replies already leased to this process go out first
            await self.engine.finish()
            await self.app.stop()
            await self.app.shutdown()

    async def set_commands(self) -> None:
        """The command menu in French (default) and English (`language_code`)."""
        for language in commands.MENU_LANGUAGES:
            await self.app.bot.set_my_commands(
                [BotCommand(name, text) for name, text in commands.menu(language)],
                scope=BotCommandScopeAllPrivateChats(),
                language_code=None if language == "fr" else language,
            )

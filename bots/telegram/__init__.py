"""The Telegram channel (python-telegram-bot 22): a thin adapter over the conversation engine."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bots.telegram.channel import TelegramChannel
    from core.app import Core
    from core.config import Settings
    from core.dialogue.engine import ConversationEngine
    from core.dialogue.port import ChannelPort


def channel_from_settings(
    core: Core, engine: ConversationEngine | None = None, port: ChannelPort | None = None
) -> TelegramChannel | None:
    """The Telegram channel if TELEGRAM_BOT_TOKEN is set."""
    settings = core.settings
    if settings.telegram_bot_token is None:
        return None
    from bots.bootstrap import build_engine
    from bots.telegram.channel import TelegramChannel, TelegramSettings
    from core.dialogue.port import ChannelPort

    return TelegramChannel(
        engine or build_engine(core),
        port or ChannelPort(core),
        TelegramSettings(
            token=settings.telegram_bot_token.get_secret_value(),
            api_url=settings.telegram_api_url,
            webhook_url=settings.telegram_webhook_url,
            webhook_listen=settings.telegram_webhook_listen,
        ),
    )


async def bot_username(settings: Settings) -> str | None:
    """The bot's @username, asked to Telegram (getMe); None without TELEGRAM_BOT_TOKEN."""
    if settings.telegram_bot_token is None:
        return None
    from telegram import Bot

    base_url = (settings.telegram_api_url or "https://api.telegram.org/bot").rstrip("/")
    async with Bot(settings.telegram_bot_token.get_secret_value(), base_url=base_url) as bot:
        return bot.username

"""Webhook mode (ENTRAIDE_TELEGRAM_WEBHOOK_URL): Telegram pushes updates to our receiver.

Our local Bot API server posts each update, as Telegram does, to where the HTTPS proxy would
forward it on 127.0.0.1, until the bot answers 2xx.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from bots.telegram.channel import TelegramChannel, TelegramSettings
from bots.telegram.updates import ALLOWED_UPDATES
from core.app import Core
from core.dialogue.engine import ConversationEngine
from core.dialogue.port import ChannelPort
from tests.conftest import make_settings
from tests.integration._support import free_port, outbox_settled
from tests.telegram.harness import ptb_timedelta as ptb_timedelta  # autouse

from .bot_api import FakeBotApi
from .database_faults import database_away_once

pytestmark = pytest.mark.slow
PUBLIC_URL = "https://entraide.example.org/telegram-hook"


@dataclass
class Hooked:
    api: FakeBotApi
    core: Core
    local_url: str


@pytest.fixture
async def hooked(tmp_path: Path) -> AsyncIterator[Hooked]:
    api = await FakeBotApi.start()
    core = Core.open(make_settings(f"sqlite+aiosqlite:///{tmp_path / 'hook.sqlite3'}"))
    await core.create_schema()
    port = free_port()
    local_url = f"http://127.0.0.1:{port}/telegram-hook"
    api.deliver_webhooks_to(local_url)  # what the proxy in front of the bot would do
    channel = TelegramChannel(
        ConversationEngine(core),
        ChannelPort(core),
        TelegramSettings(
            token=api.token,
            api_url=api.base_url,
            webhook_url=PUBLIC_URL,
            webhook_listen=f"127.0.0.1:{port}",
            rate_limited=False,
        ),
    )
    stop = asyncio.Event()
    running = asyncio.create_task(channel.run(stop))
    await api.wait_until(lambda: api.webhook_url, 10)
    try:
        yield Hooked(api, core, local_url)
    finally:
        stop.set()
        await asyncio.wait_for(running, 20)
        await core.close()
        await api.stop()
    assert api.server_errors == []


async def test_the_webhook_is_set_with_a_secret_and_the_updates_the_bot_needs(
    hooked: Hooked,
) -> None:
    webhook = hooked.api.webhook
    assert webhook["url"] == PUBLIC_URL
    assert webhook["secret_token"]
    assert {"callback_query", "poll_answer"} <= set(webhook["allowed_updates"])
    assert set(webhook["allowed_updates"]) == set(ALLOWED_UPDATES)


async def test_a_pushed_update_is_answered_and_long_polling_is_not_used(hooked: Hooked) -> None:
    odette = hooked.api.user(600, "Odette", language_code="fr")
    hooked.api.command(odette, "/start")
    await hooked.api.wait_sent(odette, 1, timeout=10)
    assert hooked.api.webhook_calls[-1][1] == 200
    assert not hooked.api.requests("getUpdates")


async def test_a_call_whose_handling_fails_gets_a_500_and_the_repeat_is_answered_once(
    hooked: Hooked, monkeypatch: pytest.MonkeyPatch
) -> None:
    database_away_once(monkeypatch)
    odette = hooked.api.user(600, "Odette", language_code="fr")
    hooked.api.command(odette, "/start")
    await hooked.api.wait_sent(odette, 1, timeout=10)
    await hooked.api.wait_confirmed()  # the repeat was answered 200: handled
    await outbox_settled(hooked.core)  # and all it wrote is sent
    statuses = [status for _, status in hooked.api.webhook_calls]
    assert statuses == [500, 200]
    texts = [m.text for m in hooked.api.sent(odette)]
    assert "bienvenue" in (texts[0] or "")
    assert len(texts) == len(set(texts))  # the welcome and the question, once each


async def test_a_call_without_the_secret_token_is_refused_and_changes_nothing(
    hooked: Hooked,
) -> None:
    forged = {
        "update_id": 1,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": 666, "type": "private", "first_name": "Mallory"},
            "from": {"id": 666, "is_bot": False, "first_name": "Mallory"},
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }
    async with aiohttp.ClientSession() as session:
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "guess"}):
            async with session.post(hooked.local_url, json=forged, headers=headers) as response:
                assert response.status == 403
    # A call is handled before it is answered: had one been, its replies would be in the
    # outbox now; drained, they would have been sent.
    await outbox_settled(hooked.core)
    assert not hooked.api.sent(666)

"""A cooperative on Telegram for the security tests: the real PTB channel, our local Bot API.

The cooperative of `tests.conftest` (on SQLite and PostgreSQL, with its frozen clock: a send
given back to the outbox is tried again only when a test moves the clock) gets a Telegram
account for each member and a group linked as its territory's public room.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from bots.telegram.channel import TelegramChannel
from core.services import channels
from tests.conftest import Cooperative
from tests.telegram.bot_api import FakeBotApi, FakeChat, FakeUser
from tests.telegram.harness import running_channel, telegram_account

# A token shaped like a real one (digits, a colon, 35 characters): what leaks must be found.
REAL_LOOKING_TOKEN = "7123456789:AAHfz3Qk9_VxLmN2pR8sT4uW6yZ0bC1dE-g"


@dataclass
class TelegramScene:
    api: FakeBotApi
    coop: Cooperative
    channel: TelegramChannel
    group: FakeChat
    claire: FakeUser  # coordinator
    alice: FakeUser  # requester
    bob: FakeUser  # volunteer
    carol: FakeUser  # volunteer


@asynccontextmanager
async def telegram_scene(
    coop: Cooperative, *, token: str = "123:ABC", read_timeout: float | None = None
) -> AsyncIterator[TelegramScene]:
    """The cooperative on Telegram, its channel running; stopped and checked afterwards."""
    api = await FakeBotApi.start(token=token)
    users = {
        coop.coordinator: api.user(100, "Claire", started=True),
        coop.alice: api.user(300, "Alice", started=True),
        coop.bob: api.user(200, "Bob", started=True),
        coop.carol: api.user(201, "Carol", started=True),
    }
    async with coop.core.uow() as uow:
        for member_id, user in users.items():
            await telegram_account(uow, user.id, member_id=member_id)
        await uow.commit()
    group = api.group(title="Entraide Rezé")
    api.add_bot_to_group(group, users[coop.coordinator])
    async with coop.core.uow() as uow:
        await channels.link_channel(uow, coop.coordinator, "telegram", str(group.id))
        await uow.commit()
    try:
        async with running_channel(api, coop.core, read_timeout=read_timeout) as channel:
            yield TelegramScene(
                api,
                coop,
                channel,
                group,
                users[coop.coordinator],
                users[coop.alice],
                users[coop.bob],
                users[coop.carol],
            )
    finally:
        await api.stop()
    assert api.server_errors == []

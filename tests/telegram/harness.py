"""What the tests of the real Telegram adapter share: members on Telegram, a running channel.

The adapter (python-telegram-bot) runs against our local Bot API server (`FakeBotApi`):

    async with core.uow() as uow:
        member = await onboard_on_telegram(uow, territory_id, alice, roles=[Role.REQUESTER])
        await uow.commit()
    async with running_channel(api, core) as channel:
        api.command(alice, "/aide")
        ...
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any

import pytest

from bots.telegram.channel import TelegramChannel, TelegramSettings
from core.app import Core
from core.dialogue.engine import ConversationEngine, Interpreter
from core.dialogue.port import ChannelPort
from core.domain.model import Member, PlatformAccount
from core.domain.vocabulary import Platform, Role
from core.services import members
from core.services.unit_of_work import UnitOfWork

from .bot_api import FakeBotApi, FakeUser


@pytest.fixture(autouse=True)
def ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    """PTB's durations as `timedelta` (its future default), without its deprecation warning.

    Autouse in the modules that import it: `from tests.telegram.harness import ptb_timedelta
    as ptb_timedelta`.
    """
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


async def telegram_account(
    uow: UnitOfWork, user_id: int | str, *, member_id: int | None = None
) -> PlatformAccount:
    """Add (and flush) the Telegram account of `user_id`, whose private chat has the same id."""
    account = PlatformAccount(
        platform=Platform.TELEGRAM.value,
        external_id=str(user_id),
        chat_ref=str(user_id),
        member_id=member_id,
        created_at=uow.now(),
    )
    uow.session.add(account)
    await uow.session.flush()
    return account


async def onboard_on_telegram(
    uow: UnitOfWork,
    territory_id: int,
    user: FakeUser,
    *,
    roles: Iterable[Role],
    name: str | None = None,
    approve: bool = False,
    **details: Any,
) -> Member:
    """Onboard `user` (named `name`, else their first name) with a Telegram account.

    `details` go to `members.onboard_member` (skills, neighbourhood...); `approve` approves the
    member as the administrator would (volunteers start pending). Nothing is committed.
    """
    account = await telegram_account(uow, user.id)
    member = await members.onboard_member(
        uow, territory_id, name or user.first_name, roles=roles, account=account, **details
    )
    if approve:
        await members.approve_member(uow, member.id, by_id=None)
    return member


async def member_on_telegram(
    core: Core,
    territory_id: int,
    user: FakeUser,
    *,
    roles: Iterable[Role],
    name: str | None = None,
    approve: bool = False,
    **details: Any,
) -> int:
    """`onboard_on_telegram` in a transaction of its own, committed; returns the member id."""
    async with core.uow() as uow:
        member = await onboard_on_telegram(
            uow, territory_id, user, roles=roles, name=name, approve=approve, **details
        )
        await uow.commit()
        return member.id


@asynccontextmanager
async def running_channel(
    api: FakeBotApi,
    core: Core,
    *,
    interpreter: Interpreter | None = None,
    read_timeout: float | None = None,
    stop_timeout: float = 20,
) -> AsyncIterator[TelegramChannel]:
    """The Telegram channel of `core`, long polling `api`, until the block ends.

    Yields once the bot has asked for updates (what a test sends before may come in its first
    batch). A bot that crashes while starting raises its error here. `read_timeout` shortens
    the wait for the server's answers, to make sends time out soon. On the way out the channel
    is stopped and must end within `stop_timeout` seconds.
    """
    channel = TelegramChannel(
        ConversationEngine(core, interpreter),
        ChannelPort(core),
        TelegramSettings(token=api.token, api_url=api.base_url, rate_limited=False),
    )
    if read_timeout is not None:
        channel.app.bot.request._read_timeout = read_timeout  # type: ignore[attr-defined]
    stop = asyncio.Event()
    running = asyncio.create_task(channel.run(stop), name="telegram-bot")
    try:
        await api.wait_until(lambda: api.requests("getUpdates") or running.done(), 10)
        if running.done():
            running.result()  # the bot crashed: show why
        yield channel
    finally:
        stop.set()
        await asyncio.wait_for(running, stop_timeout)

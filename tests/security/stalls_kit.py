"""Helpers for the stalling-message tests: a Telegram bot on SQLite or PostgreSQL, and checks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from core.app import Core
from core.domain.model import DeadLetter
from core.domain.vocabulary import Role
from core.services import members
from tests.conftest import make_settings, postgres_schema
from tests.telegram.bot_api import FakeBotApi, FakeUser
from tests.telegram.harness import onboard_on_telegram, running_channel

TERRITORY = "Rezé"


async def database_url(stack: AsyncExitStack, backend: str, tmp_path: Path) -> str:
    """A fresh database of that kind ("sqlite" or "postgres"), removed with `stack`."""
    if backend == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'stalls.sqlite3'}"
    return await stack.enter_async_context(postgres_schema())


@dataclass
class TelegramBench:
    """The real Telegram adapter on a local Bot API server, with a small cooperative."""

    api: FakeBotApi
    core: Core
    coordinator: FakeUser
    members: list[FakeUser]
    running: AsyncExitStack = field(default_factory=AsyncExitStack)  # the channel, once started

    async def start(self) -> None:
        await self.running.enter_async_context(running_channel(self.api, self.core))

    async def close(self) -> None:
        await self.running.aclose()

    async def dead_letters(self) -> list[DeadLetter]:
        async with self.core.uow() as uow:
            return list((await uow.session.execute(select(DeadLetter))).scalars())


@asynccontextmanager
async def telegram_bench(
    backend: str, tmp_path: Path, *, max_inbound_attempts: int = 3, **settings: Any
) -> AsyncIterator[TelegramBench]:
    """Yield a bench (not started) whose coordinator and members are Telegram accounts."""
    async with AsyncExitStack() as stack:
        url = await database_url(stack, backend, tmp_path)
        api = await FakeBotApi.start()
        stack.push_async_callback(api.stop)
        settings = make_settings(url).model_copy(
            update={
                "default_territory": TERRITORY,
                "max_inbound_attempts": max_inbound_attempts,
                **settings,
            }
        )
        core = Core.open(settings)
        stack.push_async_callback(core.close)
        await core.create_schema()
        coordinator = api.user(400, "Claire", started=True)
        people = [api.user(500 + i, f"Membre{i}", started=True) for i in range(3)]
        async with core.uow() as uow:
            territory = await members.add_territory(uow, TERRITORY, neighbourhoods=["Château"])
            for user in [coordinator, *people]:
                roles = [Role.COORDINATOR] if user is coordinator else [Role.REQUESTER]
                await onboard_on_telegram(uow, territory.id, user, roles=roles)
            await uow.commit()
        bench = TelegramBench(api, core, coordinator, people)
        try:
            yield bench
        finally:
            await bench.close()

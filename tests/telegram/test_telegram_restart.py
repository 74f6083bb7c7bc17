"""`entraide run` with Telegram, killed with SIGKILL in the middle of a burst, then restarted."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from pathlib import Path

import pytest

from bots.pump import CONCURRENT_SENDS
from core.app import Core
from core.domain.vocabulary import Role
from core.persistence.migrate import upgrade_database
from core.services import members
from tests.conftest import make_settings
from tests.integration._support import outbox_settled
from tests.telegram.harness import ptb_timedelta as ptb_timedelta  # autouse

from .bot_api import FakeBotApi, FakeUser
from .harness import onboard_on_telegram

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow
USERS = 60
# Sends whose answer the killed process never recorded may go out again: at most the sends
# it had in flight, the one window Telegram gives no way to close.
IN_FLIGHT = CONCURRENT_SENDS


async def _prepare(url: str, users: list[FakeUser]) -> None:
    upgrade_database(url)
    core = Core.open(make_settings(url))
    async with core.uow() as uow:
        territory = await members.add_territory(uow, "Rezé")
        for user in users:
            await onboard_on_telegram(uow, territory.id, user, roles=[Role.REQUESTER])
        await uow.commit()
    await core.close()


async def _start(env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bots.cli",
        "run",
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


async def test_a_killed_bot_loses_nothing_after_a_restart(tmp_path: Path) -> None:
    api = await FakeBotApi.start()
    users = [api.user(7000 + i, f"Membre{i}", started=True) for i in range(USERS)]
    url = f"sqlite+aiosqlite:///{tmp_path / 'restart.sqlite3'}"
    await _prepare(url, users)
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PTB_TIMEDELTA": "true",
        "ENTRAIDE_DATABASE_URL": url,
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_API_URL": api.base_url,
        "ENTRAIDE_OUTBOX_LEASE_SECONDS": "2",
        "ENTRAIDE_CONFIG_FILE": str(tmp_path / "absent.toml"),
        "ENTRAIDE_DEFAULT_TERRITORY": "Rezé",
    }

    def answered() -> Counter[int]:
        return Counter(
            int(r.params["chat_id"])
            for r in api.all_requests
            if r.method in ("sendMessage", "editMessageText")
            and r.status == 200
            and int(r.params.get("chat_id", 0)) >= 7000
        )

    process = await _start(env)
    try:
        await api.wait_until(lambda: api.requests("getUpdates"), 30)
        for user in users:
            api.private_text(user, "aide")
        await api.wait_until(lambda: len(answered()) >= USERS // 4, 30)
        process.send_signal(signal.SIGKILL)
        await process.wait()
        killed_at = len(answered())
        process = await _start(env)
        await api.wait_until(lambda: len(answered()) == USERS, 60)
        # Every update handled, and no message left in the outbox (one the killed process
        # had claimed is sent once its lease is over): no repeated send can come after this.
        await api.wait_confirmed(timeout=30)
        core = Core.open(make_settings(url))
        try:
            await outbox_settled(core, timeout=30)
        finally:
            await core.close()
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.wait(), 30)
        await api.stop()
    counts = answered()
    assert killed_at < USERS, "the kill came after everything was answered"
    assert set(counts) == {u.id for u in users}, "every member was answered"
    repeated = [chat for chat, n in counts.items() if n > 1]
    assert len(repeated) <= IN_FLIGHT, repeated

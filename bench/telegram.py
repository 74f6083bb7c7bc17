"""Throughput and latency of the entraide Telegram bot beside a bare PTB echo bot, same run.

Both bots run the real python-telegram-bot Application, in this process, against our local Bot
API server (the one of the tests) on 127.0.0.1, in a process of its own as Telegram's servers
are not in the bot's. Members write "aide" (help): the engine looks the member up, answers from
the database and records the delivery, as in production. The server injects the updates and
times each one until the bot's answer.

    python bench/telegram.py [--updates 600] [--rounds 3] [--rate 100] [--seconds 5]

Last line: `throughput_ratio=<ours / echo> p99_ms=<update -> reply at --rate updates/s>`.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# This file is named like the `telegram` package: never import from its own folder.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PTB_TIMEDELTA", "true")

from telegram import Update  # noqa: E402
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters  # noqa: E402

from bots.telegram.channel import TelegramChannel, TelegramSettings  # noqa: E402
from core.app import Core  # noqa: E402
from core.config import Settings  # noqa: E402
from core.dialogue.engine import ConversationEngine  # noqa: E402
from core.dialogue.port import ChannelPort  # noqa: E402
from core.domain.model import PlatformAccount  # noqa: E402
from core.domain.vocabulary import Role  # noqa: E402
from core.services import members  # noqa: E402
from tests.telegram.bot_api import FakeBotApi, FakeUser  # noqa: E402

FIRST_USER = 10_000


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


# --- the Bot API server, in a process of its own (as Telegram's is not in the bot's) ----------


def serve_bot_api(connection: Connection, people: int) -> None:
    """The child process: our local Bot API server, driven by commands on `connection`."""
    asyncio.run(_serve(connection, people))


async def _serve(connection: Connection, people: int) -> None:
    api = await FakeBotApi.start()
    users = [api.user(FIRST_USER + i, f"M{i}", started=True) for i in range(people)]
    connection.send((api.token, api.base_url, api.base_file_url))
    while True:
        command, *args = await asyncio.to_thread(connection.recv)
        if command == "polls":
            connection.send(len(api.requests("getUpdates")))
        elif command == "wait_poll":  # until a getUpdates newer than the count given
            before = int(args[0])
            await api.wait_until(lambda: len(api.requests("getUpdates")) > before, 10)  # noqa: B023
            connection.send(True)
        elif command == "drive":
            first, count, rate = args
            connection.send(await _drive(api, users[first : first + count], rate))
        else:
            await api.stop()
            connection.send(True)
            return


async def _drive(
    api: FakeBotApi, users: list[FakeUser], rate: float | None
) -> tuple[float, list[float]]:
    """Members write "aide" (at `rate` per second, or all at once): seconds until every one
    is answered, and each one's update -> reply latency. Timed here, on one clock."""
    sent_at: dict[int, float] = {}
    started = time.monotonic()
    for index, user in enumerate(users):
        if rate:
            delay = started + index / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
        sent_at[user.id] = time.monotonic()
        api.private_text(user, "aide")
    first: dict[int, float] = {}
    seen = 0

    def answered() -> bool:
        # Only the requests since the last look: the harness must not eat the CPU it measures.
        nonlocal seen
        requests = api.all_requests
        done = seen
        for index in range(seen, len(requests)):
            request = requests[index]
            if request.method not in ("sendMessage", "editMessageText"):
                done += done == index
                continue
            if request.status is None:  # still being answered: looked at again next time
                continue
            done += done == index
            if request.status != 200:
                continue
            chat = int(request.params.get("chat_id", 0))
            if chat in sent_at and request.time >= sent_at[chat]:
                first[chat] = min(first.get(chat, request.time), request.time)
        seen = done
        return len(first) >= len(users)

    await api.wait_until(answered, 300)
    elapsed = max(first.values()) - started
    return elapsed, [first[u.id] - sent_at[u.id] for u in users]


class BotApiProcess:
    """The parent's handle on the server process: one command at a time."""

    def __init__(self, people: int) -> None:
        context = multiprocessing.get_context("spawn")
        self._connection, child = context.Pipe()
        self._process = context.Process(target=serve_bot_api, args=(child, people), daemon=True)
        self._process.start()
        self.token, self.base_url, self.base_file_url = self._connection.recv()

    async def call(self, *command: object) -> Any:
        def exchange() -> Any:
            self._connection.send(command)
            return self._connection.recv()

        return await asyncio.to_thread(exchange)

    async def until_polled(self, start: Callable[[], Awaitable[object]]) -> None:
        """Run `start` (a bot starting), then wait for that bot's first long poll."""
        before = await self.call("polls")
        await start()
        await self.call("wait_poll", before)

    async def stop(self) -> None:
        await self.call("stop")
        await asyncio.to_thread(self._process.join, 10)


# --- the two bots --------------------------------------------------------------------------------


async def echo_bot(api: BotApiProcess, first: int, count: int) -> float:
    """Updates per second of a bare PTB echo bot (the baseline)."""

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(update.effective_message.text or "")

    app = (
        ApplicationBuilder()
        .token(api.token)
        .base_url(api.base_url)
        .base_file_url(api.base_file_url)
        .concurrent_updates(8)
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, echo))
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await api.until_polled(lambda: app.updater.start_polling(poll_interval=0.0, timeout=10))
    try:
        elapsed, _ = await api.call("drive", first, count, None)
        return count / elapsed
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


async def prepare_core(directory: Path, user_ids: list[int], url: str | None = None) -> Core:
    url = url or f"sqlite+aiosqlite:///{directory / 'bench.sqlite3'}"
    settings = Settings(database_url=url, default_territory="Rezé")  # type: ignore[call-arg]
    core = Core.open(settings)
    await core.create_schema()
    async with core.uow() as uow:
        territory = await members.add_territory(uow, "Rezé", neighbourhoods=["Château"])
        for user_id in user_ids:
            account = PlatformAccount(
                platform="telegram",
                external_id=str(user_id),
                chat_ref=str(user_id),
                created_at=uow.now(),
            )
            uow.session.add(account)
            await uow.session.flush()
            await members.onboard_member(
                uow,
                territory.id,
                f"M{user_id - FIRST_USER}",
                roles=[Role.REQUESTER],
                account=account,
            )
        await uow.commit()
    return core


async def entraide_bot(
    api: BotApiProcess, core: Core, first: int, count: int, rate: float | None
) -> tuple[float, list[float]]:
    channel = TelegramChannel(
        ConversationEngine(core),
        ChannelPort(core),
        TelegramSettings(token=api.token, api_url=api.base_url, rate_limited=False),
    )
    stop = asyncio.Event()
    tasks: list[asyncio.Task[None]] = []

    async def start() -> None:
        tasks.append(asyncio.create_task(channel.run(stop)))

    # Measured from this channel's first long poll on (not an earlier run's).
    await api.until_polled(start)
    try:
        elapsed, latencies = await api.call("drive", first, count, rate)
        return count / elapsed, latencies
    finally:
        stop.set()
        await asyncio.wait_for(tasks[0], 30)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=600, help="for each throughput run")
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="echo-then-entraide throughput rounds; the median ratio is kept",
    )
    parser.add_argument("--rate", type=float, default=100.0, help="updates/s of the latency run")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of the latency run")
    parser.add_argument(
        "--database-url", default=None, help="default: a fresh SQLite file (the embedded default)"
    )
    args = parser.parse_args()
    paced = int(args.rate * args.seconds)
    n = args.updates
    everyone = 2 * n * args.rounds + paced
    echo_runs = [2 * n * r for r in range(args.rounds)]  # first member of each run
    ours_runs = [2 * n * r + n for r in range(args.rounds)]
    paced_first = 2 * n * args.rounds
    ours = [FIRST_USER + first + i for first in ours_runs for i in range(n)]
    ours += [FIRST_USER + paced_first + i for i in range(paced)]
    api = BotApiProcess(everyone)
    ratios = []
    try:
        with tempfile.TemporaryDirectory() as directory:
            core = await prepare_core(Path(directory), ours, args.database_url)
            try:
                # Alternating rounds: a slow spell of the machine hits both bots, not one.
                for echo_first, ours_first in zip(echo_runs, ours_runs, strict=True):
                    echo_rate = await echo_bot(api, echo_first, n)
                    ours_rate, _ = await entraide_bot(api, core, ours_first, n, rate=None)
                    ratios.append(ours_rate / echo_rate)
                    print(
                        f"round {len(ratios)}: echo bot {echo_rate:.0f} updates/s, entraide "
                        f"{ours_rate:.0f} updates/s ({n} updates each): {ratios[-1]:.2f}"
                    )
                _, latencies = await entraide_bot(api, core, paced_first, paced, args.rate)
            finally:
                await core.close()
    finally:
        await api.stop()
    millis = [1000 * s for s in latencies]
    ratio = statistics.median(ratios)
    print(f"entraide: {ratio:.2f} of the echo bot's throughput (median of {args.rounds} rounds)")
    print(
        f"entraide at {args.rate:.0f} updates/s for {args.seconds:.0f} s: update->reply "
        f"p50={statistics.median(millis):.1f} ms p99={percentile(millis, 0.99):.1f} ms "
        f"max={max(millis):.1f} ms"
    )
    print(f"throughput_ratio={ratio:.2f} p99_ms={percentile(millis, 0.99):.1f}")


if __name__ == "__main__":
    asyncio.run(main())

"""Throughput and latency of the entraide Telegram bot beside a bare PTB echo bot, same run.

Both bots run the real python-telegram-bot Application against our local Bot API server (the
one of the tests) on 127.0.0.1, in this process. Members write "aide" (help): the engine looks
the member up, answers from the database and records the delivery, as in production.

    python bench/telegram.py [--updates 600] [--rate 100] [--seconds 5]

Last line: `throughput_ratio=<ours / echo> p99_ms=<update -> reply at --rate updates/s>`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

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
from core.domain.model import PlatformAccount  # noqa: E402
from core.domain.vocabulary import Role  # noqa: E402
from core.services import members  # noqa: E402
from tests.telegram.bot_api import FakeBotApi, FakeUser  # noqa: E402

FIRST_USER = 10_000


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def replies_after(api: FakeBotApi, users: list[FakeUser], sent_at: dict[int, float],
                        timeout: float) -> list[float]:
    """Seconds from each user's update to the bot's first answer in their chat."""
    wanted = {u.id for u in users}

    def answered() -> dict[int, float]:
        first: dict[int, float] = {}
        for request in api.all_requests:
            if request.method not in ("sendMessage", "editMessageText") or request.status != 200:
                continue
            chat = int(request.params.get("chat_id", 0))
            if chat in wanted and chat not in first and request.time >= sent_at.get(chat, 1e18):
                first[chat] = request.time
        return first

    await api.wait_until(lambda: len(answered()) >= len(wanted), timeout)
    first = answered()
    return [first[u.id] - sent_at[u.id] for u in users]


async def inject(api: FakeBotApi, users: list[FakeUser], rate: float | None) -> dict[int, float]:
    sent_at: dict[int, float] = {}
    started = time.monotonic()
    for index, user in enumerate(users):
        if rate:
            delay = started + index / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
        sent_at[user.id] = time.monotonic()
        api.private_text(user, "aide")
    return sent_at


async def echo_bot(api: FakeBotApi, users: list[FakeUser]) -> float:
    """Updates per second of a bare PTB echo bot (the baseline)."""

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(update.effective_message.text or "")

    app = (ApplicationBuilder().token(api.token).base_url(api.base_url)
           .base_file_url(api.base_file_url).concurrent_updates(8).build())
    app.add_handler(MessageHandler(filters.TEXT, echo))
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0.0, timeout=10)
    try:
        started = time.monotonic()
        sent_at = await inject(api, users, rate=None)
        await replies_after(api, users, sent_at, timeout=120)
        return len(users) / (time.monotonic() - started)
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


async def prepare_core(directory: Path, users: list[FakeUser], url: str | None = None) -> Core:
    url = url or f"sqlite+aiosqlite:///{directory / 'bench.sqlite3'}"
    settings = Settings(database_url=url, default_territory="Rezé")  # type: ignore[call-arg]
    core = Core.open(settings)
    await core.create_schema()
    async with core.uow() as uow:
        territory = await members.add_territory(uow, "Rezé", neighbourhoods=["Château"])
        for user in users:
            account = PlatformAccount(platform="telegram", external_id=str(user.id),
                                      chat_ref=str(user.id), created_at=uow.now())
            uow.session.add(account)
            await uow.session.flush()
            await members.onboard_member(uow, territory.id, user.first_name,
                                         roles=[Role.REQUESTER], account=account)
        await uow.commit()
    return core


async def entraide_bot(api: FakeBotApi, core: Core, users: list[FakeUser],
                       rate: float | None) -> tuple[float, list[float]]:
    channel = TelegramChannel(ConversationEngine(core),
                              TelegramSettings(token=api.token, api_url=api.base_url,
                                               rate_limited=False))
    stop = asyncio.Event()
    task = asyncio.create_task(channel.run(stop))
    await api.wait_until(lambda: api.requests("getUpdates"), 10)
    try:
        started = time.monotonic()
        sent_at = await inject(api, users, rate)
        latencies = await replies_after(api, users, sent_at, timeout=300)
        return len(users) / (time.monotonic() - started), latencies
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=600, help="for the throughput runs")
    parser.add_argument("--rate", type=float, default=100.0, help="updates/s of the latency run")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of the latency run")
    parser.add_argument("--database-url", default=None,
                        help="default: a fresh SQLite file (the embedded default)")
    args = parser.parse_args()
    paced = int(args.rate * args.seconds)
    with tempfile.TemporaryDirectory() as directory:
        api = await FakeBotApi.start()
        everyone = [api.user(FIRST_USER + i, f"M{i}", started=True)
                    for i in range(3 * args.updates + paced)]
        echo_users = everyone[: args.updates]
        ours_users = everyone[args.updates: 2 * args.updates]
        paced_users = everyone[2 * args.updates: 2 * args.updates + paced]
        core = await prepare_core(Path(directory), ours_users + paced_users, args.database_url)
        try:
            echo_rate = await echo_bot(api, echo_users)
            ours_rate, _ = await entraide_bot(api, core, ours_users, rate=None)
            _, latencies = await entraide_bot(api, core, paced_users, rate=args.rate)
        finally:
            await core.close()
            await api.stop()
    millis = [1000 * s for s in latencies]
    ratio = ours_rate / echo_rate
    print(f"echo bot: {echo_rate:.0f} updates/s ({args.updates} updates)")
    print(f"entraide: {ours_rate:.0f} updates/s ({args.updates} updates), "
          f"{ratio:.2f} of the echo bot")
    print(f"entraide at {args.rate:.0f} updates/s for {args.seconds:.0f} s: update->reply "
          f"p50={statistics.median(millis):.1f} ms p99={percentile(millis, 0.99):.1f} ms "
          f"max={max(millis):.1f} ms")
    print(f"throughput_ratio={ratio:.2f} p99_ms={percentile(millis, 0.99):.1f}")


if __name__ == "__main__":
    asyncio.run(main())

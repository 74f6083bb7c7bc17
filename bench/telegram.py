"""Throughput and latency of the entraide Telegram bot beside a bare PTB echo bot, same run.

Both bots run the real python-telegram-bot Application against our local Bot API server (the
one of the tests) on 127.0.0.1, in this process. Members write "aide" (help): the engine looks
the member up, answers from the database and records the delivery, as in production.

    python bench/telegram.py [--updates 600] [--rounds 3] [--rate 100] [--seconds 5]

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
            if chat in wanted and request.time >= sent_at.get(chat, 1e18):
                first[chat] = min(first.get(chat, request.time), request.time)
        seen = done
        return len(first) >= len(wanted)

    await api.wait_until(answered, timeout)
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
    polls_before = len(api.requests("getUpdates"))
    task = asyncio.create_task(channel.run(stop))
    # Measured from this channel's first long poll on (not an earlier run's).
    await api.wait_until(lambda: len(api.requests("getUpdates")) > polls_before, 10)
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
    parser.add_argument("--updates", type=int, default=600, help="for each throughput run")
    parser.add_argument("--rounds", type=int, default=3,
                        help="echo-then-entraide throughput rounds; the median ratio is kept")
    parser.add_argument("--rate", type=float, default=100.0, help="updates/s of the latency run")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of the latency run")
    parser.add_argument("--database-url", default=None,
                        help="default: a fresh SQLite file (the embedded default)")
    args = parser.parse_args()
    paced = int(args.rate * args.seconds)
    n = args.updates
    with tempfile.TemporaryDirectory() as directory:
        api = await FakeBotApi.start()
        everyone = [api.user(FIRST_USER + i, f"M{i}", started=True)
                    for i in range(2 * n * args.rounds + paced)]
        echo_users = [everyone[2 * n * r: 2 * n * r + n] for r in range(args.rounds)]
        ours_users = [everyone[2 * n * r + n: 2 * n * (r + 1)] for r in range(args.rounds)]
        paced_users = everyone[2 * n * args.rounds:]
        core = await prepare_core(Path(directory), [u for run in ours_users for u in run]
                                  + paced_users, args.database_url)
        ratios = []
        try:
            # Alternating rounds: a slow spell of the machine hits both bots, not one.
            for round_echo, round_ours in zip(echo_users, ours_users, strict=True):
                echo_rate = await echo_bot(api, round_echo)
                ours_rate, _ = await entraide_bot(api, core, round_ours, rate=None)
                ratios.append(ours_rate / echo_rate)
                print(f"round {len(ratios)}: echo bot {echo_rate:.0f} updates/s, entraide "
                      f"{ours_rate:.0f} updates/s ({n} updates each): {ratios[-1]:.2f}")
            _, latencies = await entraide_bot(api, core, paced_users, rate=args.rate)
        finally:
            await core.close()
            await api.stop()
    millis = [1000 * s for s in latencies]
    ratio = statistics.median(ratios)
    print(f"entraide: {ratio:.2f} of the echo bot's throughput (median of {args.rounds} rounds)")
    print(f"entraide at {args.rate:.0f} updates/s for {args.seconds:.0f} s: update->reply "
          f"p50={statistics.median(millis):.1f} ms p99={percentile(millis, 0.99):.1f} ms "
          f"max={max(millis):.1f} ms")
    print(f"throughput_ratio={ratio:.2f} p99_ms={percentile(millis, 0.99):.1f}")


if __name__ == "__main__":
    asyncio.run(main())

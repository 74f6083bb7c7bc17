"""Benchmark: 10 000 reminders due within a short window, with a restart in the middle.

The script loads one territory and N accepted tasks whose "1 hour before" reminders fall evenly
within `--window` seconds, then runs the scheduler in a child process, as `entraide run` does
(`SchedulerService`: the same plan, sweep, APScheduler job store and `job_runs`). In the middle
of the window that process is stopped (SIGTERM, or SIGKILL with `--kill`) and a second one takes
over. The second is started beforehand and waits, its imports done, for the word to begin: what
is measured is the scheduler's restart (job store read back, missed jobs fired, sweep), not the
Python interpreter's start-up (about 1.5 s here, printed as `cold_start_s`).

Measured from the database afterwards:
- lateness: `job_runs.ran_at - due_at` of each reminder (when its work was done, in the
  transaction that wrote the messages, against when it was due);
- fired: reminders done; lost: N - fired, after a generous wait; doubled: (task, member) pairs
  that got more than one reminder message.

Goal: p99 lateness < 1 s. The last line printed is, exactly,
`lateness_p99_s=<x> fired=<n> lost=<l> doubled=<d>`.

    python bench/scheduler.py                      # 10 000 reminders, SQLite, 120 s window
    python bench/scheduler.py --kill               # the first process is SIGKILLed instead
    python bench/scheduler.py --database postgresql+asyncpg://postgres@127.0.0.1:5432/test
    python bench/scheduler.py --count 1000 --window 20   # a quick look

With a PostgreSQL URL the tables go in a private schema, dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select, text  # noqa: E402

from core.app import Core  # noqa: E402
from core.config import Settings  # noqa: E402
from core.domain.model import Assignment, HelpRequest, JobRun, Notification  # noqa: E402
from core.domain.vocabulary import Category, RequestState, Role  # noqa: E402
from core.persistence.migrate import upgrade_database  # noqa: E402
from core.services import members  # noqa: E402

HOUR = timedelta(hours=1)


def settings_for(url: str) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=url,
        reminder_hours=[1],
        auto_migrate=False,
    )


# --- the child: one `entraide run`-like process ------------------------------------------------


async def worker(url: str) -> None:
    """Wait for "go" on stdin, run the scheduler service until SIGTERM (or SIGKILL)."""
    from core.scheduling import SchedulerService

    if os.environ.get("BENCH_DEBUG"):
        import logging

        logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
        logging.getLogger("entraide").setLevel(logging.DEBUG)
    core = Core.open(settings_for(url))
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    print("ready", flush=True)
    await loop.run_in_executor(None, sys.stdin.readline)

    def on_state(state: str) -> None:
        print(f"{state} {time.time():.6f}", flush=True)

    await SchedulerService(core, on_state=on_state).run(stop)
    await core.close()


# --- the parent ----------------------------------------------------------------------------


async def seed(url: str, count: int, first_due: datetime, window: float) -> None:
    core = Core.open(settings_for(url))
    async with core.uow() as uow:
        territory = await members.add_territory(uow, "Rezé", neighbourhoods=["Trentemoult"])
        alice = await members.onboard_member(
            uow, territory.id, "Alice Durand", roles=[Role.REQUESTER], address="3 rue X"
        )
        bob = await members.onboard_member(
            uow, territory.id, "Bob Leroy", roles=[Role.VOLUNTEER], skills=[Category.SHOPPING]
        )
        await members.approve_member(uow, bob.id, by_id=None)
        await uow.commit()
        territory_id, alice_id, bob_id = territory.id, alice.id, bob.id
    now = datetime.now(UTC)
    for start in range(0, count, 2000):
        ids = range(start + 1, min(count, start + 2000) + 1)
        async with core.engine.begin() as connection:
            await connection.execute(
                insert(HelpRequest),
                [
                    {
                        "id": i,
                        "territory_id": territory_id,
                        "requester_id": alice_id,
                        "category": "shopping",
                        "description": "",
                        "when_start": first_due
                        + HOUR
                        + timedelta(seconds=window * (i - 1) / count),
                        "neighbourhood": "Trentemoult",
                        "state": RequestState.ACCEPTED,
                        "created_at": now,
                        "updated_at": now,
                        "version": 1,
                    }
                    for i in ids
                ],
            )
            await connection.execute(
                insert(Assignment),
                [
                    {
                        "id": i,
                        "request_id": i,
                        "volunteer_id": bob_id,
                        "requester_id": alice_id,
                        "accepted_at": now,
                    }
                    for i in ids
                ],
            )
    if core.engine.dialect.name == "postgresql":
        async with core.engine.begin() as connection:
            await connection.execute(
                text("SELECT setval('help_requests_id_seq', :n)"), {"n": count}
            )
            await connection.execute(text("SELECT setval('assignments_id_seq', :n)"), {"n": count})
            await connection.execute(text("ANALYZE"))
    await core.close()


class Child:
    def __init__(self, url: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--worker", "--database", url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        self.started = time.time()

    def line(self) -> str:
        assert self.process.stdout is not None
        return self.process.stdout.readline().strip()

    def wait_for(self, word: str) -> float:
        while True:
            line = self.line()
            if not line:
                raise RuntimeError(f"the scheduler process ended before saying {word!r}")
            if line.startswith(word):
                parts = line.split()
                return float(parts[1]) if len(parts) > 1 else time.time()

    def go(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write("go\n")
        self.process.stdin.flush()


async def count_done(core: Core) -> int:
    async with core.uow() as uow:
        rows = await uow.session.execute(select(func.count()).select_from(JobRun))
        return int(rows.scalar_one())


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


async def bench(url: str, count: int, window: float, lead: float, kill: bool) -> None:
    upgrade_database(url)
    first_due = datetime.now(UTC) + timedelta(seconds=lead)
    t = time.perf_counter()
    await seed(url, count, first_due, window)
    print(f"seeded {count} accepted tasks in {time.perf_counter() - t:.1f} s", flush=True)
    first_due_ts = first_due.timestamp()

    first = Child(url)
    first.wait_for("ready")
    cold = time.time() - first.started
    first.go()
    first_active = first.wait_for("active")
    second = Child(url)
    second.wait_for("ready")
    print(
        f"cold_start_s={cold:.2f} (interpreter, imports, core); scheduler active "
        f"{first_active - first_due_ts:+.1f} s from the first due time",
        flush=True,
    )

    restart_at = first_due_ts + window / 2
    await asyncio.sleep(max(0.0, restart_at - time.time()))
    stopped_at = time.time()
    first.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
    first.process.wait(60)
    exited_at = time.time()
    second.go()
    second_active = second.wait_for("active")
    how = "SIGKILL" if kill else "SIGTERM"

    core = Core.open(settings_for(url))
    deadline = time.time() + window / 2 + 120
    done = 0
    while time.time() < deadline:
        done = await count_done(core)
        if done >= count:
            break
        await asyncio.sleep(0.5)
    finished = time.time()
    second.process.send_signal(signal.SIGTERM)
    second.process.wait(60)

    async with core.uow() as uow:
        rows = (await uow.session.execute(select(JobRun.due_at, JobRun.ran_at))).all()
        doubled = (
            await uow.session.execute(
                select(func.count()).select_from(
                    select(Notification.topic, Notification.member_id)
                    .where(Notification.key.like("Reminder:%"))
                    .group_by(Notification.topic, Notification.member_id)
                    .having(func.count() > 1)
                    .subquery()
                )
            )
        ).scalar_one()
        messages = (
            await uow.session.execute(
                select(func.count())
                .select_from(Notification)
                .where(Notification.key.like("Reminder:%"))
            )
        ).scalar_one()
    await core.close()
    late = [(ran - due).total_seconds() for due, ran in rows]
    resumed = min((ran.timestamp() for _, ran in rows if ran.timestamp() > exited_at), default=0)
    print(
        f"restart: {how} at +{stopped_at - first_due_ts:.1f} s, exited in "
        f"{exited_at - stopped_at:.2f} s; first reminder by the second process "
        f"{resumed - stopped_at:.2f} s after the signal (start-up sweep done after "
        f"{second_active - stopped_at:.2f} s)",
        flush=True,
    )
    in_gap = [
        (ran - due).total_seconds()
        for due, ran in rows
        if stopped_at <= due.timestamp() <= second_active
    ]
    fired = len(rows)
    lost = count - fired
    print(
        f"{fired} reminders done ({messages} messages) in "
        f"{finished - first_due_ts:.1f} s for a {window:.0f} s window",
        flush=True,
    )
    print(
        f"lateness: p50 {percentile(late, 0.5):.3f} s, p90 {percentile(late, 0.9):.3f} s, "
        f"p99 {percentile(late, 0.99):.3f} s, max {max(late, default=0):.3f} s, "
        f"early {sum(1 for v in late if v < 0)}",
        flush=True,
    )
    print(
        f"due during the restart ({len(in_gap)}): p50 {percentile(in_gap, 0.5):.3f} s, "
        f"max {max(in_gap, default=0):.3f} s",
        flush=True,
    )
    print(
        f"lateness_p99_s={percentile(late, 0.99):.3f} fired={fired} lost={lost} doubled={doubled}",
        flush=True,
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--window", type=float, default=120.0, help="seconds")
    parser.add_argument("--lead", type=float, default=20.0, help="seconds before the first")
    parser.add_argument("--kill", action="store_true", help="SIGKILL instead of SIGTERM")
    parser.add_argument("--database", help="a PostgreSQL URL (default: a SQLite file)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.worker:
        await worker(options.database)
        return
    if options.database and not options.database.startswith("sqlite"):
        await with_schema(options)
        return
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite+aiosqlite:///{Path(directory) / 'bench.sqlite3'}"
        await bench(url, options.count, options.window, options.lead, options.kill)


async def with_schema(options: argparse.Namespace) -> None:
    import asyncpg

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    plain = options.database.split("?", 1)[0].replace("postgresql+asyncpg", "postgresql")
    connection = await asyncpg.connect(plain)
    await connection.execute(f'CREATE SCHEMA "{schema}"')
    try:
        url = f"{options.database.split('?', 1)[0]}?schema={schema}"
        await bench(url, options.count, options.window, options.lead, options.kill)
    finally:
        await connection.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await connection.close()


if __name__ == "__main__":
    os.environ.setdefault("ENTRAIDE_CONFIG_FILE", os.devnull)
    asyncio.run(main())

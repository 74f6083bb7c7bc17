"""Benchmark: every figure of the observatory, month by month, for two years of demo activity.

For each database (a fresh SQLite file, then a private schema of the PostgreSQL at
127.0.0.1:5432/test) the script creates the schema, fills it with `entraide demo`'s generator
(`--members`, `--requests`, `--weeks`), runs ANALYZE, then computes every figure
(`core.observatory.catalogue.compute`, the function the console, the report and the export
use) for each month of the two years, timing each month as one measure. It prints the figures
of the last whole month and the timings.

The issue's size is 50 000 members and 500 000 requests over 104 weeks:

    python bench/observatory.py --members 50000 --requests 500000     # the issue's size
    python bench/observatory.py                                       # 5 000 / 50 000: minutes
    python bench/observatory.py --only sqlite

Goal: p95 < 1 s for a whole period (a month, every figure). The last line printed is, exactly,
`observatory_p95_ms=<x>` (the worse of the databases).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from core.app import Core  # noqa: E402
from core.config import Settings  # noqa: E402
from core.observatory import demo, periods  # noqa: E402
from core.observatory.catalogue import compute  # noqa: E402

END = datetime(2026, 11, 30, tzinfo=UTC)
TZ = "Europe/Paris"


def settings_for(url: str) -> Settings:
    return Settings(_env_file=None, database_url=url)  # type: ignore[call-arg]


async def measure(url: str, options: argparse.Namespace, label: str) -> float:
    core = Core.open(settings_for(url))
    try:
        await core.create_schema()
        began = time.perf_counter()
        async with core.uow() as uow:
            made = await demo.fill(
                uow.session,
                "Rezé",
                members=options.members,
                weeks=options.weeks,
                end=END,
                requests=options.requests,
                seed=7,
            )
            await uow.commit()
        async with core.engine.begin() as connection:
            await connection.execute(text("ANALYZE"))
        print(
            f"[{label}] demo: {made.members} members, {made.requests} requests, {made.polls} "
            f"polls in {time.perf_counter() - began:.0f} s",
            flush=True,
        )
        whole = periods.between(
            (END.date().replace(day=1) - timedelta(days=options.weeks * 7)),
            END.date().replace(day=1) - timedelta(days=1),
            TZ,
        )
        timings, last = [], None
        for month in periods.split(whole, "month", TZ):
            start = time.perf_counter()
            async with core.uow() as uow:
                last = await compute(uow.session, made.territory_id, month)
            timings.append((time.perf_counter() - start) * 1000)
        assert last is not None
        print(f"[{label}] figures of {month.label}:")
        for name, figure in last.items():
            print(f"    {name} = {figure.value}")
        timings.sort()
        p95 = timings[max(0, round(0.95 * len(timings)) - 1)]
        print(
            f"[{label}] {len(timings)} months: median {statistics.median(timings):.0f} ms, "
            f"p95 {p95:.0f} ms, max {timings[-1]:.0f} ms",
            flush=True,
        )
        return p95
    finally:
        await core.close()


async def on_postgres(options: argparse.Namespace) -> float:
    import asyncpg

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    base = options.postgres.split("?", 1)[0]
    connection = await asyncpg.connect(base.replace("postgresql+asyncpg", "postgresql"))
    await connection.execute(f'CREATE SCHEMA "{schema}"')
    try:
        return await measure(f"{base}?schema={schema}", options, "postgresql")
    finally:
        await connection.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await connection.close()


async def main(options: argparse.Namespace) -> None:
    results = []
    if options.only in (None, "sqlite"):
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite+aiosqlite:///{Path(folder) / 'observatory.sqlite3'}"
            results.append(await measure(url, options, "sqlite"))
    if options.only in (None, "postgresql"):
        results.append(await on_postgres(options))
    print(f"observatory_p95_ms={max(results):.0f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=5_000)
    parser.add_argument("--requests", type=int, default=50_000)
    parser.add_argument("--weeks", type=int, default=104)
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument("--postgres", default="postgresql+asyncpg://postgres@127.0.0.1:5432/test")
    asyncio.run(main(parser.parse_args()))

"""Benchmark: time to rank volunteers for one help request, at 10 000 and 100 000 members.

For each size and each backend (SQLite file in a temporary directory, PostgreSQL in a private
schema dropped at the end) the script bulk-loads one realistic territory, runs ANALYZE, then for
N random open requests (after a warm-up) times, inside one unit of work per request:

- ranking:  `core.services.matching.rank_volunteers(uow, request, limit=5, exclude=...)`;
- baseline: `session.execute(candidates_query(request)).all()`, the plain indexed query that
            fetches every candidate id (skill, territory, approved volunteer), unranked.

Goal: ranking p99 < 20 ms at 100 000 members. The last line printed is, exactly,
`matching_p99_ms_100k=<x> baseline_p99_ms_100k=<y>` with the worse backend's 100k figures.

    python bench/matching.py            # 10k and 100k, SQLite and PostgreSQL (a few minutes)
    python bench/matching.py --quick    # 10k only, fewer requests (smoke test)

PostgreSQL is reached at ENTRAIDE_BENCH_PG_URL, else ENTRAIDE_TEST_PG_URL, else
postgresql+asyncpg://postgres@127.0.0.1:5432/test.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import Table, event, insert, text  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncConnection  # noqa: E402

from core.app import Core  # noqa: E402
from core.config import Settings  # noqa: E402
from core.domain.availability import ALWAYS, PRESETS  # noqa: E402
from core.domain.model import (  # noqa: E402
    Assignment,
    HelpRequest,
    Member,
    MemberSkill,
    Territory,
)
from core.domain.vocabulary import Category, MemberStatus, RequestState  # noqa: E402
from core.services.matching import (  # noqa: E402
    candidates_query,
    rank_volunteers,
    ranking_query,
)

PG_URL = os.environ.get(
    "ENTRAIDE_BENCH_PG_URL",
    os.environ.get("ENTRAIDE_TEST_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"),
)
GOAL_MS = 20.0
LIMIT = 5
NEIGHBOURHOODS = [
    "Centre-ville",
    "Trentemoult",
    "Pont-Rousseau",
    "Château",
    "La Houssais",
    "Ragon",
    "Haute-Île",
    "Les Couëts",
    "La Blordière",
    "Saint-Paul",
    "Le Chêne Creux",
    "La Classerie",
]
# Some kinds of help are asked (and offered) far more than others.
CATEGORY_WEIGHTS = {
    Category.SHOPPING: 20,
    Category.TRANSPORT: 16,
    Category.COMPANY: 14,
    Category.PAPERWORK: 12,
    Category.DIGITAL: 11,
    Category.DIY: 8,
    Category.MEALS: 7,
    Category.GARDENING: 6,
    Category.PETS: 4,
    Category.OTHER: 2,
}
CATEGORIES = list(CATEGORY_WEIGHTS)
WEIGHTS = list(CATEGORY_WEIGHTS.values())


# --------------------------------------------------------------------------------------------
# Data generation
# --------------------------------------------------------------------------------------------


@dataclass
class Dataset:
    members: list[dict[str, Any]]
    skills: list[dict[str, Any]]
    requests: list[dict[str, Any]]
    assignments: list[dict[str, Any]]
    open_request_ids: list[int]
    volunteers_by_category: dict[str, list[int]]
    recent_assignments: int
    thanked_assignments: int


def _availability(rng: random.Random) -> int:
    """A weekly mask: a preset or two, sometimes a few odd slots, sometimes nothing."""
    roll = rng.random()
    if roll < 0.08:
        return 0
    if roll < 0.15:
        return ALWAYS
    mask = 0
    for name in rng.sample(list(PRESETS), rng.randint(1, 2)):
        if name != "anytime":
            mask |= PRESETS[name]
    for _ in range(rng.randint(0, 4)):
        mask |= 1 << rng.randrange(21)
    return mask


def generate(n_members: int, now: datetime, seed: int = 20261123) -> Dataset:
    rng = random.Random(seed + n_members)
    members: list[dict[str, Any]] = []
    skills: list[dict[str, Any]] = []
    requesters: list[int] = []
    volunteers_by_category: dict[str, list[int]] = {str(c): [] for c in CATEGORIES}
    approved_volunteers: list[int] = []
    for member_id in range(1, n_members + 1):
        roll = rng.random()
        is_coordinator = roll >= 0.95
        is_volunteer = 0.60 <= roll < 0.95 or (is_coordinator and rng.random() < 0.5)
        is_requester = roll < 0.60 or (is_volunteer and rng.random() < 0.05)
        status_roll = rng.random()
        status = (
            MemberStatus.APPROVED
            if status_roll < 0.86
            else MemberStatus.PENDING
            if status_roll < 0.95
            else MemberStatus.SUSPENDED
            if status_roll < 0.98
            else MemberStatus.ERASED
        )
        created = now - timedelta(days=rng.uniform(1, 1500))
        members.append(
            {
                "id": member_id,
                "territory_id": 1,
                "display_name": f"Membre {member_id}",
                "is_requester": is_requester,
                "is_volunteer": is_volunteer,
                "is_coordinator": is_coordinator,
                "language": "fr" if rng.random() < 0.85 else "en",
                "neighbourhood": rng.choice(NEIGHBOURHOODS) if rng.random() < 0.97 else None,
                "availability": _availability(rng) if is_volunteer else 0,
                "phone": f"06 {rng.randrange(10**8):08d}",
                "address": f"{rng.randint(1, 200)} rue {rng.randint(1, 400)}",
                "status": str(status),
                "preferred_platform": rng.choice(("telegram", "matrix", "console")),
                "created_at": created,
                "approved_at": created + timedelta(days=1)
                if status != MemberStatus.PENDING
                else None,
            }
        )
        if is_volunteer:
            chosen: set[Category] = set()
            wanted = rng.randint(1, 4)
            while len(chosen) < wanted:
                chosen.add(rng.choices(CATEGORIES, WEIGHTS)[0])
            for category in sorted(chosen):
                skills.append(
                    {"member_id": member_id, "category": str(category), "territory_id": 1}
                )
                if status == MemberStatus.APPROVED:
                    volunteers_by_category[str(category)].append(member_id)
            if status == MemberStatus.APPROVED:
                approved_volunteers.append(member_id)
        if is_requester and status == MemberStatus.APPROVED:
            requesters.append(member_id)

    # Past requests, done, each with its assignment: 20 % of the member count in the last
    # 30 days (fairness), 40 % more over the five months before; ~40 % of the done ones thanked.
    # A requester tends to call on the same few volunteers again (continuity).
    requests: list[dict[str, Any]] = []
    assignments: list[dict[str, Any]] = []
    usual: dict[int, list[int]] = {}
    recent_count = int(n_members * 0.20)
    older_count = int(n_members * 0.40)
    thanked = 0
    by_id = {m["id"]: m for m in members}
    for index in range(recent_count + older_count):
        age_days = rng.uniform(0, 30) if index < recent_count else rng.uniform(30.5, 180)
        accepted = now - timedelta(days=age_days)
        requester_id = rng.choice(requesters)
        pool = usual.setdefault(requester_id, [])
        if pool and rng.random() < 0.5:
            volunteer_id = rng.choice(pool)
        else:
            volunteer_id = rng.choice(approved_volunteers)
            pool.append(volunteer_id)
        request_id = len(requests) + 1
        withdrawn = rng.random() < 0.05
        completed = (
            None if withdrawn or age_days < 1 else accepted + timedelta(hours=rng.uniform(2, 48))
        )
        requests.append(
            {
                "id": request_id,
                "territory_id": 1,
                "requester_id": requester_id,
                "category": str(rng.choices(CATEGORIES, WEIGHTS)[0]),
                "description": "",
                "when_start": accepted + timedelta(hours=6),
                "when_end": accepted + timedelta(hours=8),
                "place": None,
                "neighbourhood": by_id[requester_id]["neighbourhood"],
                "state": str(RequestState.DONE if completed else RequestState.ACCEPTED),
                "created_at": accepted - timedelta(hours=1),
                "updated_at": completed or accepted,
                "version": 3 if completed else 2,
            }
        )
        thanked_at = None
        if completed is not None and rng.random() < 0.4:
            thanked_at = completed + timedelta(hours=rng.uniform(1, 72))
            thanked += 1
        assignments.append(
            {
                "id": len(assignments) + 1,
                "request_id": request_id,
                "volunteer_id": volunteer_id,
                "requester_id": requester_id,
                "accepted_at": accepted,
                "withdrawn_at": accepted + timedelta(hours=3) if withdrawn else None,
                "completed_at": completed,
                "hours": round(rng.uniform(0.5, 4), 2) if completed else None,
                "thanked_at": thanked_at,
            }
        )

    # The open requests the benchmark ranks for, posted by requesters who were helped before
    # about half of the time (so the continuity join finds rows).
    open_ids: list[int] = []
    helped = list(usual)
    for _ in range(2000):
        requester_id = rng.choice(helped) if rng.random() < 0.5 else rng.choice(requesters)
        start = (now + timedelta(hours=rng.uniform(2, 24 * 14))).replace(
            minute=0, second=0, microsecond=0
        )
        end = None if rng.random() < 0.3 else start + timedelta(hours=rng.choice((1, 2, 3, 5)))
        request_id = len(requests) + 1
        requests.append(
            {
                "id": request_id,
                "territory_id": 1,
                "requester_id": requester_id,
                "category": str(rng.choices(CATEGORIES, WEIGHTS)[0]),
                "description": "",
                "when_start": start,
                "when_end": end,
                "place": None,
                "neighbourhood": by_id[requester_id]["neighbourhood"],
                "state": str(RequestState.OPEN),
                "created_at": now - timedelta(minutes=rng.uniform(0, 600)),
                "updated_at": now,
                "version": 1,
            }
        )
        open_ids.append(request_id)
    return Dataset(
        members,
        skills,
        requests,
        assignments,
        open_ids,
        volunteers_by_category,
        recent_count,
        thanked,
    )


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------


def _chunks(rows: Sequence[dict[str, Any]], size: int) -> Iterable[Sequence[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


async def _bulk_insert(
    connection: AsyncConnection, table: Table, rows: Sequence[dict[str, Any]]
) -> None:
    """Core `insert()` executemany in batches of 5 000 (ten times faster to run than compiling
    one multi-row `insert().values([...])` per batch)."""
    for batch in _chunks(rows, 5000):
        await connection.execute(insert(table), list(batch))


async def load(core: Core, data: Dataset, now: datetime, is_pg: bool) -> None:
    await core.create_schema()
    async with core.engine.begin() as connection:
        await connection.execute(
            insert(Territory.__table__).values(
                id=1,
                name="Rezé",
                timezone="Europe/Paris",
                language="fr",
                neighbourhoods=NEIGHBOURHOODS,
                emergency_numbers=[{"number": "112", "label": "SOS"}],
                created_at=now - timedelta(days=2000),
            )
        )
        await _bulk_insert(connection, Member.__table__, data.members)
        await _bulk_insert(connection, MemberSkill.__table__, data.skills)
        await _bulk_insert(connection, HelpRequest.__table__, data.requests)
        await _bulk_insert(connection, Assignment.__table__, data.assignments)
        if is_pg:
            # Explicit ids were inserted: move the sequences past them, as in a real database.
            for table in (Member, HelpRequest, Assignment):
                name = table.__tablename__
                await connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                        f"(SELECT max(id) FROM {name}))"
                    )
                )
    # ANALYZE outside a transaction block on both backends. On PostgreSQL, VACUUM ANALYZE:
    # autovacuum would soon vacuum freshly inserted tables anyway, and until it does the
    # visibility map is empty, so the index-only scans matching relies on would visit the heap.
    if is_pg:
        async with core.engine.connect() as connection:
            connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.exec_driver_sql("VACUUM ANALYZE")
            analyzed = "SELECT count(*) FROM pg_stats WHERE schemaname = current_schema()"
            assert (await connection.exec_driver_sql(analyzed)).scalar(), "ANALYZE did nothing"
    else:
        # Committed: our SQLite engine opens every transaction with BEGIN IMMEDIATE, even in
        # "autocommit" mode, and closing the connection would roll the statistics back.
        async with core.engine.begin() as connection:
            await connection.exec_driver_sql("ANALYZE")
        async with core.engine.connect() as connection:
            analyzed = "SELECT count(*) FROM sqlite_stat1"
            assert (await connection.exec_driver_sql(analyzed)).scalar(), "ANALYZE did nothing"


# --------------------------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------------------------


def percentile(samples: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(samples)
    rank = max(1, min(len(ordered), -(-len(ordered) * q // 100)))
    return ordered[int(rank) - 1]


@dataclass
class Result:
    backend: str
    members: int
    load_s: float
    measures: Measures

    def p(self, which: str, q: float) -> float:
        m = self.measures
        return percentile(m.ranking if which == "ranking" else m.baseline, q)


@dataclass
class Measures:
    ranking: list[float]
    baseline: list[float]
    candidates_median: int
    statements: dict[int, int]  # statements one ranking ran -> how many rankings ran that many
    checked: int  # rankings compared with the single-statement reference `ranking_query`


async def measure(
    core: Core,
    open_ids: list[int],
    by_category: dict[str, list[int]],
    n_requests: int,
    warmup: int,
    seed: int,
    check: int,
) -> Measures:
    rng = random.Random(seed)
    picks = rng.sample(open_ids, min(len(open_ids), n_requests + warmup))
    ranking: list[float] = []
    baseline: list[float] = []
    candidates: list[int] = []
    statements: dict[int, int] = {}
    counter = [0]

    def _count(*_: Any) -> None:
        counter[0] += 1

    event.listen(core.engine.sync_engine, "before_cursor_execute", _count)
    checked = 0
    for index, request_id in enumerate(picks):
        async with core.uow() as uow:
            request = await uow.session.get(HelpRequest, request_id)
            assert request is not None
            _ = request.requester.territory.tz  # loaded eagerly; keep it out of the timing
            # First offer (nobody excluded) or a widening (the first few already asked).
            pool = by_category[request.category]
            exclude = (
                set(rng.sample(pool, min(len(pool), rng.choice((5, 10, 15)))))
                if rng.random() < 0.5
                else set()
            )
            order = (0, 1) if index % 2 else (1, 0)
            for which in order:
                if which == 0:
                    before = counter[0]
                    started = time.perf_counter()
                    ranked = await rank_volunteers(uow, request, limit=LIMIT, exclude=exclude)
                    elapsed = (time.perf_counter() - started) * 1000
                    assert len(ranked) == LIMIT or len(pool) <= LIMIT + len(exclude), ranked
                    if index >= warmup:
                        ranking.append(elapsed)
                        n = counter[0] - before
                        statements[n] = statements.get(n, 0) + 1
                    if checked < check:  # untimed: the same answer as the reference query?
                        reference = ranking_query(
                            request,
                            requester_language=request.requester.language,
                            limit=LIMIT,
                            exclude=exclude,
                            now_utc=uow.now(),
                        )
                        expected = [tuple(r) for r in (await uow.session.execute(reference)).all()]
                        got = [(v.member_id, v.score, v.recent_tasks) for v in ranked]
                        assert got == expected, (request_id, got, expected)
                        checked += 1
                else:
                    started = time.perf_counter()
                    rows = (await uow.session.execute(candidates_query(request))).all()
                    elapsed = (time.perf_counter() - started) * 1000
                    if index >= warmup:
                        baseline.append(elapsed)
                        candidates.append(len(rows))
    event.remove(core.engine.sync_engine, "before_cursor_execute", _count)
    candidates.sort()
    return Measures(ranking, baseline, candidates[len(candidates) // 2], statements, checked)


async def _pg_schema(action: str, schema: str) -> None:
    import asyncpg

    plain = PG_URL.replace("postgresql+asyncpg", "postgresql")
    connection = await asyncpg.connect(plain, timeout=5)
    try:
        if action == "create":
            await connection.execute(f'CREATE SCHEMA "{schema}"')
        else:
            await connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await connection.close()


async def run_one(
    backend: str, n_members: int, n_requests: int, warmup: int, check: int, workdir: Path
) -> Result:
    now = datetime.now(UTC).replace(microsecond=0)
    data = generate(n_members, now)
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{workdir / f'matching_{n_members}.sqlite3'}"
    else:
        await _pg_schema("create", schema)
        url = f"{PG_URL}?schema={schema}"
    core = Core.open(Settings(database_url=url, _env_file=None), clock=lambda: now)  # type: ignore[call-arg]
    try:
        started = time.perf_counter()
        await load(core, data, now, backend == "postgresql")
        load_s = time.perf_counter() - started
        # Keep the generator's 300 000 dicts out of the collector's way while timing.
        open_ids, by_category = data.open_request_ids, data.volunteers_by_category
        del data
        gc.collect()
        gc.freeze()
        try:
            measures = await measure(
                core, open_ids, by_category, n_requests, warmup, seed=n_members, check=check
            )
        finally:
            gc.unfreeze()
    finally:
        await core.close()
        if backend == "postgresql":
            await _pg_schema("drop", schema)
    return Result(backend, n_members, load_s, measures)


def _fmt_members(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


def print_table(results: list[Result]) -> None:
    header = (
        f"{'backend':<11}{'members':>8}{'load s':>8}{'cands':>7}"
        f"{'rank p50':>10}{'rank p99':>10}{'base p50':>10}{'base p99':>10}"
        f"{'ratio p50':>10}{'ratio p99':>10}  {'SQL/rank':<14}goal"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        rp50, rp99 = r.p("ranking", 50), r.p("ranking", 99)
        bp50, bp99 = r.p("baseline", 50), r.p("baseline", 99)
        ok = "ok" if rp99 < GOAL_MS else "MISSED"
        passes = " ".join(f"{n}:{c}" for n, c in sorted(r.measures.statements.items()))
        print(
            f"{r.backend:<11}{_fmt_members(r.members):>8}{r.load_s:>8.1f}"
            f"{r.measures.candidates_median:>7}"
            f"{rp50:>10.2f}{rp99:>10.2f}{bp50:>10.2f}{bp99:>10.2f}"
            f"{rp50 / bp50:>10.2f}{rp99 / bp99:>10.2f}  {passes:<14}{ok}"
        )
    print(
        f"times in ms per request ({len(results[0].measures.ranking)} measured per row); "
        "cands = median candidates the baseline fetches;\n"
        "ratio = ranking / baseline; SQL/rank = statements per ranking: count of rankings; "
        f"goal = ranking p99 < {GOAL_MS:g} ms"
    )


async def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="10k members only, fewer requests")
    parser.add_argument(
        "--requests", type=int, help="measured requests per run (default 300, quick 40)"
    )
    parser.add_argument(
        "--check",
        type=int,
        default=30,
        help="rankings compared (untimed) with the reference query (default 30)",
    )
    parser.add_argument(
        "--backends", default="sqlite,postgresql", help="comma-separated: sqlite,postgresql"
    )
    args = parser.parse_args(argv)
    sizes = [10_000] if args.quick else [10_000, 100_000]
    n_requests = args.requests or (40 if args.quick else 300)
    warmup = 10 if args.quick else 30
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]

    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="entraide-bench-") as tmp:
        for n_members in sizes:
            for backend in backends:
                result = await run_one(
                    backend, n_members, n_requests, warmup, args.check, Path(tmp)
                )
                print(
                    f"# {backend} {_fmt_members(n_members)}: loaded in {result.load_s:.1f} s, "
                    f"ranking p50={result.p('ranking', 50):.2f} ms "
                    f"p99={result.p('ranking', 99):.2f} ms, baseline "
                    f"p50={result.p('baseline', 50):.2f} ms "
                    f"p99={result.p('baseline', 99):.2f} ms, "
                    f"{result.measures.checked} rankings equal to the reference query",
                    flush=True,
                )
                results.append(result)
    print()
    print_table(results)
    print()
    top = max(sizes)
    label = _fmt_members(top)
    at_top = [r for r in results if r.members == top]
    for r in at_top:
        print(
            f"{r.backend}_matching_p99_ms_{label}={r.p('ranking', 99):.2f} "
            f"{r.backend}_baseline_p99_ms_{label}={r.p('baseline', 99):.2f}"
        )
    worst_ranking = max(r.p("ranking", 99) for r in at_top)
    worst_baseline = max(r.p("baseline", 99) for r in at_top)
    print(
        f"matching_p99_ms_{label}={worst_ranking:.2f} baseline_p99_ms_{label}={worst_baseline:.2f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))

"""Shared fixtures: a fresh database per test, on SQLite and (for `db`) on PostgreSQL too.

PostgreSQL is reached at ENTRAIDE_TEST_PG_URL (default: this machine's 127.0.0.1:5432/test).
When it cannot be reached the tests that need it fail: set ENTRAIDE_SKIP_POSTGRES=1 to run only
SQLite on a laptop without PostgreSQL (never in CI).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.app import Core
from core.config import Settings
from core.domain.vocabulary import Category, Role
from core.services import members
from nlu.interpreter import BuiltinInterpreter

PG_URL = os.environ.get(
    "ENTRAIDE_TEST_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday, 10:00 in Paris


class FrozenClock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def _backends() -> list[str]:
    if os.environ.get("ENTRAIDE_SKIP_POSTGRES") == "1" and not os.environ.get("CI"):
        return ["sqlite"]
    return ["sqlite", "postgres"]


@pytest.fixture(scope="module")
def interpreter() -> BuiltinInterpreter:
    """The built-in NLU, loaded once per module (a test module may warm its own)."""
    return BuiltinInterpreter()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@asynccontextmanager
async def postgres_schema() -> AsyncIterator[str]:
    """A private schema on the test PostgreSQL, dropped afterwards; fails if unreachable."""
    import asyncpg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    plain = PG_URL.replace("postgresql+asyncpg", "postgresql")
    try:
        connection = await asyncpg.connect(plain, timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        pytest.fail(f"PostgreSQL is required at {PG_URL} and cannot be reached: {exc}")
    await connection.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{PG_URL}?schema={schema}"
    finally:
        await connection.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await connection.close()


def make_settings(url: str) -> Settings:
    return Settings(database_url=url, matching_top_n=3, _env_file=None)  # type: ignore[call-arg]


@pytest.fixture(params=_backends())
async def core(
    request: pytest.FixtureRequest, clock: FrozenClock, tmp_path: Path
) -> AsyncIterator[Core]:
    """The core on a fresh database: SQLite, then PostgreSQL."""
    async with AsyncExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite+aiosqlite:///{tmp_path / 'entraide.sqlite3'}"
        else:
            url = await stack.enter_async_context(postgres_schema())
        instance = Core.open(make_settings(url), clock)
        stack.push_async_callback(instance.close)
        await instance.create_schema()
        yield instance


@pytest.fixture
async def sqlite_core(clock: FrozenClock, tmp_path: Path) -> AsyncIterator[Core]:
    """The core on SQLite only: for property tests whose many examples are about the rules,
    not the database (both databases are covered by the `core` fixture's tests)."""
    instance = Core.open(
        make_settings(f"sqlite+aiosqlite:///{tmp_path / 'entraide.sqlite3'}"), clock
    )
    await instance.create_schema()
    yield instance
    await instance.close()


class Cooperative:
    """A small territory with a requester, volunteers and a coordinator, for scenarios."""

    def __init__(self, core: Core) -> None:
        self.core = core

    async def setup(self) -> Cooperative:
        async with self.core.uow() as uow:
            territory = await members.add_territory(
                uow, "Rezé", neighbourhoods=["Trentemoult", "Pont-Rousseau", "Château"]
            )
            self.territory_id = territory.id
            self.coordinator = (
                await members.onboard_member(
                    uow,
                    territory.id,
                    "Claire Martin",
                    roles=[Role.COORDINATOR],
                    neighbourhood="Château",
                )
            ).id
            self.alice = (
                await members.onboard_member(
                    uow,
                    territory.id,
                    "Alice Durand",
                    roles=[Role.REQUESTER],
                    neighbourhood="Trentemoult",
                    phone="06 12 34 56 78",
                    address="3 rue des Pêcheurs",
                )
            ).id
            self.bob = (
                await members.onboard_member(
                    uow,
                    territory.id,
                    "Bob Leroy",
                    roles=[Role.VOLUNTEER],
                    neighbourhood="Trentemoult",
                    skills=[Category.SHOPPING, Category.TRANSPORT],
                    availability=(1 << 21) - 1,
                )
            ).id
            self.carol = (
                await members.onboard_member(
                    uow,
                    territory.id,
                    "Carol Petit",
                    roles=[Role.VOLUNTEER],
                    neighbourhood="Château",
                    skills=[Category.SHOPPING],
                    availability=(1 << 21) - 1,
                )
            ).id
            for member_id in (self.bob, self.carol):
                await members.approve_member(uow, member_id, by_id=self.coordinator)
            await uow.commit()
        return self


@pytest.fixture
async def coop(core: Core) -> Cooperative:
    return await Cooperative(core).setup()

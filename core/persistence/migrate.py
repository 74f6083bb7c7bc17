"""Bring a database to the schema of the code with the Alembic migrations shipped in the package.

Migrations run on a synchronous driver (`sqlite`, `postgresql+psycopg`) whatever async driver
the application URL names, and honour the `?schema=NAME` parameter that `create_engine` accepts
for PostgreSQL: the tables and the `alembic_version` table live in that schema.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, pool
from sqlalchemy.engine import URL, make_url

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

# Async drivers of the application -> the synchronous drivers migrations use.
_SYNC_DRIVERS = {
    "sqlite": "sqlite",
    "sqlite+aiosqlite": "sqlite",
    "postgresql": "postgresql+psycopg",
    "postgresql+asyncpg": "postgresql+psycopg",
}


def migration_url(url: str | URL) -> tuple[URL, str | None]:
    """Return the synchronous URL to migrate with and the PostgreSQL schema it names, if any."""
    parsed = make_url(url)
    parsed = parsed.set(drivername=_SYNC_DRIVERS.get(parsed.drivername, parsed.drivername))
    if parsed.get_backend_name() == "sqlite":
        return parsed, None
    schema = parsed.query.get("schema")
    if schema:
        parsed = parsed.difference_update_query(["schema"])
    if "ssl" in parsed.query and "sslmode" not in parsed.query:
        # asyncpg spells libpq's `sslmode` as `ssl` (same values: require, verify-full...).
        sslmode = parsed.query["ssl"]
        parsed = parsed.difference_update_query(["ssl"]).update_query_dict({"sslmode": sslmode})
    return parsed, str(schema) if schema else None


def create_migration_engine(url: str | URL) -> tuple[Engine, str | None]:
    """A synchronous engine for migrations (search_path set to the `?schema=`), and the schema."""
    sync_url, schema = migration_url(url)
    kwargs: dict[str, Any] = {"poolclass": pool.NullPool}
    if sync_url.get_backend_name() == "sqlite":
        database = sync_url.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
    elif schema:
        kwargs["connect_args"] = {"options": f"-c search_path={schema}"}
    return create_engine(sync_url, **kwargs), schema


def alembic_config(url: str | None = None) -> Config:
    """An Alembic configuration for the packaged migrations, optionally bound to a database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        # Passed as an attribute, not an option, so `%` in a password needs no escaping.
        config.attributes["database_url"] = url
    return config


def upgrade_database(url: str, revision: str = "head") -> None:
    """Apply the migrations up to `revision` (by default the latest) to the database at `url`."""
    command.upgrade(alembic_config(url), revision)


async def upgrade_database_async(url: str, revision: str = "head") -> None:
    """`upgrade_database` in a worker thread, for start-up code running in an event loop."""
    await asyncio.to_thread(upgrade_database, url, revision)


def current_revision(url: str) -> str | None:
    """The revision the database at `url` is at, or None if it was never migrated."""
    engine, schema = create_migration_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"version_table_schema": schema})
            return context.get_current_revision()
    finally:
        engine.dispose()


__all__ = [
    "MIGRATIONS_DIR",
    "alembic_config",
    "create_migration_engine",
    "current_revision",
    "migration_url",
    "upgrade_database",
    "upgrade_database_async",
]

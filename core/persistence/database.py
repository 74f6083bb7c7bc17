"""Create the async engine for SQLite (embedded default) or PostgreSQL (scale path)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """Create an engine; on SQLite enable WAL and serialise writers with BEGIN IMMEDIATE.

    SQLite's default deferred transactions fail at once with "database is locked" when two
    connections read then write; BEGIN IMMEDIATE makes the second one wait (busy timeout).
    """
    parsed = make_url(url)
    # Statements logged (sqlalchemy.engine at INFO, to look at a problem) and database errors
    # never show their values: phone numbers, addresses, or what a secret ballot chose.
    kwargs.setdefault("hide_parameters", True)
    if parsed.get_backend_name() != "sqlite":
        # `?schema=name` puts entraide's tables in their own PostgreSQL schema.
        schema = parsed.query.get("schema")
        # No JIT compilation: the observatory's statements over a month of a large territory
        # cost enough for PostgreSQL to compile them, which took longer (70 ms measured on one
        # statement of 200 ms) than running them; the rest of entraide's statements are small.
        settings = kwargs.setdefault("connect_args", {}).setdefault("server_settings", {})
        settings.setdefault("jit", "off")
        if schema:
            parsed = parsed.difference_update_query(["schema"])
            settings["search_path"] = str(schema)
        kwargs.setdefault("pool_pre_ping", True)
        return create_async_engine(parsed, **kwargs)

    database = parsed.database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    kwargs.setdefault("connect_args", {"timeout": 30})
    # SQLite lets one writer in at a time, and a connection waiting for the lock sleeps in
    # growing steps (SQLite's busy handler). In one process, queueing for a single pooled
    # connection hands it over at once instead; other processes still wait on the lock.
    kwargs.setdefault("pool_size", 1)
    kwargs.setdefault("max_overflow", 0)
    kwargs.setdefault("pool_timeout", 60)
    engine = create_async_engine(url, **kwargs)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)

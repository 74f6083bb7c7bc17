"""Alembic environment of entraide's core.

The database URL comes, in order, from `upgrade_database(url)` (`core.persistence.migrate`),
`alembic -x url=...`, the `sqlalchemy.url` option, then entraide's settings
(ENTRAIDE_DATABASE_URL or config/settings.toml). Async drivers are swapped for sync ones and a
PostgreSQL `?schema=NAME` becomes the search_path and the schema of `alembic_version`.
"""

from __future__ import annotations

from typing import Any

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import TypeDecorator, text

from core.domain.model import Base
from core.persistence.migrate import create_migration_engine, migration_url

config = context.config
target_metadata = Base.metadata


def _database_url() -> str:
    url = config.attributes.get("database_url")
    url = url or context.get_x_argument(as_dictionary=True).get("url")
    url = url or config.get_main_option("sqlalchemy.url")
    if not url:
        from core.config import load_settings

        url = load_settings().database_url
    return str(url)


def _render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | bool:
    """Render TypeDecorators (UTCDateTime) as their SQL type, so scripts never import the app."""
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl_instance!r}"
    return False


def _include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Keep `alembic_version` out of autogenerate (under `?schema=` it is not recognised)."""
    return not (type_ == "table" and name == "alembic_version")


def _configure_options(url: str, schema: str | None) -> dict[str, Any]:
    return {
        "target_metadata": target_metadata,
        "render_as_batch": migration_url(url)[0].get_backend_name() == "sqlite",
        "version_table_schema": schema,
        "compare_type": True,
        "render_item": _render_item,
        "include_name": _include_name,
    }


def run_migrations_offline() -> None:
    """Emit the SQL (`alembic upgrade head --sql`) instead of running it."""
    url = _database_url()
    sync_url, schema = migration_url(url)
    context.configure(
        url=sync_url,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        **_configure_options(url, schema),
    )
    with context.begin_transaction():
        if schema:
            context.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
            context.execute(f'SET search_path TO "{schema}"')
        context.run_migrations()


def run_migrations_online() -> None:
    url = _database_url()
    engine, schema = create_migration_engine(url)
    try:
        with engine.connect() as connection:
            if schema:
                exists = connection.execute(
                    text("SELECT 1 FROM pg_namespace WHERE nspname = :name"), {"name": schema}
                ).scalar()
                if not exists:
                    connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
                connection.commit()
            context.configure(connection=connection, **_configure_options(url, schema))
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

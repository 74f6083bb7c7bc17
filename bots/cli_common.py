"""What every `entraide` command shares: the settings, the core opened and closed around the
command's work, and failures turned into one clear sentence (never a traceback).

The command modules (`cli.py`, `cli_members.py`, `cli_polls.py`, `cli_jobs.py`...) import these;
this module imports none of them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer
from pydantic import ValidationError

from bots.bootstrap import open_core
from core import redaction
from core.app import Core
from core.config import Settings, load_settings, sqlite_path
from core.domain.errors import DomainError
from core.domain.model import Member, Territory
from core.services import members
from core.services.unit_of_work import UnitOfWork

T = TypeVar("T")


class CliError(Exception):
    """A mistake on the command line, explained in one sentence."""


def read_settings() -> Settings:
    try:
        settings = load_settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        raise CliError(
            f"Invalid setting {'.'.join(map(str, first['loc']))}: {first['msg']}."
        ) from exc
    # Every command: no token or password in what it logs or prints from here on.
    redaction.install(redaction.secrets_of(settings))
    return settings


def run_with_core(work: Callable[[Core], Awaitable[T]]) -> T:
    """Open the core, run `work`, close; turn every failure into one sentence and exit 1."""

    async def main() -> T:
        settings = read_settings()
        database = sqlite_path(settings.database_url)
        if database is not None and not database.exists():
            typer.echo(f"First start: creating the database at {database}.", err=True)
        core = await open_core(settings)
        try:
            return await work(core)
        finally:
            await core.close()

    try:
        return asyncio.run(main())
    except CliError as exc:
        fail(str(exc))
    except DomainError as exc:
        fail(str(exc))
    except (OSError, ConnectionError) as exc:
        fail(f"Cannot reach the database: {exc}.")
    except Exception as exc:  # the last resort: one line, the details in the log only
        fail(f"Unexpected error: {type(exc).__name__}: {exc}".splitlines()[0])
    raise AssertionError("unreachable")


def fail(message: str) -> None:
    typer.secho(redaction.redact(message), err=True, fg=typer.colors.RED)
    raise typer.Exit(1)


async def territory(uow: UnitOfWork, name: str | None) -> Territory:
    settings = uow.settings
    if name is None:
        return await members.ensure_territory(
            uow, settings.default_territory, settings.default_timezone, settings.default_language
        )
    territory = await members.territory_named(uow, name)
    if territory is None:
        known = ", ".join(t.name for t in await members.list_territories(uow)) or "none yet"
        raise CliError(
            f"No territory is named {name!r}. Territories: {known} "
            f"(see `entraide territory list`). To add one: entraide territory add {name!r}."
        )
    return territory


async def one_member(uow: UnitOfWork, ref: str) -> Member:
    found = await members.find_members(uow, ref)
    if not found:
        raise CliError(f"No member is called {ref!r}; see `entraide member list`.")
    if len(found) > 1:
        ids = ", ".join(f"#{m.id}" for m in found)
        raise CliError(f"Several members are called {ref!r} ({ids}); give the number instead.")
    return found[0]

"""The `entraide` command line (typer). Errors are one clear sentence, never a traceback."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import typer
from pydantic import ValidationError

from bots.bootstrap import open_core
from bots.cli_invitations import register as register_invitations
from bots.cli_jobs import register as register_jobs
from bots.cli_nlu import app as nlu_app
from bots.cli_polls import register as register_polls
from core import redaction
from core.app import Core
from core.config import Settings, load_settings
from core.domain.errors import DomainError
from core.domain.model import Member, Territory
from core.domain.vocabulary import Category, Role
from core.persistence.migrate import upgrade_database
from core.services import members, privacy
from core.services.unit_of_work import UnitOfWork

app = typer.Typer(help="entraide: mutual aid between generations, by chat.", no_args_is_help=True)
db_app = typer.Typer(help="The database.", no_args_is_help=True)
territory_app = typer.Typer(help="Territories served by this installation.", no_args_is_help=True)
member_app = typer.Typer(help="Members of the cooperative.", no_args_is_help=True)
poll_app = typer.Typer(help="Polls of a territory.", no_args_is_help=True)
config_app = typer.Typer(help="Settings.", no_args_is_help=True)
for sub, name in (
    (db_app, "db"),
    (territory_app, "territory"),
    (member_app, "member"),
    (poll_app, "poll"),
    (config_app, "config"),
):
    app.add_typer(sub, name=name)
app.add_typer(nlu_app, name="nlu")
register_jobs(app)
register_invitations(territory_app)
register_polls(poll_app)

T = TypeVar("T")


class CliError(Exception):
    """A mistake on the command line, explained in one sentence."""


def _settings() -> Settings:
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
        core = await open_core(_settings())
        try:
            return await work(core)
        finally:
            await core.close()

    try:
        return asyncio.run(main())
    except CliError as exc:
        _fail(str(exc))
    except DomainError as exc:
        _fail(str(exc))
    except (OSError, ConnectionError) as exc:
        _fail(f"Cannot reach the database: {exc}.")
    except Exception as exc:  # the last resort: one line, the details in the log only
        _fail(f"Unexpected error: {type(exc).__name__}: {exc}".splitlines()[0])
    raise AssertionError("unreachable")


def _fail(message: str) -> None:
    typer.secho(redaction.redact(message), err=True, fg=typer.colors.RED)
    raise typer.Exit(1)


async def _territory(uow: UnitOfWork, name: str | None) -> Territory:
    settings = uow.settings
    if name is None:
        return await members.ensure_territory(
            uow, settings.default_territory, settings.default_timezone, settings.default_language
        )
    territory = await members.territory_named(uow, name)
    if territory is None:
        raise CliError(f"No territory is named {name!r}; see `entraide territory list`.")
    return territory


async def _one_member(uow: UnitOfWork, ref: str) -> Member:
    found = await members.find_members(uow, ref)
    if not found:
        raise CliError(f"No member is called {ref!r}; see `entraide member list`.")
    if len(found) > 1:
        ids = ", ".join(f"#{m.id}" for m in found)
        raise CliError(f"Several members are called {ref!r} ({ids}); give the number instead.")
    return found[0]


# --- run and chat ------------------------------------------------------------------------------


@app.command()
def run(
    name: str | None = typer.Option(None, "--as", help="Console chat: the member you speak as."),
    territory: str | None = typer.Option(None, "--territory", help="Territory name."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log the scheduler's work."),
) -> None:
    """Start every configured channel and the scheduler; with none configured, open the console."""
    from bots.runner import configure_logging, serve

    settings = _settings()
    if settings.telegram_bot_token:
        typer.echo(f"Telegram: {settings.telegram_api_url or 'api.telegram.org'}.", err=True)
    if settings.matrix_homeserver:
        from bots.matrix.channel import MatrixSettings

        try:
            matrix = MatrixSettings.from_settings(settings)
        except ValueError as exc:
            _fail(str(exc))
        typer.echo(f"Matrix: {matrix.user_id} on {matrix.homeserver}.", err=True)
    platforms = bool(settings.matrix_homeserver or settings.telegram_bot_token)
    speaker = name or (_ask_name() if sys.stdin.isatty() and not platforms else None)
    configure_logging(verbose or speaker is None)
    if speaker is None and not platforms:
        typer.echo("No Telegram, Matrix or terminal: running the scheduler alone.", err=True)
    elif speaker is not None and not platforms:
        typer.echo("No Telegram or Matrix configured: opening the console chat.", err=True)
    run_with_core(lambda core: serve(core, speaker=speaker, territory=territory))


@app.command()
def chat(
    name: str | None = typer.Option(
        None, "--as", help="The member you speak as (created at first use)."
    ),
    territory: str | None = typer.Option(None, "--territory", help="Territory name."),
) -> None:
    """Chat with the bot in this terminal as member NAME."""
    from bots.console.channel import chat as console_chat

    speaker = name or _ask_name()
    run_with_core(lambda core: console_chat(core, speaker, territory))


def _ask_name() -> str:
    if not sys.stdin.isatty():
        _fail("Say who you are: entraide chat --as NAME.")
    return str(typer.prompt("Your first name / Votre prénom"))


# --- db and config ----------------------------------------------------------------------------


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the database migrations (also done at every start)."""
    settings = _settings()
    try:
        upgrade_database(settings.database_url)
    except Exception as exc:
        _fail(f"Could not upgrade the database: {exc}".splitlines()[0])
    typer.echo("Database is up to date.")


@config_app.command("show")
def config_show() -> None:
    """Print the effective settings, secrets masked."""
    typer.echo(json.dumps(_settings().masked(), indent=2, ensure_ascii=False))


# --- territories ------------------------------------------------------------------------------


@territory_app.command("add")
def territory_add(
    name: str,
    timezone: str = typer.Option("Europe/Paris", help="IANA time zone."),
    language: str = typer.Option("fr", help="fr or en."),
    neighbourhood: list[str] = typer.Option([], "--neighbourhood", "-n", help="Repeat for each."),
) -> None:
    """Add a territory served by this installation."""

    async def work(core: Core) -> str:
        async with core.uow() as uow:
            territory = await members.add_territory(
                uow, name, timezone=timezone, language=language, neighbourhoods=neighbourhood
            )
            await uow.commit()
            return f"Territory #{territory.id} {territory.name} added."

    typer.echo(run_with_core(work))


@territory_app.command("list")
def territory_list() -> None:
    """List territories."""

    async def work(core: Core) -> list[str]:
        async with core.uow() as uow:
            return [
                f"#{t.id}\t{t.name}\t{t.timezone}\t{', '.join(t.neighbourhoods)}"
                for t in await members.list_territories(uow)
            ]

    for line in run_with_core(work):
        typer.echo(line)


# --- members ----------------------------------------------------------------------------------


@member_app.command("add")
def member_add(
    name: str,
    role: list[Role] = typer.Option(..., "--role", help="requester, volunteer, coordinator."),
    territory: str | None = typer.Option(None, help="Territory name (default: the default one)."),
    language: str = typer.Option("fr"),
    neighbourhood: str | None = typer.Option(None),
    skill: list[Category] = typer.Option([], "--skill", help="Repeat for each skill."),
    phone: str | None = typer.Option(None),
    address: str | None = typer.Option(None),
    available: str = typer.Option("anytime", help="weekday_mornings, weekends, anytime..."),
) -> None:
    """Register a member (volunteers then need `entraide member approve`)."""
    from core.domain.availability import PRESETS

    if available not in PRESETS:
        _fail(f"--available must be one of: {', '.join(PRESETS)}.")

    async def work(core: Core) -> str:
        async with core.uow() as uow:
            place = await _territory(uow, territory)
            member = await members.onboard_member(
                uow,
                place.id,
                name,
                roles=role,
                language=language,
                neighbourhood=neighbourhood,
                skills=skill,
                availability=PRESETS[available],
                phone=phone,
                address=address,
            )
            await uow.commit()
            return f"Member #{member.id} {member.display_name} added ({member.status})."

    typer.echo(run_with_core(work))


@member_app.command("list")
def member_list(territory: str | None = typer.Option(None)) -> None:
    """List members (no contact details: use `entraide export`)."""

    async def work(core: Core) -> list[str]:
        async with core.uow() as uow:
            place = await members.territory_named(uow, territory) if territory else None
            if territory and place is None:
                raise CliError(f"No territory is named {territory!r}.")
            rows = await members.list_members(uow, place.id if place else None)
            return [
                f"#{m.id}\t{m.display_name}\t{','.join(m.roles)}\t{m.status}\t"
                f"{m.neighbourhood or '-'}\t{','.join(sorted(m.skill_set))}"
                for m in rows
            ]

    for line in run_with_core(work):
        typer.echo(line)


def _member_action(
    action: Callable[[UnitOfWork, int], Awaitable[Member]], done: str
) -> Callable[[str], None]:
    def command(member: str) -> None:
        async def work(core: Core) -> str:
            async with core.uow() as uow:
                target = await _one_member(uow, member)
                changed = await action(uow, target.id)
                await uow.commit()
                return done.format(name=changed.display_name, status=changed.status)

        typer.echo(run_with_core(work))

    return command


member_app.command("approve", help="Approve a member (volunteers act only once approved).")(
    _member_action(
        lambda uow, mid: members.approve_member(uow, mid, by_id=None), "{name} is approved."
    )
)
member_app.command("suspend", help="Suspend a member.")(
    _member_action(
        lambda uow, mid: members.suspend_member(uow, mid, by_id=None), "{name} is suspended."
    )
)


@member_app.command("promote")
def member_promote(member: str, role: Role = typer.Option(..., "--role")) -> None:
    """Give a member one more role (e.g. coordinator)."""

    async def work(core: Core) -> str:
        async with core.uow() as uow:
            target = await _one_member(uow, member)
            changed = await members.promote_member(uow, target.id, role, by_id=None)
            await uow.commit()
            return f"{changed.display_name} is now {', '.join(changed.roles)}."

    typer.echo(run_with_core(work))


@app.command("export")
def export(member: str = typer.Option(..., "--member", help="Name or #id.")) -> None:
    """Print everything stored about a member, as JSON."""

    async def work(core: Core) -> dict[str, Any]:
        async with core.uow() as uow:
            return await privacy.export_member(uow, (await _one_member(uow, member)).id)

    typer.echo(json.dumps(run_with_core(work), indent=2, ensure_ascii=False))


@member_app.command("erase")
def member_erase(
    member: str, yes: bool = typer.Option(False, "--yes", help="Do not ask.")
) -> None:
    """Erase a member's personal data (anonymous counts are kept)."""
    if not yes and not typer.confirm(f"Erase every personal data of {member}?"):
        raise typer.Exit(1)

    async def work(core: Core) -> str:
        async with core.uow() as uow:
            target = await _one_member(uow, member)
            await privacy.erase_member(uow, target.id, by_id=None)
            await uow.commit()
            return "Erased."

    typer.echo(run_with_core(work))


def _closing_time(value: str, now: datetime, timezone: str) -> datetime:
    value = value.strip().lower()
    units = {"d": "days", "h": "hours", "m": "minutes"}
    if value[:-1].isdigit() and value[-1:] in units:
        return now + timedelta(**{units[value[-1]]: int(value[:-1])})
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise CliError(
            f"--closes must be an ISO date-time or like 3d or 12h, not {value!r}."
        ) from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(timezone))


def main() -> None:
    app()


if __name__ == "__main__":
    main()

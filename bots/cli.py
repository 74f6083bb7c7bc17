"""The `entraide` command line (typer). Errors are one clear sentence, never a traceback."""

from __future__ import annotations

import json
import sys

import typer

from bots import cli_common
from bots.cli_invitations import register as register_invitations
from bots.cli_jobs import register as register_jobs
from bots.cli_members import register as register_members
from bots.cli_nlu import app as nlu_app
from bots.cli_observatory import register as register_observatory
from bots.cli_polls import register as register_polls
from bots.cli_web import register as register_web
from core.app import Core
from core.config import sqlite_path
from core.persistence.migrate import upgrade_database
from core.services import members

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
register_members(app, member_app)
register_web(app)
register_observatory(app)

# --- run and chat ------------------------------------------------------------------------------


@app.command()
def run(
    name: str | None = typer.Option(None, "--as", help="Console chat: the member you speak as."),
    territory: str | None = typer.Option(None, "--territory", help="Territory name."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log the scheduler's work."),
) -> None:
    """Start every configured channel and the scheduler; with none configured, open the console."""
    from bots.runner import configure_logging, serve

    settings = cli_common.read_settings()
    if settings.telegram_bot_token:
        typer.echo(f"Telegram: {settings.telegram_api_url or 'api.telegram.org'}.", err=True)
    if settings.matrix_homeserver:
        from bots.matrix.channel import MatrixSettings

        try:
            matrix = MatrixSettings.from_settings(settings)
        except ValueError as exc:
            cli_common.fail(str(exc))
        typer.echo(f"Matrix: {matrix.user_id} on {matrix.homeserver}.", err=True)
    platforms = bool(settings.matrix_homeserver or settings.telegram_bot_token)
    speaker = name or (_ask_name() if sys.stdin.isatty() and not platforms else None)
    configure_logging(verbose or speaker is None)
    if speaker is None and not platforms:
        typer.echo("No Telegram, Matrix or terminal: running the scheduler alone.", err=True)
    elif speaker is not None and not platforms:
        typer.echo("No Telegram or Matrix configured: opening the console chat.", err=True)

    async def work(core: Core) -> None:
        await _check_territory(core, territory)
        await serve(core, speaker=speaker, territory=territory)

    cli_common.run_with_core(work)


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

    async def work(core: Core) -> None:
        await _check_territory(core, territory)
        await console_chat(core, speaker, territory)

    try:
        cli_common.run_with_core(work)
    except KeyboardInterrupt:  # Ctrl-C before the chat listens (while the model trains)
        typer.echo("\nAu revoir. / Goodbye.", err=True)
        raise typer.Exit(130) from None


async def _check_territory(core: Core, name: str | None) -> None:
    """A territory named on the command line must exist: a typo never creates a new one."""
    if name is not None:
        async with core.uow() as uow:
            await cli_common.territory(uow, name)


def _ask_name() -> str:
    if not sys.stdin.isatty():
        cli_common.fail("Say who you are: entraide chat --as NAME.")
    return str(typer.prompt("Your first name / Votre prénom"))


# --- db and config ----------------------------------------------------------------------------


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the database migrations (also done at every start)."""
    settings = cli_common.read_settings()
    try:
        upgrade_database(settings.database_url)
    except Exception as exc:
        cli_common.fail(f"Could not upgrade the database: {exc}".splitlines()[0])
    typer.echo("Database is up to date.")


@config_app.command("show")
def config_show() -> None:
    """Print the effective settings, secrets masked."""
    settings = cli_common.read_settings()
    shown = settings.masked()
    database = sqlite_path(settings.database_url)
    if database is not None:
        shown["database_file"] = str(database.resolve())
    typer.echo(json.dumps(shown, indent=2, ensure_ascii=False))


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

    typer.echo(cli_common.run_with_core(work))


@territory_app.command("list")
def territory_list() -> None:
    """List territories."""

    async def work(core: Core) -> list[str]:
        async with core.uow() as uow:
            return [
                f"#{t.id}\t{t.name}\t{t.timezone}\t{', '.join(t.neighbourhoods)}"
                for t in await members.list_territories(uow)
            ]

    for line in cli_common.run_with_core(work):
        typer.echo(line)


def main() -> None:
    app()


if __name__ == "__main__":
    main()

"""`entraide demo` and `entraide observatory report / export / merge / publish / unpublish`.

Registered on the main `entraide` app by `register(app)` (bots/cli.py). The figures come from
`core.observatory`; this module only reads options and writes files.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from bots import cli_common
from core.app import Core
from core.domain.errors import NotFound
from core.observatory import demo as demo_data

observatory_app = typer.Typer(
    help="The observatory of impact: report, open data, merge.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    """Add `demo` and `observatory` to the `entraide` command line."""
    app.command("demo")(demo)
    app.add_typer(observatory_app, name="observatory")


def demo(
    territory: str = typer.Option("Rezé", "--territory", help="Territory to fill (made if new)."),
    members: int = typer.Option(300, "--members", help="How many made-up members."),
    weeks: int = typer.Option(26, "--weeks", help="How many weeks of activity, up to today."),
    requests: int | None = typer.Option(None, "--requests", help="How many requests in all."),
    seed: int = typer.Option(1, "--seed", help="The same seed makes the same data."),
) -> None:
    """Fill a fresh database with realistic made-up activity, every row marked as demo."""

    async def work(core: Core) -> demo_data.DemoSummary:
        async with core.uow() as uow:
            summary = await demo_data.fill(
                uow.session,
                territory,
                members=members,
                weeks=weeks,
                end=uow.now(),
                requests=requests,
                seed=seed,
            )
            await uow.commit()
        return summary

    made = cli_common.run_with_core(work)
    typer.echo(
        f"Demo: {made.members} members, {made.requests} requests and {made.polls} polls "
        f"in {territory}, over {weeks} weeks (all marked as demo)."
    )


def parse_day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise cli_common.CliError(f"{option} takes a date like 2026-01-31.") from exc


async def territory_of(core: Core, name: str) -> tuple[int, str, str]:
    """(id, time zone, language) of a territory named on the command line."""
    from core.observatory.catalogue import territory_by_name

    async with core.uow() as uow:
        try:
            found = await territory_by_name(uow.session, name)
        except NotFound as exc:
            raise cli_common.CliError(f"No territory named {name!r}.") from exc
        return found.id, found.timezone, found.language


__all__ = ["Path", "observatory_app", "register"]

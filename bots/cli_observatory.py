"""`entraide demo` and `entraide observatory report / export / merge / loneliness`.

Registered on the main `entraide` app by `register(app)` (bots/cli.py). The figures come from
`core.observatory`; this module only reads options and writes files.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from pathlib import Path

import typer

from bots import cli_common
from core.app import Core
from core.domain.errors import NotFound
from core.domain.model import Territory
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


def default_range(today: date, first: str | None, last: str | None) -> tuple[date, date]:
    """`--from`/`--to`, by default the 12 whole months before this one."""
    end = parse_day(last, "--to") if last else today.replace(day=1) - timedelta(days=1)
    if first:
        return parse_day(first, "--from"), end
    start = end.replace(day=1)
    for _ in range(11):
        start = (start - timedelta(days=1)).replace(day=1)
    return start, end


def parse_epsilon(text: str) -> float:
    """`--epsilon`: a number from 0.01 to 10, or a kind refusal that writes nothing."""
    from core.observatory.noise import EPSILON_MAX, EPSILON_MIN, available, valid_epsilon

    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not valid_epsilon(value):
        raise typer.BadParameter(
            f"a number from {EPSILON_MIN} to {EPSILON_MAX:g}, like 1 (smaller: more noise, "
            "more protection). Nothing was written.",
            param_hint="--epsilon",
        )
    if not available():
        cli_common.fail(
            "--epsilon needs OpenDP: pip install 'entraide[privacy]'. Nothing was written."
        )
    return value


@observatory_app.command("export")
def export(
    territory: str = typer.Option(..., "--territory", help="The territory."),
    period: str = typer.Option("month", "--period", help="month or week."),
    out: Path = typer.Option(..., "--out", help="Folder to write the CSV files into."),
    first: str | None = typer.Option(None, "--from", help="First day (default: a year ago)."),
    last: str | None = typer.Option(None, "--to", help="Last day (default: end of last month)."),
    min_neighbourhood: int = typer.Option(
        10, "--min-neighbourhood", help="Smaller neighbourhoods are merged."
    ),
    epsilon: str | None = typer.Option(
        None,
        "--epsilon",
        help="Add Laplace noise (OpenDP) to every count, with this privacy budget per count.",
    ),
) -> None:
    """Write the open data (CSV + datapackage.json), every small count suppressed."""
    from core.observatory import export as exporting
    from core.observatory import periods

    if period not in ("month", "week"):
        raise typer.BadParameter("month or week", param_hint="--period")
    budget = None if epsilon is None else parse_epsilon(epsilon)

    async def work(core: Core) -> Path:
        territory_id, timezone, _ = await territory_of(core, territory)
        start, end = default_range(core.clock().date(), first, last)
        whole = periods.between(start, end, timezone)
        async with core.uow() as uow:
            found = await uow.session.get(Territory, territory_id)
            assert found is not None
            return await exporting.export(
                uow.session,
                found,
                whole,
                period,
                out,
                min_neighbourhood=max(1, min_neighbourhood),
                epsilon=budget,
            )

    typer.echo(f"Open data written: {cli_common.run_with_core(work)}")


@observatory_app.command("report")
def report(
    territory: str = typer.Option(..., "--territory", help="The territory."),
    first: str = typer.Option(..., "--from", help="First day, like 2026-01-01."),
    last: str = typer.Option(..., "--to", help="Last day, included, like 2026-12-31."),
    out: Path = typer.Option(..., "--out", help="The HTML file to write."),
    language: str | None = typer.Option(
        None, "--language", help="fr or en (default: the territory's)."
    ),
    pdf: Path | None = typer.Option(
        None, "--pdf", help="Also print it to this PDF file (needs Chromium)."
    ),
) -> None:
    """Write a printable report for the general assembly (HTML, and a PDF with --pdf)."""
    from core.observatory import periods
    from core.observatory.report import render

    if language not in (None, "fr", "en"):
        raise typer.BadParameter("fr or en", param_hint="--language")

    async def work(core: Core) -> Path:
        territory_id, timezone, spoken = await territory_of(core, territory)
        period = periods.between(parse_day(first, "--from"), parse_day(last, "--to"), timezone)
        async with core.uow() as uow:
            found = await uow.session.get(Territory, territory_id)
            assert found is not None
            html = await render(uow.session, found, period, language or spoken)
        out.write_text(html, encoding="utf-8")
        return out

    typer.echo(f"Report written: {cli_common.run_with_core(work)}")
    if pdf is not None:
        from bots.report_pdf import PrintFailed, print_pdf

        try:
            typer.echo(f"PDF written: {print_pdf(out, pdf)}")
        except PrintFailed as exc:
            cli_common.fail(str(exc))


@observatory_app.command("merge")
def merge(
    sources: list[str] = typer.Argument(..., help="Folders or URLs of published packages."),
    out: Path = typer.Option(..., "--out", help="Folder for the merged observatory."),
    language: str = typer.Option("fr", "--language", help="fr or en, for the charts."),
) -> None:
    """Combine several cooperatives' packages (same schema) into one observatory."""
    from core.domain.errors import DomainError
    from core.observatory import merge as merging

    if language not in ("fr", "en"):
        raise typer.BadParameter("fr or en", param_hint="--language")
    try:
        written = merging.merge(sources, out, language)
    except DomainError as exc:
        cli_common.fail(str(exc))
    typer.echo(f"Observatory written: {written}")


@observatory_app.command("loneliness")
def loneliness_check(
    state: str = typer.Argument(..., help="on or off."),
    territory: str = typer.Option(..., "--territory", help="The territory."),
) -> None:
    """Turn the loneliness check on or off: offered to requesters in the chat once helped,
    then every three months; kept only as anonymous counts."""
    from core.services import loneliness

    if state not in ("on", "off"):
        raise typer.BadParameter("on or off", param_hint="STATE")

    async def work(core: Core) -> None:
        territory_id, _, _ = await territory_of(core, territory)
        async with core.uow() as uow:
            await loneliness.set_on(uow, territory_id, by_id=None, on=state == "on")
            await uow.commit()

    cli_common.run_with_core(work)
    typer.echo(f"The loneliness check is {state} in {territory}.")

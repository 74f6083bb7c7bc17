"""`entraide jobs`, `entraide recurring`, `entraide digest`: the scheduler from the command line.

Registered on the main `entraide` app by `register(app)` (bots/cli.py). The helpers of
bots/cli.py are imported inside the commands, once that module is fully loaded.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import typer
from sqlalchemy import func, select

from bots import cli_common
from core.app import Core
from core.domain.model import (
    Alert,
    HelpRequest,
    JobRun,
    Member,
    Poll,
    RecurringRequest,
    Territory,
    apscheduler_jobs,
)
from core.domain.vocabulary import Category
from core.scheduling import marker, plan
from core.services import recurring, timed
from core.services.unit_of_work import UnitOfWork

jobs_app = typer.Typer(
    help="The scheduler's work: reminders, escalation, polls...", no_args_is_help=True
)
recurring_app = typer.Typer(help="Requests that come back every week.", no_args_is_help=True)

NO_SCHEDULER = "none (no `entraide run` process is running the scheduler)"
# How far ahead `jobs list` looks at most, in days.
MAX_DAYS = 366
KIND_HELP = f"Only these kinds: {', '.join(plan.KINDS)}."
LEVELS = {
    1: "offer to the next volunteers",
    2: "offer to the whole territory",
    3: "alert the coordinators",
}


def register(app: typer.Typer) -> None:
    """Add `jobs`, `recurring` and `digest` to the `entraide` command line."""
    app.add_typer(jobs_app, name="jobs")
    app.add_typer(recurring_app, name="recurring")
    app.command("digest")(digest)


def _run(work: Any) -> Any:
    return cli_common.run_with_core(work)


# --- jobs ----------------------------------------------------------------------------------


@jobs_app.command("list")
def jobs_list(
    days: float = typer.Option(7, help="How far ahead to look, in days."),
    kind: list[str] = typer.Option([], "--kind", help=KIND_HELP),
    limit: int = typer.Option(100, help="At most this many lines (the soonest)."),
) -> None:
    """Pending work (what, for whom, when), soonest first; overdue work first of all."""
    if not 0 < days <= MAX_DAYS:
        cli_common.fail(f"--days must be more than 0 and at most {MAX_DAYS}, not {days:g}.")
    unknown = sorted(set(kind) - set(plan.KINDS))
    if unknown:
        cli_common.fail(f"Unknown kind {unknown[0]!r}; choose among {', '.join(plan.KINDS)}.")

    async def work(core: Core) -> list[str]:
        async with core.uow() as uow:
            now = uow.now()
            works = await plan.planned(
                uow,
                core.settings,
                now=now,
                until=now + timedelta(days=days),
                kinds=kind or plan.KINDS,
            )
            stored = set((await uow.session.execute(select(apscheduler_jobs.c.id))).scalars())
            lines = []
            for item in works[:limit]:
                what, whom, timezone = await describe(uow, item)
                when = item.due_at.astimezone(_zone(timezone)).strftime("%Y-%m-%d %H:%M %Z")
                state = "overdue" if item.due_at <= now else "scheduled"
                if item.key not in stored:
                    state += ", not in the job store yet" if item.due_at > now else ""
                lines.append(f"{when}\t{what}\t{whom}\t[{state}]")
            if len(works) > limit:
                lines.append(f"... and {len(works) - limit} more (use --limit).")
            if not works:
                lines.append(f"Nothing to do in the next {days:g} days.")
            return lines

    for line in _run(work):
        typer.echo(line)


@jobs_app.command("run-due")
def jobs_run_due() -> None:
    """Do now, once, every piece of work already due (what the scheduler does on its own)."""

    async def work(core: Core) -> dict[str, int]:
        from core.scheduling import run_due

        return await run_due(core)

    counts = _run(work)
    if not counts:
        typer.echo("Nothing was due.")
    for outcome, count in sorted(counts.items()):
        typer.echo(f"{count}\t{outcome}")


@jobs_app.command("status")
def jobs_status() -> None:
    """Which process runs the scheduler (PostgreSQL), the job store, the work done lately."""

    async def work(core: Core) -> list[str]:
        lines = []
        async with core.uow() as uow:
            if core.engine.dialect.name == "postgresql":
                from sqlalchemy import text

                from core.scheduling.leader import lock_key

                key = lock_key(core.settings.database_url) & 0xFFFFFFFFFFFFFFFF
                rows = await uow.session.execute(
                    text(
                        "SELECT a.application_name FROM pg_locks l "
                        "JOIN pg_stat_activity a ON a.pid = l.pid "
                        "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
                        "AND l.classid::bigint = :high AND l.objid::bigint = :low"
                    ),
                    {"high": key >> 32, "low": key & 0xFFFFFFFF},
                )
                holders = list(rows.scalars())
                lines.append(f"active scheduler: {', '.join(holders) or NO_SCHEDULER}")
            else:
                active = marker.active_process(core.settings.database_url)
                lines.append(f"active scheduler: {active or NO_SCHEDULER}")
            stored = await uow.session.execute(select(func.count()).select_from(apscheduler_jobs))
            lines.append(f"jobs in the job store: {stored.scalar_one()}")
            since = uow.now() - timedelta(days=1)
            done = await uow.session.execute(
                select(JobRun.kind, JobRun.outcome, func.count())
                .where(JobRun.ran_at >= since)
                .group_by(JobRun.kind, JobRun.outcome)
                .order_by(JobRun.kind, JobRun.outcome)
            )
            for kind, outcome, count in done.all():
                lines.append(f"last 24 h: {count}\t{kind}\t{outcome}")
        return lines

    for line in _run(work):
        typer.echo(line)


async def describe(uow: UnitOfWork, work: plan.Work) -> tuple[str, str, str]:
    """What a piece of work is, for whom, and the time zone to show its time in."""
    session = uow.session
    if work.kind in ("reminder", "escalation", "expiry", "follow-up"):
        request = await session.get(HelpRequest, work.args[0])
        assert request is not None
        timezone = request.requester.territory.timezone
        about = f"request #{request.id} ({request.category})"
        requester = f"{request.requester.display_name} (requester)"
        holder = request.active_assignment
        volunteer = f"{holder.volunteer.display_name} (volunteer)" if holder else "-"
        if work.kind == "reminder":
            return (
                f"reminder {work.args[2]} h before, {about}",
                f"{volunteer}, {requester}",
                timezone,
            )
        if work.kind == "escalation":
            level = work.args[1]
            territory = request.requester.territory.name
            whom = (
                f"coordinators of {territory}, {requester}"
                if level == 3
                else f"volunteers of {territory}"
            )
            return f"{LEVELS[level]}, {about}", whom, timezone
        if work.kind == "expiry":
            return f"expiry, {about}", requester, timezone
        return f"follow-up, {about}", f"{volunteer}, {requester}", timezone
    if work.kind in ("poll-reminder", "poll-close"):
        poll = await session.get(Poll, work.args[0])
        assert poll is not None
        territory = await session.get(Territory, poll.territory_id)
        assert territory is not None
        if work.kind == "poll-reminder":
            whom = f"members of {territory.name} who have not voted"
            return f"reminder of poll #{poll.id}", whom, territory.timezone
        whom = f"members and rooms of {territory.name}"
        return f"closing of poll #{poll.id}", whom, territory.timezone
    if work.kind == "digest":
        member = await session.get(Member, work.args[0])
        assert member is not None
        week = f"{work.args[1]}-W{work.args[2]:02d}"
        return f"weekly digest {week}", member.display_name, member.territory.timezone
    if work.kind == "loneliness-offer":  # the offer only: no answer is ever kept with anyone
        member = await session.get(Member, work.args[0])
        assert member is not None
        return "offer of the loneliness check", member.display_name, member.territory.timezone
    if work.kind == "alert-resend":
        alert = await session.get(Alert, work.args[0])
        assert alert is not None
        territory = await session.get(Territory, alert.territory_id)
        assert territory is not None
        return (
            f"alert #{alert.id} ({alert.kind}) sent again, round {work.args[1]}",
            f"coordinators of {territory.name}",
            territory.timezone,
        )
    if work.kind == "recurring":
        rule = await recurring.get_recurring(uow, work.args[0])
        day = date.fromordinal(work.args[1])
        return (
            f"posting of recurring request #{rule.id} ({rule.category}) for {day.isoformat()}",
            rule.requester.display_name,
            rule.requester.territory.timezone,
        )
    return f"{work.kind} {work.args}", "-", "UTC"  # a kind this listing does not know yet


def _zone(name: str) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


# --- recurring requests --------------------------------------------------------------------


@recurring_app.command("add")
def recurring_add(
    member: str = typer.Argument(..., help="The member who asks (name or #id)."),
    every: str = typer.Option(..., "--every", help="Day of the week: tuesday, mardi, 1..."),
    at: str = typer.Option(..., "--at", help="Local time of day, like 10:00."),
    category: Category = typer.Option(..., "--category"),
    weeks: int = typer.Option(1, "--weeks", help="Every N weeks."),
    duration: int | None = typer.Option(None, "--duration", help="Minutes (optional)."),
    place: str | None = typer.Option(None, "--place"),
    description: str = typer.Option("", "--description"),
    starting: str | None = typer.Option(None, "--from", help="First day (YYYY-MM-DD)."),
) -> None:
    """A request that comes back ("every Tuesday at 10:00, shopping")."""
    minute = _minute_of_day(at)
    first = _date(starting) if starting else None

    async def work(core: Core) -> str:
        async with core.uow() as uow:
            requester = await cli_common.one_member(uow, member)
            rule = await recurring.add_recurring(
                uow,
                requester.id,
                category=category,
                weekday=every,
                minute_of_day=minute,
                duration_minutes=duration,
                every_weeks=weeks,
                starts_on=first,
                place=place,
                description=description,
            )
            await uow.commit()
            if rule.id is None:
                raise cli_common.CliError("The recurring request was not saved.")
            return (
                f"Recurring request #{rule.id}: {rule.category} every "
                f"{_every(rule)} at {at}, from {rule.starts_on.isoformat()}; each occurrence "
                f"is posted {core.settings.recurring_days_ahead} days ahead."
            )

    typer.echo(_run(work))


@recurring_app.command("list")
def recurring_list(
    all_: bool = typer.Option(False, "--all", help="Also the stopped ones."),
) -> None:
    """Recurring requests."""

    async def work(core: Core) -> list[str]:
        async with core.uow() as uow:
            rules = await recurring.list_recurring(uow, active_only=not all_)
            return [
                f"#{r.id}\t{r.requester.display_name}\t{r.category}\tevery {_every(r)} at "
                f"{r.minute_of_day // 60:02d}:{r.minute_of_day % 60:02d}\t"
                f"{'active' if r.active else 'stopped'}"
                for r in rules
            ] or ["No recurring request."]

    for line in _run(work):
        typer.echo(line)


@recurring_app.command("stop")
def recurring_stop(recurring_id: int) -> None:
    """Stop a recurring request (occurrences already posted stay)."""

    async def work(core: Core) -> str:
        async with core.uow() as uow:
            rule = await recurring.stop_recurring(uow, recurring_id, by_id=None)
            await uow.commit()
            return f"Recurring request #{rule.id} is stopped."

    typer.echo(_run(work))


def digest(
    member: str = typer.Argument(..., help="Name or #id."),
    on: bool = typer.Option(..., "--on/--off", help="Receive the weekly digest or not."),
) -> None:
    """Turn a volunteer's weekly digest of open requests on or off."""

    async def work(core: Core) -> str:
        async with core.uow() as uow:
            target = await cli_common.one_member(uow, member)
            await timed.set_weekly_digest(uow, target.id, on, by_id=None)
            await uow.commit()
            return f"Weekly digest {'on' if on else 'off'} for {target.display_name}."

    typer.echo(_run(work))


DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _every(rule: RecurringRequest) -> str:
    day = DAY_NAMES[rule.weekday]
    return day if rule.every_weeks == 1 else f"{rule.every_weeks} weeks on {day}"


def _minute_of_day(value: str) -> int:
    text = value.strip().lower().replace("h", ":")
    try:
        moment = datetime.strptime(text + "00" if text.endswith(":") else text, "%H:%M")
    except ValueError:
        cli_common.fail(f"--at must be a time of day like 10:00, not {value!r}.")
        raise
    return moment.hour * 60 + moment.minute


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        cli_common.fail(f"--from must be a date like 2026-12-01, not {value!r}.")
        raise

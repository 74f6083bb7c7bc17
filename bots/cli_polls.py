"""`entraide poll create | list | close | results`: a territory's polls from the command line.

Times are shown in the poll's territory's time zone (a coordinator reads "Tuesday 18:00 in
Paris", never raw UTC). The helpers of bots/cli.py are imported inside the commands, once that
module is fully loaded.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

import typer
from sqlalchemy import select

from bots import cli_common
from core.app import Core
from core.domain.errors import NotFound
from core.domain.model import Poll, Territory
from core.domain.vocabulary import PollKind, PollState, Role
from core.services import polls
from core.services.unit_of_work import UnitOfWork


class Voters(StrEnum):
    """Who votes in a poll restricted to one role (`poll create --voters`)."""

    VOLUNTEERS = "volunteers"
    REQUESTERS = "requesters"
    COORDINATORS = "coordinators"


VOTER_ROLES = {
    Voters.VOLUNTEERS: Role.VOLUNTEER,
    Voters.REQUESTERS: Role.REQUESTER,
    Voters.COORDINATORS: Role.COORDINATOR,
}
# The most polls `poll list` prints (the most recent first).
LIST_LIMIT = 50


def register(poll_app: typer.Typer) -> None:
    """Add the poll commands to `entraide poll`."""
    poll_app.command("create")(poll_create)
    poll_app.command("list")(poll_list)
    poll_app.command("close")(poll_close)
    poll_app.command("results")(poll_results)


def local_time(moment: datetime, timezone: str) -> str:
    """A moment as a coordinator reads it: in the territory's zone, with the zone's name."""
    return moment.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M %Z")


def poll_create(
    question: str,
    option: list[str] = typer.Option([], "--option", "-o", help="Repeat for each option."),
    kind: PollKind = typer.Option(PollKind.SINGLE),
    secret: bool = typer.Option(False, help="Secret ballot: who voted is stored apart."),
    closes: str = typer.Option(
        "7d", help="When it closes: 3d, 12h, or a date-time in the territory's time zone."
    ),
    quorum: int = typer.Option(0, min=0),
    territory: str | None = typer.Option(None),
    voters: Voters | None = typer.Option(
        None, "--voters", help="Only these members vote (default: every approved member)."
    ),
    include_new_members: bool = typer.Option(
        False,
        "--include-new-members",
        help="Members who join while it is open vote too (default: only those who had joined).",
    ),
) -> None:
    """Open a poll for the members of a territory."""

    async def work(core: Core) -> str:
        async with core.uow() as uow:
            place = await cli_common.territory(uow, territory)
            poll = await polls.create_poll(
                uow,
                place.id,
                question,
                option,
                kind=kind,
                secret=secret,
                quorum=quorum,
                closes_at=closing_time(closes, uow.now(), place.timezone),
                by_id=None,
                voter_role=VOTER_ROLES[voters] if voters else None,
                prior_members_only=not include_new_members,
            )
            await uow.commit()
            return f"Poll #{poll.id} is open until {local_time(poll.closes_at, place.timezone)}."

    typer.echo(cli_common.run_with_core(work))


def closing_time(value: str, now: datetime, timezone: str) -> datetime:
    """`3d`, `12h`, `90m` from now, or an ISO date-time (in the territory's zone if it has
    none); a moment that is already past is refused."""
    value = value.strip().lower()
    units = {"d": "days", "h": "hours", "m": "minutes"}
    if value[:-1].isdigit() and value[-1:] in units:
        moment = now + timedelta(**{units[value[-1]]: int(value[:-1])})
    else:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError as exc:
            raise cli_common.CliError(
                f"--closes must be a date-time (2026-12-24T18:00) or like 3d or 12h, "
                f"not {value!r}."
            ) from exc
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=ZoneInfo(timezone))
    if moment <= now:
        raise cli_common.CliError(
            f"--closes must be in the future, not {local_time(moment, timezone)}."
        )
    return moment


def poll_list(
    territory: str | None = typer.Option(None, help="Only this territory's polls."),
    open_only: bool = typer.Option(False, "--open", help="Only the polls still open."),
) -> None:
    """List the polls, most recent first: number, state, closing time, votes, question."""

    async def work(core: Core) -> list[str]:
        async with core.uow() as uow:
            query = select(Poll, Territory).join(Territory, Territory.id == Poll.territory_id)
            if territory is not None:
                place = await _named_territory(uow, territory)
                if place is None:
                    raise cli_common.CliError(f"No territory is named {territory!r}.")
                query = query.where(Poll.territory_id == place.id)
            if open_only:
                query = query.where(Poll.state == PollState.OPEN)
            rows = await uow.session.execute(query.order_by(Poll.id.desc()).limit(LIST_LIMIT))
            lines = []
            for poll, place in rows.all():
                closed = poll.state == PollState.CLOSED
                when = local_time((closed and poll.closed_at) or poll.closes_at, place.timezone)
                votes = await polls.count_votes(uow, poll.id)
                lines.append(
                    f"#{poll.id}\t{poll.state}\t{'closed' if closed else 'closes'} {when}"
                    f"\t{votes} vote{'s' if votes != 1 else ''}\t{place.name}\t{poll.question}"
                )
            return lines or ["No poll yet; open one with `entraide poll create`."]

    for line in cli_common.run_with_core(work):
        typer.echo(line)


async def _named_territory(uow: UnitOfWork, name: str) -> Territory | None:
    from core.services import members

    return await members.territory_named(uow, name)


async def _existing_poll(uow: UnitOfWork, poll_id: int) -> Poll:
    try:
        return await polls.get_poll(uow, poll_id)
    except NotFound as exc:
        raise cli_common.CliError(f"No poll #{poll_id}; see `entraide poll list`.") from exc


def poll_close(poll_id: int = typer.Argument(..., min=1, max=2**31 - 1)) -> None:
    """Close a poll now and announce its result."""

    async def work(core: Core) -> tuple[str | None, dict[str, Any]]:
        async with core.uow() as uow:
            poll = await _existing_poll(uow, poll_id)
            if poll.state == PollState.CLOSED:
                place = await uow.session.get(Territory, poll.territory_id)
                zone = place.timezone if place is not None else "UTC"
                closed = local_time(poll.closed_at or poll.closes_at, zone)
                return f"Poll #{poll_id} was already closed ({closed}).", poll.result or {}
            result = await polls.close_poll(uow, poll_id, by_id=None)
            await uow.commit()
            return None, result

    note, result = cli_common.run_with_core(work)
    if note:
        typer.echo(note)
    _print_result(result)


def poll_results(poll_id: int = typer.Argument(..., min=1, max=2**31 - 1)) -> None:
    """Show the current count of a poll (the final one once it is closed)."""

    async def work(core: Core) -> dict[str, Any]:
        async with core.uow() as uow:
            poll = await _existing_poll(uow, poll_id)
            return poll.result if poll.result else await polls.tally(uow, poll)

    _print_result(cli_common.run_with_core(work))


def _print_result(result: dict[str, Any]) -> None:
    for label, count in zip(result.get("labels", []), result.get("counts", []), strict=True):
        typer.echo(f"{count}\t{label}")
    if "voters" in result:
        quorum = "reached" if result["quorum_reached"] else "not reached"
        typer.echo(f"voters={result['voters']} quorum={result['quorum']} ({quorum})")

"""`entraide poll create | close | results`: the polls of a territory, from the command line."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import typer

from core.app import Core
from core.domain.vocabulary import PollKind, Role
from core.services import polls


def register(poll_app: typer.Typer) -> None:
    """Add the poll commands to `entraide poll`."""
    poll_app.command("create")(poll_create)
    poll_app.command("close")(poll_close)
    poll_app.command("results")(poll_results)


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


def poll_create(
    question: str,
    option: list[str] = typer.Option([], "--option", "-o", help="Repeat for each option."),
    kind: PollKind = typer.Option(PollKind.SINGLE),
    secret: bool = typer.Option(False, help="Secret ballot: who voted is stored apart."),
    closes: str = typer.Option("7d", help="When it closes: an ISO date-time, or 3d / 12h."),
    quorum: int = typer.Option(0),
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
    from bots.cli import _closing_time, _territory, run_with_core

    async def work(core: Core) -> str:
        async with core.uow() as uow:
            place = await _territory(uow, territory)
            poll = await polls.create_poll(
                uow,
                place.id,
                question,
                option,
                kind=kind,
                secret=secret,
                quorum=quorum,
                closes_at=_closing_time(closes, uow.now(), place.timezone),
                by_id=None,
                voter_role=VOTER_ROLES[voters] if voters else None,
                prior_members_only=not include_new_members,
            )
            await uow.commit()
            return f"Poll #{poll.id} is open until {poll.closes_at.isoformat()}."

    typer.echo(run_with_core(work))


def poll_close(poll_id: int) -> None:
    """Close a poll now and announce its result."""
    from bots.cli import run_with_core

    async def work(core: Core) -> dict[str, Any]:
        async with core.uow() as uow:
            result = await polls.close_poll(uow, poll_id, by_id=None)
            await uow.commit()
            return result

    _print_result(run_with_core(work))


def poll_results(poll_id: int) -> None:
    """Show the current count of a poll."""
    from bots.cli import run_with_core

    async def work(core: Core) -> dict[str, Any]:
        async with core.uow() as uow:
            poll = await polls.get_poll(uow, poll_id)
            return poll.result if poll.result else await polls.tally(uow, poll)

    _print_result(run_with_core(work))


def _print_result(result: dict[str, Any]) -> None:
    for label, count in zip(result["labels"], result["counts"], strict=True):
        typer.echo(f"{count}\t{label}")
    quorum = "reached" if result["quorum_reached"] else "not reached"
    typer.echo(f"voters={result['voters']} quorum={result['quorum']} ({quorum})")

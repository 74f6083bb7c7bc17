"""`entraide member add | list | approve | suspend | promote | erase` and `entraide export`."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import typer

from bots import cli_common
from bots.cli_proxies import proxy_app
from core.app import Core
from core.domain.model import Member
from core.domain.vocabulary import Category, Role
from core.services import members, privacy, proxies
from core.services.unit_of_work import UnitOfWork


def register(app: typer.Typer, member_app: typer.Typer) -> None:
    """Add the member commands to `entraide member`, and `export` to `entraide`."""
    member_app.command("add")(member_add)
    member_app.command("list")(member_list)
    member_app.command("approve", help="Approve a member (volunteers act only once approved).")(
        member_approve
    )
    member_app.command("suspend", help="Suspend a member.")(member_suspend)
    member_app.command("promote")(member_promote)
    member_app.command("erase")(member_erase)
    app.command("export")(export)
    member_app.add_typer(proxy_app, name="proxy")


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
    no_chat: bool = typer.Option(
        False, "--no-chat", help="She does not chat: told by phone, through her proxies."
    ),
    call_times: str | None = typer.Option(
        None, "--call-times", help='When to call her: "in the afternoon".'
    ),
) -> None:
    """Register a member (volunteers then need `entraide member approve`)."""
    from core.domain.availability import PRESETS

    if available not in PRESETS:
        cli_common.fail(f"--available must be one of: {', '.join(PRESETS)}.")

    async def work(core: Core) -> str:
        async with core.uow() as uow:
            place = await cli_common.territory(uow, territory)
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
            if no_chat:
                await proxies.register_no_chat(uow, member.id, call_times=call_times, by_id=None)
            elif call_times:
                await proxies.set_care(uow, member.id, call_times=call_times, by_id=None)
            await uow.commit()
            chat = ", does not chat" if no_chat else ""
            return f"Member #{member.id} {member.display_name} added ({member.status}{chat})."

    typer.echo(cli_common.run_with_core(work))


def member_list(territory: str | None = typer.Option(None)) -> None:
    """List members (no contact details: use `entraide export`)."""

    async def work(core: Core) -> list[str]:
        async with core.uow() as uow:
            place = await members.territory_named(uow, territory) if territory else None
            if territory and place is None:
                raise cli_common.CliError(f"No territory is named {territory!r}.")
            rows = await members.list_members(uow, place.id if place else None)
            return [
                f"#{m.id}\t{m.display_name}\t{','.join(m.roles)}\t{m.status}\t"
                f"{m.neighbourhood or '-'}\t{','.join(sorted(m.skill_set))}"
                for m in rows
            ]

    for line in cli_common.run_with_core(work):
        typer.echo(line)


def _member_action(
    action: Callable[[UnitOfWork, int], Awaitable[Member]], done: str
) -> Callable[[str], None]:
    def command(member: str) -> None:
        async def work(core: Core) -> str:
            async with core.uow() as uow:
                target = await cli_common.one_member(uow, member)
                changed = await action(uow, target.id)
                await uow.commit()
                return done.format(name=changed.display_name, status=changed.status)

        typer.echo(cli_common.run_with_core(work))

    return command


member_approve = _member_action(
    lambda uow, mid: members.approve_member(uow, mid, by_id=None), "{name} is approved."
)
member_suspend = _member_action(
    lambda uow, mid: members.suspend_member(uow, mid, by_id=None), "{name} is suspended."
)


def member_promote(member: str, role: Role = typer.Option(..., "--role")) -> None:
    """Give a member one more role (e.g. coordinator)."""

    async def work(core: Core) -> str:
        async with core.uow() as uow:
            target = await cli_common.one_member(uow, member)
            changed = await members.promote_member(uow, target.id, role, by_id=None)
            await uow.commit()
            return f"{changed.display_name} is now {', '.join(changed.roles)}."

    typer.echo(cli_common.run_with_core(work))


def export(member: str = typer.Option(..., "--member", help="Name or #id.")) -> None:
    """Print everything stored about a member, as JSON."""

    async def work(core: Core) -> dict[str, Any]:
        async with core.uow() as uow:
            return await privacy.export_member(uow, (await cli_common.one_member(uow, member)).id)

    typer.echo(json.dumps(cli_common.run_with_core(work), indent=2, ensure_ascii=False))


def member_erase(
    member: str, yes: bool = typer.Option(False, "--yes", help="Do not ask.")
) -> None:
    """Erase a member's personal data (anonymous counts are kept)."""
    if not yes and not typer.confirm(f"Erase every personal data of {member}?"):
        raise typer.Exit(1)

    async def work(core: Core) -> str:
        async with core.uow() as uow:
            target = await cli_common.one_member(uow, member)
            await privacy.erase_member(uow, target.id, by_id=None)
            await uow.commit()
            return "Erased."

    typer.echo(cli_common.run_with_core(work))

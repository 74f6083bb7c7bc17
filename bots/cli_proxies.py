"""`entraide member proxy add | remove | list`: who acts for a member who does not chat.

The coordinator at the command line records the senior's consent ("by phone, 2026-12-01"):
how she gave it, and the day (today when the text names none).
"""

from __future__ import annotations

import typer

from bots import cli_common
from core.app import Core
from core.services import proxies

proxy_app = typer.Typer(
    help="Who acts for a member (a relative, a neighbour, a coordinator).", no_args_is_help=True
)


@proxy_app.command("add")
def proxy_add(
    senior: str,
    proxy: str = typer.Option(..., "--proxy", help="The member who acts for SENIOR."),
    consent: str = typer.Option(
        ..., "--consent", help='How and when SENIOR agreed: "by phone, 2026-12-01".'
    ),
    call_proxy: bool = typer.Option(
        False, "--call-proxy", help="Volunteers call this proxy rather than SENIOR."
    ),
) -> None:
    """Name a proxy for SENIOR, with her consent."""

    async def work(core: Core) -> str:
        async with core.uow() as uow:
            who = await cli_common.one_member(uow, senior)
            helper = await cli_common.one_member(uow, proxy)
            row = await proxies.add_proxy(
                uow,
                who.id,
                helper.id,
                consent=consent,
                by_id=None,
                volunteers_call_proxy=call_proxy,
            )
            await uow.commit()
            given = row.consent_on.isoformat()
            said = row.consent if given in row.consent else f"{row.consent}, {given}"
            return f"{helper.display_name} now acts for {who.display_name} (consent: {said})."

    typer.echo(cli_common.run_with_core(work))


@proxy_app.command("remove")
def proxy_remove(
    senior: str, proxy: str = typer.Option(..., "--proxy", help="The member to remove.")
) -> None:
    """Revoke a proxy: their access ends now, planned reminders included."""

    async def work(core: Core) -> str:
        async with core.uow() as uow:
            who = await cli_common.one_member(uow, senior)
            helper = await cli_common.one_member(uow, proxy)
            await proxies.remove_proxy(uow, who.id, helper.id, by_id=None)
            await uow.commit()
            return f"{helper.display_name} no longer acts for {who.display_name}."

    typer.echo(cli_common.run_with_core(work))


@proxy_app.command("list")
def proxy_list(senior: str | None = typer.Argument(None)) -> None:
    """The proxies of SENIOR (of every member without it), with the consent recorded."""

    async def work(core: Core) -> list[str]:
        async with core.uow() as uow:
            who = await cli_common.one_member(uow, senior) if senior else None
            rows = await proxies.list_proxies(uow, senior_id=who.id if who else None)
            lines = []
            for row in rows:
                profile = await proxies.care_of(uow, row.senior_id)
                calls = profile is not None and profile.call_proxy_id == row.proxy_id
                lines.append(
                    f"{row.senior.display_name}\t{row.proxy.display_name}\t"
                    f"{row.consent}\t{row.consent_on.isoformat()}"
                    + ("\tvolunteers call this proxy" if calls else "")
                )
            return lines or ["No proxy."]

    for line in cli_common.run_with_core(work):
        typer.echo(line)

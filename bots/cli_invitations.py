"""`entraide territory invite | invitations | revoke`: the invitations that let newcomers join.

A territory's link used to carry its id, so anyone could guess it; an invitation is a random,
revocable code, with an optional expiry and number of uses (core/services/invitations.py).
"""

from __future__ import annotations

from datetime import datetime

import typer

from bots import cli_common
from bots.cli_polls import closing_time
from core.app import Core
from core.services import invitations


def register(territory_app: typer.Typer) -> None:
    """Add the invitation commands to `entraide territory`."""
    territory_app.command("invite")(territory_invite)
    territory_app.command("invitations")(territory_invitations)
    territory_app.command("revoke")(territory_revoke)


def territory_invite(
    name: str | None = typer.Argument(None, help="Territory name (default: the default one)."),
    bot: str | None = typer.Option(
        None, "--bot", help="The Telegram bot's username (default: asked with TELEGRAM_BOT_TOKEN)."
    ),
    expires: str | None = typer.Option(
        None, "--expires", help="When it stops working: 30d, 12h, or an ISO date-time."
    ),
    uses: int | None = typer.Option(
        None, "--uses", min=1, max=invitations.MAX_USES, help="How many newcomers may use it."
    ),
) -> None:
    """Make a new invitation to a territory and print its Telegram link (for a leaflet or a QR
    code): newcomers who follow it join this territory while it is valid."""
    from bots.telegram import bot_username
    from bots.telegram.links import invitation_link

    async def work(core: Core) -> str:
        # The bot's name first: no invitation is made for a link that cannot be printed.
        username = bot or await bot_username(core.settings)
        if not username:
            raise cli_common.CliError(
                "Give the bot's username with --bot, or set TELEGRAM_BOT_TOKEN."
            )
        async with core.uow() as uow:
            territory = await cli_common.territory(uow, name)
            expires_at = _expiry(expires, uow.now(), territory.timezone) if expires else None
            invitation = await invitations.create_invitation(
                uow, territory.id, by_id=None, expires_at=expires_at, max_uses=uses
            )
            await uow.commit()
        return invitation_link(username.lstrip("@"), invitation.code)

    typer.echo(cli_common.run_with_core(work))


def territory_invitations(
    name: str | None = typer.Argument(None, help="Territory name (default: the default one)."),
) -> None:
    """List a territory's invitations: code, state, uses, expiry."""

    async def work(core: Core) -> list[str]:
        async with core.uow() as uow:
            territory = await cli_common.territory(uow, name)
            now = uow.now()
            lines = []
            for invitation in await invitations.list_invitations(uow, territory.id, by_id=None):
                state = (
                    "revoked"
                    if invitation.revoked_at
                    else "valid"
                    if invitations.is_valid(invitation, now)
                    else "expired"
                    if invitation.expires_at and invitation.expires_at <= now
                    else "used up"
                )
                limit = invitation.max_uses if invitation.max_uses is not None else "-"
                lines.append(
                    f"{invitation.code}\t{state}\tuses {invitation.uses}/{limit}"
                    f"\texpires {_moment(invitation.expires_at)}"
                    f"\tmade {_moment(invitation.created_at)}"
                )
            await uow.commit()
            return lines or [f"{territory.name} has no invitation yet."]

    for line in cli_common.run_with_core(work):
        typer.echo(line)


def territory_revoke(code: str = typer.Argument(..., help="The invitation's code.")) -> None:
    """Revoke an invitation at once: newcomers who follow it join the default territory."""

    async def work(core: Core) -> str:
        async with core.uow() as uow:
            invitation = await invitations.revoke_invitation(uow, code.strip(), by_id=None)
            await uow.commit()
            return f"Invitation {invitation.code} revoked."

    typer.echo(cli_common.run_with_core(work))


def _expiry(value: str, now: datetime, timezone: str) -> datetime:
    try:
        return closing_time(value, now, timezone)
    except (cli_common.CliError, OverflowError) as exc:
        raise cli_common.CliError(
            f"--expires must be like 30d or 12h, or an ISO date-time, not {value!r}."
        ) from exc


def _moment(value: datetime | None) -> str:
    return value.isoformat(timespec="minutes") if value else "never"

"""`entraide web`: the coordinators' web console, and `entraide web link` for a login link.

Registered on the main `entraide` app by `register(app)` (bots/cli.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal

import typer

from bots import cli_common
from core.app import Core
from core.services import web_access

web_app = typer.Typer(
    help="The coordinators' web console.", invoke_without_command=True, no_args_is_help=False
)


def register(app: typer.Typer) -> None:
    """Add `web` to the `entraide` command line."""
    app.add_typer(web_app, name="web")


def base_url(settings: object, host: str | None = None, port: int | None = None) -> str:
    """Where coordinators open the console (see `web_access.console_address`)."""
    return web_access.console_address(settings, host, port)


@web_app.callback()
def web(
    ctx: typer.Context,
    host: str | None = typer.Option(None, help="Address to listen on (default: web_host)."),
    port: int | None = typer.Option(None, help="Port (default: web_port, else 8080)."),
) -> None:
    """Serve the console until Ctrl-C (behind a reverse proxy with TLS in production)."""
    if ctx.invoked_subcommand is not None:
        return
    from bots.runner import configure_logging
    from bots.web.app import serve

    configure_logging(False)

    async def work(core: Core) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(signum, stop.set)
        listen_host = host or core.settings.web_host
        listen_port = port or core.settings.web_port or 8080
        typer.echo(f"Console: {base_url(core.settings, listen_host, listen_port)}/", err=True)
        await serve(core, listen_host, listen_port, stop)

    cli_common.run_with_core(work)


@web_app.command("link")
def link(
    member: str = typer.Option(..., "--member", help="The coordinator (name or #id)."),
) -> None:
    """Print a one-time login link for a coordinator (valid 15 minutes, used once)."""

    async def work(core: Core) -> str:
        async with core.uow() as uow:
            found = await cli_common.one_member(uow, member)
            token = await web_access.issue_login(uow, found.id, by_id=None)
            await uow.commit()
        return web_access.login_link(core.settings, token)

    typer.echo(cli_common.run_with_core(work))

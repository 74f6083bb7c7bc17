"""The console's aiohttp application: middlewares (headers, session, CSRF, errors), the
routes, and `serve` to run it in the bots' event loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path
from typing import Any

from aiohttp import web
from sqlalchemy.orm import raiseload

from bots.web.context import (
    CONSOLE,
    VISIT,
    Console,
    Visit,
    console_of,
    language_of,
    render,
    set_session,
    templates,
)
from bots.web.pages import impact, login, members, now, polls, requests, settings
from bots.web.sessions import COOKIE, Session, Signer
from core.app import Core
from core.domain.errors import DomainError, NotAllowed, NotFound
from core.domain.model import Member
from core.i18n import N_, translate
from core.services import web_access

log = logging.getLogger("entraide.web")
HERE = Path(__file__).parent
# The published open data (`/observatory/<territory>/...`) is public: opt-in per territory.
PUBLIC = ("/login", "/static/", "/observatory/")
SECURITY_HEADERS = {
    # Nothing from elsewhere: no CDN, no external font or script.
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # Login links carry their token in the address: never send it to another site.
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


@web.middleware
async def headers_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        response = exc
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if isinstance(response, web.HTTPException) and response.status >= 300:
        raise response
    return response


@web.middleware
async def session_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    """Who is there: a coordinator with a valid session, or nobody (only /login is open)."""
    console = console_of(request)
    session = console.signer.load(request.cookies.get(COOKIE)) or Session.anonymous()
    state = request[VISIT] = Visit(session)
    public = request.path.startswith(PUBLIC)
    if session.member_id is not None and not public:
        async with console.core.uow() as uow:
            # Who is there (not their skills and accounts: no page header needs them).
            member = await uow.session.get(
                Member,
                session.member_id,
                options=[raiseload(Member.skills), raiseload(Member.accounts)],
            )
            try:
                if member is None:
                    raise NotAllowed()
                territory = await web_access.require_console_access(uow, member)
            except NotAllowed:
                session = Session.anonymous()
            else:
                state.member, state.territory = member, territory
    state.session = session
    if state.member is None and not public:
        raise web.HTTPSeeOther("/login")
    if request.method == "POST" and not request.path.startswith("/static/"):
        form = await request.post()
        state.form = form
        if not console.signer.csrf_ok(session, str(form.get("csrf", ""))):
            response = render(request, "problem.html", status=403, problem=_CSRF)
            set_session(request, response, session)
            return response
    response = await handler(request)
    if not state.session_set:
        set_session(request, response, session.touched())
    return response


_CSRF = N_("This form has expired. Please go back, reload the page and try again.")


@web.middleware
async def errors_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    """A refusal of the core is one kind sentence in the coordinator's language."""
    try:
        return await handler(request)
    except DomainError as error:
        status = (
            403 if isinstance(error, NotAllowed) else 404 if isinstance(error, NotFound) else 400
        )
        text = translate(language_of(request), error.key)
        with contextlib.suppress(KeyError, IndexError, ValueError):
            text = text.format(**error.params)
        return render(request, "problem.html", status=status, problem=text, translated=True)


async def build_app(core: Core) -> web.Application:
    """The console over `core` (the session key is read, or made, once here)."""

    async with core.uow() as uow:
        key = await web_access.session_key(uow)
        await uow.commit()
    idle = core.settings.web_session_minutes * 60
    app = web.Application(
        middlewares=[headers_middleware, session_middleware, errors_middleware],
        client_max_size=64 * 1024,
    )
    app[CONSOLE] = Console(core, Signer(key, idle), templates(), await _bot_username(core))
    for module in (login, now, members, requests, polls, settings, impact):
        module.add_routes(app.router)
    app.router.add_static("/static/", HERE / "static", append_version=True)
    return app


async def _bot_username(core: Core) -> str | None:
    """The bot's @username from the settings, else asked to Telegram once (None if unknown:
    the console then prints invitations without a QR code, and says why)."""
    if core.settings.telegram_bot_username:
        return core.settings.telegram_bot_username.lstrip("@")
    if core.settings.telegram_bot_token is None:
        return None
    from bots.telegram import bot_username

    try:
        async with asyncio.timeout(10):
            return await bot_username(core.settings)
    except Exception:  # Telegram unreachable: the console still starts
        log.warning("The bot's username is unknown: invitations print without a QR code.")
        return None


async def serve(core: Core, host: str, port: int, stop: asyncio.Event) -> None:
    """Serve the console until `stop` is set (in the caller's event loop)."""
    runner = web.AppRunner(await build_app(core), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    log.warning("Web console on http://%s:%d/", host, port)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()

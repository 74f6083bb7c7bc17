"""Logging in with a one-time link, and out.

Opening the link shows a button; only pressing it (a POST) uses the link, so a mail client or a
chat that previews links does not spend it.
"""

from __future__ import annotations

from aiohttp import web

from bots.web.context import console_of, form_of, render, set_session, visit
from bots.web.sessions import Session
from core.domain.errors import CodeInvalid, TooManyAttempts
from core.i18n import N_, translate
from core.services import web_access

WRONG_LINK = N_(
    "This link is not valid: it was already used, or it has expired. Ask for a new one."
)


def subject_of(request: web.Request) -> str:
    """Who tries: their address (behind the proxy: the first forwarded one)."""
    if console_of(request).core.settings.web_behind_proxy:
        forwarded = request.headers.get("X-Forwarded-For", "").split(",")[0].strip()
        if forwarded:
            return f"ip:{forwarded}"
    return f"ip:{request.remote or '?'}"


async def login_page(request: web.Request) -> web.Response:
    """The page a login link opens: one button to enter (or how to get a link)."""
    token = request.query.get("token", "")[:200]
    return render(request, "login.html", token=token)


async def login(request: web.Request) -> web.Response:
    """Use the link once: a coordinator gets a fresh session."""
    token = str(form_of(request).get("token", ""))
    core = console_of(request).core
    async with core.uow() as uow:
        try:
            member = await web_access.redeem_login(uow, token, subject=subject_of(request))
        except TooManyAttempts as refusal:
            text = translate("fr", refusal.key).format(**refusal.params)
            return render(request, "problem.html", status=429, problem=text, translated=True)
        except CodeInvalid:
            await uow.commit()  # the failed attempt limits the next guess
            return render(request, "problem.html", status=403, problem=WRONG_LINK)
        await uow.commit()
    response = web.HTTPSeeOther("/")
    set_session(request, response, Session.of(member.id))
    visit(request).session_set = True
    raise response


async def logout(request: web.Request) -> web.Response:
    response = web.HTTPSeeOther("/login")
    set_session(request, response, Session.anonymous())
    visit(request).session_set = True
    raise response


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/login", login_page)
    router.add_post("/login", login)
    router.add_post("/logout", logout)

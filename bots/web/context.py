"""What every page of the console shares: the request's state, who is there, and rendering."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web

from bots.web import views
from bots.web.sessions import COOKIE, Session, Signer
from core.app import Core
from core.domain.model import Member, Territory
from core.i18n import translate

HERE = Path(__file__).parent


@dataclass
class Console:
    """What every handler shares."""

    core: Core
    signer: Signer
    templates: jinja2.Environment
    # The Telegram bot's @username, for invitation links and their QR codes (None: no link).
    bot_username: str | None = None


@dataclass
class Visit:
    """One request's state: its session, who is there, the form it posted."""

    session: Session
    member: Member | None = None
    territory: Territory | None = None
    form: Any = None
    session_set: bool = False


CONSOLE = web.AppKey("console", Console)
VISIT = web.RequestKey("visit", Visit)


def templates() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def console_of(request: web.Request) -> Console:
    return request.app[CONSOLE]


def visit(request: web.Request) -> Visit:
    return request[VISIT]


def language_of(request: web.Request) -> str:
    member = visit(request).member if VISIT in request else None
    return member.language if member is not None else "fr"


def render(request: web.Request, name: str, status: int = 200, **context: Any) -> web.Response:
    """A page in the coordinator's language (French before login)."""
    console = console_of(request)
    language = language_of(request)
    state = visit(request)
    helpers = views.helpers(language, state.territory, console.core.clock())
    html = console.templates.get_template(name).render(
        _=lambda text: translate(language, text),
        lang=language,
        csrf=console.signer.csrf(state.session),
        me=state.member,
        territory=state.territory,
        path=request.path,
        **helpers,
        **context,
    )
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")


def is_https(request: web.Request) -> bool:
    if console_of(request).core.settings.web_behind_proxy:
        return request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip() == "https"
    return request.secure


def set_session(request: web.Request, response: web.StreamResponse, session: Session) -> None:
    signer = console_of(request).signer
    response.set_cookie(
        COOKIE,
        signer.dump(session),
        httponly=True,
        samesite="Strict",
        secure=is_https(request),
        path="/",
        max_age=int(signer.idle_seconds),
    )


def territory_of(request: web.Request) -> Territory:
    territory = visit(request).territory
    assert territory is not None  # the session middleware let in only a coordinator
    return territory


def me(request: web.Request) -> Member:
    member = visit(request).member
    assert member is not None
    return member


def form_of(request: web.Request) -> Any:
    return visit(request).form


def back(location: str) -> web.HTTPSeeOther:
    """After a change, back to a page of the console (never elsewhere)."""
    if not location.startswith("/") or location.startswith("//"):
        location = "/"
    return web.HTTPSeeOther(location)

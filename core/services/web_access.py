"""Who may enter the coordinators' web console: one-time login links and the session key.

A link holds a random token; only its SHA-256 is stored (`web_logins`), so the database never
holds a usable link. It is valid `LINK_MINUTES`, used once (a conditional UPDATE: two tabs that
open it at once let one in), and only lets in a coordinator who is one *now*. Failed logins are
rate-limited per address (`core/services/attempts.py`).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy import update

from core import redaction
from core.domain.errors import CodeInvalid, NotAllowed
from core.domain.model import InstallSecret, Member, Territory, WebLogin
from core.services import attempts, authorization
from core.services.attempts import Limit
from core.services.authorization import Action
from core.services.members import get_member
from core.services.unit_of_work import UnitOfWork

LINK_MINUTES = 15
WEB_LOGIN = "web-login"
SESSION_KEY = "web-session-key"


def console_address(settings: object, host: str | None = None, port: int | None = None) -> str:
    """Where coordinators open the console: `web_base_url`, else the address it listens on."""
    configured = getattr(settings, "web_base_url", None)
    if configured:
        return str(configured).rstrip("/")
    listen_host = host or getattr(settings, "web_host", "127.0.0.1")
    listen_port = port or getattr(settings, "web_port", None) or 8080
    return f"http://{listen_host}:{listen_port}"


def login_link(settings: object, token: str) -> str:
    """The one-time login link a coordinator opens."""
    return f"{console_address(settings)}/login?token={token}"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def login_limit(settings: Any) -> Limit:
    return Limit(
        WEB_LOGIN,
        getattr(settings, "web_login_attempts", 5),
        getattr(settings, "web_login_attempts_global", 50),
        timedelta(minutes=getattr(settings, "web_login_window_minutes", 10)),
    )


async def require_console_access(uow: UnitOfWork, member: Member) -> Territory:
    """The member's territory, if they may coordinate it (the console is for coordinators)."""
    territory = await uow.session.get(Territory, member.territory_id)
    if territory is None or not authorization.may(member, Action.COORDINATE, territory):
        raise NotAllowed(authorization.COORDINATORS_ONLY)
    return territory


async def issue_login(uow: UnitOfWork, member_id: int, *, by_id: int | None) -> str:
    """A new one-time token for a coordinator (asked by themselves or the administrator)."""
    member = await get_member(uow, member_id)
    if by_id is not None and by_id != member_id:
        raise NotAllowed()
    await require_console_access(uow, member)
    token = secrets.token_urlsafe(32)
    uow.session.add(
        WebLogin(
            token_hash=token_hash(token),
            member_id=member.id,
            created_at=uow.now(),
            expires_at=uow.now() + timedelta(minutes=LINK_MINUTES),
        )
    )
    uow.audit(by_id, "web.link", f"member:{member.id}")
    return token


async def redeem_login(uow: UnitOfWork, token: str, *, subject: str) -> Member:
    """The coordinator a token lets in, once; raise `CodeInvalid` (recorded) otherwise.

    The caller commits even on failure: the failed attempt is what limits the next guess.
    """
    limit = login_limit(uow.settings)
    await attempts.ensure_allowed(uow, limit, subject)
    used = await uow.session.execute(
        update(WebLogin)
        .where(
            WebLogin.token_hash == token_hash(token[:200]),
            WebLogin.used_at.is_(None),
            WebLogin.expires_at > uow.now(),
        )
        .values(used_at=uow.now())
        .returning(WebLogin.member_id)
    )
    member_id = used.scalar_one_or_none()
    member = await uow.session.get(Member, member_id) if member_id is not None else None
    allowed = member is not None and authorization.may(
        member,
        Action.COORDINATE,
        await uow.session.get(Territory, member.territory_id),  # type: ignore[arg-type]
    )
    attempts.record(uow, WEB_LOGIN, subject, succeeded=allowed)
    if not allowed or member is None:
        raise CodeInvalid()
    uow.audit(member.id, "web.login", f"member:{member.id}")
    return member


async def session_key(uow: UnitOfWork) -> str:
    """The key that signs sessions: the setting, else generated once and kept in the database."""
    configured = getattr(uow.settings, "web_secret", None)
    if configured is not None:
        return str(configured.get_secret_value())
    stored = await uow.session.get(InstallSecret, SESSION_KEY)
    if stored is None:
        stored = InstallSecret(
            name=SESSION_KEY, value=secrets.token_urlsafe(48), created_at=uow.now()
        )
        uow.session.add(stored)
        await uow.session.flush()
    redaction.remember_secrets([stored.value])
    return stored.value

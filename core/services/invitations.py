"""Invitations: unguessable, revocable codes that let newcomers join one territory.

A territory's link used to carry its id, so anyone could join any territory (and vote there).
A code is 24 random bytes in base64url (192 bits, 32 characters): it fits Telegram's deep-link
payload (`join_<code>`, `[A-Za-z0-9_-]{1,64}`) and the `invitations.code` column. A code may
expire and may be limited to a number of uses; a coordinator can revoke it at any time.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime

from sqlalchemy import or_, select, update

from core.domain.errors import InvalidInput, NotFound
from core.domain.model import Invitation, Territory
from core.services.authorization import require_coordinator
from core.services.unit_of_work import UnitOfWork

CODE_BYTES = 24
# What a code may look like before the database is asked about it (Telegram's payload alphabet,
# within the column's 32 characters); anything else is refused without a query.
CODE_FORMAT = re.compile(r"[A-Za-z0-9_-]{1,32}")
MAX_USES = 100_000


def new_code() -> str:
    """A fresh random code: 192 bits from the operating system's generator, URL-safe."""
    return secrets.token_urlsafe(CODE_BYTES)


def looks_like_code(value: str) -> bool:
    return CODE_FORMAT.fullmatch(value) is not None


async def create_invitation(
    uow: UnitOfWork,
    territory_id: int,
    *,
    by_id: int | None,
    expires_at: datetime | None = None,
    max_uses: int | None = None,
) -> Invitation:
    """A new invitation to a territory (its coordinators and the administrator)."""
    await require_coordinator(uow, by_id, territory_id)
    if await uow.session.get(Territory, territory_id) is None:
        raise NotFound()
    if expires_at is not None and expires_at <= uow.now():
        raise InvalidInput("The expiry must be in the future.")
    if max_uses is not None and not 1 <= max_uses <= MAX_USES:
        raise InvalidInput("The number of uses must be between 1 and {most}.", most=MAX_USES)
    invitation = Invitation(
        code=new_code(),
        territory_id=territory_id,
        created_by=by_id,
        created_at=uow.now(),
        expires_at=expires_at,
        max_uses=max_uses,
        uses=0,
    )
    uow.session.add(invitation)
    await uow.session.flush()
    # The audit names the invitation by a prefix only: the log must not let anyone join.
    uow.audit(by_id, "invitation.create", f"territory:{territory_id}", code=invitation.code[:6])
    return invitation


async def revoke_invitation(uow: UnitOfWork, code: str, *, by_id: int | None) -> Invitation:
    """Revoke an invitation at once: newcomers who follow it join the default territory."""
    invitation = await _find(uow, code)
    if invitation is None:
        raise NotFound()
    await require_coordinator(uow, by_id, invitation.territory_id)
    if invitation.revoked_at is None:
        invitation.revoked_at = uow.now()
        uow.audit(
            by_id,
            "invitation.revoke",
            f"territory:{invitation.territory_id}",
            code=invitation.code[:6],
        )
    return invitation


async def list_invitations(
    uow: UnitOfWork, territory_id: int, *, by_id: int | None
) -> list[Invitation]:
    """Every invitation of a territory, the newest first (revoked and expired ones too)."""
    await require_coordinator(uow, by_id, territory_id)
    rows = await uow.session.execute(
        select(Invitation)
        .where(Invitation.territory_id == territory_id)
        .order_by(Invitation.created_at.desc(), Invitation.code)
    )
    return list(rows.scalars())


async def get_invitation(uow: UnitOfWork, code: str, *, by_id: int | None) -> Invitation:
    """One invitation, to print it (its territory's coordinators only; unknown: not found)."""
    invitation = await _find(uow, code)
    if invitation is None:
        raise NotFound()
    await require_coordinator(uow, by_id, invitation.territory_id)
    return invitation


def is_valid(invitation: Invitation, now: datetime) -> bool:
    return (
        invitation.revoked_at is None
        and (invitation.expires_at is None or now < invitation.expires_at)
        and (invitation.max_uses is None or invitation.uses < invitation.max_uses)
    )


async def valid_invitation(uow: UnitOfWork, code: str) -> Invitation | None:
    """The invitation behind `code` if it can still be used, without using it."""
    invitation = await _find(uow, code)
    return invitation if invitation is not None and is_valid(invitation, uow.now()) else None


async def redeem(uow: UnitOfWork, code: str) -> Territory | None:
    """Use an invitation once: its territory, or None if it is unknown or no longer valid.

    One conditional UPDATE, so that two newcomers racing for the last use cannot both win.
    """
    if not looks_like_code(code):
        return None
    now = uow.now()
    used = await uow.session.execute(
        update(Invitation)
        .where(
            Invitation.code == code,
            Invitation.revoked_at.is_(None),
            or_(Invitation.expires_at.is_(None), Invitation.expires_at > now),
            or_(Invitation.max_uses.is_(None), Invitation.uses < Invitation.max_uses),
        )
        .values(uses=Invitation.uses + 1)
        .returning(Invitation.territory_id)
        .execution_options(synchronize_session=False)
    )
    territory_id = used.scalar_one_or_none()
    if territory_id is None:
        return None
    return await uow.session.get(Territory, territory_id)


async def _find(uow: UnitOfWork, code: str) -> Invitation | None:
    if not looks_like_code(code):
        return None
    return await uow.session.get(Invitation, code)

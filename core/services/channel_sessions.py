"""What a channel keeps between runs, and the few facts about rooms and chats it must look up.

- The session of a bot identity (`ChannelSession`): device, access token, sync token, so that a
  restarted channel resumes exactly where it stopped.
- The territory room behind a platform room, and the room post behind a platform message id
  (a reaction on a request's post accepts that request).
- Private chats a channel opens or loses itself (on Matrix a bot may open a direct chat; a
  member who leaves it can no longer be reached there).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from core.domain.model import (
    ChannelSession,
    Member,
    PlatformAccount,
    Territory,
    TerritoryChannel,
)
from core.services import authorization, identity
from core.services.authorization import Action
from core.services.unit_of_work import UnitOfWork


async def load_session(uow: UnitOfWork, platform: str, account: str) -> ChannelSession:
    """The session of `account` on `platform`, created empty (with a random prefix) if new."""
    session = await uow.session.get(ChannelSession, (platform, account))
    if session is None:
        now = uow.now()
        session = ChannelSession(
            platform=platform,
            account=account,
            data={"txn_prefix": secrets.token_hex(4)},
            created_at=now,
            updated_at=now,
        )
        uow.session.add(session)
        await uow.session.flush()
    return session


async def save_session(uow: UnitOfWork, platform: str, account: str, **values: Any) -> None:
    """Update some fields of a session (`device_id`, `access_token`, `sync_token`, `data`)."""
    session = await load_session(uow, platform, account)
    for name, value in values.items():
        if name not in ("device_id", "access_token", "sync_token", "data"):
            raise ValueError(f"not a session field: {name}")
        setattr(session, name, value)
    session.updated_at = uow.now()


@dataclass(frozen=True)
class Room:
    """A territory's public room on a platform."""

    channel_id: int
    territory_id: int
    territory: str


async def room_of(uow: UnitOfWork, platform: str, chat_ref: str) -> Room | None:
    """The territory room `chat_ref` is on `platform`, or None for any other room."""
    row = (
        await uow.session.execute(
            select(TerritoryChannel.id, TerritoryChannel.territory_id, Territory.name)
            .join(Territory, Territory.id == TerritoryChannel.territory_id)
            .where(TerritoryChannel.platform == platform, TerritoryChannel.chat_ref == chat_ref)
        )
    ).first()
    return Room(row[0], row[1], row[2]) if row is not None else None


async def is_coordinator(uow: UnitOfWork, platform: str, external_id: str) -> bool:
    """Whether this platform user is an active coordinator (they may bring the bot to rooms)."""
    account = await identity.account_for(uow, platform, external_id)
    if account is None or account.member_id is None:
        return False
    member = await uow.session.get(Member, account.member_id)
    return member is not None and authorization.may(member, Action.LINK_ROOM, member.territory)


async def private_chat_opened(
    uow: UnitOfWork, platform: str, external_id: str, chat_ref: str
) -> PlatformAccount:
    """A private chat with this user exists now (they opened it, or the channel did): the
    only way an account's private chat changes once it has one."""
    account = await identity.ensure_account(uow, platform, external_id, chat_ref)
    account.chat_ref = chat_ref
    account.reachable = True
    return account


async def private_chat_closed(
    uow: UnitOfWork, platform: str, external_id: str, chat_ref: str
) -> None:
    """The user left their private chat: stop writing there (coordinators are told)."""
    account = await identity.account_for(uow, platform, external_id)
    if account is None or account.chat_ref != chat_ref:
        return  # an older chat: the current one still works
    await identity.mark_unreachable(uow, account.id)
    account.chat_ref = None


async def private_chat_of(uow: UnitOfWork, platform: str, external_id: str) -> str | None:
    """The private chat the channel writes to this user in, if any."""
    account = await identity.account_for(uow, platform, external_id)
    return account.chat_ref if account is not None else None

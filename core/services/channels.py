"""Public rooms of a territory on a platform (a Telegram group, a Matrix room)."""

from __future__ import annotations

from sqlalchemy import select

from core.domain.errors import InvalidInput
from core.domain.model import TerritoryChannel
from core.services.authorization import Action, require_by
from core.services.members import get_member
from core.services.unit_of_work import UnitOfWork


async def link_channel(
    uow: UnitOfWork, by_id: int, platform: str, chat_ref: str
) -> TerritoryChannel:
    """A coordinator makes a room the public room of their territory (anonymised posts)."""
    coordinator = await get_member(uow, by_id)
    await require_by(uow, by_id, Action.LINK_ROOM, coordinator.territory)
    existing = (
        await uow.session.execute(
            select(TerritoryChannel).where(
                TerritoryChannel.platform == platform, TerritoryChannel.chat_ref == chat_ref
            )
        )
    ).scalar_one_or_none()
    if existing is not None:
        if existing.territory_id != coordinator.territory_id:
            raise InvalidInput("This room already belongs to another territory.")
        return existing
    channel = TerritoryChannel(
        territory_id=coordinator.territory_id,
        platform=platform,
        chat_ref=chat_ref,
        created_at=uow.now(),
    )
    uow.session.add(channel)
    await uow.session.flush()
    uow.audit(by_id, "channel.link", f"channel:{channel.id}", platform=platform)
    return channel


async def channels_of(
    uow: UnitOfWork, territory_id: int, platform: str | None = None
) -> list[TerritoryChannel]:
    query = select(TerritoryChannel).where(TerritoryChannel.territory_id == territory_id)
    if platform is not None:
        query = query.where(TerritoryChannel.platform == platform)
    return list((await uow.session.execute(query.order_by(TerritoryChannel.id))).scalars())

"""The Matrix bot's persistent state in our database (one short transaction per call)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.app import Core
from core.domain.vocabulary import Platform
from core.services import channel_sessions
from core.services.channel_sessions import Room


@dataclass
class Session:
    device_id: str | None
    access_token: str | None
    sync_token: str | None
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def txn_prefix(self) -> str:
        return str(self.data.get("txn_prefix", "entraide"))


class MatrixState:
    """Sessions, territory rooms, posts and private chats, as the Matrix channel needs them."""

    def __init__(self, core: Core, user_id: str) -> None:
        self.core = core
        self.user_id = user_id

    async def session(self) -> Session:
        async with self.core.uow() as uow:
            row = await channel_sessions.load_session(uow, Platform.MATRIX, self.user_id)
            found = Session(row.device_id, row.access_token, row.sync_token, dict(row.data))
            await uow.commit()
        return found

    async def save(self, **values: Any) -> None:
        async with self.core.uow() as uow:
            await channel_sessions.save_session(uow, Platform.MATRIX, self.user_id, **values)
            await uow.commit()

    async def room(self, room_id: str) -> Room | None:
        async with self.core.uow() as uow:
            return await channel_sessions.room_of(uow, Platform.MATRIX, room_id)

    async def post_topic(self, channel_id: int, event_id: str) -> str | None:
        async with self.core.uow() as uow:
            return await channel_sessions.post_topic(uow, channel_id, event_id)

    async def is_coordinator(self, user_id: str) -> bool:
        async with self.core.uow() as uow:
            return await channel_sessions.is_coordinator(uow, Platform.MATRIX, user_id)

    async def private_chat_opened(self, user_id: str, room_id: str) -> None:
        async with self.core.uow() as uow:
            await channel_sessions.private_chat_opened(uow, Platform.MATRIX, user_id, room_id)
            await uow.commit()

    async def private_chat_closed(self, user_id: str, room_id: str) -> None:
        async with self.core.uow() as uow:
            await channel_sessions.private_chat_closed(uow, Platform.MATRIX, user_id, room_id)
            await uow.commit()

    async def private_chat_of(self, user_id: str) -> str | None:
        async with self.core.uow() as uow:
            return await channel_sessions.private_chat_of(uow, Platform.MATRIX, user_id)

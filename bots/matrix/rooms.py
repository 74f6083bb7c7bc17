"""The bot's rooms on Matrix, of three kinds, and the invitations that bring it into them.

- a territory's public room (linked by a coordinator with `!lier_groupe`): new requests are
  posted there without contact details;
- a direct chat (the bot and one person): the whole conversation;
- any other room: the bot only listens for `!lier_groupe`.

The bot accepts invitations to direct chats from anyone and to rooms from coordinators only,
and may open a direct chat itself to reach someone who never wrote to it.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

import nio

from bots.matrix.connection import Connection
from bots.matrix.errors import MatrixUnavailable, error_of
from core.dialogue.port import ChannelPort, Room
from core.domain.vocabulary import Platform

log = logging.getLogger("entraide.matrix")


@dataclass(frozen=True)
class RoomKind:
    channel: Room | None = None
    direct: bool = False


class Rooms:
    """What each room is, the direct chat of each person, and joining or leaving rooms."""

    def __init__(self, connection: Connection, port: ChannelPort) -> None:
        self.connection = connection
        self.port = port
        self.user_id = connection.user_id
        self._channels: dict[str, Room | None] = {}
        self._private: dict[str, str] = {}  # user -> direct chat opened by the bot
        self._direct: dict[str, str] = {}  # user -> their direct chat (the account's chat_ref)
        self._private_locks: dict[str, asyncio.Lock] = {}
        self._greet: dict[str, str] = {}  # room just joined -> who invited the bot

    @property
    def client(self) -> nio.AsyncClient:
        assert self.connection.client is not None
        return self.connection.client

    async def kind(self, room: nio.MatrixRoom, sender: str | None = None) -> RoomKind:
        """A territory's room, `sender`'s direct chat, or another room (commands only)."""
        if room.room_id not in self._channels:
            self._channels[room.room_id] = await self.port.room(Platform.MATRIX, room.room_id)
        channel = self._channels[room.room_id]
        if channel is not None:
            return RoomKind(channel=channel)
        return RoomKind(direct=await self._is_direct_chat(room, sender))

    def forget(self, room_id: str) -> None:
        """The room changed (linked to a territory, or left): ask again next time."""
        self._channels.pop(room_id, None)

    def greeted(self, room_id: str) -> str | None:
        """Who invited the bot into this direct chat just joined (once), to say hello."""
        return self._greet.pop(room_id, None)

    async def is_private_chat_of(self, user_id: str, room_id: str) -> bool:
        return await self.port.private_chat_of(Platform.MATRIX, user_id) == room_id

    async def _is_direct_chat(self, room: nio.MatrixRoom, person: str | None) -> bool:
        """Whether `room` is `person`'s direct chat with the bot: the one the bot accepted
        (an invitation marked `is_direct`) or opened as their DM, with no one else in it.

        Two members are not enough: a room where someone is alone with the bot may be joined
        by anyone later, and their private messages (contact details) must never go there.
        """
        if person is None or person == self.user_id or room.member_count > 2:
            return False
        if set(room.users) | set(room.invited_users) != {self.user_id, person}:
            return False
        if self._direct.get(person) != room.room_id:
            found = await self.port.private_chat_of(Platform.MATRIX, person)
            if found is None and room.is_group:
                # No private chat on record (a new database, or the last one was left): an
                # unnamed room of two, as clients make direct chats, becomes it. A named room
                # (a coordinator's, which others may join) never does.
                await self.port.private_chat_opened(Platform.MATRIX, person, room.room_id)
                found = room.room_id
            if found is None:
                return False
            self._direct[person] = found
        return self._direct[person] == room.room_id

    async def in_room(self, room_id: str, user_id: str) -> bool:
        """Whether this user has joined this room, as the bot knows it through sync (an
        invitation is not enough: the poll is for members who can see the room)."""
        room = self.client.rooms.get(room_id)
        return room is not None and user_id in room.users and user_id not in room.invited_users

    async def on_invite(self, room_id: str, invited: nio.InviteInfo) -> None:
        """Join direct chats from anyone and rooms from coordinators; decline other rooms."""
        inviter, direct = None, False
        for event in invited.invite_state:
            if (
                isinstance(event, nio.InviteMemberEvent)
                and event.state_key == self.user_id
                and event.membership == "invite"
            ):
                inviter, direct = event.sender, bool(event.content.get("is_direct"))
        if inviter is None:
            return
        if not direct and not await self.port.may_bring_bot(Platform.MATRIX, inviter):
            log.info("declining the invitation of %s to %s (not a coordinator)", inviter, room_id)
            await self.client.room_leave(room_id)
            return
        joined = await self.client.join(room_id)
        if not isinstance(joined, nio.JoinResponse):
            error = error_of(joined, f"join {room_id}")
            if isinstance(error, MatrixUnavailable):
                raise error
            log.warning("could not join %s: %s", room_id, error)
            return
        if direct:
            await self.port.private_chat_opened(Platform.MATRIX, inviter, room_id)
            self._direct[inviter] = room_id
            self._greet[room_id] = inviter
        self.forget(room_id)

    async def on_membership(self, room: nio.MatrixRoom, event: nio.RoomMemberEvent) -> None:
        """A person who leaves their direct chat can no longer be reached there."""
        if event.membership not in ("leave", "ban") or event.state_key == self.user_id:
            return
        kind = await self.kind(room)
        if kind.channel is not None or room.member_count > 1:
            return
        await self.port.private_chat_closed(Platform.MATRIX, event.state_key, room.room_id)
        self._private.pop(event.state_key, None)
        self._direct.pop(event.state_key, None)
        await self.client.room_leave(room.room_id)

    async def private_room(self, user_id: str) -> str:
        """Open a direct chat with someone who never opened one (a bot may write first)."""
        lock = self._private_locks.setdefault(user_id, asyncio.Lock())
        async with lock:
            if user_id in self._private:
                return self._private[user_id]
            created = await self.client.room_create(
                is_direct=True, invite=[user_id], preset=nio.RoomPreset.trusted_private_chat
            )
            if not isinstance(created, nio.RoomCreateResponse):
                raise error_of(created, f"direct chat with {user_id}")
            room_id = created.room_id
            if room_id not in self.client.rooms:
                # Not synced yet: known to nio as the plain room it is (no encryption).
                self.client.rooms[room_id] = nio.MatrixRoom(room_id, self.user_id)
            await self.port.private_chat_opened(Platform.MATRIX, user_id, room_id)
            self._private[user_id] = room_id
            self._direct[user_id] = room_id
            return room_id

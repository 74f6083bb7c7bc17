"""Matrix events in: each becomes an `Inbound` for the engine, handed to the inlet.

In a direct chat: text (or a `!command`: an action of `bots.commands`), voice, media, votes
in native polls. In a territory's room: a ✋ under a request's post (accept it), `!prendre N`,
`!lier_groupe`, and votes. Elsewhere: `!lier_groupe` only. Encrypted messages the bot cannot
read are waited for (their key may come) or answered with a plain word.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

import nio

from bots.commands import LINK_ROOM, TAKE, private_action, take_action
from bots.inlet import Inlet
from bots.matrix import events
from bots.matrix.connection import Connection
from bots.matrix.crypto import Undecrypted
from bots.matrix.errors import RETRIED, MatrixRefused
from bots.matrix.rooms import RoomKind, Rooms
from core.dialogue.messages import Inbound
from core.dialogue.port import ChannelPort, Room
from core.domain.vocabulary import Platform

log = logging.getLogger("entraide.matrix")

# Seconds a vote waits for the record of a poll this process started (see `_on_poll_response`).
PUBLICATION_WAIT = 10.0


class MatrixInbound:
    """Translate Matrix events into `Inbound` messages (through the inlet)."""

    def __init__(
        self,
        connection: Connection,
        rooms: Rooms,
        inlet: Inlet,
        port: ChannelPort,
        poll_answers: dict[str, events.PollAnswers],
    ) -> None:
        self.connection = connection
        self.rooms = rooms
        self.inlet = inlet
        self.port = port
        self.undecrypted = Undecrypted()
        self.user_id = connection.user_id
        # The answers of the polls the bot started, shared with the sender that starts them.
        self._poll_answers = poll_answers
        self._latest_response: dict[tuple[str, str], int] = {}
        self._told_unreadable: set[str] = set()

    @property
    def client(self) -> nio.AsyncClient:
        assert self.connection.client is not None
        return self.connection.client

    async def dispatch(self, room: nio.MatrixRoom, event: nio.Event) -> None:
        """One event of a room's timeline."""
        if isinstance(event, nio.MegolmEvent):
            await self._on_undecryptable(room, event)
            return
        if isinstance(event, nio.RoomMemberEvent):
            await self.rooms.on_membership(room, event)
            return
        if isinstance(event, nio.RoomEncryptionEvent):
            if not self.connection.encrypted:
                await self.say_unreadable(room, event.sender)
            return
        kind = await self.rooms.kind(room, event.sender)
        if kind.channel is not None:
            await self._on_public_event(room, kind.channel, event)
        elif kind.direct:
            await self._on_private_event(room, event)
        elif isinstance(event, nio.RoomMessageText):
            text = self._body(event.source.get("content", {}))
            if text.startswith("!"):
                await self._command(room, event, text, kind)

    async def hello(self, room: nio.MatrixRoom, inviter: str) -> None:
        """Invited into a direct chat without a word yet: say hello (onboarding or menu)."""
        await self.inlet.take(
            Inbound(
                platform=Platform.MATRIX,
                user_ref=inviter,
                chat_ref=room.room_id,
                action="menu",
                display_name=display_name(room, inviter),
                message_ref=f"greet:{room.room_id}",
            )
        )

    def told_unreadable(self, room_id: str) -> bool:
        return room_id in self._told_unreadable

    def _inbound(
        self, room: nio.MatrixRoom, event: nio.Event, *, private: bool = True, **fields: Any
    ) -> Inbound:
        return Inbound(
            platform=Platform.MATRIX,
            user_ref=event.sender,
            chat_ref=room.room_id if private else None,
            display_name=display_name(room, event.sender),
            message_ref=event.event_id,
            **fields,
        )

    def _body(self, content: dict[str, Any]) -> str:
        """A message's text, capped at the longest message before it is parsed at all."""
        return events.plain_body(content, limit=self.port.settings.max_message_chars)

    async def _on_private_event(self, room: nio.MatrixRoom, event: nio.Event) -> None:
        content = event.source.get("content", {})
        if isinstance(event, nio.RoomMessageNotice):
            return  # notices are what bots send: never answer one (no bot loops)
        if isinstance(event, nio.RoomMessageText | nio.RoomMessageEmote):
            if events.is_edit(content):
                return  # an edited message was answered as first written
            text = self._body(content)
            if not text:
                return
            if text.startswith("!"):
                await self._command(room, event, text, RoomKind(direct=True))
                return
            await self.inlet.take(self._inbound(room, event, text=text))
        elif isinstance(event, nio.RoomMessageAudio | nio.RoomEncryptedAudio):
            # The coordinators get the audio by its mxc address (an encrypted one would need
            # its key forwarded too: the alert then goes without the audio).
            url = event.url if isinstance(event, nio.RoomMessageAudio) else None
            media = url if isinstance(url, str) and url.startswith("mxc://") else None
            await self.inlet.take(self._inbound(room, event, action="voice", media_ref=media))
        elif isinstance(
            event,
            nio.RoomMessageMedia
            | nio.RoomEncryptedMedia
            | nio.StickerEvent
            | nio.RoomMessageUnknown,
        ):
            await self.inlet.take(self._inbound(room, event, action="not_text"))
        elif isinstance(event, nio.UnknownEvent):
            await self._on_poll_response(room, event, private=True)

    async def _on_public_event(
        self, room: nio.MatrixRoom, channel: Room, event: nio.Event
    ) -> None:
        if isinstance(event, nio.ReactionEvent):
            if not events.is_hand(event.key):
                return
            request = await self.port.request_of_post(channel.channel_id, event.reacts_to)
            if request is not None:
                inbound = self._inbound(room, event, private=False, territory=channel.territory)
                await self.inlet.take(replace(inbound, action=f"accept:{request}"))
        elif isinstance(event, nio.RoomMessageText) and not isinstance(
            event, nio.RoomMessageNotice
        ):
            content = event.source.get("content", {})
            text = self._body(content)
            if text.startswith("!") and not events.is_edit(content):
                await self._command(room, event, text, RoomKind(channel=channel))
        elif isinstance(event, nio.UnknownEvent):
            await self._on_poll_response(room, event, private=False)

    async def _command(
        self, room: nio.MatrixRoom, event: nio.Event, text: str, kind: RoomKind
    ) -> None:
        """`!aide`, `!demande`, ... in a direct chat; `!prendre N` and `!lier_groupe` anywhere."""
        words = text[1:].split()
        if not words:
            return
        name, args = words[0].lower(), words[1:]
        territory = kind.channel.territory if kind.channel else None
        if name in LINK_ROOM.names:
            if kind.direct and await self.rooms.is_private_chat_of(event.sender, room.room_id):
                await self.inlet.take(self._inbound(room, event, action="link_group_private"))
                return
            inbound = self._inbound(room, event, private=False, territory=territory)
            await self.inlet.take(
                replace(inbound, action=f"link_group:{room.room_id}"), replies_in=room.room_id
            )
            self.rooms.forget(room.room_id)
            return
        if name in TAKE.names:
            action = take_action(args)
            if action is not None:
                inbound = self._inbound(room, event, private=kind.direct, territory=territory)
                await self.inlet.take(replace(inbound, action=action))
            return
        if not kind.direct:
            return  # in public rooms only the two commands above speak
        await self.inlet.take(self._inbound(room, event, action=private_action(name, args)))

    async def _on_poll_response(
        self, room: nio.MatrixRoom, event: nio.UnknownEvent, *, private: bool
    ) -> None:
        """A vote in one of our native polls: the member's latest response replaces the former.

        Per MSC3381 only each member's latest response counts (an older one arriving late is
        ignored), an empty selection withdraws the vote, and a response naming an unknown
        answer is spoiled: as if nothing were chosen.
        """
        response = events.poll_response(event.type, event.source.get("content", {}))
        if response is None:
            return
        # A poll this process started may not be recorded yet (the response came before the
        # record of the start): wait for it; anyone else's poll is not ours, at once.
        started_here = response.start_event_id in self._poll_answers
        poll_id = await self.port.poll_for_publication(
            Platform.MATRIX, response.start_event_id, wait=PUBLICATION_WAIT if started_here else 0
        )
        if poll_id is None:
            return
        key = (response.start_event_id, event.sender)
        if event.server_timestamp < self._latest_response.get(key, 0):
            return
        self._latest_response[key] = event.server_timestamp
        answers = await self._answers_of(room.room_id, response.start_event_id)
        if answers is None:
            log.warning("poll %s: its start event cannot be read", response.start_event_id)
            return
        positions = events.chosen_positions(response, answers)
        choice = ",".join(str(p) for p in positions)
        await self.inlet.take(
            self._inbound(room, event, private=private, action=f"vote_set:{poll_id}:{choice}")
        )

    async def _answers_of(self, room_id: str, start_event_id: str) -> events.PollAnswers | None:
        if start_event_id in self._poll_answers:
            return self._poll_answers[start_event_id]
        found = await self.client.room_get_event(room_id, start_event_id)
        if not isinstance(found, nio.RoomGetEventResponse):
            return None
        event = found.event
        if isinstance(event, nio.MegolmEvent) and self.connection.encrypted:
            event = self.client.decrypt_event(event)
        answers = events.PollAnswers.from_content(event.source.get("content", {}))
        if answers is not None:
            self._poll_answers[start_event_id] = answers
        return answers

    # --- what the bot cannot read --------------------------------------------------------------

    async def _on_undecryptable(self, room: nio.MatrixRoom, event: nio.MegolmEvent) -> None:
        if not self.connection.encrypted:
            await self.say_unreadable(room, event.sender)
            return
        # The key may still come (it often arrives just after the message): wait a little.
        await self.undecrypted.wait_for_key(self.client, room, event)

    async def say_not_decrypted(self, room: nio.MatrixRoom) -> None:
        """The key of an encrypted message never came: ask for it again."""
        language = self.port.settings.default_language
        await self.connection.notice(
            room.room_id,
            self.port.translate(
                language, "I could not read your encrypted message. Please send it again."
            ),
        )

    async def say_unreadable(self, room: nio.MatrixRoom, sender: str | None = None) -> None:
        """Without encryption support: say so (unencrypted), once per room; in a direct chat,
        open a new one without encryption where the conversation can go on."""
        if room.room_id in self._told_unreadable:
            return
        self._told_unreadable.add(room.room_id)
        language = self.port.settings.default_language
        kind = await self.rooms.kind(room, sender)
        if not kind.direct or sender is None or sender == self.user_id:
            await self.connection.notice(
                room.room_id,
                self.port.translate(language, "I cannot read encrypted messages in this room."),
            )
            return
        await self.connection.notice(
            room.room_id,
            self.port.translate(
                language,
                "I cannot read encrypted messages. I am inviting you to a new chat without "
                "encryption: please accept it and write to me there.",
            ),
        )
        try:
            plain = await self.rooms.private_room(sender)
        except (*RETRIED, MatrixRefused) as error:
            log.info("could not open a plain chat with %s: %s", sender, error)
            return
        await self.inlet.take(
            Inbound(
                platform=Platform.MATRIX,
                user_ref=sender,
                chat_ref=plain,
                action="menu",
                message_ref=f"greet:{plain}",
            )
        )


def display_name(room: nio.MatrixRoom, user_id: str) -> str | None:
    """The member's display name, unless it is only their user name."""
    name = room.user_name(user_id) if user_id in room.users else None
    localpart = user_id[1:].split(":", 1)[0]
    if not name or name in (user_id, localpart):
        return None
    return name

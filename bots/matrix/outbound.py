"""Matrix's side of the outbox: the `Sender` primitives over nio, and what its errors mean.

Messages are `m.notice` events; a request's public post is edited with `m.replace` and
carries the bot's own ✋ while it can be taken; open single-choice polls are MSC3381 polls,
ended with our results. Each event is sent with a transaction id derived from the outbox row,
so a message sent again (after a failure) lands once. What to send when: `bots.outbound`.
"""

from __future__ import annotations

import contextlib
import logging
import urllib.parse
from typing import Any

from bots.channel import Published
from bots.failures import DeliveryFailure, Refused, RetryLater, Unreachable, described
from bots.matrix import events, render
from bots.matrix.connection import Connection
from bots.matrix.errors import RETRIED, TRANSIENT, MatrixRefused
from bots.matrix.rooms import Rooms
from core.dialogue.messages import Outgoing
from core.dialogue.port import ChannelPort
from core.domain.vocabulary import MessageKind, Platform

log = logging.getLogger("entraide.matrix")


class MatrixSender:
    """Sends, edits and polls in the bot's rooms: the pump's `Sender`."""

    platform = Platform.MATRIX

    def __init__(
        self,
        connection: Connection,
        rooms: Rooms,
        port: ChannelPort,
        poll_answers: dict[str, events.PollAnswers],
    ) -> None:
        self.connection = connection
        self.rooms = rooms
        self.port = port
        # The answers of the polls started here, so that votes are read without a round trip.
        self.poll_answers = poll_answers

    @property
    def connected(self) -> bool:
        """Whether the last request to the homeserver got through (the pump waits if not)."""
        return self.connection.connected

    async def chat_for(self, message: Outgoing) -> str | None:
        """The room; someone who never opened a direct chat gets one (by their user id)."""
        room_id = message.chat_ref
        if room_id is not None and room_id.startswith("@"):
            return await self.rooms.private_room(room_id)
        return room_id

    async def send(self, message: Outgoing) -> str:
        assert message.chat_ref is not None
        txn = str(message.notification_id)
        if message.kind == MessageKind.FORWARDED_AUDIO:
            await self._forward_audio(message, txn)
        event_id = await self.connection.room_send(
            message.chat_ref, "m.room.message", self._content(message), txn
        )
        if _offers_help_in_room(message):
            # The bot's own ✋ under the post: volunteers only have to click it.
            with contextlib.suppress(MatrixRefused):
                await self.connection.room_send(
                    message.chat_ref, "m.reaction", render.reaction(event_id), txn + "-h"
                )
        return event_id

    async def _forward_audio(self, message: Outgoing, txn: str) -> None:
        """A member's voice message, as an `m.audio` event reusing its mxc address (nothing is
        downloaded), before the text that says whom to call back. Audio from another platform
        cannot be sent here: the text goes alone."""
        ref = str(message.params.get("audio_ref", ""))
        if message.params.get("audio_platform") != Platform.MATRIX or not ref.startswith("mxc://"):
            return
        assert message.chat_ref is not None
        content = {
            "msgtype": "m.audio",
            "body": self.port.translate(message.language, "Voice message"),
            "url": ref,
        }
        await self.connection.room_send(message.chat_ref, "m.room.message", content, txn + "-a")

    async def edit(self, message: Outgoing, ref: str) -> bool:
        """Replace the post (`m.replace`); one that offers nothing more loses its ✋."""
        assert message.chat_ref is not None
        content = render.replacement(ref, self._content(message))
        txn = str(message.notification_id)
        await self.connection.room_send(message.chat_ref, "m.room.message", content, txn)
        if not _offers_help_in_room(message):
            await self.remove_buttons(message, ref)
        return True

    async def remove_buttons(self, message: Outgoing, ref: str) -> None:
        """Take back the bot's own ✋ under a post that can no longer be taken (best effort)."""
        assert message.chat_ref is not None
        client = self.connection.client
        assert client is not None
        quote = urllib.parse.quote
        path = (
            f"/_matrix/client/v1/rooms/{quote(message.chat_ref)}/relations/{quote(ref)}"
            "/m.annotation/m.reaction?limit=100"
        )
        try:
            answer = await client.send(
                "GET", path, headers={"Authorization": f"Bearer {client.access_token}"}
            )
            related = await answer.json() if answer.status == 200 else {}
            for event in related.get("chunk", []):
                key = event.get("content", {}).get("m.relates_to", {}).get("key", "")
                if event.get("sender") == self.connection.user_id and events.is_hand(key):
                    await client.room_redact(
                        message.chat_ref,
                        event["event_id"],
                        tx_id=f"{self.connection.txn_prefix}-r-{event['event_id']}",
                    )
        except (*TRANSIENT, ValueError) as error:
            log.info("could not take back the ✋ under %s: %s", ref, error)

    def shows_natively(self, message: Outgoing) -> bool:
        return is_native_poll(message)

    async def open_poll(self, message: Outgoing) -> Published:
        assert message.chat_ref is not None
        labels = [button.label for button in message.buttons]
        question = str(message.params.get("question", ""))
        content = render.poll_start(question, labels, intro=message.text)
        event_id = await self.connection.room_send(
            message.chat_ref, events.POLL_START, content, str(message.notification_id)
        )
        self.poll_answers[event_id] = events.PollAnswers(
            [events.answer_id(p) for p in range(len(labels))], 1
        )
        return Published(message.chat_ref, event_id, event_id, event_id)

    async def close_polls(self, message: Outgoing, refs: list[str]) -> str | None:
        """End our native polls in this room with the results: their authoritative end."""
        assert message.chat_ref is not None
        ended = None
        for index, start_event_id in enumerate(refs):
            content = render.poll_end(start_event_id, message.text)
            event_id = await self.connection.room_send(
                message.chat_ref,
                events.POLL_END,
                content,
                f"{message.notification_id}-end{index}",
            )
            ended = ended or event_id
        return ended

    async def in_group(self, group_ref: str, user_ref: str) -> bool:
        return await self.rooms.in_room(group_ref, user_ref)

    def _content(self, message: Outgoing) -> dict[str, Any]:
        if message.channel_id is None:
            return render.notice(message.text, [b.label for b in message.buttons])
        # A public room: no numbered choices (answers are given privately or with ✋).
        text = message.text
        if message.request_id is not None:
            text = f"#{message.request_id} · {text}"
        if _offers_help_in_room(message):
            text += "\n" + self.port.translate(
                message.language, "React with ✋ or write !take {request_id} to help."
            ).format(request_id=message.request_id)
        elif message.kind == MessageKind.POLL_OPENED:
            text += "\n" + self.port.translate(
                message.language, "Vote in your private chat with me."
            )
        return render.notice(text)

    def classify(self, error: Exception) -> DeliveryFailure | None:
        failure = classify(error)
        if isinstance(failure, RetryLater):
            # The homeserver is away: the pump waits until a sync gets through again.
            self.connection.connected = False
        return failure


def classify(error: Exception) -> DeliveryFailure | None:
    """What a homeserver's error means for the outbox."""
    if isinstance(error, RETRIED):
        # Sent again later with the same transaction id: the homeserver keeps one copy.
        return RetryLater(described(error))
    if isinstance(error, MatrixRefused):
        if error.errcode == "M_FORBIDDEN":  # not in the room (any more): left, banned
            return Unreachable(str(error))
        return Refused(f"MatrixRefused: {error}")
    return None


def is_native_poll(message: Outgoing) -> bool:
    """Open single-choice polls become native Matrix polls; secret ballots and
    multiple-choice polls stay numbered choices (Element votes for one answer only)."""
    return (
        message.kind == MessageKind.POLL_OPENED
        and not message.params.get("secret")
        and message.params.get("kind") != "multiple"
        and bool(message.buttons)
    )


def _offers_help_in_room(message: Outgoing) -> bool:
    return message.kind == MessageKind.REQUEST_POST and message.channel_id is not None

"""A chat platform held in memory: the smallest `bots.channel.Channel`.

What a new platform (XMPP, Signal...) writes: platform events in (`say`, `press`, `vote`),
the channel's primitives out. The engine, the outbox pump, the per-person order, the public
posts edited and the native polls are the shared ones of `bots/`.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import defaultdict
from dataclasses import dataclass, field

from bots.channel import Published
from bots.failures import DeliveryFailure
from bots.inlet import Inlet
from bots.ordering import PersonQueue
from bots.pump import OutboxPump
from core.dialogue.engine import ConversationEngine
from core.dialogue.messages import Inbound, Outgoing
from core.dialogue.port import ChannelPort
from core.domain.vocabulary import MessageKind, Platform


@dataclass
class Shown:
    """A message as a member sees it in a chat (a native poll has options and votes)."""

    ref: str
    text: str
    buttons: list[tuple[str, str]] = field(default_factory=list)  # (label, action)
    poll_ref: str | None = None
    closed: bool = False

    @property
    def ref_of_poll(self) -> str:
        assert self.poll_ref is not None, "not a poll"
        return self.poll_ref


class MemoryChannel:
    platform = Platform.CONSOLE  # platforms are a closed vocabulary; this one has no other user
    connected = True

    def __init__(self, engine: ConversationEngine, port: ChannelPort) -> None:
        self.port = port
        self.pump = OutboxPump(self, port, engine, interval=0.05)
        self.queue = PersonQueue()
        self.inlet = Inlet(engine, self.pump, self.queue)
        self.chats: dict[str, list[Shown]] = defaultdict(list)
        self.groups: dict[str, set[str]] = defaultdict(set)  # group -> who is in it
        self._numbers = itertools.count(1)

    async def run(self, stop: asyncio.Event) -> None:
        await self.pump.run(stop)
        await self.queue.drain()

    # --- what people do (platform events in) ---------------------------------------------------

    async def say(self, user: str, text: str) -> None:
        await self.inlet.take(self._inbound(user, text=text))

    async def press(self, user: str, action_prefix: str) -> None:
        """Press the button of the last message in `user`'s chat whose action starts so."""
        shown = [m for m in self.chats[user] if m.buttons][-1]
        action = next(a for _, a in shown.buttons if a.startswith(action_prefix))
        await self.inlet.take(self._inbound(user, action=action), in_place_of=shown.ref)

    async def vote(self, user: str, poll_ref: str, positions: list[int]) -> None:
        poll_id = await self.port.poll_for_publication(self.platform, poll_ref)
        assert poll_id is not None, "not a poll of ours"
        choice = ",".join(map(str, positions))
        await self.inlet.take(self._inbound(user, action=f"vote_set:{poll_id}:{choice}"))

    def _inbound(self, user: str, **fields: str) -> Inbound:
        number = next(self._numbers)
        return Inbound(self.platform, user, user, message_ref=f"event:{number}", **fields)

    # --- the Channel primitives ----------------------------------------------------------------

    async def chat_for(self, message: Outgoing) -> str | None:
        return message.chat_ref

    async def send(self, message: Outgoing) -> str:
        assert message.chat_ref is not None
        shown = Shown(f"{message.chat_ref}/{next(self._numbers)}", message.text, _buttons(message))
        self.chats[message.chat_ref].append(shown)
        return shown.ref

    async def edit(self, message: Outgoing, ref: str) -> bool:
        for shown in self.chats[str(message.chat_ref)]:
            if shown.ref == ref:
                shown.text, shown.buttons = message.text, _buttons(message)
                return True
        return False

    async def remove_buttons(self, message: Outgoing, ref: str) -> None:
        for shown in self.chats[str(message.chat_ref)]:
            if shown.ref == ref:
                shown.buttons = []

    def shows_natively(self, message: Outgoing) -> bool:
        return message.kind == MessageKind.POLL_OPENED and not message.params.get("secret")

    async def open_poll(self, message: Outgoing) -> Published:
        ref = await self.send(message)
        shown = self.chats[str(message.chat_ref)][-1]
        shown.poll_ref = f"poll-{ref}"
        return Published(str(message.chat_ref), ref, shown.poll_ref, ref)

    async def close_polls(self, message: Outgoing, refs: list[str]) -> str | None:
        for shown in self.chats[str(message.chat_ref)]:
            shown.closed = shown.closed or shown.ref in refs
        return None  # the results come as a message of their own

    async def in_group(self, group_ref: str, user_ref: str) -> bool:
        return user_ref in self.groups[group_ref]

    def classify(self, error: Exception) -> DeliveryFailure | None:
        return None  # nothing fails in memory: an error is a bug, logged and retried


def _buttons(message: Outgoing) -> list[tuple[str, str]]:
    return [(b.label, b.action) for b in message.buttons]

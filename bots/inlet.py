"""`Inlet`: where a channel hands what people say; the answers go out through the pump.

A channel turns its platform's update into an `Inbound` (text, or an action: a command from
`bots.commands`, a button, a vote) and calls `take`. The engine handles it in one transaction
and returns the messages written there, leased to this process; they are sent through the
channel's `OutboxPump`, after the replies to the same person's earlier messages
(`bots.ordering.PersonQueue`), without holding the next update up.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Protocol

from bots.ordering import PersonQueue
from bots.pump import OutboxPump
from core.dialogue.messages import Inbound, Outgoing


class Engine(Protocol):
    """The conversation (`core.dialogue.engine.ConversationEngine`)."""

    async def handle(self, inbound: Inbound) -> list[Outgoing]: ...


class Inlet:
    """Inbound messages to the engine, their answers to the pump, each person in order."""

    def __init__(
        self, engine: Engine, pump: OutboxPump, queue: PersonQueue, *, wake_pump: bool = True
    ) -> None:
        """`wake_pump`: after each message, deliver what it wrote for other people at once
        (else at the pump's next round: a busy bot then claims less often)."""
        self.engine = engine
        self.pump = pump
        self.queue = queue
        self.wake_pump = wake_pump

    async def take(
        self,
        inbound: Inbound,
        *,
        replies_in: str | None = None,
        in_place_of: str | None = None,
    ) -> None:
        """Handle one message or press; its answers are sent soon after, in order.

        `replies_in`: the chat the answers go to, when it is not the person's private chat
        (a command typed in a room is answered there). `in_place_of`: the bot's message whose
        button was pressed, which becomes the answer where the platform can edit it.
        """
        messages = await self.engine.handle(inbound)
        if replies_in is not None:
            messages = [replace(m, chat_ref=replies_in) if m.is_reply else m for m in messages]

        async def answer() -> None:
            try:
                await self.pump.deliver(messages, in_place_of=in_place_of)
            finally:
                # The change may have written messages for other people: once the answers
                # are out (they come first), deliver those now.
                if self.wake_pump:
                    self.pump.wake()

        if messages or self.wake_pump:
            self.queue.later(inbound.user_ref, answer)

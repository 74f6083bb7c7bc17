"""The contract a chat platform implements: `Channel`.

A channel translates its platform's objects, nothing more. Inbound, it turns each update or
event into an `Inbound` (a text, or an action from `bots.commands` or a button) and hands it to
`bots.inlet.Inlet.take`, which asks the engine and sends the replies in that person's order.
Outbound, it offers a few primitives (a `Sender`); `bots.pump.OutboxPump` claims the outbox,
decides what each message becomes from its kind (`bots.outbound`: a new message, an edit of a
request's public post, a native poll...), calls these primitives, classifies the failures and
records how each delivery ended. Telegram and Matrix keep their `Sender` in a module of its own
(`bots/telegram/sender.py`, `bots/matrix/outbound.py`) and hand it to the pump; a small
platform is one object, both `Channel` and `Sender`.

A new platform is one module of this shape (see `tests/third_platform/memory_channel.py`):

    class MyChannel:
        platform = Platform.MY_PLATFORM
        connected = True

        def __init__(self, engine, port):
            self.pump = OutboxPump(self, port, engine)  # or a sender of its own
            self.queue = PersonQueue()
            self.inlet = Inlet(engine, self.pump, self.queue)

        async def run(self, stop):  # receive, and deliver through the pump, until stop
            ...
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Protocol

from bots.failures import DeliveryFailure
from core.dialogue.messages import Outgoing


@dataclass(frozen=True)
class Published:
    """A native poll the platform shows for one of ours: the chat and the message it is in
    (as `close_polls` gets them back), the platform's id of the poll, with which votes come
    back, and the message's id as the outbox keeps it (`ref`, as `send` returns it)."""

    chat_ref: str
    message_ref: str
    poll_ref: str
    ref: str


class Sender(Protocol):
    """A chat platform as the pump sees it: where to write, and the primitives that write.

    Primitives raise the platform's own errors; `classify` maps them to `bots.failures`.
    A primitive may also raise a `DeliveryFailure` itself.
    """

    # `core.domain.vocabulary.Platform`: the accounts, rooms and outbox rows of this platform.
    platform: str

    @property
    def connected(self) -> bool:
        """Whether sending may be tried now (the pump waits while the platform is away)."""
        ...

    async def chat_for(self, message: Outgoing) -> str | None:
        """The platform chat `message` goes to (a platform that lets a bot open a private
        chat may open it here); None: there is nowhere to write it."""
        ...

    async def send(self, message: Outgoing) -> str | None:
        """Show `message` (text and buttons) in `message.chat_ref`; the platform's id of the
        message, kept to edit it later (None if it has none)."""
        ...

    async def edit(self, message: Outgoing, ref: str) -> bool:
        """Make the bot's message `ref` show `message` instead (its text and its buttons);
        False if it cannot be edited (then a new message is sent)."""
        ...

    async def remove_buttons(self, message: Outgoing, ref: str) -> None:
        """Take the buttons off the bot's message `ref`, best effort (it offers nothing more)."""
        ...

    def shows_natively(self, message: Outgoing) -> bool:
        """Whether this poll (`MessageKind.POLL_OPENED`) is shown as the platform's own poll
        (else it is a message with buttons, answered like any)."""
        ...

    async def open_poll(self, message: Outgoing) -> Published:
        """Show a poll natively in `message.chat_ref`."""
        ...

    async def close_polls(self, message: Outgoing, refs: list[str]) -> str | None:
        """Stop the native polls `refs` (message ids in `message.chat_ref`) whose results
        `message` gives. The id of a message that already shows the results (then nothing
        else is sent), or None (the results are sent as a message)."""
        ...

    async def in_group(self, group_ref: str, user_ref: str) -> bool:
        """Whether the platform says this person is in this group now (where a poll is
        published: their private copy is then left out)."""
        ...

    def classify(self, error: Exception) -> DeliveryFailure | None:
        """What a primitive's error means for the outbox; None for an unexpected error
        (logged, and the message tried again later)."""
        ...


class Channel(Sender, Protocol):
    """A whole chat platform in one object: it receives, and it is the `Sender` of its pump."""

    async def run(self, stop: asyncio.Event) -> None:
        """Connect, receive and deliver (through an `OutboxPump`) until `stop` is set."""
        ...

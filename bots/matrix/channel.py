"""The Matrix channel: sync in, outbox out, through the same engine as every platform.

A translator of Matrix's objects, in parts: `connection` (logging in, back-off, sending an
event once), `sync` (the timeline, saved once handled), `rooms` (what each room is, and
invitations), `inbound` (events become `Inbound` messages), `outbound` (the `Channel`
primitives: notices, edits, MSC3381 polls) and `crypto` (encrypted rooms). Conversation state,
polls and deduplication (by event id) live in our database, and so does what a restart needs
to resume exactly where it stopped: the device, the access token and the sync token.
"""

from __future__ import annotations

import asyncio

import nio

from bots.channel import Published
from bots.failures import DeliveryFailure, RetryLater
from bots.inlet import Inlet
from bots.matrix.connection import Connection, MatrixSettings
from bots.matrix.errors import Halted, passes
from bots.matrix.inbound import MatrixInbound
from bots.matrix.outbound import MatrixSender, classify
from bots.matrix.rooms import Rooms
from bots.matrix.sync import SyncLoop
from bots.ordering import PersonQueue
from bots.pump import OutboxPump
from core.dialogue.engine import ConversationEngine
from core.dialogue.inbound_failures import InboundFailures
from core.dialogue.messages import Outgoing
from core.dialogue.port import ChannelPort
from core.domain.vocabulary import Platform

DELIVERY_INTERVAL = 1.0


class MatrixChannel:
    """Owns the nio client and the sync loop; a `Channel` for the shared pump."""

    platform = Platform.MATRIX

    def __init__(
        self, engine: ConversationEngine, port: ChannelPort, settings: MatrixSettings
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.user_id = settings.user_id
        self.connection = Connection(settings, port)
        self.pump = OutboxPump(self, port, engine, interval=DELIVERY_INTERVAL)
        self.queue = PersonQueue()
        self.rooms = Rooms(self.connection, port)
        inlet = Inlet(engine, self.pump, self.queue)
        self.inbound = MatrixInbound(self.connection, self.rooms, inlet, port)
        self.sender = MatrixSender(self.connection, self.rooms, self.inbound, port)
        failures = InboundFailures(engine, Platform.MATRIX, transient=passes)
        self.sync = SyncLoop(self.connection, self.rooms, self.inbound, failures, self.queue)

    @property
    def client(self) -> nio.AsyncClient | None:
        return self.connection.client

    @property
    def connected(self) -> bool:
        """Whether the last request to the homeserver got through (the pump waits if not)."""
        return self.connection.connected

    @property
    def encrypted(self) -> bool:
        return self.connection.encrypted

    @property
    def ready(self) -> asyncio.Event:
        """Set once the first sync is handled: the bot is listening."""
        return self.sync.ready

    async def run(self, stop: asyncio.Event) -> None:
        """Sync and deliver the outbox until `stop` is set (the current batch is finished)."""
        halt = self.connection.halt = asyncio.Event()
        watcher = asyncio.create_task(_set_when(stop, halt), name="matrix-stop")
        delivery: asyncio.Task[None] | None = None
        try:
            await self.connection.connect()
            delivery = asyncio.create_task(self.pump.run(halt), name="matrix-delivery")
            await self.sync.run()
        except Halted:
            pass
        finally:
            halt.set()
            watcher.cancel()
            if delivery is not None:
                await asyncio.gather(delivery, return_exceptions=True)
            await self.queue.drain()  # the replies already leased to this process go out first
            await self.engine.finish()
            if self.client is not None:
                await self.client.close()

    # --- the Channel primitives (see bots/channel.py), by the sender -----------------------------

    async def chat_for(self, message: Outgoing) -> str | None:
        return await self.sender.chat_for(message)

    async def send(self, message: Outgoing) -> str:
        return await self.sender.send(message)

    async def edit(self, message: Outgoing, ref: str) -> bool:
        return await self.sender.edit(message, ref)

    async def remove_buttons(self, message: Outgoing, ref: str) -> None:
        await self.sender.remove_buttons(message, ref)

    def shows_natively(self, message: Outgoing) -> bool:
        return self.sender.shows_natively(message)

    async def open_poll(self, message: Outgoing) -> Published:
        return await self.sender.open_poll(message)

    async def close_polls(self, message: Outgoing, refs: list[str]) -> str | None:
        return await self.sender.close_polls(message, refs)

    async def in_group(self, group_ref: str, user_ref: str) -> bool:
        return await self.sender.in_group(group_ref, user_ref)

    def classify(self, error: Exception) -> DeliveryFailure | None:
        failure = classify(error)
        if isinstance(failure, RetryLater):
            # The homeserver is away: the pump waits until a sync gets through again.
            self.connection.connected = False
        return failure


async def _set_when(stop: asyncio.Event, halt: asyncio.Event) -> None:
    await stop.wait()
    halt.set()

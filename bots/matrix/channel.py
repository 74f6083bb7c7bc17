"""The Matrix channel: sync in, outbox out, through the same engine as every platform.

A translator of Matrix's objects, in parts: `connection` (logging in, back-off, sending an
event once), `sync` (the timeline, saved once handled), `rooms` (what each room is, and
invitations), `inbound` (events become `Inbound` messages), `outbound` (the `Sender`
primitives: notices, edits, MSC3381 polls) and `crypto` (encrypted rooms). Conversation state,
polls and deduplication (by event id) live in our database, and so does what a restart needs
to resume exactly where it stopped: the device, the access token and the sync token.
"""

from __future__ import annotations

import asyncio

import nio

from bots.inlet import Inlet
from bots.matrix import events
from bots.matrix.connection import Connection, MatrixSettings
from bots.matrix.errors import Halted, passes
from bots.matrix.inbound import MatrixInbound
from bots.matrix.outbound import MatrixSender
from bots.matrix.rooms import Rooms
from bots.matrix.sync import SyncLoop
from bots.ordering import PersonQueue
from bots.pump import OutboxPump
from core.dialogue.engine import ConversationEngine
from core.dialogue.inbound_failures import InboundFailures
from core.dialogue.port import ChannelPort
from core.domain.vocabulary import Platform

DELIVERY_INTERVAL = 1.0


class MatrixChannel:
    """Owns the nio client and the sync loop; its `MatrixSender` delivers for the shared pump."""

    platform = Platform.MATRIX

    def __init__(
        self, engine: ConversationEngine, port: ChannelPort, settings: MatrixSettings
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.user_id = settings.user_id
        self.connection = Connection(settings, port)
        self.rooms = Rooms(self.connection, port)
        poll_answers: dict[str, events.PollAnswers] = {}
        self.sender = MatrixSender(self.connection, self.rooms, port, poll_answers)
        self.pump = OutboxPump(self.sender, port, engine, interval=DELIVERY_INTERVAL)
        self.queue = PersonQueue()
        inlet = Inlet(engine, self.pump, self.queue)
        self.inbound = MatrixInbound(self.connection, self.rooms, inlet, port, poll_answers)
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


async def _set_when(stop: asyncio.Event, halt: asyncio.Event) -> None:
    await stop.wait()
    halt.set()

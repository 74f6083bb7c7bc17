"""The sync loop: the homeserver's events, handled in order, and the place in the timeline
saved only once every event of a sync is handled.

Events of a batch that failed on a fault that passes are fetched again (the engine ignores
those it already answered, by event id); an event that keeps failing, or fails on a bug, is
set aside as a dead letter and the others go on. A gappy sync (more events than one sync
returns) is completed by paginating back to the saved token. A new store starts afresh: what
was said before the bot's first start is history, not requests.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable, Iterable

import nio

from bots.matrix.connection import Connection
from bots.matrix.crypto import keep_keys
from bots.matrix.errors import TRANSIENT, Halted, MatrixUnavailable, passes
from bots.matrix.inbound import MatrixInbound
from bots.matrix.rooms import Rooms
from bots.ordering import PersonQueue
from core.dialogue.inbound_failures import InboundFailures

log = logging.getLogger("entraide.matrix")

BACKFILL_PAGES = 50


class _TryAgain(Exception):
    """An event failed on a fault that may pass: its sync batch is fetched again."""


class SyncLoop:
    """Syncs until halted; each room's events in order, rooms at the same time."""

    def __init__(
        self,
        connection: Connection,
        rooms: Rooms,
        inbound: MatrixInbound,
        failures: InboundFailures,
        queue: PersonQueue,
    ) -> None:
        self.connection = connection
        self.rooms = rooms
        self.inbound = inbound
        self.failures = failures
        self.queue = queue
        self.user_id = connection.user_id
        # Set once the first sync is handled: the bot is listening.
        self.ready = asyncio.Event()

    async def run(self) -> None:
        connection = self.connection
        client = connection.client
        assert client is not None
        settings = connection.settings
        backoff = connection.backoff()
        first = True
        while not connection.halt.is_set():
            since = connection.sync_token
            try:
                response = await connection.interruptible(
                    client.sync(
                        timeout=0 if first else settings.sync_timeout_ms,
                        sync_filter={
                            "room": {"timeline": {"limit": settings.timeline_limit}},
                            "presence": {"types": []},
                        },
                        since=since,
                        # After a restart, nio knows no room: the full state comes back with the
                        # events missed since the saved token.
                        full_state=True if first else None,
                    )
                )
            except TRANSIENT as error:
                await connection.pause(connection.went_down(error, backoff))
                continue
            if not isinstance(response, nio.SyncResponse):
                if getattr(response, "status_code", None) == "M_UNKNOWN_TOKEN":
                    with contextlib.suppress(*TRANSIENT):
                        await connection.log_in_again()
                await connection.pause(connection.went_down(response, backoff))
                continue
            if not connection.connected and backoff.failures:
                log.info("homeserver reachable again: catching up")
            connection.connected = True
            try:
                await self._handle_sync(response, since=since, fresh=since is None)
            except Halted:
                raise
            except Exception as error:
                # An event's own failures are counted by `_guarded`; outside them, a fault
                # that passes (the homeserver away) is waited out, a bug is set aside.
                retry = isinstance(error, _TryAgain) or passes(error)
                if retry or not await self._batch_settled(response, since, error):
                    # Fetch the same batch again; what was answered is deduplicated by event id.
                    client.next_batch = since or ""
                    await connection.pause(connection.went_down(error, backoff))
                    continue
            else:
                self.failures.succeeded(f"batch:{since}")
            backoff.reset()
            # The answers to this batch reach the homeserver before anything else the bot
            # asks it (saving keys, the next long poll): they come first there too.
            await self.queue.drain()
            await connection.save_sync_token(response.next_batch)
            await keep_keys(client)
            first = False
            self.ready.set()

    async def _batch_settled(
        self, response: nio.SyncResponse, since: str | None, error: Exception
    ) -> bool:
        """A batch failed outside any one event (an invitation, a gap to fill) on a bug or a
        data error: set aside too, so that it cannot stall the bot either."""

        def payload() -> str:
            joined = response.rooms.join.items()
            rooms = {room: len(state.timeline.events) for room, state in joined}
            return json.dumps({"since": since, "events_per_room": rooms})

        return await self.failures.failed(f"batch:{since}", error, payload)

    async def _handle_sync(
        self, response: nio.SyncResponse, since: str | None, fresh: bool
    ) -> None:
        for room_id, invited in response.rooms.invite.items():
            await self.rooms.on_invite(room_id, invited)
        for room_id in response.rooms.leave:
            self.rooms.forget(room_id)
        await self._retry_undecrypted()
        if fresh:
            # A new store: the bot starts now; what was said before is history, not requests.
            return
        work = []
        for room_id, joined in response.rooms.join.items():
            timeline = list(joined.timeline.events)
            gap = joined.timeline.prev_batch
            if joined.timeline.limited and since and gap:
                timeline = await self._missed(room_id, gap, since) + timeline
            work.append(self._room_events(room_id, timeline))
        results = await asyncio.gather(*work, return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result

    async def _retry_undecrypted(self) -> None:
        client = self.connection.client
        if client is None:
            return
        readable, given_up = self.inbound.undecrypted.due(client)
        for room, event in readable:
            await self._on_event(room, event)
        for room in given_up:
            await self.inbound.say_not_decrypted(room)

    async def _missed(self, room_id: str, prev_batch: str, since: str) -> list[nio.Event]:
        """Events a gappy sync left out: paginate back from the gap to the previous batch."""
        client = self.connection.client
        assert client is not None
        found: list[nio.Event] = []
        start = prev_batch
        for _ in range(BACKFILL_PAGES):
            page = await client.room_messages(
                room_id, start=start, end=since, direction=nio.MessageDirection.back, limit=100
            )
            if not isinstance(page, nio.RoomMessagesResponse):
                raise MatrixUnavailable(f"messages of {room_id}: {page}")
            found.extend(page.chunk)
            if not page.chunk or not page.end or page.end == start:
                break
            start = page.end
        if found:
            log.info("gappy sync in %s: %d missed events fetched", room_id, len(found))
        return list(reversed(found))

    async def _room_events(self, room_id: str, timeline: Iterable[nio.Event]) -> None:
        """A room's events, in order (a room's conversation is answered in sequence)."""
        client = self.connection.client
        assert client is not None
        room = client.rooms.get(room_id)
        if room is None:
            return
        inviter = self.rooms.greeted(room_id)
        spoke = False
        for event in timeline:
            if event.sender == self.user_id:
                continue
            spoke = spoke or (event.sender == inviter and isinstance(event, nio.RoomMessage))
            spoke = spoke or (event.sender == inviter and isinstance(event, nio.MegolmEvent))
            await self._on_event(room, event)
        if inviter is not None and not spoke and not self.inbound.told_unreadable(room_id):
            hello = {"greet": room_id, "inviter": inviter}
            await self._guarded(
                self.inbound.hello(room, inviter), f"greet:{room_id}", lambda: json.dumps(hello)
            )

    async def _on_event(self, room: nio.MatrixRoom, event: nio.Event) -> None:
        await self._guarded(
            self.inbound.dispatch(room, event), event.event_id, lambda: json.dumps(event.source)
        )

    async def _guarded(self, work: Awaitable[None], ref: str, payload: Callable[[], str]) -> None:
        """One event's handling. A fault that passes (the network, the database away) makes
        the batch come again, a few times; an event that keeps failing, or fails on a wrong
        value or a bug, is set aside as a dead letter and the others go on."""
        try:
            await work
        except Halted:
            raise
        except Exception as error:
            if not await self.failures.failed(ref, error, payload):
                raise _TryAgain(f"{ref}: {error}") from error
            if not passes(error):
                log.error("event %s could not be handled", ref, exc_info=error)
        else:
            self.failures.succeeded(ref)

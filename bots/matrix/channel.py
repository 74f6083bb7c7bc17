"""The Matrix channel: sync in, outbox out, through the same engine as every platform.

Handlers only translate: a Matrix event becomes an `Inbound`, the engine's `Outgoing` messages
become `m.notice` messages, edits (`m.replace`) and MSC3381 polls. Conversation state, polls and
deduplication (by event id) live in our database, and so does what a restart needs to resume
exactly where it stopped: the device, the access token and the sync token, saved only once
every event of a sync batch has been handled. Events of a batch that failed are fetched again;
the engine ignores those it already answered.

Rooms are of three kinds:
- a territory's public room (linked by a coordinator with `!lier_groupe`): new requests are
  posted there without contact details; a volunteer accepts with a ✋ reaction or
  `!prendre N`; the post is then edited to say it is taken;
- a direct chat (the bot and one person): the whole conversation, choices as numbered lists;
- any other room: the bot only listens for `!lier_groupe`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import time
import urllib.parse
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
import nio
from sqlalchemy.exc import DBAPIError

from bots.matrix import render
from bots.matrix.state import MatrixState
from core.config import Settings
from core.dialogue.arguments import is_id
from core.dialogue.engine import ConversationEngine
from core.dialogue.inbound_failures import InboundFailures
from core.dialogue.messages import Inbound, Outgoing, failed_as, sent_as
from core.dialogue.words import LINK_ROOM_COMMANDS, PLATFORM_COMMANDS, TAKE_COMMANDS
from core.domain.vocabulary import Outcome, Platform
from core.persistence.faults import is_transient
from core.redaction import remember_secrets
from core.services.channel_sessions import Room

log = logging.getLogger("entraide.matrix")

T = TypeVar("T")

DELIVERY_INTERVAL = 1.0
RETRY_BACKOFF = timedelta(seconds=5)
# How long an encrypted message may wait for its key before the sender is told.
UNDECRYPTED_PATIENCE_S = 30.0
BACKFILL_PAGES = 50
# Failures of the network or the database: the batch is fetched again later (the engine
# skips the events it already answered), a message goes back to the outbox.
TRANSIENT = (aiohttp.ClientError, asyncio.TimeoutError, OSError, DBAPIError)


@dataclass
class MatrixSettings:
    homeserver: str
    user_id: str
    password: str | None = None
    access_token: str | None = None
    device_name: str = "entraide"
    # Directory of the end-to-end encryption store; None: no encryption.
    store_path: str | None = None
    sync_timeout_ms: int = 30_000
    # Events per room in one sync; more make the sync "gappy" and the rest is paginated.
    timeline_limit: int = 100
    request_timeout: float = 20.0
    backoff_initial: float = 0.5
    backoff_max: float = 10.0

    @classmethod
    def from_settings(cls, settings: Settings) -> MatrixSettings:
        if not settings.matrix_homeserver or not settings.matrix_user_id:
            raise ValueError("Matrix needs MATRIX_HOMESERVER and MATRIX_USER_ID.")
        password = (
            settings.matrix_password.get_secret_value() if settings.matrix_password else None
        )
        token = (
            settings.matrix_access_token.get_secret_value()
            if settings.matrix_access_token
            else None
        )
        if not (password or token):
            raise ValueError("Matrix needs MATRIX_PASSWORD or MATRIX_ACCESS_TOKEN.")
        return cls(
            homeserver=settings.matrix_homeserver.rstrip("/"),
            user_id=settings.matrix_user_id,
            password=password,
            access_token=token,
            device_name=settings.matrix_device_name,
            store_path=settings.matrix_store_path or None,
        )


class MatrixUnavailable(RuntimeError):
    """The homeserver did not answer or answered with a server error: try again later."""


RETRIED = (*TRANSIENT, MatrixUnavailable)


class MatrixRefused(RuntimeError):
    """The homeserver refused for good (not in the room, forbidden...)."""

    def __init__(self, errcode: str, message: str) -> None:
        super().__init__(f"{errcode}: {message}")
        self.errcode = errcode


class _Halted(Exception):
    pass


class _TryAgain(Exception):
    """An event failed on a fault that may pass: its sync batch is fetched again."""


def _passes(error: BaseException) -> bool:
    """A fault of the network, the homeserver or the database's connection: try again.

    A data error (an id PostgreSQL cannot hold, a constraint violated) or a bug is not.
    """
    network = (aiohttp.ClientError, asyncio.TimeoutError, OSError, MatrixUnavailable)
    return isinstance(error, network) or is_transient(error)


@dataclass(frozen=True)
class RoomKind:
    channel: Room | None = None
    direct: bool = False


class Backoff:
    """Exponential back-off with jitter, for reconnecting to the homeserver."""

    def __init__(self, initial: float, maximum: float) -> None:
        self.initial, self.maximum = initial, maximum
        self.failures = 0

    def next(self) -> float:
        self.failures += 1
        delay = min(self.maximum, self.initial * 2 ** (self.failures - 1))
        return delay * random.uniform(0.8, 1.2)

    def reset(self) -> None:
        self.failures = 0


class MatrixChannel:
    """Owns the nio client, the sync loop and the outbox delivery loop for Matrix."""

    def __init__(
        self,
        engine: ConversationEngine,
        settings: MatrixSettings,
        state: MatrixState | None = None,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.user_id = settings.user_id
        self.state = state or MatrixState(engine.core, settings.user_id)
        self.client: nio.AsyncClient | None = None
        # Set once the first sync is handled: the bot is listening.
        self.ready = asyncio.Event()
        # Whether the last request to the homeserver got through (for logs and tests).
        self.connected = False
        self.batches = 0
        self._halt = asyncio.Event()
        self._wake = asyncio.Event()
        self._token: str | None = None
        self._txn_prefix = "entraide"
        self._channels: dict[str, Room | None] = {}
        self._private: dict[str, str] = {}  # user -> direct chat opened by the bot
        self._direct: dict[str, str] = {}  # user -> their direct chat (the account's chat_ref)
        self._private_locks: dict[str, asyncio.Lock] = {}
        self._greet: dict[str, str] = {}  # room just joined -> who invited the bot
        self._poll_answers: dict[str, render.PollAnswers] = {}
        self._latest_response: dict[tuple[str, str], int] = {}
        self._undecrypted: dict[str, tuple[str, nio.MegolmEvent, float]] = {}
        self._told_unreadable: set[str] = set()
        # Tries of events that failed: fetched again, or set aside (dead letters).
        self._failures = InboundFailures(engine, "matrix", transient=_passes)

    @property
    def encrypted(self) -> bool:
        return self.client is not None and self.client.olm is not None

    # --- life cycle ----------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Sync and deliver the outbox until `stop` is set (the current batch is finished)."""
        self._halt = asyncio.Event()
        watcher = asyncio.create_task(self._watch(stop), name="matrix-stop")
        delivery: asyncio.Task[None] | None = None
        try:
            await self._connect()
            delivery = asyncio.create_task(self._deliver_forever(), name="matrix-delivery")
            await self._sync_forever()
        except _Halted:
            pass
        finally:
            self._halt.set()
            watcher.cancel()
            if delivery is not None:
                await asyncio.gather(delivery, return_exceptions=True)
            await self.engine.finish()
            if self.client is not None:
                await self.client.close()

    async def _watch(self, stop: asyncio.Event) -> None:
        await stop.wait()
        self._halt.set()

    async def _interruptible(self, awaitable: Awaitable[T]) -> T:
        """Await a network call, abandoning it if the channel is asked to stop."""
        task = asyncio.ensure_future(awaitable)
        halt = asyncio.create_task(self._halt.wait())
        try:
            await asyncio.wait({task, halt}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            halt.cancel()
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
            raise _Halted()
        return task.result()

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._halt.wait(), seconds)
        if self._halt.is_set():
            raise _Halted()

    def _went_down(self, error: object, backoff: Backoff) -> float:
        delay = backoff.next()
        if self.connected or backoff.failures == 1:
            log.warning("homeserver unreachable (%s): retrying in %.1f s", error, delay)
        self.connected = False
        return delay

    async def _connect(self) -> None:
        """Log in (or resume the saved device), retrying with back-off while unreachable."""
        session = await self.state.session()
        self._txn_prefix = session.txn_prefix
        self._token = session.sync_token
        backoff = Backoff(self.settings.backoff_initial, self.settings.backoff_max)
        while True:
            client = self._new_client(session.device_id)
            try:
                await self._interruptible(self._log_in(client, session))
            except _Halted:
                await client.close()
                raise
            except RETRIED as error:
                await client.close()
                await self._pause(self._went_down(error, backoff))
                continue
            except BaseException:
                await client.close()
                raise
            # The token (from the settings or a login) is in headers and, with some errors,
            # URLs: never logged, never stored in an error (core/redaction.py).
            remember_secrets([client.access_token, self.settings.password])
            self.client = client
            self.connected = True
            log.info("logged in as %s (device %s)", client.user_id, client.device_id)
            return

    def _new_client(self, device_id: str | None) -> nio.AsyncClient:
        store_path = self.settings.store_path if nio.crypto.ENCRYPTION_ENABLED else None
        if store_path:
            Path(store_path).mkdir(parents=True, exist_ok=True)
        config = nio.AsyncClientConfig(
            store_sync_tokens=False,
            encryption_enabled=bool(store_path),
            max_timeouts=0,  # our loops retry, with back-off, and can be stopped meanwhile
            request_timeout=self.settings.request_timeout,
        )
        return nio.AsyncClient(
            self.settings.homeserver,
            self.user_id,
            device_id=device_id,
            store_path=store_path or "",
            config=config,
        )

    async def _log_in(self, client: nio.AsyncClient, session: Any) -> None:
        if self.settings.access_token:
            client.access_token = self.settings.access_token
            who = await client.whoami()
            if not isinstance(who, nio.WhoamiResponse):
                raise _error(who, "whoami")
            device = who.device_id or session.device_id
            if not device:
                raise MatrixRefused("M_UNKNOWN", "the access token has no device")
            client.restore_login(self.user_id, device, self.settings.access_token)
            if device != session.device_id:
                await self.state.save(device_id=device, sync_token=None)
                self._token = None
            return
        if session.access_token and session.device_id:
            client.restore_login(self.user_id, session.device_id, session.access_token)
            who = await client.whoami()
            if isinstance(who, nio.WhoamiResponse):
                return
            if getattr(who, "status_code", None) != "M_UNKNOWN_TOKEN":
                raise _error(who, "whoami")
            log.warning("the saved access token was revoked: logging in again")
            client.access_token = ""
        if not self.settings.password:
            raise MatrixRefused("M_UNKNOWN_TOKEN", "no valid access token and no password")
        answer = await client.login(self.settings.password, device_name=self.settings.device_name)
        if not isinstance(answer, nio.LoginResponse):
            raise _error(answer, "login")
        if answer.device_id != session.device_id:
            self._token = None  # a new device starts afresh: nothing of before is answered
        await self.state.save(
            device_id=answer.device_id, access_token=answer.access_token, sync_token=self._token
        )

    # --- sync -> engine ------------------------------------------------------------------------

    async def _sync_forever(self) -> None:
        assert self.client is not None
        client = self.client
        backoff = Backoff(self.settings.backoff_initial, self.settings.backoff_max)
        first = True
        while not self._halt.is_set():
            fresh = self._token is None
            try:
                response = await self._interruptible(
                    client.sync(
                        timeout=0 if first else self.settings.sync_timeout_ms,
                        sync_filter={
                            "room": {"timeline": {"limit": self.settings.timeline_limit}},
                            "presence": {"types": []},
                        },
                        since=self._token,
                        # After a restart, nio knows no room: the full state comes back with the
                        # events missed since the saved token.
                        full_state=True if first else None,
                    )
                )
            except TRANSIENT as error:
                await self._pause(self._went_down(error, backoff))
                continue
            if not isinstance(response, nio.SyncResponse):
                if getattr(response, "status_code", None) == "M_UNKNOWN_TOKEN":
                    with contextlib.suppress(*TRANSIENT):
                        await self._relog_in()
                await self._pause(self._went_down(response, backoff))
                continue
            if not self.connected and backoff.failures:
                log.info("homeserver reachable again: catching up")
            self.connected = True
            try:
                await self._handle_sync(response, since=self._token, fresh=fresh)
            except _Halted:
                raise
            except Exception as error:
                # An event's own failures are counted by `_guarded`; outside them, a fault
                # that passes (the homeserver away) is waited out, a bug is set aside.
                retry = isinstance(error, _TryAgain) or _passes(error)
                if retry or not await self._batch_settled(response, error):
                    # Fetch the same batch again; what was answered is deduplicated by event id.
                    client.next_batch = self._token or ""
                    await self._pause(self._went_down(error, backoff))
                    continue
            else:
                self._failures.succeeded(f"batch:{self._token}")
            backoff.reset()
            self._token = response.next_batch
            await self._save_token()
            await self._keep_keys()
            first = False
            self.batches += 1
            self.ready.set()

    async def _batch_settled(self, response: nio.SyncResponse, error: Exception) -> bool:
        """A batch failed outside any one event (an invitation, a gap to fill) on a bug or a
        data error: set aside too, so that it cannot stall the bot either."""

        def payload() -> str:
            joined = response.rooms.join.items()
            rooms = {room: len(state.timeline.events) for room, state in joined}
            return json.dumps({"since": self._token, "events_per_room": rooms})

        return await self._failures.failed(f"batch:{self._token}", error, payload)

    async def _save_token(self) -> None:
        backoff = Backoff(self.settings.backoff_initial, self.settings.backoff_max)
        while True:
            try:
                await self.state.save(sync_token=self._token)
                return
            except DBAPIError as error:
                log.warning("could not save the sync token (%s): retrying", error)
                await self._pause(backoff.next())

    async def _relog_in(self) -> None:
        assert self.client is not None
        if self.settings.access_token or not self.settings.password:
            return
        answer = await self.client.login(
            self.settings.password, device_name=self.settings.device_name
        )
        if isinstance(answer, nio.LoginResponse):
            remember_secrets([answer.access_token])
            await self.state.save(device_id=answer.device_id, access_token=answer.access_token)

    async def _handle_sync(
        self, response: nio.SyncResponse, since: str | None, fresh: bool
    ) -> None:
        for room_id, invited in response.rooms.invite.items():
            await self._on_invite(room_id, invited)
        for room_id in response.rooms.leave:
            self._channels.pop(room_id, None)
        await self._retry_undecrypted()
        if fresh:
            # A new store: the bot starts now; what was said before is history, not requests.
            return
        work = []
        for room_id, joined in response.rooms.join.items():
            events = list(joined.timeline.events)
            if joined.timeline.limited and since and joined.timeline.prev_batch:
                events = await self._missed(room_id, joined.timeline.prev_batch, since) + events
            work.append(self._room_events(room_id, events))
        results = await asyncio.gather(*work, return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result

    async def _missed(self, room_id: str, prev_batch: str, since: str) -> list[nio.Event]:
        """Events a gappy sync left out: paginate back from the gap to the previous batch."""
        assert self.client is not None
        found: list[nio.Event] = []
        start = prev_batch
        for _ in range(BACKFILL_PAGES):
            page = await self.client.room_messages(
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

    async def _room_events(self, room_id: str, events: Iterable[nio.Event]) -> None:
        """A room's events, in order (a room's conversation is answered in sequence)."""
        assert self.client is not None
        room = self.client.rooms.get(room_id)
        if room is None:
            return
        inviter = self._greet.pop(room_id, None)
        spoke = False
        for event in events:
            if event.sender == self.user_id:
                continue
            spoke = spoke or (event.sender == inviter and isinstance(event, nio.RoomMessage))
            spoke = spoke or (event.sender == inviter and isinstance(event, nio.MegolmEvent))
            await self._on_event(room, event)
        if inviter is not None and not spoke and room_id not in self._told_unreadable:
            # Invited into a direct chat without a word yet: say hello (onboarding or menu).
            hello = Inbound(
                platform=Platform.MATRIX,
                user_ref=inviter,
                chat_ref=room_id,
                action="menu",
                display_name=_display_name(room, inviter),
                message_ref=f"greet:{room_id}",
            )
            await self._guarded(
                self._handle(hello), f"greet:{room_id}", lambda: json.dumps(hello.__dict__)
            )

    async def _on_event(self, room: nio.MatrixRoom, event: nio.Event) -> None:
        await self._guarded(
            self._dispatch(room, event), event.event_id, lambda: json.dumps(event.source)
        )

    async def _guarded(self, work: Awaitable[None], ref: str, payload: Callable[[], str]) -> None:
        """One event's handling. A fault that passes (the network, the database away) makes
        the batch come again, a few times; an event that keeps failing, or fails on a wrong
        value or a bug, is set aside as a dead letter and the others go on."""
        try:
            await work
        except _Halted:
            raise
        except Exception as error:
            if not await self._failures.failed(ref, error, payload):
                raise _TryAgain(f"{ref}: {error}") from error
            if not _passes(error):
                log.error("event %s could not be handled", ref, exc_info=error)
        else:
            self._failures.succeeded(ref)

    async def _dispatch(self, room: nio.MatrixRoom, event: nio.Event) -> None:
        if isinstance(event, nio.MegolmEvent):
            await self._on_undecryptable(room, event)
            return
        if isinstance(event, nio.RoomMemberEvent):
            await self._on_membership(room, event)
            return
        if isinstance(event, nio.RoomEncryptionEvent):
            if not self.encrypted:
                await self._say_unreadable(room, event.sender)
            return
        kind = await self._kind(room, event.sender)
        if kind.channel is not None:
            await self._on_public_event(room, kind.channel, event)
        elif kind.direct:
            await self._on_private_event(room, event)
        elif isinstance(event, nio.RoomMessageText):
            text = self._body(event.source.get("content", {}))
            if text.startswith("!"):
                await self._command(room, event, text, kind)

    async def _kind(self, room: nio.MatrixRoom, sender: str | None = None) -> RoomKind:
        """A territory's room, `sender`'s direct chat, or another room (commands only)."""
        if room.room_id not in self._channels:
            self._channels[room.room_id] = await self.state.room(room.room_id)
        channel = self._channels[room.room_id]
        if channel is not None:
            return RoomKind(channel=channel)
        return RoomKind(direct=await self._is_direct_chat(room, sender))

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
            found = await self.state.private_chat_of(person)
            if found is None and room.is_group:
                # No private chat on record (a new database, or the last one was left): an
                # unnamed room of two, as clients make direct chats, becomes it. A named room
                # (a coordinator's, which others may join) never does.
                await self.state.private_chat_opened(person, room.room_id)
                found = room.room_id
            if found is None:
                return False
            self._direct[person] = found
        return self._direct[person] == room.room_id

    def _body(self, content: dict[str, Any]) -> str:
        """A message's text, capped at the longest message before it is parsed at all."""
        return render.plain_body(content, limit=self.engine.core.settings.max_message_chars)

    async def _on_private_event(self, room: nio.MatrixRoom, event: nio.Event) -> None:
        content = event.source.get("content", {})
        if isinstance(event, nio.RoomMessageNotice):
            return  # notices are what bots send: never answer one (no bot loops)
        if isinstance(event, nio.RoomMessageText | nio.RoomMessageEmote):
            if render.is_edit(content):
                return  # an edited message was answered as first written
            text = self._body(content)
            if not text:
                return
            if text.startswith("!"):
                await self._command(room, event, text, RoomKind(direct=True))
                return
            await self._handle(self._inbound(room, event, text=text))
        elif isinstance(event, nio.RoomMessageAudio | nio.RoomEncryptedAudio):
            await self._handle(self._inbound(room, event, action="voice"))
        elif isinstance(
            event,
            nio.RoomMessageMedia
            | nio.RoomEncryptedMedia
            | nio.StickerEvent
            | nio.RoomMessageUnknown,
        ):
            await self._handle(self._inbound(room, event, action="not_text"))
        elif isinstance(event, nio.UnknownEvent):
            await self._on_poll_response(room, event, private=True)

    async def _on_public_event(
        self, room: nio.MatrixRoom, channel: Room, event: nio.Event
    ) -> None:
        if isinstance(event, nio.ReactionEvent):
            if not render.is_hand(event.key):
                return
            topic = await self.state.post_topic(channel.channel_id, event.reacts_to)
            request = _request_of(topic)
            if request is not None:
                inbound = self._inbound(room, event, private=False, territory=channel.territory)
                await self._handle(replace(inbound, action=f"accept:{request}"))
        elif isinstance(event, nio.RoomMessageText) and not isinstance(
            event, nio.RoomMessageNotice
        ):
            content = event.source.get("content", {})
            text = self._body(content)
            if text.startswith("!") and not render.is_edit(content):
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
        if name in LINK_ROOM_COMMANDS:
            if kind.direct and await self.state.private_chat_of(event.sender) == room.room_id:
                await self._handle(self._inbound(room, event, action="link_group_private"))
                return
            inbound = self._inbound(room, event, private=False, territory=territory)
            await self._handle(
                replace(inbound, action=f"link_group:{room.room_id}"), replies_to=room.room_id
            )
            self._channels.pop(room.room_id, None)
            return
        if name in TAKE_COMMANDS:
            if args and is_id(args[0].lstrip("#")):
                inbound = self._inbound(room, event, private=kind.direct, territory=territory)
                await self._handle(replace(inbound, action=f"accept:{args[0].lstrip('#')}"))
            return
        if not kind.direct:
            return  # in public rooms only the two commands above speak
        action = PLATFORM_COMMANDS.get(name, "menu")
        if action == "abort":
            await self._handle(self._inbound(room, event, text="annuler"))
            return
        if action == "link" and args:
            action = f"link:{args[0][:16]}"
        await self._handle(self._inbound(room, event, action=action))

    async def _on_poll_response(
        self, room: nio.MatrixRoom, event: nio.UnknownEvent, *, private: bool
    ) -> None:
        """A vote in one of our native polls: the member's latest response replaces the former.

        Per MSC3381 only each member's latest response counts (an older one arriving late is
        ignored), an empty selection withdraws the vote, and a response naming an unknown
        answer is spoiled: as if nothing were chosen.
        """
        response = render.poll_response(event.type, event.source.get("content", {}))
        if response is None:
            return
        poll_id = await self.engine.poll_for_publication(Platform.MATRIX, response.start_event_id)
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
        positions = render.chosen_positions(response, answers)
        choice = ",".join(str(p) for p in positions)
        await self._handle(
            self._inbound(room, event, private=private, action=f"vote_set:{poll_id}:{choice}")
        )

    async def _answers_of(self, room_id: str, start_event_id: str) -> render.PollAnswers | None:
        if start_event_id in self._poll_answers:
            return self._poll_answers[start_event_id]
        assert self.client is not None
        found = await self.client.room_get_event(room_id, start_event_id)
        if not isinstance(found, nio.RoomGetEventResponse):
            return None
        event = found.event
        if isinstance(event, nio.MegolmEvent) and self.encrypted:
            event = self.client.decrypt_event(event)
        answers = render.PollAnswers.from_content(event.source.get("content", {}))
        if answers is not None:
            self._poll_answers[start_event_id] = answers
        return answers

    async def _on_membership(self, room: nio.MatrixRoom, event: nio.RoomMemberEvent) -> None:
        """A person who leaves their direct chat can no longer be reached there."""
        if event.membership not in ("leave", "ban") or event.state_key == self.user_id:
            return
        kind = await self._kind(room)
        if kind.channel is not None or room.member_count > 1:
            return
        await self.state.private_chat_closed(event.state_key, room.room_id)
        self._private.pop(event.state_key, None)
        self._direct.pop(event.state_key, None)
        assert self.client is not None
        await self.client.room_leave(room.room_id)

    async def _on_invite(self, room_id: str, invited: nio.InviteInfo) -> None:
        """Join direct chats from anyone and rooms from coordinators; decline other rooms."""
        assert self.client is not None
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
        if not direct and not await self.state.is_coordinator(inviter):
            log.info("declining the invitation of %s to %s (not a coordinator)", inviter, room_id)
            await self.client.room_leave(room_id)
            return
        joined = await self.client.join(room_id)
        if not isinstance(joined, nio.JoinResponse):
            error = _error(joined, f"join {room_id}")
            if isinstance(error, MatrixUnavailable):
                raise error
            log.warning("could not join %s: %s", room_id, error)
            return
        if direct:
            await self.state.private_chat_opened(inviter, room_id)
            self._direct[inviter] = room_id
            self._greet[room_id] = inviter
        self._channels.pop(room_id, None)

    # --- encryption ----------------------------------------------------------------------------

    async def _on_undecryptable(self, room: nio.MatrixRoom, event: nio.MegolmEvent) -> None:
        if not self.encrypted:
            await self._say_unreadable(room, event.sender)
            return
        # The key may still come (it often arrives just after the message): wait a little.
        self._undecrypted.setdefault(event.event_id, (room.room_id, event, time.monotonic()))
        assert self.client is not None
        with contextlib.suppress(nio.LocalProtocolError):
            await self.client.request_room_key(event)

    async def _retry_undecrypted(self) -> None:
        if not self._undecrypted or self.client is None:
            return
        for event_id, (room_id, event, since) in list(self._undecrypted.items()):
            room = self.client.rooms.get(room_id)
            decrypted = self.client.decrypt_event(event) if room is not None else event
            if room is not None and not isinstance(decrypted, nio.MegolmEvent):
                del self._undecrypted[event_id]
                await self._on_event(room, decrypted)
            elif time.monotonic() - since > UNDECRYPTED_PATIENCE_S:
                del self._undecrypted[event_id]
                if room is not None:
                    language = self.engine.core.settings.default_language
                    await self._notice(
                        room.room_id,
                        self.engine.translate(
                            language,
                            "I could not read your encrypted message. Please send it again.",
                        ),
                    )

    async def _say_unreadable(self, room: nio.MatrixRoom, sender: str | None = None) -> None:
        """Without encryption support: say so (unencrypted), once per room; in a direct chat,
        open a new one without encryption where the conversation can go on."""
        if room.room_id in self._told_unreadable:
            return
        self._told_unreadable.add(room.room_id)
        language = self.engine.core.settings.default_language
        kind = await self._kind(room, sender)
        if not kind.direct or sender is None or sender == self.user_id:
            await self._notice(
                room.room_id,
                self.engine.translate(language, "I cannot read encrypted messages in this room."),
            )
            return
        await self._notice(
            room.room_id,
            self.engine.translate(
                language,
                "I cannot read encrypted messages. I am inviting you to a new chat without "
                "encryption: please accept it and write to me there.",
            ),
        )
        try:
            plain = await self._private_room(sender)
        except (*RETRIED, MatrixRefused) as error:
            log.info("could not open a plain chat with %s: %s", sender, error)
            return
        await self._handle(
            Inbound(
                platform=Platform.MATRIX,
                user_ref=sender,
                chat_ref=plain,
                action="menu",
                message_ref=f"greet:{plain}",
            )
        )

    async def _notice(self, room_id: str, text: str) -> None:
        """A message outside the conversation engine (no outbox row): best effort."""
        try:
            await self._room_send(room_id, "m.room.message", render.notice(text), None)
        except (*TRANSIENT, MatrixUnavailable, MatrixRefused) as error:
            log.info("could not write in %s: %s", room_id, error)

    async def _keep_keys(self) -> None:
        """What nio's `sync_forever` does between syncs: upload, query and claim keys."""
        client = self.client
        if client is None or client.olm is None:
            return
        try:
            if client.should_upload_keys:
                await client.keys_upload()
            if client.should_query_keys:
                await client.keys_query()
            if client.should_claim_keys:
                await client.keys_claim(client.get_users_for_key_claiming())
            await client.send_to_device_messages()
        except Exception as error:  # retried after the next sync
            log.info("key maintenance postponed: %s", error)
        self._trust_on_first_use()

    def _trust_on_first_use(self) -> None:
        """Trust each device the first time it is seen (a device whose keys change later is
        refused by nio, which keeps the first keys)."""
        client = self.client
        if client is None or client.olm is None:
            return
        for device in client.device_store:
            if not (device.verified or device.blacklisted or device.deleted):
                client.verify_device(device)

    # --- engine -> Matrix ----------------------------------------------------------------------

    def _inbound(
        self,
        room: nio.MatrixRoom,
        event: nio.Event,
        *,
        private: bool = True,
        **fields: Any,
    ) -> Inbound:
        return Inbound(
            platform=Platform.MATRIX,
            user_ref=event.sender,
            chat_ref=room.room_id if private else None,
            display_name=_display_name(room, event.sender),
            message_ref=event.event_id,
            **fields,
        )

    async def _handle(self, inbound: Inbound, replies_to: str | None = None) -> None:
        replies = await self.engine.handle(inbound)
        if replies_to is not None:
            replies = [replace(r, chat_ref=replies_to) for r in replies]
        await self._send_all(replies)
        self._wake.set()  # the change may have written messages for other people

    async def _deliver_forever(self) -> None:
        while not self._halt.is_set():
            self._wake.clear()
            try:
                if self.connected:
                    await self._send_all(await self.engine.pending(Platform.MATRIX))
            except _Halted:
                return
            except Exception:  # a delivery round must never stop the loop
                log.exception("outbox delivery round failed")
            halt = asyncio.create_task(self._halt.wait())
            wake = asyncio.create_task(self._wake.wait())
            await asyncio.wait(
                {halt, wake}, timeout=DELIVERY_INTERVAL, return_when="FIRST_COMPLETED"
            )
            halt.cancel()
            wake.cancel()

    async def _send_all(self, messages: list[Outgoing]) -> None:
        for message in messages:
            await self._deliver(message)

    async def _deliver(self, message: Outgoing) -> None:
        """Send one message and record how it ended; failures go back to the outbox or not.

        Each try counts: past `max_delivery_attempts` the outbox sets the message aside.
        """
        try:
            done = await self._send(message)
        except RETRIED as error:
            # Sent again later with the same transaction id: the homeserver keeps one copy.
            self.connected = False
            await self.engine.release(message, f"{type(error).__name__}: {error}", RETRY_BACKOFF)
            return
        except MatrixRefused as error:
            if message.account_id is not None and error.errcode == "M_FORBIDDEN":
                await self.engine.unreachable(message, str(error))
                return
            log.error("Matrix refused notification %s: %s", message.notification_id, error)
            done = failed_as(message, Outcome.REFUSED, f"MatrixRefused: {error}")
        except _Halted:
            raise
        except Exception as error:  # this message only: the others of the round still go out
            log.exception("notification %s could not be sent", message.notification_id)
            await self.engine.release(message, f"{type(error).__name__}: {error}", RETRY_BACKOFF)
            return
        await self.engine.mark_delivered([done])

    async def _send(self, message: Outgoing) -> Outgoing:
        """Send (or edit) and return the message with its outcome (sent, or skipped)."""
        room_id = message.chat_ref
        if room_id is None:
            return failed_as(message, Outcome.SKIPPED, "no room to write in")
        if room_id.startswith("@"):
            room_id = await self._private_room(room_id)
        txn = str(message.notification_id)
        if _is_native_poll(message):
            return await self._send_poll(message, room_id)
        if message.key.startswith("Poll closed"):
            ended = await self._end_polls(message, room_id)
            if ended is not None:
                return sent_as(message, ended)
        content = self._content(message)
        request = _request_of(message.topic) if message.channel_id is not None else None
        if request is not None:
            assert message.channel_id is not None and message.topic is not None
            # Only a post that was sent has an event id: a refused one is never edited.
            previous = await self.engine.last_channel_message(message.channel_id, message.topic)
            if previous is not None:
                # The room's post about this request is edited: "taken", "cancelled"...
                await self._room_send(
                    room_id, "m.room.message", render.replacement(previous, content), txn
                )
                if not any(b.action.startswith("accept:") for b in message.buttons):
                    await self._withdraw_hand(room_id, previous)
                return sent_as(message, previous)
        event_id = await self._room_send(room_id, "m.room.message", content, txn)
        if request is not None and any(b.action.startswith("accept:") for b in message.buttons):
            # The bot's own ✋ under the post: volunteers only have to click it.
            with contextlib.suppress(MatrixRefused):
                await self._room_send(room_id, "m.reaction", render.reaction(event_id), txn + "-h")
        return sent_as(message, event_id)

    def _content(self, message: Outgoing) -> dict[str, Any]:
        if message.channel_id is None:
            return render.notice(message.text, [b.label for b in message.buttons])
        # A public room: no numbered choices (answers are given privately or with ✋).
        text = message.text
        request = _request_of(message.topic)
        if request is not None:
            text = f"#{request} · {text}"
        if any(b.action.startswith("accept:") for b in message.buttons):
            text += "\n" + self.engine.translate(
                message.language, "React with ✋ or write !take {request_id} to help."
            ).format(request_id=request)
        elif any(b.action.startswith("vote:") for b in message.buttons):
            text += "\n" + self.engine.translate(
                message.language, "Vote in your private chat with me."
            )
        return render.notice(text)

    async def _send_poll(self, message: Outgoing, room_id: str) -> Outgoing:
        poll_id = int(message.params["poll_id"])  # type: ignore[call-overload]
        if await self.engine.skip_private_poll(message, Platform.MATRIX, in_group=self._in_room):
            return failed_as(message, Outcome.SKIPPED, "in the room, where the poll is")
        labels = [button.label for button in message.buttons]
        question = str(message.params.get("question", ""))
        content = render.poll_start(question, labels, intro=message.text)
        event_id = await self._room_send(
            room_id, render.POLL_START, content, str(message.notification_id)
        )
        self._poll_answers[event_id] = render.PollAnswers(
            [render.answer_id(p) for p in range(len(labels))], 1
        )
        await self.engine.publish_poll(poll_id, Platform.MATRIX, room_id, event_id, event_id)
        return sent_as(message, event_id)

    async def _in_room(self, room_id: str, user_id: str) -> bool:
        """Whether this user has joined this room, as the bot knows it through sync (an
        invitation is not enough: the poll is for members who can see the room)."""
        room = self.client.rooms.get(room_id) if self.client is not None else None
        return room is not None and user_id in room.users and user_id not in room.invited_users

    async def _end_polls(self, message: Outgoing, room_id: str) -> str | None:
        """Close our native polls in this room with the results: their authoritative end."""
        poll_id = message.params.get("poll_id")
        if poll_id is None:
            return None
        ended = None
        starts = await self.engine.poll_messages(int(str(poll_id)), Platform.MATRIX, room_id)
        for index, (_chat, start_event_id) in enumerate(starts):
            content = render.poll_end(start_event_id, message.text)
            event_id = await self._room_send(
                room_id, render.POLL_END, content, f"{message.notification_id}-end{index}"
            )
            ended = ended or event_id
        return ended

    async def _withdraw_hand(self, room_id: str, post_event_id: str) -> None:
        """Take back the bot's own ✋ under a post that can no longer be taken (best effort)."""
        assert self.client is not None
        quote = urllib.parse.quote
        path = (
            f"/_matrix/client/v1/rooms/{quote(room_id)}/relations/{quote(post_event_id)}"
            "/m.annotation/m.reaction?limit=100"
        )
        try:
            answer = await self.client.send(
                "GET", path, headers={"Authorization": f"Bearer {self.client.access_token}"}
            )
            related = await answer.json() if answer.status == 200 else {}
            for event in related.get("chunk", []):
                key = event.get("content", {}).get("m.relates_to", {}).get("key", "")
                if event.get("sender") == self.user_id and render.is_hand(key):
                    await self.client.room_redact(
                        room_id,
                        event["event_id"],
                        tx_id=f"{self._txn_prefix}-r-{event['event_id']}",
                    )
        except (*TRANSIENT, ValueError) as error:
            log.info("could not take back the ✋ under %s: %s", post_event_id, error)

    async def _private_room(self, user_id: str) -> str:
        """Open a direct chat with someone who never opened one (a bot may write first)."""
        assert self.client is not None
        lock = self._private_locks.setdefault(user_id, asyncio.Lock())
        async with lock:
            if user_id in self._private:
                return self._private[user_id]
            created = await self.client.room_create(
                is_direct=True, invite=[user_id], preset=nio.RoomPreset.trusted_private_chat
            )
            if not isinstance(created, nio.RoomCreateResponse):
                raise _error(created, f"direct chat with {user_id}")
            room_id = created.room_id
            if room_id not in self.client.rooms:
                # Not synced yet: known to nio as the plain room it is (no encryption).
                self.client.rooms[room_id] = nio.MatrixRoom(room_id, self.user_id)
            await self.state.private_chat_opened(user_id, room_id)
            self._private[user_id] = room_id
            self._direct[user_id] = room_id
            return room_id

    async def _room_send(
        self, room_id: str, event_type: str, content: dict[str, Any], txn: str | None
    ) -> str:
        """Send one event; the transaction id makes a repeated send land only once."""
        assert self.client is not None
        client = self.client
        tx_id = f"{self._txn_prefix}-{txn}" if txn is not None else None
        if client.olm is not None and room_id not in client.rooms:
            client.rooms[room_id] = nio.MatrixRoom(room_id, self.user_id)
        for attempt in (1, 2):
            self._trust_on_first_use()
            try:
                sent = await client.room_send(room_id, event_type, content, tx_id=tx_id)
            except nio.OlmUnverifiedDeviceError:
                if attempt == 2:
                    raise
                continue  # a device appeared meanwhile: trusted on first use, then sent
            if isinstance(sent, nio.RoomSendResponse):
                self.connected = True
                return str(sent.event_id)
            raise _error(sent, f"send to {room_id}")
        raise AssertionError("unreachable")


def _error(response: Any, what: str) -> MatrixUnavailable | MatrixRefused:
    """A nio error response as one of our two kinds: try again later, or give up."""
    code = str(getattr(response, "status_code", None) or "M_UNKNOWN")
    message = str(getattr(response, "message", response))
    transport = getattr(response, "transport_response", None)
    status = getattr(transport, "status", 0) or 0
    if status >= 500 or (status == 0 and code == "M_UNKNOWN") or code == "M_LIMIT_EXCEEDED":
        return MatrixUnavailable(f"{what}: {code} {message}")
    return MatrixRefused(code, f"{what}: {message}")


def _display_name(room: nio.MatrixRoom, user_id: str) -> str | None:
    """The member's display name, unless it is only their user name."""
    name = room.user_name(user_id) if user_id in room.users else None
    localpart = user_id[1:].split(":", 1)[0]
    if not name or name in (user_id, localpart):
        return None
    return name


def _request_of(topic: str | None) -> str | None:
    if topic and topic.startswith("request:") and is_id(topic[8:]):
        return topic[8:]
    return None


def _is_native_poll(message: Outgoing) -> bool:
    """Open single-choice polls become native Matrix polls; secret ballots and multiple-choice
    polls stay numbered choices in direct chats (Element votes for one answer only)."""
    return (
        message.key.startswith("New poll")
        and "poll_id" in message.params
        and not message.params.get("secret")
        and message.params.get("kind") != "multiple"
        and bool(message.buttons)
    )

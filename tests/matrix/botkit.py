"""Helpers for the Matrix bot's end-to-end tests: the bot on a real Synapse, and people.

- `BotRunner` runs `MatrixChannel` (the real adapter, the real engine with the built-in NLU) on a
  fresh SQLite database, as a task of the test's event loop; `restart()` stops it and starts a
  new channel object on the same database, as a process restart would.
- `Person` is a simulated member: a nio client whose background sync records every event of
  every room it is in, joins the bot's invitations, and lets the test wait for a message.
- `every_event(...)` reads a room's whole history from the homeserver (not from a sync), for
  the privacy assertions.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import urllib.parse
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import aiohttp
import nio
import pytest

import core.i18n
from bots.matrix import events
from bots.matrix.channel import MatrixChannel, MatrixSettings
from core.app import Core
from core.config import Settings
from core.dialogue.engine import ConversationEngine
from core.dialogue.port import ChannelPort
from core.domain.model import InboundReceipt
from core.domain.vocabulary import Category, Platform, Role
from core.services import identity, members
from nlu.interpreter import BuiltinInterpreter
from tests.integration import _support
from tests.integration._support import outbox_settled
from tests.matrix.homeserver import Homeserver, RegisteredUser, create_room

# A Monday, 10:00 in Paris: "jeudi à 10h" is always three days ahead.
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TERRITORY = "Rezé"
NEIGHBOURHOODS = ["Trentemoult", "Pont-Rousseau", "Château"]
WAIT_S = 20.0
_INTERPRETER = BuiltinInterpreter()
# Until `await check()` is truthy (a database state the bot reaches), within WAIT_S seconds.
eventually = partial(_support.eventually, timeout=WAIT_S, every=0.1)


class MovingClock:
    """Real time, moved to START: dates stay predictable, leases and retries still expire."""

    def __init__(self, start: datetime = START) -> None:
        self.origin = time.monotonic()
        self.start = start

    def __call__(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self.origin)


class BotRunner:
    """The Matrix bot (adapter + engine + core) as a task; stop, restart, inspect."""

    def __init__(
        self,
        server: Homeserver,
        tmp_path: Path,
        *,
        encryption: bool = False,
        user: RegisteredUser | None = None,
    ) -> None:
        self.server = server
        self.timeline_limit = 100
        self.user = user or server.register(server.unique_username("entraide"))
        url = f"sqlite+aiosqlite:///{tmp_path / 'entraide.sqlite3'}"
        settings = Settings(  # type: ignore[call-arg]
            database_url=url, default_territory=TERRITORY, matching_top_n=5, _env_file=None
        )
        self.core = Core.open(settings, MovingClock())
        self.store_path = str(tmp_path / "matrix-store") if encryption else None
        self.channel: MatrixChannel | None = None
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.starts = 0

    @property
    def user_id(self) -> str:
        return self.user.user_id

    def settings(self) -> MatrixSettings:
        return MatrixSettings(
            homeserver=self.server.url,
            user_id=self.user.user_id,
            password=self.user.password,
            device_name="entraide-bot",
            store_path=self.store_path,
            sync_timeout_ms=10_000,
            timeline_limit=self.timeline_limit,
            backoff_initial=0.2,
            backoff_max=2.0,
        )

    async def start(self) -> MatrixChannel:
        self.starts += 1
        self.channel = MatrixChannel(
            ConversationEngine(self.core, _INTERPRETER), ChannelPort(self.core), self.settings()
        )
        self._stop = asyncio.Event()
        self._task = asyncio.create_task(self.channel.run(self._stop), name="matrix-bot")
        ready = asyncio.create_task(self.channel.ready.wait())
        await asyncio.wait({ready, self._task}, timeout=WAIT_S, return_when="FIRST_COMPLETED")
        if self._task.done():
            self._task.result()  # the bot crashed: show why
        if not ready.done():
            ready.cancel()
            raise TimeoutError("the bot did not finish its first sync")
        return self.channel

    async def stop(self) -> None:
        if self._task is None:
            return
        self._stop.set()
        try:
            await asyncio.wait_for(self._task, WAIT_S)
        finally:
            self._task = None

    async def restart(self) -> MatrixChannel:
        await self.stop()
        return await self.start()

    async def close(self) -> None:
        await self.stop()
        await self.core.close()

    async def state_token(self) -> str | None:
        return (await ChannelPort(self.core).session(Platform.MATRIX, self.user_id)).sync_token

    async def set_state_token(self, token: str | None) -> None:
        await ChannelPort(self.core).save_session(Platform.MATRIX, self.user_id, sync_token=token)

    async def handled(self, *event_ids: str) -> None:
        """Until the bot has handled these events (their receipts are stored, with the answers,
        in one transaction) and its outbox is drained: all it will ever say about them is on
        the homeserver now. The signal to wait for before asserting that nothing else came."""

        async def receipts() -> bool:
            async with self.core.uow() as uow:
                for event_id in event_ids:
                    key = (Platform.MATRIX.value, event_id)
                    if await uow.session.get(InboundReceipt, key) is None:
                        return False
            return True

        await eventually(receipts)
        await outbox_settled(self.core, timeout=WAIT_S)

    def check_alive(self) -> None:
        if self._task is not None and self._task.done():
            self._task.result()

    # -- the cooperative ------------------------------------------------------------------------

    async def territory(self) -> int:
        async with self.core.uow() as uow:
            found = await members.territory_named(uow, TERRITORY)
            if found is None:
                found = await members.add_territory(uow, TERRITORY, neighbourhoods=NEIGHBOURHOODS)
            await uow.commit()
            return found.id

    async def add_member(
        self,
        user_id: str,
        name: str,
        *,
        roles: list[Role],
        neighbourhood: str = "Trentemoult",
        skills: list[Category] | None = None,
        phone: str | None = None,
        address: str | None = None,
        approve_by: int | None = None,
    ) -> int:
        """A member whose Matrix account is `user_id` (no direct chat opened yet)."""
        territory_id = await self.territory()
        async with self.core.uow() as uow:
            account = await identity.ensure_account(uow, Platform.MATRIX, user_id)
            member = await members.onboard_member(
                uow,
                territory_id,
                name,
                roles=roles,
                neighbourhood=neighbourhood,
                skills=skills or [],
                availability=(1 << 21) - 1,
                phone=phone,
                address=address,
                account=account,
            )
            if Role.VOLUNTEER in roles and approve_by is not None:
                await members.approve_member(uow, member.id, by_id=approve_by)
            await uow.commit()
            return member.id


class Person:
    """A simulated member on Matrix: records what they see, joins the bot's invitations."""

    def __init__(self, client: nio.AsyncClient, bot_user_id: str) -> None:
        self.client = client
        self.bot = bot_user_id
        self.events: dict[str, list[nio.Event]] = {}
        self.changed = asyncio.Condition()
        self._task: asyncio.Task[None] | None = None

    @property
    def user_id(self) -> str:
        return self.client.user_id

    async def start(self) -> Person:
        first = await self.client.sync(timeout=0)
        assert isinstance(first, nio.SyncResponse), first
        self._task = asyncio.create_task(self._loop(), name=f"person-{self.user_id}")
        return self

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _loop(self) -> None:
        while True:
            try:
                response = await self.client.sync(timeout=1000)
            except (TimeoutError, aiohttp.ClientError, OSError):
                await asyncio.sleep(0.2)  # the homeserver is restarting
                continue
            if not isinstance(response, nio.SyncResponse):
                await asyncio.sleep(0.2)  # the homeserver is restarting
                continue
            for room_id, invited in response.rooms.invite.items():
                if any(
                    isinstance(e, nio.InviteMemberEvent) and e.sender == self.bot
                    for e in invited.invite_state
                ):
                    await self.client.join(room_id)
            for room_id, joined in response.rooms.join.items():
                self.events.setdefault(room_id, []).extend(joined.timeline.events)
            if self.client.olm is not None:
                await _keep_keys(self.client)
            async with self.changed:
                self.changed.notify_all()

    async def wait_for(
        self,
        predicate: Callable[[str, nio.Event], bool],
        *,
        after: int = 0,
        timeout: float = WAIT_S,
    ) -> tuple[str, nio.Event]:
        """The first event (room, event) matching, among those seen after the `after`-th."""
        deadline = time.monotonic() + timeout
        async with self.changed:
            while True:
                for room_id, event in self.seen()[after:]:
                    if predicate(room_id, event):
                        return room_id, event
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(
                        f"{self.user_id} saw no matching event; last seen:\n"
                        + "\n".join(f"  {r}: {describe(e)}" for r, e in self.seen()[-8:])
                    )
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.changed.wait(), left)

    async def caught_up(self, server: Homeserver, room_id: str) -> None:
        """Until this person's sync has brought the last event the homeserver holds in the
        room (read from the homeserver itself): what they have seen there is all there is."""
        last = every_event(server, self.client.access_token, room_id)[-1]["event_id"]
        await self.wait_for(lambda r, e: r == room_id and e.event_id == last)

    def seen(self) -> list[tuple[str, nio.Event]]:
        """Every event received, in order of arrival (rooms interleaved)."""
        everything = [(room, e) for room, events in self.events.items() for e in events]
        return sorted(everything, key=lambda pair: pair[1].server_timestamp)

    def from_bot(self, room_id: str | None = None) -> list[nio.Event]:
        return [
            e
            for r, e in self.seen()
            if e.sender == self.bot
            and (room_id is None or r == room_id)
            and isinstance(e, nio.RoomMessage)
        ]

    async def say(self, room_id: str, text: str) -> str:
        sent = await self.client.room_send(
            room_id,
            "m.room.message",
            {"msgtype": "m.text", "body": text},
            ignore_unverified_devices=True,
        )
        assert isinstance(sent, nio.RoomSendResponse), sent
        return sent.event_id

    async def ask(self, room_id: str, text: str, contains: str = "") -> nio.RoomMessage:
        """Say something in a room and wait for the bot's next message there."""
        mark = len(self.seen())
        await self.say(room_id, text)
        return await self.next_from_bot(room_id, contains=contains, after=mark)

    async def next_from_bot(
        self, room_id: str | None = None, *, contains: str = "", after: int = 0
    ) -> nio.RoomMessage:
        _room, event = await self.wait_for(
            lambda r, e: (
                e.sender == self.bot
                and isinstance(e, nio.RoomMessage)
                and (room_id is None or r == room_id)
                and contains in body_of(e)
            ),
            after=after,
        )
        return event  # type: ignore[return-value]


def body_of(event: nio.Event) -> str:
    content = event.source.get("content", {})
    new = content.get("m.new_content")
    return str((new or content).get("body", ""))


def said(language: str, message_id: str, **values: object) -> str:
    """What a reader of `language` is sent for `message_id`, in the catalog in use: the real
    one, or the reworded one of `tests/reworded.py` (so that a test waiting for it passes under
    `-p tests.reworded --reword` too, as the adapter never reads the wording)."""
    text = core.i18n.translate(language, message_id)
    return text.format(**values) if values else text


ROOM_LINKED = (
    "This room is now the public room of {territory}. New requests will be posted here without "
    "phone numbers or addresses."
)


def kind_of(event: nio.Event) -> str:
    """An event's type as the homeserver sent it (`nio` parses unknown ones as `UnknownEvent`)."""
    return str(event.source.get("type"))


def describe(event: nio.Event) -> str:
    kind = event.source.get("type", type(event).__name__)
    return f"{event.sender} {kind} {body_of(event)[:100]!r}"


async def direct_chat(person: Person, bot_user_id: str, *, encrypted: bool = False) -> str:
    """The person opens a direct chat with the bot (as Element does) and waits for it to join."""
    initial_state = [nio.EnableEncryptionBuilder().as_dict()] if encrypted else []
    created = await person.client.room_create(
        invite=[bot_user_id],
        is_direct=True,
        preset=nio.RoomPreset.trusted_private_chat,
        initial_state=initial_state,
    )
    assert isinstance(created, nio.RoomCreateResponse), created
    await person.wait_for(
        lambda r, e: (
            r == created.room_id
            and isinstance(e, nio.RoomMemberEvent)
            and e.state_key == bot_user_id
            and e.membership == "join"
        )
    )
    return created.room_id


async def territory_room(
    bot: BotRunner,
    coordinator: Person,
    volunteers: list[Person],
    *,
    linked_says: str | None = None,
) -> str:
    """The coordinator's room with the volunteers, the bot invited and linked by `!lier_groupe`
    (the bot's confirmation contains `linked_says`, by default the French one of Rezé)."""
    room = await create_room(
        coordinator.client, "Entraide Rezé", invite=[v.client for v in volunteers]
    )
    invited = await coordinator.client.room_invite(room, bot.user_id)
    assert isinstance(invited, nio.RoomInviteResponse), invited
    await coordinator.wait_for(
        lambda r, e: (
            r == room
            and isinstance(e, nio.RoomMemberEvent)
            and e.state_key == bot.user_id
            and e.membership == "join"
        )
    )
    linked_says = linked_says or said("fr", ROOM_LINKED, territory=TERRITORY)
    linked = await coordinator.ask(room, "!lier_groupe", contains=linked_says)
    assert linked.source["content"]["msgtype"] == "m.notice"
    return room


async def respond(
    person: Person, room: str, start: str, answers: list[str], *, stable: bool = False
) -> None:
    """A poll response as Element sends it (unstable MSC3381), or in the MSC's stable form."""
    relation = {"rel_type": "m.reference", "event_id": start}
    if stable:
        event_type = events.STABLE_POLL_RESPONSE
        content: dict[str, Any] = {"m.relates_to": relation, "m.selections": answers}
    else:
        event_type = events.POLL_RESPONSE
        content = {"m.relates_to": relation, events.POLL_RESPONSE: {"answers": answers}}
    sent = await person.client.room_send(room, event_type, content)
    assert isinstance(sent, nio.RoomSendResponse), sent


async def _keep_keys(client: nio.AsyncClient) -> None:
    if client.should_upload_keys:
        await client.keys_upload()
    if client.should_query_keys:
        await client.keys_query()
    if client.should_claim_keys:
        await client.keys_claim(client.get_users_for_key_claiming())
    await client.send_to_device_messages()


def every_event(
    server: Homeserver, user: RegisteredUser | str, room_id: str
) -> list[dict[str, Any]]:
    """A room's whole timeline as the homeserver holds it (oldest first), read as `user`."""
    token = user if isinstance(user, str) else user.access_token
    quote = urllib.parse.quote
    events: list[dict[str, Any]] = []
    page: str | None = None
    while True:
        query = "?dir=b&limit=500" + (f"&from={quote(page)}" if page else "")
        answer = server.api(
            "GET", f"/_matrix/client/v3/rooms/{quote(room_id)}/messages{query}", token=token
        )
        events.extend(answer.get("chunk", []))
        page = answer.get("end")
        if not answer.get("chunk") or not page:
            return list(reversed(events))


def joined_rooms(server: Homeserver, token: str) -> list[str]:
    return list(server.api("GET", "/_matrix/client/v3/joined_rooms", token=token)["joined_rooms"])


def room_members(server: Homeserver, token: str, room_id: str) -> set[str]:
    quote = urllib.parse.quote
    answer = server.api(
        "GET", f"/_matrix/client/v3/rooms/{quote(room_id)}/joined_members", token=token
    )
    return set(answer["joined"])


class People:
    """Makes `Person`s of fresh users (through the `matrix_client` factory); stops them all."""

    def __init__(self, clients: Any, bot: BotRunner) -> None:
        self.clients = clients
        self.bot = bot
        self.all: list[Person] = []

    async def __call__(self, name: str, *, encryption: bool = False) -> Person:
        client = await self.clients(name, encryption=encryption)
        person = await Person(client, self.bot.user_id).start()
        self.all.append(person)
        return person

    def user(self, person: Person) -> RegisteredUser:
        return self.clients.users[person.user_id]  # type: ignore[no-any-return]

    async def stop(self) -> None:
        for person in self.all:
            await person.stop()


@pytest.fixture(name="bot")
async def bot_fixture(homeserver: Any, tmp_path: Path) -> AsyncIterator[BotRunner]:
    """The Matrix bot on a fresh SQLite core (the Telegram bot may share that core)."""
    runner = BotRunner(homeserver, tmp_path)
    await runner.core.create_schema()
    try:
        yield runner
    finally:
        await runner.close()


@pytest.fixture(name="people")
async def people_fixture(matrix_client: Any, bot: BotRunner) -> AsyncIterator[People]:
    made = People(matrix_client, bot)
    try:
        yield made
    finally:
        await made.stop()

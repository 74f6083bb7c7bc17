"""The Matrix connection: settings, logging in (or resuming the saved device), back-off while
the homeserver is away, and sending one event exactly once (transaction ids).

The device, the access token and the sync token are kept in our database (through the
`ChannelPort`), so a restarted bot resumes its device and its place in the timeline.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import nio
from sqlalchemy.exc import DBAPIError

from bots.matrix import render
from bots.matrix.crypto import trust_on_first_use
from bots.matrix.errors import RETRIED, Halted, MatrixRefused, error_of
from core.config import Settings
from core.dialogue.port import ChannelPort, Session
from core.domain.vocabulary import Platform
from core.redaction import remember_secrets

log = logging.getLogger("entraide.matrix")

T = TypeVar("T")


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


class Connection:
    """The nio client of the bot's account, and its saved session."""

    def __init__(self, settings: MatrixSettings, port: ChannelPort) -> None:
        self.settings = settings
        self.port = port
        self.user_id = settings.user_id
        self.client: nio.AsyncClient | None = None
        # Whether the last request to the homeserver got through (for logs and tests).
        self.connected = False
        self.halt = asyncio.Event()
        self.sync_token: str | None = None
        self.txn_prefix = "entraide"

    @property
    def encrypted(self) -> bool:
        return self.client is not None and self.client.olm is not None

    def backoff(self) -> Backoff:
        return Backoff(self.settings.backoff_initial, self.settings.backoff_max)

    async def interruptible(self, awaitable: Awaitable[T]) -> T:
        """Await a network call, abandoning it if the channel is asked to stop."""
        task = asyncio.ensure_future(awaitable)
        halt = asyncio.create_task(self.halt.wait())
        try:
            await asyncio.wait({task, halt}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            halt.cancel()
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
            raise Halted()
        return task.result()

    async def pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.halt.wait(), seconds)
        if self.halt.is_set():
            raise Halted()

    def went_down(self, error: object, backoff: Backoff) -> float:
        delay = backoff.next()
        if self.connected or backoff.failures == 1:
            log.warning("homeserver unreachable (%s): retrying in %.1f s", error, delay)
        self.connected = False
        return delay

    async def connect(self) -> None:
        """Log in (or resume the saved device), retrying with back-off while unreachable."""
        session = await self.port.session(Platform.MATRIX, self.user_id)
        self.txn_prefix = session.txn_prefix
        self.sync_token = session.sync_token
        backoff = self.backoff()
        while True:
            client = self._new_client(session.device_id)
            try:
                await self.interruptible(self._log_in(client, session))
            except Halted:
                await client.close()
                raise
            except RETRIED as error:
                await client.close()
                await self.pause(self.went_down(error, backoff))
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

    async def _log_in(self, client: nio.AsyncClient, session: Session) -> None:
        if self.settings.access_token:
            client.access_token = self.settings.access_token
            who = await client.whoami()
            if not isinstance(who, nio.WhoamiResponse):
                raise error_of(who, "whoami")
            device = who.device_id or session.device_id
            if not device:
                raise MatrixRefused("M_UNKNOWN", "the access token has no device")
            client.restore_login(self.user_id, device, self.settings.access_token)
            if device != session.device_id:
                await self._save(device_id=device, sync_token=None)
                self.sync_token = None
            return
        if session.access_token and session.device_id:
            client.restore_login(self.user_id, session.device_id, session.access_token)
            who = await client.whoami()
            if isinstance(who, nio.WhoamiResponse):
                return
            if getattr(who, "status_code", None) != "M_UNKNOWN_TOKEN":
                raise error_of(who, "whoami")
            log.warning("the saved access token was revoked: logging in again")
            client.access_token = ""
        if not self.settings.password:
            raise MatrixRefused("M_UNKNOWN_TOKEN", "no valid access token and no password")
        answer = await client.login(self.settings.password, device_name=self.settings.device_name)
        if not isinstance(answer, nio.LoginResponse):
            raise error_of(answer, "login")
        if answer.device_id != session.device_id:
            self.sync_token = None  # a new device starts afresh: nothing of before is answered
        await self._save(
            device_id=answer.device_id,
            access_token=answer.access_token,
            sync_token=self.sync_token,
        )

    async def log_in_again(self) -> None:
        """The access token was revoked: log in with the password again (if there is one)."""
        assert self.client is not None
        if self.settings.access_token or not self.settings.password:
            return
        answer = await self.client.login(
            self.settings.password, device_name=self.settings.device_name
        )
        if isinstance(answer, nio.LoginResponse):
            remember_secrets([answer.access_token])
            await self._save(device_id=answer.device_id, access_token=answer.access_token)

    async def save_sync_token(self, token: str | None) -> None:
        """Keep the place in the timeline (retried while the database is away)."""
        self.sync_token = token
        backoff = self.backoff()
        while True:
            try:
                await self._save(sync_token=token)
                return
            except DBAPIError as error:
                log.warning("could not save the sync token (%s): retrying", error)
                await self.pause(backoff.next())

    async def _save(self, **values: Any) -> None:
        await self.port.save_session(Platform.MATRIX, self.user_id, **values)

    async def room_send(
        self, room_id: str, event_type: str, content: dict[str, Any], txn: str | None
    ) -> str:
        """Send one event; the transaction id makes a repeated send land only once."""
        assert self.client is not None
        client = self.client
        tx_id = f"{self.txn_prefix}-{txn}" if txn is not None else None
        if client.olm is not None and room_id not in client.rooms:
            client.rooms[room_id] = nio.MatrixRoom(room_id, self.user_id)
        for attempt in (1, 2):
            trust_on_first_use(client)
            try:
                sent = await client.room_send(room_id, event_type, content, tx_id=tx_id)
            except nio.OlmUnverifiedDeviceError:
                if attempt == 2:
                    raise
                continue  # a device appeared meanwhile: trusted on first use, then sent
            if isinstance(sent, nio.RoomSendResponse):
                self.connected = True
                return str(sent.event_id)
            raise error_of(sent, f"send to {room_id}")
        raise AssertionError("unreachable")

    async def notice(self, room_id: str, text: str) -> None:
        """A message outside the conversation engine (no outbox row): best effort."""
        try:
            await self.room_send(room_id, "m.room.message", render.notice(text), None)
        except (*RETRIED, MatrixRefused) as error:
            log.info("could not write in %s: %s", room_id, error)

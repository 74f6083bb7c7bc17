"""A real Synapse homeserver on the loopback interface, for tests that speak Matrix.

Synapse runs from the virtual environment that `scripts/synapse setup` makes (outside the
repository, in ENTRAIDE_SYNAPSE_HOME, by default ~/.cache/entraide/synapse). `Homeserver.start`
writes a configuration into a fresh data directory (SQLite, no federation, no registration but
through the shared-secret admin API, every rate limit lifted), generates the signing key, starts
the process on a free 127.0.0.1 port and waits for `/_matrix/client/versions`.

    server = Homeserver.start(tmp_dir)
    alice = server.register(server.unique_username("alice"))
    client = await server.login_client(alice)          # a logged-in nio.AsyncClient
    room_id = await create_room(client, "Entraide", invite=[bob_client])
    event = await wait_for_event(bob_client, room_id, lambda e: ...)
    server.restart()                                   # same port, same data: users stay
    server.stop()

Pytest fixtures built on it are in tests/matrix/fixtures.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import itertools
import json
import os
import secrets
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nio

from tests.integration._support import free_port

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "synapse"
SERVER_NAME = "localhost"
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 15.0
SETUP_TIMEOUT_S = 15 * 60.0

# Every rate limiter Synapse 1.163 reads, lifted with one YAML anchor.
_RATE_LIMITS = """\
rc_message: &unlimited {per_second: 10000, burst_count: 100000}
rc_registration: *unlimited
rc_registration_token_validity: *unlimited
rc_login:
  address: *unlimited
  account: *unlimited
  failed_attempts: *unlimited
rc_admin_redaction: *unlimited
rc_joins:
  local: *unlimited
  remote: *unlimited
rc_joins_per_room: *unlimited
rc_key_requests: *unlimited
rc_3pid_validation: *unlimited
rc_invites:
  per_room: *unlimited
  per_user: *unlimited
  per_issuer: *unlimited
rc_third_party_invite: *unlimited
rc_media_create: *unlimited
rc_presence:
  per_user: *unlimited
rc_delayed_event_mgmt: *unlimited
rc_room_creation: *unlimited
rc_reports: *unlimited
rc_user_directory: *unlimited
rc_profile: *unlimited
"""


class HomeserverError(RuntimeError):
    """Synapse could not be set up, started, or asked something."""


@dataclass(frozen=True)
class RegisteredUser:
    """A user made through the shared-secret admin API (its first device is `device_id`)."""

    user_id: str
    password: str
    access_token: str
    device_id: str

    @property
    def localpart(self) -> str:
        return self.user_id[1:].split(":", 1)[0]


def synapse_python(setup: bool = True) -> str:
    """The python of the Synapse environment; `scripts/synapse setup` first if `setup`."""
    for step in (["setup"] if setup else []) + ["python"]:
        try:
            done = subprocess.run(
                [str(SCRIPT), step],
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=SETUP_TIMEOUT_S,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise HomeserverError(f"scripts/synapse {step} did not finish: {error}") from error
        if done.returncode != 0:
            raise HomeserverError(
                f"scripts/synapse {step} failed ({done.returncode}):\n{done.stderr[-4000:]}"
            )
    return done.stdout.strip().splitlines()[-1]


class Homeserver:
    """One Synapse process, its data directory and its port. Make it with `start`."""

    def __init__(self, data_dir: Path, port: int, python: str) -> None:
        self.data_dir = data_dir
        self.port = port
        self.python = python
        self.registration_secret = secrets.token_hex(16)
        self.config_path = data_dir / "homeserver.yaml"
        self.log_path = data_dir / "homeserver.log"
        self.stores_dir = data_dir / "nio-stores"
        self.startup_seconds = 0.0  # how long the latest start took to answer
        self.setup_seconds = 0.0  # how long `scripts/synapse setup` took (set by the fixture)
        self._process: subprocess.Popen[bytes] | None = None
        self._names = itertools.count(1)

    # -- life cycle ---------------------------------------------------------------------------

    @classmethod
    def start(
        cls, tmp_dir: Path | str, *, python: str | None = None, port: int | None = None
    ) -> Homeserver:
        """Configure a fresh Synapse under `tmp_dir` and start it; fail clearly if it won't.

        `python` is the Synapse environment's interpreter (default: `scripts/synapse setup`,
        then `scripts/synapse python`); `port` defaults to a free loopback port.
        """
        python = python or synapse_python()
        tmp_dir = Path(tmp_dir)
        tmp_dir.mkdir(parents=True, exist_ok=True)
        data_dir = Path(tempfile.mkdtemp(prefix="synapse-", dir=tmp_dir))
        attempts = 1 if port else 3  # a free port can be taken between the probe and the bind
        for attempt in range(attempts):
            server = cls(data_dir, port or free_port(), python)
            server._write_config()
            if attempt == 0:
                server._generate_keys()
            try:
                server._launch()
            except HomeserverError:
                if attempt + 1 < attempts and "Address already in use" in server.log_tail():
                    continue
                raise
            return server
        raise AssertionError("unreachable")

    @property
    def url(self) -> str:
        """The client-server API's base address, e.g. http://127.0.0.1:40123."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def stop(self) -> None:
        """SIGTERM Synapse and wait for it to exit (SIGKILL after STOP_TIMEOUT_S)."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=STOP_TIMEOUT_S)

    def resume(self) -> None:
        """Start a stopped homeserver again, on the same port and data directory."""
        if self.running:
            raise HomeserverError("the homeserver is already running")
        self._launch()

    def restart(self, down_for: float = 0.0) -> None:
        """Stop, stay down `down_for` seconds, start again on the same port and data."""
        self.stop()
        if down_for > 0:
            time.sleep(down_for)
        self.resume()

    async def arestart(self, down_for: float = 0.0) -> None:
        """`restart` in a thread, so the event loop (a bot's sync loop) runs meanwhile."""
        await asyncio.to_thread(self.restart, down_for)

    def log_tail(self, chars: int = 4000) -> str:
        """The end of Synapse's log (both of its output streams)."""
        if not self.log_path.exists():
            return ""
        return self.log_path.read_text(errors="replace")[-chars:]

    def _write_config(self) -> None:
        d = self.data_dir
        config = f"""\
# Written by tests/matrix/homeserver.py: a loopback-only Synapse for tests.
server_name: "{SERVER_NAME}"
public_baseurl: "{self.url}/"
pid_file: "{d / "homeserver.pid"}"
signing_key_path: "{d / "signing.key"}"
media_store_path: "{d / "media"}"
listeners:
  - port: {self.port}
    bind_addresses: ["127.0.0.1"]
    type: http
    tls: false
    x_forwarded: false
    resources:
      - names: [client]
        compress: false
database:
  name: sqlite3
  args:
    database: "{d / "homeserver.db"}"
registration_shared_secret: "{self.registration_secret}"
macaroon_secret_key: "{secrets.token_hex(16)}"
form_secret: "{secrets.token_hex(16)}"
report_stats: false
bcrypt_rounds: 4  # the fewest allowed: registering and logging in stay fast
enable_metrics: false
enable_registration: false
federation_domain_whitelist: []
trusted_key_servers: []
suppress_key_server_warning: true
url_preview_enabled: false
presence:
  enabled: false
{_RATE_LIMITS}"""
        self.config_path.write_text(config)

    def _generate_keys(self) -> None:
        done = subprocess.run(
            [
                self.python,
                "-m",
                "synapse.app.homeserver",
                "-c",
                str(self.config_path),
                "--generate-keys",
            ],
            cwd=self.data_dir,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if done.returncode != 0:
            raise HomeserverError(
                f"synapse --generate-keys failed ({done.returncode}):\n"
                f"{(done.stdout + done.stderr)[-4000:]}"
            )

    def _launch(self) -> None:
        started = time.monotonic()
        with self.log_path.open("ab") as log:
            log.write(f"\n==== starting Synapse on {self.url} ====\n".encode())
            log.flush()
            self._process = subprocess.Popen(
                [self.python, "-m", "synapse.app.homeserver", "-c", str(self.config_path)],
                cwd=self.data_dir,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = started + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                code = self._process.returncode
                self._process = None
                raise HomeserverError(
                    f"Synapse exited with {code} before answering on {self.url} "
                    f"(data in {self.data_dir}); end of its log:\n{self.log_tail()}"
                )
            try:
                self._request("GET", "/_matrix/client/versions", timeout=2.0)
            except (OSError, HomeserverError):
                time.sleep(0.1)
                continue
            self.startup_seconds = time.monotonic() - started
            return
        self.stop()
        raise HomeserverError(
            f"Synapse did not answer {self.url}/_matrix/client/versions within "
            f"{START_TIMEOUT_S:.0f} s (data in {self.data_dir}); end of its log:\n"
            f"{self.log_tail()}"
        )

    # -- users ----------------------------------------------------------------------------------

    def unique_username(self, prefix: str = "user") -> str:
        """A localpart no other test on this (shared) homeserver has used: `prefix-N-xxxx`."""
        return f"{prefix.lower()}-{next(self._names)}-{secrets.token_hex(2)}"

    def register(
        self, username: str, password: str | None = None, admin: bool = False
    ) -> RegisteredUser:
        """Register `username` (a localpart) with the shared secret; returns its first login."""
        password = password or secrets.token_urlsafe(12)
        nonce = self._request("GET", "/_synapse/admin/v1/register")["nonce"]
        mac = hmac.new(self.registration_secret.encode(), digestmod=hashlib.sha1)
        mac.update(
            b"\x00".join(
                [
                    nonce.encode(),
                    username.encode(),
                    password.encode(),
                    b"admin" if admin else b"notadmin",
                ]
            )
        )
        body = {
            "nonce": nonce,
            "username": username,
            "password": password,
            "admin": admin,
            "mac": mac.hexdigest(),
        }
        answer = self._request("POST", "/_synapse/admin/v1/register", body)
        return RegisteredUser(
            user_id=answer["user_id"],
            password=password,
            access_token=answer["access_token"],
            device_id=answer["device_id"],
        )

    async def login_client(
        self,
        user: RegisteredUser,
        *,
        device_name: str = "entraide-tests",
        encryption: bool = False,
    ) -> nio.AsyncClient:
        """A nio client logged in as `user` (a new device), its store under the data dir.

        Plain (unencrypted) unless `encryption`: with matrix-nio's e2e extra installed, an
        encrypting client refuses to send to a room it has not synced yet.
        The caller closes it (`await client.close()`), in the event loop that made it.
        """
        store = self.stores_dir / f"{user.localpart}-{secrets.token_hex(3)}"
        store.mkdir(parents=True)
        client = nio.AsyncClient(
            self.url,
            user.user_id,
            store_path=str(store),
            config=nio.AsyncClientConfig(
                store_sync_tokens=False, request_timeout=30, encryption_enabled=encryption
            ),
        )
        response = await client.login(user.password, device_name=device_name)
        if not isinstance(response, nio.LoginResponse):
            await client.close()
            raise HomeserverError(f"login of {user.user_id} failed: {response}")
        return client

    async def create_room(
        self,
        client: nio.AsyncClient,
        name: str,
        invite: Iterable[str | RegisteredUser | nio.AsyncClient] = (),
        is_direct: bool = False,
    ) -> str:
        """See `create_room` (the module function)."""
        return await create_room(client, name, invite=invite, is_direct=is_direct)

    # -- HTTP -----------------------------------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        timeout: float = 10.0,
    ) -> dict[str, Any]:
        """One JSON request to the homeserver; HomeserverError on an HTTP error."""
        request = urllib.request.Request(
            self.url + path,
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:
                return json.loads(answer.read() or b"{}")
        except urllib.error.HTTPError as error:
            detail = error.read().decode(errors="replace")
            error.close()
            raise HomeserverError(f"{method} {path}: {error.code} {detail}") from None

    def api(
        self, method: str, path: str, body: dict[str, Any] | None = None, *, token: str
    ) -> dict[str, Any]:
        """A raw client-server API call as the holder of `token` (blocking; for checks)."""
        return self._request(method, path, body, token=token)

    def relations(
        self, token: str, room_id: str, event_id: str, rel_type: str = "m.reference"
    ) -> list[dict[str, Any]]:
        """`GET /_matrix/client/v1/rooms/{room}/relations/{event}/{rel_type}`, every page."""
        quote = urllib.parse.quote
        base = f"/_matrix/client/v1/rooms/{quote(room_id)}/relations/{quote(event_id)}/" + quote(
            rel_type
        )
        events: list[dict[str, Any]] = []
        page: str | None = None
        while True:
            query = "?limit=100" + (f"&from={quote(page)}" if page else "")
            answer = self._request("GET", base + query, token=token)
            events.extend(answer.get("chunk", []))
            page = answer.get("next_batch")
            if not page:
                return events


# -- helpers for nio clients -------------------------------------------------------------------


def _user_id(who: str | RegisteredUser | nio.AsyncClient) -> str:
    if isinstance(who, RegisteredUser):
        return who.user_id
    if isinstance(who, nio.AsyncClient):
        return who.user_id
    return who


async def create_room(
    client: nio.AsyncClient,
    name: str,
    invite: Iterable[str | RegisteredUser | nio.AsyncClient] = (),
    is_direct: bool = False,
) -> str:
    """Create a private room named `name` as `client`, invite people, return the room id.

    Invitees may be user ids, RegisteredUsers or logged-in nio clients; the clients also join,
    so they are members when this returns.
    """
    invitees = list(invite)
    created = await client.room_create(
        name=name,
        invite=[_user_id(who) for who in invitees],
        is_direct=is_direct,
        preset=nio.RoomPreset.trusted_private_chat if is_direct else nio.RoomPreset.private_chat,
    )
    if not isinstance(created, nio.RoomCreateResponse):
        raise HomeserverError(f"room_create({name!r}) failed: {created}")
    for who in invitees:
        if isinstance(who, nio.AsyncClient):
            joined = await who.join(created.room_id)
            if not isinstance(joined, nio.JoinResponse):
                raise HomeserverError(f"{who.user_id} could not join {created.room_id}: {joined}")
    return created.room_id


async def wait_for_event(
    client: nio.AsyncClient,
    room_id: str,
    predicate: Callable[[nio.Event], bool],
    timeout: float = 15.0,
) -> nio.Event:
    """Sync `client` until a timeline event of `room_id` matches `predicate`; return it.

    Uses (and advances) the client's own `next_batch`, so events already seen by an earlier
    sync of this client are not looked at again. Raises TimeoutError.
    """
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        response = await client.sync(timeout=int(min(left, 5.0) * 1000))
        if isinstance(response, nio.SyncError):
            raise HomeserverError(f"sync of {client.user_id} failed: {response}")
        room = response.rooms.join.get(room_id)
        if room is not None:
            for event in room.timeline.events:
                if predicate(event):
                    return event
    raise TimeoutError(f"no matching event in {room_id} for {client.user_id} within {timeout} s")

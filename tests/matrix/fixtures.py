"""Pytest fixtures for tests that talk to a real Synapse (see tests/matrix/homeserver.py).

Import them into a test module (they are not in a conftest.py on purpose); the functions are
named `*_fixture` so that test parameters named after the fixtures do not trip ruff's F811:

    from tests.matrix.fixtures import homeserver_fixture as homeserver_fixture
    from tests.matrix.fixtures import matrix_client_fixture as matrix_client_fixture

(the redundant `as` marks them as used for ruff), then name `homeserver` or `matrix_client` as
test parameters.

- `homeserver` (session): runs `scripts/synapse setup` (about half a minute the first time, then
  instant), starts one Synapse on a free 127.0.0.1 port for the whole session, stops it at the
  end. Tests share it, so they use fresh user names (`homeserver.unique_username("alice")`).
- `matrix_client` (function): `await matrix_client("alice")` registers a fresh user and returns
  a logged-in nio.AsyncClient (its RegisteredUser is `matrix_client.users[client.user_id]`);
  every client it made is closed after the test.

If Synapse cannot be set up or started the tests that use it fail. On a laptop without the time
or network for the install, ENTRAIDE_SKIP_MATRIX=1 skips them instead (never when CI is set).
"""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator, Iterator

import nio
import pytest

from tests.matrix.homeserver import Homeserver, HomeserverError, RegisteredUser, synapse_python


@pytest.fixture(scope="session", name="homeserver")
def homeserver_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Homeserver]:
    """One real Synapse for the session, on loopback; `.url`, `.register`, `.restart`..."""
    if os.environ.get("ENTRAIDE_SKIP_MATRIX") == "1" and not os.environ.get("CI"):
        pytest.skip("ENTRAIDE_SKIP_MATRIX=1: no Synapse homeserver in this run")
    started = time.monotonic()
    try:
        python = synapse_python(setup=True)
    except HomeserverError as error:
        pytest.fail(f"the Synapse environment could not be set up:\n{error}")
    setup_seconds = time.monotonic() - started
    try:
        server = Homeserver.start(tmp_path_factory.mktemp("matrix"), python=python)
    except HomeserverError as error:
        pytest.fail(f"Synapse could not be started:\n{error}")
    server.setup_seconds = setup_seconds
    try:
        yield server
    finally:
        server.stop()


class ClientFactory:
    """Makes logged-in nio clients of fresh users; closes them all afterwards."""

    def __init__(self, server: Homeserver) -> None:
        self.server = server
        self.users: dict[str, RegisteredUser] = {}
        self.clients: list[nio.AsyncClient] = []

    async def __call__(
        self, name: str = "user", *, admin: bool = False, encryption: bool = False
    ) -> nio.AsyncClient:
        user = self.server.register(self.server.unique_username(name), admin=admin)
        client = await self.server.login_client(user, encryption=encryption)
        self.users[user.user_id] = user
        self.clients.append(client)
        return client

    async def close(self) -> None:
        for client in self.clients:
            await client.close()


@pytest.fixture(name="matrix_client")
async def matrix_client_fixture(homeserver: Homeserver) -> AsyncIterator[ClientFactory]:
    """`await matrix_client("alice")`: a logged-in nio client of a fresh user on `homeserver`."""
    if not homeserver.running:  # an earlier test stopped it and failed before resuming it
        homeserver.resume()
    factory = ClientFactory(homeserver)
    try:
        yield factory
    finally:
        await factory.close()


# The fixtures under their own names too: importing `homeserver` from here works, but ruff then
# reports F811 on every test parameter named `homeserver`; prefer the imports of
# `homeserver_fixture` and `matrix_client_fixture` shown at the top, which lint clean.
homeserver = homeserver_fixture
matrix_client = matrix_client_fixture

__all__ = [
    "ClientFactory",
    "homeserver",
    "homeserver_fixture",
    "matrix_client",
    "matrix_client_fixture",
]

"""`entraide run` with MATRIX_HOMESERVER set: a real process serves Matrix until SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.matrix.botkit import Person, body_of, direct_chat
from tests.matrix.fixtures import ClientFactory
from tests.matrix.fixtures import homeserver_fixture as homeserver_fixture  # the fixtures
from tests.matrix.fixtures import matrix_client_fixture as matrix_client_fixture
from tests.matrix.homeserver import Homeserver

pytestmark = [pytest.mark.matrix, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]


async def test_entraide_run_serves_matrix_until_sigterm(
    homeserver: Homeserver, matrix_client: ClientFactory, tmp_path: Path
) -> None:
    bot = homeserver.register(homeserver.unique_username("entraide"))
    env = {
        **os.environ,
        "ENTRAIDE_CONFIG_FILE": str(tmp_path / "absent.toml"),
        "ENTRAIDE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'entraide.sqlite3'}",
        "ENTRAIDE_MATRIX_STORE_PATH": str(tmp_path / "matrix-store"),
        "MATRIX_HOMESERVER": homeserver.url,
        "MATRIX_USER_ID": bot.user_id,
        "MATRIX_PASSWORD": bot.password,
        "MATRIX_DEVICE_NAME": "entraide-run",
    }
    env.pop("MATRIX_ACCESS_TOKEN", None)
    env.pop("TELEGRAM_BOT_TOKEN", None)
    log = tmp_path / "run.log"
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "bots.cli", "run"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        try:
            alice = await Person(await matrix_client("alice"), bot.user_id).start()
            try:
                room = await direct_chat(alice, bot.user_id)
                hello = await alice.next_from_bot(room)
                assert "1. Français" in body_of(hello)
                await alice.ask(room, "1", contains="prénom")
            finally:
                await alice.stop()
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
            code = process.wait(30)
    said = log.read_text(errors="replace")
    assert code == 0, said
    assert f"Matrix: {bot.user_id} on {homeserver.url}." in said
    devices = homeserver.api("GET", "/_matrix/client/v3/devices", token=bot.access_token)
    assert "entraide-run" in {d.get("display_name") for d in devices["devices"]}

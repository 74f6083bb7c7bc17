"""Two people in two terminals on one SQLite file: post, receive, accept and complete a request.

Real `entraide` processes, driven through their stdin/stdout as a person would type.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

pytestmark = pytest.mark.slow

PHONE, ADDRESS = "06 12 34 56 78", "3 rue des Pêcheurs"


def entraide(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "bots.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


class Terminal:
    """One `entraide chat --as NAME` process and everything it printed."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.output = ""

    @classmethod
    async def open(cls, env: dict[str, str], name: str) -> Terminal:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bots.cli",
            "chat",
            "--as",
            name,
            "--territory",
            "Rezé",
            env=env,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        return cls(process)

    async def expect(self, text: str, timeout: float = 20) -> None:
        """Wait until the terminal has printed `text` (since the start)."""
        assert self.process.stdout is not None

        async def read_until() -> None:
            while text not in self.output:
                line = await self.process.stdout.readline()  # type: ignore[union-attr]
                if not line:
                    raise AssertionError(f"terminal closed before {text!r}:\n{self.output}")
                self.output += line.decode()

        try:
            await asyncio.wait_for(read_until(), timeout)
        except TimeoutError:
            raise AssertionError(f"{text!r} never came; got:\n{self.output}") from None

    async def type(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line.encode() + b"\n")
        await self.process.stdin.drain()

    async def close(self) -> None:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.close()
        rest = await asyncio.wait_for(self.process.stdout.read(), 20)
        self.output += rest.decode()
        assert await self.process.wait() == 0, self.output


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    environment = {
        **os.environ,
        "ENTRAIDE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'coop.sqlite3'}",
        "ENTRAIDE_CONFIG_FILE": str(tmp_path / "absent.toml"),
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    }
    entraide(environment, "territory", "add", "Rezé", "-n", "Trentemoult", "-n", "Château")
    entraide(
        environment,
        "member",
        "add",
        "Alice",
        "--role",
        "requester",
        "--territory",
        "Rezé",
        "--language",
        "en",
        "--neighbourhood",
        "Trentemoult",
        "--phone",
        PHONE,
        "--address",
        ADDRESS,
    )
    for name, place in (("Bob", "Trentemoult"), ("Carol", "Château")):
        entraide(
            environment,
            "member",
            "add",
            name,
            "--role",
            "volunteer",
            "--territory",
            "Rezé",
            "--language",
            "en",
            "--neighbourhood",
            place,
            "--skill",
            "shopping",
        )
        entraide(environment, "member", "approve", name)
    return environment


async def test_two_terminals_post_accept_and_complete_a_request(env: dict[str, str]) -> None:
    bob, carol = await Terminal.open(env, "Bob"), await Terminal.open(env, "Carol")
    alice = await Terminal.open(env, "Alice")
    for terminal in (alice, bob, carol):
        await terminal.expect("What would you like to do?")

    for line in ("1", "1", "Thursday 10:00", "1"):  # I need help, shopping, when, at my home
        await alice.type(line)
    await alice.expect("Shall I send it to the volunteers?")
    await alice.type("1")
    await alice.expect("Your request is sent.")

    await bob.expect("New request near you: shopping, Thursday")
    await carol.expect("New request near you: shopping, Thursday")
    await bob.type("1")  # I'll help
    await bob.expect(f"Phone: {PHONE}")
    await bob.expect(f"Address: {ADDRESS}")
    await alice.expect("Bob will help you")
    await carol.expect("Another volunteer has taken this request")

    await bob.type("1")  # Done
    await bob.expect("How many hours")
    await bob.type("1.5")
    await bob.expect("Recorded.")
    await alice.expect("marked your request as done")

    for terminal in (alice, bob, carol):
        await terminal.close()
    assert PHONE not in carol.output and ADDRESS not in carol.output
    assert PHONE not in alice.output.split("Bob will help you", 1)[1]

    exported = json.loads(entraide(env, "export", "--member", "Alice"))
    [request] = exported["requests"]
    assert (request["category"], request["state"], request["volunteer"], request["hours"]) == (
        "shopping",
        "done",
        "Bob",
        1.5,
    )
    when = datetime.fromisoformat(request["when_start"]).astimezone(ZoneInfo("Europe/Paris"))
    assert (when.weekday(), when.hour, when.minute) == (3, 10, 0)

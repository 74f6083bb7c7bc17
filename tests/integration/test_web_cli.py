"""The console from the command line: `entraide web link` for coordinators only, and
`entraide run` serving the console beside the bots when `web_port` is set."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bots.cli import app
from tests.integration._support import cli_database, free_port

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    return cli_database(
        tmp_path,
        monkeypatch,
        [
            ["territory", "add", "Rezé"],
            ["member", "add", "Claire", "--role", "coordinator", "--territory", "Rezé"],
            ["member", "add", "Bob", "--role", "volunteer", "--territory", "Rezé"],
        ],
    )


def test_web_link_prints_a_one_time_link_for_a_coordinator_and_refuses_others(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ENTRAIDE_WEB_BASE_URL", "https://entraide.example.org/")
    result = runner.invoke(app, ["web", "link", "--member", "Claire"])
    assert result.exit_code == 0, result.output
    link = result.output.strip().splitlines()[-1]
    assert link.startswith("https://entraide.example.org/login?token=")
    assert len(link.rsplit("=", 1)[1]) >= 40
    refused = runner.invoke(app, ["web", "link", "--member", "Bob"])
    assert refused.exit_code == 1 and "Traceback" not in refused.output
    assert "coordinator" in refused.output


def test_entraide_run_serves_the_console_when_web_port_is_set(database: str) -> None:
    port = free_port()
    env = {
        **os.environ,
        "ENTRAIDE_WEB_PORT": str(port),
        "ENTRAIDE_SCHEDULER_ENABLED": "false",
        "PYTHONPATH": str(ROOT),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bots.cli", "run"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        page = ""
        while time.monotonic() < deadline and not page:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2) as r:
                    page = r.read().decode()
            except OSError:
                assert process.poll() is None, process.communicate()[1].decode()
                time.sleep(0.2)
        assert "Console des coordinateurs" in page
    finally:
        process.send_signal(signal.SIGTERM)
        _, errors = process.communicate(timeout=20)
    assert process.returncode == 0, errors.decode()

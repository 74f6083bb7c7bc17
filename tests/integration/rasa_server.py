"""A real Rasa 3.6 server for the tests, made and served by `scripts/rasa` (session-scoped).

The fixture `rasa_url` runs `scripts/rasa setup` (minutes the first time, then instant: the
environment is cached in ENTRAIDE_RASA_HOME, by default ~/.cache/entraide/rasa), `scripts/rasa
train` (reuses the model of unchanged nlu/ files), then `scripts/rasa serve PORT` on a free
loopback port, waits for it to answer, and stops it after the session.

If any step fails the tests that use it fail. On a laptop without Python 3.10 or the time for
the install, ENTRAIDE_SKIP_RASA=1 skips them instead (never in CI).

Test modules import the fixture (`from tests.integration.rasa_server import rasa_url_fixture`).
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.integration._support import free_port

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "rasa"
SETUP_TIMEOUT_S = 30 * 60  # a first install downloads TensorFlow
# .ci/run trains first; a run without it trains here (about 20 minutes on 2 busy cores).
TRAIN_TIMEOUT_S = 40 * 60
START_TIMEOUT_S = 180


def _run(step: str, timeout: float) -> str:
    """Run `scripts/rasa STEP`; return its standard output, or fail the test with its log."""
    try:
        done = subprocess.run(
            [str(SCRIPT), step],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        pytest.fail(f"scripts/rasa {step} did not finish: {error}")
    if done.returncode != 0:
        pytest.fail(f"scripts/rasa {step} failed ({done.returncode}):\n{done.stderr[-4000:]}")
    return done.stdout.strip()


def _wait_until_up(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    """Wait until Rasa answers `GET /status` with a loaded model, or fail."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"rasa run exited with {server.returncode}:\n{_tail(log)}")
        try:
            status = httpx.get(f"{url}/status", timeout=2.0)
            if status.status_code == 200 and status.json().get("model_file"):
                return
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(1.0)
    pytest.fail(f"rasa run did not answer within {START_TIMEOUT_S} s:\n{_tail(log)}")


def _stop(server: subprocess.Popen[bytes]) -> None:
    """Stop the server and anything it started (it leads its own process group)."""
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=15)


def _tail(log: Path, chars: int = 4000) -> str:
    return log.read_text(errors="replace")[-chars:] if log.exists() else ""


@pytest.fixture(scope="session", name="rasa_url")
def rasa_url_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The address of a real Rasa server serving entraide's trained NLU model."""
    if os.environ.get("ENTRAIDE_SKIP_RASA") == "1" and not os.environ.get("CI"):
        pytest.skip("ENTRAIDE_SKIP_RASA=1: no real Rasa server in this run")
    _run("setup", SETUP_TIMEOUT_S)
    model = _run("train", TRAIN_TIMEOUT_S).splitlines()[-1]
    assert Path(model).is_file(), f"scripts/rasa train printed {model!r}, not a model file"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("rasa") / "rasa-run.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [str(SCRIPT), "serve", str(port)],
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_until_up(url, server, log)
        yield url
    finally:
        _stop(server)

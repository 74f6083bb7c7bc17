"""The command line a coordinator uses: polls in local time, clear refusals, one database.

A coordinator who types a wrong number, a past date or a misspelt territory gets one sentence
saying what is wrong, and nothing changes; times are read in the territory's own zone.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bots.cli import app
from core.scheduling import marker
from tests.integration._support import cli_database

runner = CliRunner()


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    territory = ["territory", "add", "Rezé", "--timezone", "America/Montreal", "-n", "Trentemoult"]
    return cli_database(tmp_path, monkeypatch, [territory])


def ok(args: list[str]) -> str:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return result.output


def refused(args: list[str]) -> str:
    result = runner.invoke(app, args)
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.output
    return result.output


def test_poll_create_gives_the_closing_time_in_the_territory_s_zone(database: str) -> None:
    out = ok(["poll", "create", "Fête ?", "-o", "Oui", "-o", "Non", "--territory", "Rezé",
              "--closes", "2099-06-01T18:00"])  # fmt: skip
    assert "until 2099-06-01 18:00 EDT" in out
    assert "+00:00" not in out and "T18" not in out


def test_poll_create_refuses_a_closing_time_already_past(database: str) -> None:
    out = refused(["poll", "create", "Fête ?", "-o", "Oui", "-o", "Non", "--territory",
                   "Rezé", "--closes", "2020-01-01T10:00"])  # fmt: skip
    assert "future" in out
    assert "No poll yet" in ok(["poll", "list"])


def test_poll_list_shows_each_poll_with_its_state_and_votes(database: str) -> None:
    assert "No poll yet" in ok(["poll", "list"])
    ok(["poll", "create", "Fête ?", "-o", "Oui", "-o", "Non", "--territory", "Rezé"])
    ok(["poll", "create", "Jardin ?", "-o", "Oui", "-o", "Non", "--territory", "Rezé"])
    ok(["poll", "close", "1"])
    lines = ok(["poll", "list"]).splitlines()
    assert lines[0].startswith("#2\topen\tcloses ") and lines[0].endswith("Jardin ?")
    assert lines[1].startswith("#1\tclosed\tclosed ") and "0 votes" in lines[1]
    assert ok(["poll", "list", "--open"]).splitlines() == lines[:1]


def test_closing_a_closed_poll_says_so_and_keeps_its_result(database: str) -> None:
    ok(["poll", "create", "Fête ?", "-o", "Oui", "-o", "Non", "--territory", "Rezé"])
    first = ok(["poll", "close", "1"])
    again = ok(["poll", "close", "1"])
    assert "already closed" not in first
    assert again.startswith("Poll #1 was already closed")
    assert again.splitlines()[1:] == first.splitlines()


@pytest.mark.parametrize("command", ["results", "close"])
def test_an_unknown_poll_number_is_named_in_the_refusal(database: str, command: str) -> None:
    assert "No poll #99" in refused(["poll", command, "99"])


@pytest.mark.parametrize("number", ["0", "-1", "99999999999"])
def test_a_poll_number_out_of_range_is_refused(database: str, number: str) -> None:
    refused(["poll", "results", number])


@pytest.mark.parametrize("days", ["-3", "0", "400"])
def test_jobs_list_refuses_a_window_that_is_not_ahead(database: str, days: str) -> None:
    assert "--days" in refused(["jobs", "list", "--days", days])


def test_a_misspelt_territory_is_refused_with_the_territories_there_are(database: str) -> None:
    out = refused(["chat", "--as", "Zoé", "--territory", "Atlantis"])
    assert "Atlantis" in out and "Rezé" in out and "entraide territory add" in out
    assert "Atlantis" not in ok(["territory", "list"])


def test_the_embedded_database_is_the_same_from_any_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ENTRAIDE_DATABASE_URL", raising=False)
    monkeypatch.setenv("ENTRAIDE_CONFIG_FILE", str(tmp_path / "absent.toml"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    expected = tmp_path / "data" / "entraide" / "entraide.sqlite3"
    for folder in ("one", "two"):
        (tmp_path / folder).mkdir()
        monkeypatch.chdir(tmp_path / folder)
        if folder == "one":
            first = runner.invoke(app, ["territory", "add", "Rezé"])
            assert first.exit_code == 0, first.output
            assert f"creating the database at {expected}" in first.output
        assert "Rezé" in ok(["territory", "list"])
        shown = json.loads(ok(["config", "show"]))
        assert shown["database_file"] == str(expected)
    assert not (tmp_path / "one" / "var").exists()


def test_jobs_status_names_the_process_running_the_scheduler(
    tmp_path: Path, database: str
) -> None:
    assert "active scheduler: none" in ok(["jobs", "status"])
    env = {**os.environ, "ENTRAIDE_DATABASE_URL": database}
    runner_process = subprocess.Popen(
        [sys.executable, "-m", "bots.cli", "run"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        assert runner_process.stderr is not None
        for line in runner_process.stderr:  # its own log says when it is active
            if "Scheduler active" in line:
                break
        status = ok(["jobs", "status"])
        assert f"pid={runner_process.pid}" in status, status
    finally:
        runner_process.terminate()
        runner_process.communicate(timeout=30)  # and its pipe closed
    assert "active scheduler: none" in ok(["jobs", "status"])


def test_a_scheduler_that_crashed_is_not_named_as_running(database: str) -> None:
    marker.mark_active(database)
    assert f"pid={os.getpid()}" in ok(["jobs", "status"])
    path = marker.marker_path(database)
    assert path is not None
    record = json.loads(path.read_text())
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    path.write_text(json.dumps({**record, "pid": int(dead.stdout)}))
    assert "active scheduler: none" in ok(["jobs", "status"])


def _loneliness_check(database: str) -> list[tuple[int]]:
    import sqlite3

    path = database.removeprefix("sqlite+aiosqlite:///")
    with sqlite3.connect(path) as db:
        return db.execute("SELECT loneliness_check FROM observatory_settings").fetchall()


def test_observatory_loneliness_turns_the_check_on_and_off(database: str) -> None:
    assert "is on in Rezé" in ok(["observatory", "loneliness", "on", "--territory", "Rezé"])
    assert _loneliness_check(database) == [(1,)]
    assert "is off in Rezé" in ok(["observatory", "loneliness", "off", "--territory", "Rezé"])
    assert _loneliness_check(database) == [(0,)]


def test_observatory_loneliness_refuses_a_wrong_word_or_territory(database: str) -> None:
    assert "on or off" in refused(["observatory", "loneliness", "yes", "--territory", "Rezé"])
    assert "No territory" in refused(["observatory", "loneliness", "on", "--territory", "Reze"])
    assert _loneliness_check(database) == []

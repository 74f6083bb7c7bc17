"""`entraide member add --no-chat`, `entraide member proxy add | remove | list` and the export
(issue 15): a coordinator at the command line registers a senior who does not chat and records
who acts for her, with her consent; a wrong consent is one clear sentence and changes nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bots.cli import app

runner = CliRunner()


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'entraide.sqlite3'}"
    monkeypatch.setenv("ENTRAIDE_DATABASE_URL", url)
    monkeypatch.setenv("ENTRAIDE_CONFIG_FILE", str(tmp_path / "absent.toml"))
    ok(["territory", "add", "Rezé", "-n", "Trentemoult"])
    ok(["member", "add", "Odette", "--role", "requester", "--no-chat", "--territory", "Rezé",
        "--phone", "02 40 11 22 33", "--address", "5 rue des Lilas",
        "--call-times", "l'après-midi"])  # fmt: skip
    ok(["member", "add", "Marie", "--role", "requester", "--territory", "Rezé"])
    return url


def ok(args: list[str]) -> str:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return result.output


def refused(args: list[str]) -> str:
    result = runner.invoke(app, args)
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.output
    return result.output


def test_a_senior_without_chat_gets_a_proxy_with_her_consent(database: str) -> None:
    out = ok(["member", "proxy", "add", "Odette", "--proxy", "Marie",
              "--consent", "by phone, 2026-11-20"])  # fmt: skip
    assert "Marie now acts for Odette (consent: by phone, 2026-11-20)." in out
    assert ok(["member", "proxy", "list"]).splitlines() == [
        "Odette\tMarie\tby phone, 2026-11-20\t2026-11-20"
    ]
    assert ok(["member", "proxy", "list", "Odette"]) == ok(["member", "proxy", "list"])
    exported = json.loads(ok(["export", "--member", "Odette"]))
    assert exported["care"]["chats"] is False
    assert exported["care"]["call_times"] == "l'après-midi"
    assert [p["proxy"] for p in exported["proxies"]] == ["Marie"]
    assert json.loads(ok(["export", "--member", "Marie"]))["acts_for"][0]["member"] == "Odette"


def test_volunteers_call_the_proxy_when_the_coordinator_says_so(database: str) -> None:
    ok(["member", "proxy", "add", "Odette", "--proxy", "Marie", "--consent", "in person",
        "--call-proxy"])  # fmt: skip
    assert ok(["member", "proxy", "list"]).rstrip().endswith("volunteers call this proxy")


@pytest.mark.parametrize(
    ("consent", "said"),
    [
        ("", "how and when"),
        ("by phone, 2999-01-01", "day still to come"),
        ("by phone, 2026-02-30", "does not exist"),
    ],
)
def test_a_consent_without_words_or_with_a_wrong_day_is_refused(
    database: str, consent: str, said: str
) -> None:
    out = refused(["member", "proxy", "add", "Odette", "--proxy", "Marie", "--consent", consent])
    assert said in out
    assert ok(["member", "proxy", "list"]).strip() == "No proxy."


def test_removing_a_proxy_keeps_the_record_and_ends_the_access(database: str) -> None:
    ok(["member", "proxy", "add", "Odette", "--proxy", "Marie", "--consent", "by phone"])
    assert "Marie no longer acts for Odette." in ok(
        ["member", "proxy", "remove", "Odette", "--proxy", "Marie"]
    )
    assert ok(["member", "proxy", "list", "Odette"]).strip() == "No proxy."
    (record,) = json.loads(ok(["export", "--member", "Odette"]))["proxies"]
    assert record["proxy"] == "Marie" and record["revoked_at"] is not None
    out = refused(["member", "proxy", "remove", "Odette", "--proxy", "Marie"])
    assert "does not act for" in out


def test_nobody_is_named_to_act_for_themselves(database: str) -> None:
    assert "does not chat" in ok(
        ["member", "add", "Jeanne", "--role", "requester", "--no-chat", "--territory", "Rezé"]
    )
    out = refused(["member", "proxy", "add", "Odette", "--proxy", "Odette", "--consent", "x"])
    assert "cannot act for themselves" in out

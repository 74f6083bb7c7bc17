"""`entraide territory invite`: the link a coordinator prints on a leaflet or a QR code."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bots.cli import app
from tests.integration._support import cli_database

from .bot_api import FakeBotApi

runner = CliRunner()
LINK = r"https://t\.me/{bot}\?start=join_([A-Za-z0-9_-]{{32}})"


def invitation_in(output: str, bot: str) -> str:
    """The code of the one invitation link printed."""
    found = re.fullmatch(LINK.format(bot=bot), output.strip())
    assert found, output
    return found.group(1)


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    cli_database(
        tmp_path, monkeypatch, [["territory", "add", "Rezé"], ["territory", "add", "Bouguenais"]]
    )


def test_the_invitation_names_the_bot_and_the_territory(database: None) -> None:
    result = runner.invoke(app, ["territory", "invite", "Bouguenais", "--bot", "@entraide_bot"])
    assert result.exit_code == 0, result.output
    code = invitation_in(result.output, "entraide_bot")
    listed = runner.invoke(app, ["territory", "invitations", "Bouguenais"])
    assert listed.exit_code == 0, listed.output
    assert listed.output.startswith(f"{code}\tvalid\tuses 0/-\texpires never")
    assert code not in runner.invoke(app, ["territory", "invitations", "Rezé"]).output


def test_an_invitation_can_expire_be_limited_and_be_revoked(database: None) -> None:
    result = runner.invoke(
        app, ["territory", "invite", "Rezé", "--bot", "b", "--expires", "30d", "--uses", "5"]
    )
    assert result.exit_code == 0, result.output
    code = invitation_in(result.output, "b")
    listed = runner.invoke(app, ["territory", "invitations", "Rezé"]).output
    assert f"{code}\tvalid\tuses 0/5\texpires 20" in listed
    revoked = runner.invoke(app, ["territory", "revoke", code])
    assert revoked.exit_code == 0 and code in revoked.output
    assert f"{code}\trevoked" in runner.invoke(app, ["territory", "invitations", "Rezé"]).output


def test_a_wrong_invitation_option_or_code_is_explained(database: None) -> None:
    result = runner.invoke(app, ["territory", "invite", "--bot", "b", "--expires", "soon"])
    assert result.exit_code == 1 and "--closes" not in result.output
    assert runner.invoke(app, ["territory", "invite", "--bot", "b", "--uses", "0"]).exit_code
    unknown = runner.invoke(app, ["territory", "revoke", "not-a-code"])
    assert unknown.exit_code == 1


def test_without_a_bot_name_or_token_the_command_says_what_it_needs(database: None) -> None:
    result = runner.invoke(app, ["territory", "invite", "Rezé"])
    assert result.exit_code == 1
    assert "--bot" in result.output and "TELEGRAM_BOT_TOKEN" in result.output


def test_an_unknown_territory_is_refused_with_a_pointer_to_the_list(database: None) -> None:
    result = runner.invoke(app, ["territory", "invite", "Nantes", "--bot", "entraide_bot"])
    assert result.exit_code == 1
    assert "entraide territory list" in result.output


async def test_with_the_bot_s_token_the_name_is_asked_to_telegram(
    database: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = await FakeBotApi.start(bot_username="entraide_reze_bot")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", api.token)
    monkeypatch.setenv("TELEGRAM_API_URL", api.base_url)
    try:
        # The command runs its own event loop: in a thread, while this one serves the API.
        result = await asyncio.to_thread(runner.invoke, app, ["territory", "invite", "Rezé"])
    finally:
        await api.stop()
    assert result.exit_code == 0, result.output
    invitation_in(result.output, "entraide_reze_bot")
    assert api.requests("getMe")

"""`entraide territory invite`: the link a coordinator prints on a leaflet or a QR code."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bots.cli import app

from .bot_api import FakeBotApi

runner = CliRunner()


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENTRAIDE_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'e.sqlite3'}")
    monkeypatch.setenv("ENTRAIDE_CONFIG_FILE", str(tmp_path / "absent.toml"))
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    for args in (["territory", "add", "Rezé"], ["territory", "add", "Bouguenais"]):
        assert runner.invoke(app, args).exit_code == 0


def test_the_invitation_names_the_bot_and_the_territory(database: None) -> None:
    result = runner.invoke(app, ["territory", "invite", "Bouguenais", "--bot", "@entraide_bot"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "https://t.me/entraide_bot?start=join_2"


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
    assert result.output.strip() == "https://t.me/entraide_reze_bot?start=join_1"
    assert api.requests("getMe")

"""Finding 14: tokens and URL credentials never reach a log line, a stored error or the CLI.

A malformed HTTP answer makes aiohttp quote the whole URL of the Bot API call, and that URL
holds the bot token: the error is logged and stored (`notifications.last_error`). A logging
filter installed at start-up and the outbox's own redaction keep the token out; `entraide
config show` masks the credentials of every URL setting and the webhook's secret path.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from sqlalchemy import select
from typer.testing import CliRunner

from bots.cli import app
from bots.runner import configure_logging
from core.domain.model import Member, Notification
from core.services import outbox
from tests.conftest import Cooperative

from .telegram_scene import REAL_LOOKING_TOKEN, telegram_scene

TOKEN_SECRET = REAL_LOOKING_TOKEN.split(":", 1)[1]


@pytest.fixture
def startup_logging() -> Iterator[None]:
    """Logging as `entraide run` sets it up, undone afterwards (it is process-wide)."""
    factory = logging.getLogRecordFactory()
    root = logging.getLogger()
    filters, handlers = list(root.filters), list(root.handlers)
    levels = {name: logging.getLogger(name).level for name in ("entraide", "apscheduler")}
    configure_logging(verbose=True)
    logging.getLogger("entraide").setLevel(logging.DEBUG)
    try:
        yield
    finally:
        logging.setLogRecordFactory(factory)
        root.filters[:] = filters
        for handler in root.handlers[:]:
            if handler not in handlers:
                root.removeHandler(handler)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


@pytest.mark.slow
async def test_a_malformed_bot_api_answer_leaves_no_token_in_logs_or_stored_errors(
    coop: Cooperative,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    startup_logging: None,
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    caplog.set_level(logging.DEBUG)
    async with telegram_scene(coop, token=REAL_LOOKING_TOKEN) as scene:
        scene.api.malformed_next("sendMessage", chat_id=scene.bob.id)
        async with coop.core.uow() as uow:
            bob = await uow.session.get(Member, coop.bob)
            outbox.write(uow, "Hello Bob", member=bob)
            await uow.commit()

        async def stored_error() -> str | None:  # of the first message to Bob, whichever
            async with coop.core.uow() as uow:
                errors = await uow.session.execute(
                    select(Notification.last_error).where(Notification.last_error.is_not(None))
                )
                return errors.scalars().first()

        deadline = asyncio.get_running_loop().time() + 10
        while (error := await stored_error()) is None:
            assert asyncio.get_running_loop().time() < deadline, "the send never failed"
            await asyncio.sleep(0.05)
        logging.getLogger("entraide.test").error("the send failed: %s", error)
    # The failure really was the malformed answer, which quoted the URL of the call.
    assert "Bad status line" in error and "sendMessage" in error
    async with coop.core.uow() as uow:
        stored = [
            e for e in (await uow.session.execute(select(Notification.last_error))).scalars() if e
        ]
    lines = [caplog.text, *(r.getMessage() for r in caplog.records)]
    lines += [r.exc_text or "" for r in caplog.records]
    for text in [*stored, *lines]:
        assert TOKEN_SECRET not in text, text


def test_config_show_masks_every_secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secrets = {
        "TELEGRAM_BOT_TOKEN": REAL_LOOKING_TOKEN,
        "MATRIX_PASSWORD": "matrix-password-42",
        "MATRIX_ACCESS_TOKEN": "syt_ZW50cmFpZGU_access_token_value",
    }
    urls = {
        "RASA_URL": (
            "http://rasa:rasa-pass-1@rasa.internal:5005/?token=rasa-tok-2",
            "rasa.internal",
        ),
        "TELEGRAM_API_URL": ("https://tg:api-pass-3@tg.internal/bot", "tg.internal"),
        "MATRIX_HOMESERVER": ("https://hs:hs-pass-4@matrix.example.org", "matrix.example.org"),
        "ENTRAIDE_DATABASE_URL": (
            "postgresql+asyncpg://entraide:db-pass-5@db.internal/entraide",
            "db.internal",
        ),
        "ENTRAIDE_TELEGRAM_WEBHOOK_URL": (
            "https://bot.example.org/telegram/wh-secret-path-6",
            "bot.example.org",
        ),
    }
    monkeypatch.setenv("ENTRAIDE_CONFIG_FILE", str(tmp_path / "absent.toml"))
    for name, value in secrets.items():
        monkeypatch.setenv(name, value)
    for name, (url, _host) in urls.items():
        monkeypatch.setenv(name, url)
    result = CliRunner().invoke(app, ["config", "show"])
    assert result.exit_code == 0, result.output
    hidden = [
        REAL_LOOKING_TOKEN,
        TOKEN_SECRET,
        "matrix-password-42",
        "syt_ZW50cmFpZGU_access_token_value",
        "rasa-pass-1",
        "rasa-tok-2",
        "api-pass-3",
        "hs-pass-4",
        "db-pass-5",
        "wh-secret-path-6",
    ]
    for secret in hidden:
        assert secret not in result.output, secret
    for _url, host in urls.values():  # what is not secret is still shown
        assert host in result.output


SECRET_CHARS = st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-",
    min_size=30,
    max_size=46,
)
AROUND = st.text(max_size=40)


@given(
    digits=st.integers(min_value=10_000, max_value=10**12),
    secret=SECRET_CHARS,
    before=AROUND,
    after=AROUND,
)
def test_a_bot_token_anywhere_in_a_text_is_redacted(
    digits: int, secret: str, before: str, after: str
) -> None:
    from core.redaction import redact

    token = f"{digits}:{secret}"
    for text in (
        f"{before}https://api.telegram.org/bot{token}/sendMessage{after}",
        f"{before}{token}{after}",
    ):
        assume(secret not in text.replace(token, "\0"))  # nowhere else by chance
        assert secret not in redact(text)


@given(
    user=st.from_regex(r"[a-z][a-z0-9_.-]{0,15}", fullmatch=True),
    # What may stand unencoded in a URL's password, but a quote (ends a quoted field).
    password=st.from_regex(r"[A-Za-z0-9!$&()*+,;=._~-]{6,30}", fullmatch=True),
    scheme=st.sampled_from(["http", "https", "postgresql+asyncpg", "redis"]),
)
def test_url_credentials_and_matrix_tokens_are_redacted(
    user: str, password: str, scheme: str
) -> None:
    from core.redaction import redact

    template = (
        "GET {scheme}://{user}:{password}@host.example/path failed; "
        "/sync?since=s1&access_token={encoded}&timeout=30 "  # in a query, as a URL has it
        "headers={{'Authorization': 'Bearer {password}'}}"
    )
    encoded = quote(password, safe="")
    blank = template.format(scheme=scheme, user=user, password="\0", encoded="\0")
    assume(password not in blank and encoded not in blank)
    text = redact(template.format(scheme=scheme, user=user, password=password, encoded=encoded))
    assert password not in text and encoded not in text


def test_configured_secrets_are_redacted_whatever_their_shape() -> None:
    from core.redaction import redact, remember_secrets

    remember_secrets(["hunter2-correct-horse"])
    assert "hunter2-correct-horse" not in redact("login with hunter2-correct-horse failed")

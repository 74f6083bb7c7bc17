"""Secrets out of everything entraide writes down: log lines, stored errors, printed settings.

`redact(text)` hides what looks like a secret wherever it appears in a text:
- a Telegram bot token (`123456789:AA...`, the bot's number is kept: it is public),
- the password of a URL (`scheme://user:password@host`),
- access tokens in query strings (`access_token=`, `token=`...) and `Authorization: Bearer`
  headers (Matrix), and password or token fields of JSON or Python reprs,
- every secret of the settings, whatever its shape, once `remember_secrets` was given them
  (`install` does it at start-up).

Call it wherever an error or a payload from outside is stored (`notifications.last_error`,
`dead_letters.error` and `payload`). `install` also redacts every log record of the process.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

MASK = "***"
# A configured secret shorter than this is not searched for in texts (it would hide common
# words); the patterns still catch it where it has a recognisable place (URL, header, field).
MIN_SECRET_LENGTH = 4
# The webhook URL's last segment is its secret only if it is long enough to be one.
MIN_SECRET_PATH_LENGTH = 16

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Telegram bot tokens: the bot's id, a colon, 35 characters (30 or more here).
    (re.compile(r"(?<![0-9])(\d{5,}):[A-Za-z0-9_-]{30,}"), rf"\1:{MASK}"),
    # scheme://user:password@ (any scheme: http, postgresql+asyncpg, redis...).
    (re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://[^\s/@:]*):[^\s/@]+@"), rf"\1:{MASK}@"),
    # Query parameters that carry credentials (Matrix access_token, Rasa token...).
    (
        re.compile(
            r"([?&;](?:access_token|refresh_token|token|password|secret|api_key|apikey|sig)=)"
            r"[^&\s'\"#]+",
            re.IGNORECASE,
        ),
        rf"\1{MASK}",
    ),
    # Authorization headers.
    (re.compile(r"(\b(?:Bearer|Basic)\s+)[^\s'\"]+", re.IGNORECASE), rf"\1{MASK}"),
    # "password": "...", 'access_token': '...', secret_token=... in reprs and JSON.
    (
        re.compile(
            r"""(["']?\b(?:password|passwd|access_token|refresh_token|secret_token|secret)"""
            r"""\b["']?\s*[:=]\s*["'])[^"']*(["'])""",
            re.IGNORECASE,
        ),
        rf"\1{MASK}\2",
    ),
)

_secrets: tuple[str, ...] = ()


def remember_secrets(values: Iterable[str | None]) -> None:
    """Add configured secrets (tokens, passwords) to what `redact` hides wherever it appears."""
    global _secrets
    known = set(_secrets)
    known.update(v for v in values if v and len(v) >= MIN_SECRET_LENGTH)
    # The longest first: a secret containing another is hidden whole.
    _secrets = tuple(sorted(known, key=len, reverse=True))


def redact(text: str) -> str:
    """`text` with every secret it holds replaced by `***`."""
    if not text:
        return text
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def secrets_of(settings: Any) -> list[str]:
    """The secrets of the settings: tokens, passwords, URL passwords, the webhook's path."""
    found: list[str] = []
    for name in ("telegram_bot_token", "matrix_password", "matrix_access_token", "web_secret"):
        value = getattr(settings, name, None)
        if value is not None:
            found.append(value.get_secret_value() if hasattr(value, "get_secret_value") else value)
    for name in ("database_url", "rasa_url", "telegram_api_url", "matrix_homeserver"):
        url = getattr(settings, name, None)
        if url:
            try:
                password = urlsplit(url).password
            except ValueError:  # not a URL that can be parsed: the patterns still apply
                password = None
            if password:
                found.append(password)
    webhook = getattr(settings, "telegram_webhook_url", None)
    if webhook:
        path = secret_path_of(webhook)
        if path and len(path) >= MIN_SECRET_PATH_LENGTH:
            found.append(path)
    return found


def secret_path_of(webhook_url: str) -> str | None:
    """The last segment of a webhook URL's path: the secret that Telegram posts to."""
    try:
        path = urlsplit(webhook_url).path.rstrip("/")
    except ValueError:
        return None
    segment = path.rsplit("/", 1)[-1]
    return segment or None


def redact_record(record: logging.LogRecord) -> None:
    """Redact one log record in place: its message, its traceback and its stack."""
    try:
        message = record.getMessage()
    except Exception:  # a malformed record: logging reports it itself when it is emitted
        return
    clean = redact(message)
    if clean != message:
        record.msg, record.args = clean, None
    if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
        # Formatters reuse `exc_text`: the traceback is formatted once, here, and redacted.
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)


class RedactingFilter(logging.Filter):
    """A logging filter that redacts each record it sees (it never drops one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


def install(secrets: Iterable[str | None] = ()) -> None:
    """Redact every log record of the process from now on, and remember `secrets`.

    A filter on the root logger sees only what is logged on the root logger itself, not what
    its children pass up to its handlers; so every record is also redacted where it is made
    (the record factory), which covers every logger and every handler, even one added later.
    Idempotent: called by each entry point (`entraide run`, `entraide chat`, the CLI).
    """
    remember_secrets(secrets)
    current = logging.getLogRecordFactory()
    if not getattr(current, "redacting", False):

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = current(*args, **kwargs)
            redact_record(record)
            return record

        factory.redacting = True  # type: ignore[attr-defined]
        logging.setLogRecordFactory(factory)
    root = logging.getLogger()
    if not any(isinstance(f, RedactingFilter) for f in root.filters):
        root.addFilter(RedactingFilter())

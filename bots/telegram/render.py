"""Turn the engine's `Outgoing` messages into Telegram text (HTML) and inline keyboards."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from core.dialogue.messages import Outgoing

MAX_TEXT = 4096
MAX_CALLBACK_BYTES = 64
# Short labels share a row; long ones (most of ours, in plain words) get their own.
ROW_CHARACTERS = 30


def to_html(text: str) -> str:
    """Escape everything a member or the core wrote: no markup ever comes from user text."""
    return html.escape(text, quote=False)


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Cut a text into parts whose *escaped* length fits Telegram, at line ends or spaces."""
    parts: list[str] = []
    rest = text
    while len(to_html(rest)) > limit:
        low, high = 1, len(rest)  # the longest prefix whose escaped form fits
        while low < high:
            middle = (low + high + 1) // 2
            if len(to_html(rest[:middle])) <= limit:
                low = middle
            else:
                high = middle - 1
        cut = rest.rfind("\n", 0, low)
        if cut < low // 2:
            cut = rest.rfind(" ", 0, low)
        if cut < low // 2:
            cut = low
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    parts.append(rest)
    return [p for p in parts if p] or [""]


def keyboard(message: Outgoing) -> InlineKeyboardMarkup | None:
    """One button per choice; the callback data is the engine's action (validated when back)."""
    rows: list[list[InlineKeyboardButton]] = []
    row: list[InlineKeyboardButton] = []
    for button in message.buttons:
        if len(button.action.encode()) > MAX_CALLBACK_BYTES:
            continue  # never produced by the engine; refused by Telegram if it were
        item = InlineKeyboardButton(button.label, callback_data=button.action)
        if len(button.label) > ROW_CHARACTERS // 2 or len(row) == 2:
            if row:
                rows.append(row)
            row = []
        row.append(item)
        if len(button.label) > ROW_CHARACTERS // 2:
            rows.append(row)
            row = []
    if row:
        rows.append(row)
    return InlineKeyboardMarkup(rows) if rows else None


def html_parts(message: Outgoing) -> list[str]:
    """The message as escaped HTML parts, each within Telegram's 4 096 characters."""
    return [to_html(part) for part in split_text(message.text)]

"""Telegram deep links (`t.me/<bot>?start=PAYLOAD`): invitations and link codes."""

from __future__ import annotations

from core.services.invitations import looks_like_code

# Deep links' payloads are [A-Za-z0-9_-]{1,64}; link codes are six letters and digits.
INVITATION_PREFIX = "join_"
# The payload of the link that only opens a private chat (from a group's "Open the chat").
OPEN_CHAT = "go"


def start_action(args: list[str] | None) -> str:
    """The engine's action for `/start PAYLOAD` (Telegram passes deep links' payloads so)."""
    payload = args[0][:64] if args else ""
    code = payload.removeprefix(INVITATION_PREFIX)
    if payload.startswith(INVITATION_PREFIX) and looks_like_code(code):
        # An invitation's code (or an old link's territory id): the engine checks it.
        return f"join:{code}"
    if payload and payload.isalnum() and payload != OPEN_CHAT:
        return f"link:{payload[:16]}"
    return "menu"


def invitation_link(bot_username: str, code: str) -> str:
    """The link that opens the bot with an invitation's code (for posters, leaflets, QR codes):
    newcomers who follow it join the invitation's territory while it is valid."""
    return f"https://t.me/{bot_username}?start={INVITATION_PREFIX}{code}"


def open_chat_link(bot_username: str) -> str:
    """The link that opens a private chat with the bot."""
    return f"https://t.me/{bot_username}?start={OPEN_CHAT}"

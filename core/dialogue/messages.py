"""What goes in and out of the conversation layer, free of any platform's markup."""

from __future__ import annotations

from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class Inbound:
    """A message or a button press from one person on one platform."""

    platform: str
    user_ref: str
    chat_ref: str | None = None
    text: str | None = None
    # A button's action ("accept:12") or a command mapped by the adapter ("help").
    action: str | None = None
    display_name: str | None = None
    language: str | None = None
    # The platform's id of this message/update, to ignore a redelivery.
    message_ref: str | None = None
    territory: str | None = None


@dataclass(frozen=True)
class Button:
    label: str
    action: str


@dataclass(frozen=True)
class Outgoing:
    """A rendered message ready for a platform: translated text and buttons."""

    notification_id: int
    text: str
    buttons: list[Button] = field(default_factory=list)
    topic: str | None = None
    chat_ref: str | None = None
    language: str = "fr"
    # Raw key/params, for adapters that render some messages natively (polls).
    key: str = ""
    params: dict[str, object] = field(default_factory=dict)
    # Where it goes: one member's chat (account) or a territory's public room (channel).
    account_id: int | None = None
    channel_id: int | None = None
    # Set by the adapter once sent: the platform's message id, to edit the message later.
    external_ref: str | None = None
    # An answer to the member's own message (its buttons are remembered when written).
    is_reply: bool = False


def sent_as(message: Outgoing, external_ref: str | None) -> Outgoing:
    """The same message, with the platform's id of what was sent."""
    return replace(message, external_ref=external_ref)

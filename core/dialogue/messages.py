"""What goes in and out of the conversation layer, free of any platform's markup."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from core.domain.vocabulary import MessageKind, Outcome


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
    # A voice message's audio as its platform names it (a Telegram file id, a Matrix mxc
    # address): opaque to the core, forwarded to the coordinators by the same platform.
    media_ref: str | None = None


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
    # What the message is and what it is about: adapters dispatch on these, never on wording.
    kind: MessageKind = MessageKind.TEXT
    request_id: int | None = None
    poll_id: int | None = None
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
    # How the delivery ended (`core.domain.vocabulary.Outcome`), set by `sent_as` or
    # `failed_as`; None is a plain send (the console). Only "sent" has an `external_ref`.
    outcome: str | None = None
    # Why it was not sent (outcomes other than "sent"), stored redacted in `last_error`.
    error: str | None = None


def sent_as(message: Outgoing, external_ref: str | None) -> Outgoing:
    """The same message, sent: `external_ref` is the platform's id of it (or None)."""
    return replace(message, outcome=Outcome.SENT, external_ref=external_ref, error=None)


def failed_as(message: Outgoing, outcome: Outcome, error: str) -> Outgoing:
    """The same message, whose delivery ended otherwise than sent (never retried)."""
    if outcome == Outcome.SENT:
        raise ValueError("a sent message is recorded with sent_as")
    return replace(message, outcome=outcome, external_ref=None, error=error)

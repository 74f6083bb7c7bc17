"""What goes in and out of the chats: the outbox, conversations, receipts, channel sessions and
dead letters.

SQLAlchemy 2 typed declarative classes: the rules live next to the data they guard, and they do
no I/O themselves (services load and save them through a unit of work).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.domain.base import Base
from core.domain.vocabulary import MessageKind


class Notification(Base):
    """The outbox: a message the core wants delivered, written in the transaction that causes it.

    Exactly one of `member_id` (the member's preferred platform), `account_id` (one chat, e.g.
    the answer to a message) or `channel_id` (a territory's public room) says where it goes.
    """

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_pending", "sent_at", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime]
    territory_id: Mapped[int | None] = mapped_column(ForeignKey("territories.id"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("platform_accounts.id"))
    channel_id: Mapped[int | None] = mapped_column(ForeignKey("territory_channels.id"))
    key: Mapped[str] = mapped_column(Text)
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    choices: Mapped[list[Any]] = mapped_column(default=list)
    # What the message is (`MessageKind`) and what it is about: adapters dispatch on these,
    # never on the wording of `key`.
    kind: Mapped[str] = mapped_column(
        String(24), default=MessageKind.TEXT, server_default=MessageKind.TEXT.value
    )
    request_id: Mapped[int | None] = mapped_column(ForeignKey("help_requests.id"))
    poll_id: Mapped[int | None] = mapped_column(ForeignKey("polls.id"))
    # The same subject as one string ("request:12", "poll:3", "member:5"), made from the
    # references by `outbox.topic_of`: channels edit or group the posts of one topic.
    topic: Mapped[str | None] = mapped_column(String(40), index=True)
    sent_at: Mapped[datetime | None]
    claimed_until: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    # How the delivery ended (`core.domain.vocabulary.Outcome`): only "sent" has a platform
    # message behind `external_ref`; the others never hold one.
    outcome: Mapped[str | None] = mapped_column(String(16))
    # The platform's id of the delivered message (to edit it later), only when it was sent.
    external_ref: Mapped[str | None] = mapped_column(String(255))
    # Set aside after too many failed attempts: never claimed again, reported once.
    set_aside_at: Mapped[datetime | None]


class Conversation(Base):
    """Where a chat stands in a flow, kept in the database so it survives restarts."""

    __tablename__ = "conversations"

    account_id: Mapped[int] = mapped_column(ForeignKey("platform_accounts.id"), primary_key=True)
    flow: Mapped[str | None] = mapped_column(String(32))
    step: Mapped[str | None] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime]


class InboundReceipt(Base):
    """A platform message already handled, so a redelivered update changes nothing."""

    __tablename__ = "inbound_receipts"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    message_ref: Mapped[str] = mapped_column(String(255), primary_key=True)
    received_at: Mapped[datetime]


class ChannelSession(Base):
    """What a channel's connection needs to resume exactly where it stopped after a restart.

    One row per bot identity on a platform: for Matrix the device and access token the bot
    logged in with and the sync token after the last batch of events it finished handling.
    `data` holds small platform-specific extras (e.g. the prefix of transaction ids).
    """

    __tablename__ = "channel_sessions"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    account: Mapped[str] = mapped_column(String(255), primary_key=True)
    device_id: Mapped[str | None] = mapped_column(String(255))
    access_token: Mapped[str | None] = mapped_column(Text)
    sync_token: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class DeadLetter(Base):
    """An inbound update, event or outgoing message set aside after failing repeatedly.

    The bot moves on; the operator and the coordinators are told once (`reported_at`).
    `payload` is a capped, redacted copy of what failed, for a human to look at.
    """

    __tablename__ = "dead_letters"
    __table_args__ = (UniqueConstraint("source", "ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # "telegram", "matrix" (an inbound), or "outbox" (a notification that could not be sent).
    source: Mapped[str] = mapped_column(String(16))
    ref: Mapped[str] = mapped_column(String(255))
    payload: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str] = mapped_column(Text, default="")
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime]
    reported_at: Mapped[datetime | None]

"""The cooperative's polls: questions, options, open votes, secret ballots and their native
publications.

SQLAlchemy 2 typed declarative classes: the rules live next to the data they guard, and they do
no I/O themselves (services load and save them through a unit of work).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.domain.base import Base
from core.domain.errors import InvalidInput
from core.domain.vocabulary import PollKind, PollState


class Poll(Base):
    """A question put to the members of a territory."""

    __tablename__ = "polls"

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id"), index=True)
    question: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(16), default=PollKind.SINGLE)
    secret: Mapped[bool] = mapped_column(Boolean, default=False)
    quorum: Mapped[int] = mapped_column(Integer, default=0)
    closes_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(16), default=PollState.OPEN)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Who may vote: approved members of the territory, with this role if set ("volunteer",
    # "requester", "coordinator"), and, if `prior_members_only`, who joined before it opened.
    voter_role: Mapped[str | None] = mapped_column(String(16))
    prior_members_only: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    options: Mapped[list[PollOption]] = relationship(
        lazy="selectin", order_by="PollOption.position", cascade="all, delete-orphan"
    )

    def is_open_at(self, now: datetime) -> bool:
        return self.state == PollState.OPEN and now < self.closes_at

    def validate_choice(self, positions: list[int]) -> list[int]:
        """Return the normalised choice, or raise `InvalidInput` if the poll's kind forbids it."""
        unique = sorted(set(positions))
        if any(p < 0 or p >= len(self.options) for p in unique):
            raise InvalidInput("This choice is not part of the poll.")
        if self.kind != PollKind.MULTIPLE and len(unique) > 1:
            raise InvalidInput("This poll takes a single choice.")
        return unique


class PollOption(Base):
    __tablename__ = "poll_options"

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(100))


class Vote(Base):
    """An open-ballot vote: the member's latest choice (positions of options) counts."""

    __tablename__ = "votes"
    __table_args__ = (UniqueConstraint("poll_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    choice: Mapped[list[Any]] = mapped_column(default=list)
    cast_at: Mapped[datetime]


class BallotReceipt(Base):
    """Who took part in a secret ballot; what they chose is stored apart, without their id."""

    __tablename__ = "ballot_receipts"

    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    cast_at: Mapped[datetime]


class SecretTally(Base):
    """How many secret ballots chose one option of a poll: counts only, never a ballot.

    Every option's row is rewritten by every ballot, so neither the rows' order, their
    physical place nor their transaction ids tell which option a voter chose.
    """

    __tablename__ = "secret_tallies"

    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class PollPublication(Base):
    """A native poll of a platform (Telegram poll, Matrix poll event) standing for one of ours.

    Votes arrive with the platform's poll id only; this maps them back to our poll, and lets
    the channel stop the native poll when ours closes.
    """

    __tablename__ = "poll_publications"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id"), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    chat_ref: Mapped[str] = mapped_column(String(255))
    message_ref: Mapped[str] = mapped_column(String(255))
    external_id: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime]

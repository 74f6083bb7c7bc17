"""What the bot keeps to learn from use: messages it was unsure of or that a member corrected.

A `ReviewItem` is one message, anonymised before it is stored (names, phone numbers, addresses
and e-mails replaced by placeholders, `core/services/anonymise.py`), kept only for a member who
said yes (`ReviewConsent`), and deleted after `retention_days` like other personal data
(`core/scheduling/retention.py`). A coordinator labels it in the terminal
(`entraide nlu review`); the labelled ones become training examples in
`nlu/data/<lang>/reviewed.yml`.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.domain.base import Base

# The longest message kept for review: the start of a long message is what the NLU reads.
MAX_REVIEW_TEXT = 500


class ReviewReason(StrEnum):
    """Why a message was kept."""

    UNSURE = "unsure"  # the bot offered meanings instead of acting
    CORRECTED = "corrected"  # the member changed what the bot had understood (a category)


class ReviewStatus(StrEnum):
    PENDING = "pending"  # waiting for a coordinator
    WRITTEN = "written"  # labelled, written to reviewed.yml, and the new model kept
    REJECTED = "rejected"  # labelled, but the model trained with it was worse: not kept
    DROPPED = "dropped"  # the coordinator dropped it (no use, or still personal)


class ReviewItem(Base):
    """One anonymised message waiting for a coordinator's label (or labelled)."""

    __tablename__ = "nlu_reviews"
    # The review session reads the pending ones, oldest first.
    __table_args__ = (Index("ix_nlu_reviews_status_created", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id"))
    # Whose message it was: erased with the member, exported with their data.
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(String(16))
    guessed_intent: Mapped[str] = mapped_column(String(32))
    confidence: Mapped[float] = mapped_column(Float)
    guessed_category: Mapped[str | None] = mapped_column(String(16))
    # What the member then picked among the meanings offered (or the category they chose).
    picked_intent: Mapped[str | None] = mapped_column(String(32))
    picked_category: Mapped[str | None] = mapped_column(String(16))
    # The coordinator's label.
    label_intent: Mapped[str | None] = mapped_column(String(32))
    label_category: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=ReviewStatus.PENDING)
    created_at: Mapped[datetime]
    reviewed_at: Mapped[datetime | None]


class ReviewConsent(Base):
    """A member's yes to keeping their unclear messages, anonymised, for review. No row: no."""

    __tablename__ = "nlu_review_consents"

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    given_at: Mapped[datetime]

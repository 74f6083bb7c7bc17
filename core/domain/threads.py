"""A coordinator's conversation with one member, through the bot ("Répondre").

A member's message for the coordinators arrives with a "Reply" button; the coordinator who
presses it takes the thread, and until one side closes it, what she writes goes to the member
(signed with her first name) and what the member writes goes back to her. The messages
themselves are only in the outbox: the thread records who talks to whom, and when.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from core.domain.base import Base


class DeskThread(Base):
    """One member, one coordinator, open until one of them closes it."""

    __tablename__ = "desk_threads"

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    coordinator_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    # The member's id while the thread is open, NULL once closed: the unique index makes two
    # coordinators who press "Reply" at once open one thread only (NULLs never collide).
    open_for: Mapped[int | None] = mapped_column(Integer, unique=True)
    opened_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"))

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

"""Requests for help and the volunteers' commitments: the life cycle open -> accepted -> done.

SQLAlchemy 2 typed declarative classes: the rules live next to the data they guard, and they do
no I/O themselves (services load and save them through a unit of work).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.domain.base import Base
from core.domain.errors import InvalidTransition
from core.domain.vocabulary import RequestState
from core.domain.windows import when_params

if TYPE_CHECKING:
    from core.domain.people import Member


class HelpRequest(Base):
    """A request for help and its life cycle: open -> accepted -> done, or cancelled / expired."""

    __tablename__ = "help_requests"
    __table_args__ = (
        # A territory's requests in one state, the oldest first: the console's "Now" page reads
        # the first twenty waiting without sorting the thousand others (counts use the prefix).
        Index(
            "ix_help_requests_territory_state_created", "territory_id", "state", "created_at", "id"
        ),
        # The scheduler's sweep: open and accepted requests by the time of the task.
        Index("ix_help_requests_state_when", "state", "when_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id"))
    requester_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    category: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text, default="")
    when_start: Mapped[datetime]
    when_end: Mapped[datetime | None]
    # How the time was said (`WhenKind`): an hour, or a window shown as a window. NULL for
    # requests older than the kinds: inferred from the window then (`windows.infer_kind`).
    when_kind: Mapped[str | None] = mapped_column(String(16))
    place: Mapped[str | None] = mapped_column(String(300))
    neighbourhood: Mapped[str | None] = mapped_column(String(80))
    state: Mapped[str] = mapped_column(String(16), default=RequestState.OPEN)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    # The recurring request this one is an occurrence of ("every Tuesday, shopping").
    recurring_id: Mapped[int | None] = mapped_column(
        ForeignKey("recurring_requests.id"), index=True
    )

    requester: Mapped[Member] = relationship(foreign_keys=[requester_id], lazy="joined")
    assignments: Mapped[list[Assignment]] = relationship(
        lazy="selectin", back_populates="request", order_by="Assignment.id"
    )

    # Optimistic concurrency: every UPDATE checks the version it read. Two volunteers who
    # accept at the same instant both read version N; only the first UPDATE matches.
    __mapper_args__ = {"version_id_col": version}

    _TRANSITIONS = {
        "accept": ({RequestState.OPEN}, RequestState.ACCEPTED),
        "withdraw": ({RequestState.ACCEPTED}, RequestState.OPEN),
        "complete": ({RequestState.ACCEPTED}, RequestState.DONE),
        "cancel": ({RequestState.OPEN, RequestState.ACCEPTED}, RequestState.CANCELLED),
        "expire": ({RequestState.OPEN}, RequestState.EXPIRED),
    }

    def transition(self, action: str, now: datetime) -> None:
        """Apply a life-cycle step or raise `InvalidTransition`; never leaves an illegal state."""
        allowed_from, target = self._TRANSITIONS[action]
        if self.state not in allowed_from:
            raise InvalidTransition(state=self.state)
        self.state = target
        self.updated_at = now

    @property
    def active_assignment(self) -> Assignment | None:
        """The volunteer currently holding (or who completed) the task, if any."""
        for assignment in reversed(self.assignments):
            if assignment.withdrawn_at is None:
                return assignment
        return None

    @property
    def when_said(self) -> dict[str, str | None]:
        """The message parameters `when`, `when_end`, `when_kind`: the time as it was said."""
        return when_params(
            self.when_start, self.when_end, self.when_kind, self.requester.territory.tz
        )

    @property
    def is_closed(self) -> bool:
        return self.state in (RequestState.DONE, RequestState.CANCELLED, RequestState.EXPIRED)


class RecurringRequest(Base):
    """A request that comes back ("every Tuesday at 10:00, shopping").

    The scheduler creates each occurrence as an ordinary `HelpRequest` some days ahead; the
    time of day is local to the territory, so it stays 10:00 across daylight-saving changes.
    """

    __tablename__ = "recurring_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id"), index=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    category: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text, default="")
    place: Mapped[str | None] = mapped_column(String(300))
    weekday: Mapped[int] = mapped_column(Integer)  # 0 = Monday ... 6 = Sunday
    minute_of_day: Mapped[int] = mapped_column(Integer)  # local time: 10:00 is 600
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    every_weeks: Mapped[int] = mapped_column(Integer, default=1)
    # The first day an occurrence may fall on (a local date of the territory).
    starts_on: Mapped[date]
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    stopped_at: Mapped[datetime | None]

    requester: Mapped[Member] = relationship(foreign_keys=[requester_id], lazy="joined")


class Assignment(Base):
    """A volunteer's commitment to a request: accepted, then withdrawn or completed."""

    __tablename__ = "assignments"
    __table_args__ = (Index("ix_assignments_volunteer_accepted", "volunteer_id", "accepted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("help_requests.id"), index=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    requester_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    accepted_at: Mapped[datetime]
    withdrawn_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    hours: Mapped[float | None] = mapped_column(Float)
    thanked_at: Mapped[datetime | None]
    # Said by the volunteer at the door, known only to the requester and the volunteer
    # (`core/services/safety.py`): never in a public room, a log or an export.
    safety_word: Mapped[str | None] = mapped_column(String(40))

    request: Mapped[HelpRequest] = relationship(back_populates="assignments")
    volunteer: Mapped[Member] = relationship(foreign_keys=[volunteer_id], lazy="joined")


class MatchOffer(Base):
    """A volunteer to whom a request was proposed; used so nobody is offered a request twice."""

    __tablename__ = "match_offers"

    request_id: Mapped[int] = mapped_column(ForeignKey("help_requests.id"), primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    rank: Mapped[int] = mapped_column(Integer)
    offered_at: Mapped[datetime]
    declined_at: Mapped[datetime | None]

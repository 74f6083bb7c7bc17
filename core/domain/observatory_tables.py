"""What the observatory of impact stores beside the cooperative's own data.

- `MemberAgeBand`: the age band a member chose to give (optional, consented, changeable,
  removable: deleting the row removes it), for the intergenerational share.
- `ObservatorySetting`: per territory, whether its open data is published, whether the
  loneliness check is on, and whether the territory holds made-up demo activity.
- `LonelinessTally`: the loneliness check's answers as anonymous counts only (a quarter, a
  wave, a total score, how many people gave it): never who answered what.
- `LonelinessAsk`: when a requester was last asked (to ask again three months later); it holds
  no answer.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from core.domain.base import Base
from core.domain.help_requests import Assignment, HelpRequest
from core.domain.operations import Alert
from core.domain.people import Member


class AgeBand(StrEnum):
    """The four bands the issue names: under 30, 30–59, 60–74, 75 and over."""

    UNDER_30 = "under_30"
    FROM_30_TO_59 = "30_59"
    FROM_60_TO_74 = "60_74"
    FROM_75 = "75_plus"


class MemberAgeBand(Base):
    """A member's age band, given with their consent; removing it deletes the row."""

    __tablename__ = "member_age_bands"

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    band: Mapped[str] = mapped_column(String(8))
    consented_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ObservatorySetting(Base):
    """A territory's observatory choices; no row means all off."""

    __tablename__ = "observatory_settings"

    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id"), primary_key=True)
    # Set while the open-data package is published at /observatory/<territory>/.
    published_at: Mapped[datetime | None]
    loneliness_check: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The territory was filled by `entraide demo`: its activity is made up.
    demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class LonelinessTally(Base):
    """How many people gave one total score (3 to 9) in one wave of one quarter."""

    __tablename__ = "loneliness_tallies"

    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id"), primary_key=True)
    quarter: Mapped[str] = mapped_column(String(7), primary_key=True)  # "2026-Q1"
    wave: Mapped[str] = mapped_column(String(8), primary_key=True)  # "first" or "again"
    score: Mapped[int] = mapped_column(Integer, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class LonelinessAsk(Base):
    """When a requester was last offered the loneliness check (no answer is kept here)."""

    __tablename__ = "loneliness_asks"

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    asked_at: Mapped[datetime]


# The observatory reads by territory and period: these indexes keep a month's figures to range
# scans (declared here, on the existing tables, so that the observatory's schema is one module).
OBSERVATORY_INDEXES = (
    Index("ix_help_requests_territory_created", HelpRequest.territory_id, HelpRequest.created_at),
    Index(
        "ix_help_requests_territory_ended",
        HelpRequest.territory_id,
        HelpRequest.state,
        HelpRequest.updated_at,
    ),
    Index("ix_help_requests_territory_when", HelpRequest.territory_id, HelpRequest.when_start),
    Index("ix_assignments_accepted_at", Assignment.accepted_at),
    Index("ix_assignments_completed_at", Assignment.completed_at),
    Index("ix_members_territory_created", Member.territory_id, Member.created_at),
    Index("ix_alerts_territory_kind_created", Alert.territory_id, Alert.kind, Alert.created_at),
    # A period's tasks from its requests, read from the index alone (migration 0019).
    Index(
        "ix_assignments_request_people",
        Assignment.request_id,
        Assignment.withdrawn_at,
        Assignment.volunteer_id,
        Assignment.requester_id,
    ),
    # A newcomer's first task received, the first entry by acceptance, as the volunteer's
    # `ix_assignments_volunteer_accepted` gives the first given (migration 0019).
    Index("ix_assignments_requester_accepted", Assignment.requester_id, Assignment.accepted_at),
    # A pair's other tasks: did a volunteer and a requester meet again (migration 0019).
    Index(
        "ix_assignments_pair",
        Assignment.volunteer_id,
        Assignment.requester_id,
        Assignment.request_id,
    ),
)

__all__ = [
    "OBSERVATORY_INDEXES",
    "AgeBand",
    "LonelinessAsk",
    "LonelinessTally",
    "MemberAgeBand",
    "ObservatorySetting",
]

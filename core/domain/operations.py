"""The work around the conversations: scheduled work done, the audit log, coordinators' alerts,
rate-limited attempts, one-time codes and secrets.

SQLAlchemy 2 typed declarative classes: the rules live next to the data they guard, and they do
no I/O themselves (services load and save them through a unit of work).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Table,
    Text,
    Unicode,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.domain.base import Base

if TYPE_CHECKING:
    from core.domain.people import Member


class JobRun(Base):
    """A piece of scheduled work done (a reminder sent, a poll closed...), exactly once.

    Written in the same transaction as the notifications the work writes: the primary key
    ("reminder-24h:request:12:assignment:5") makes a second run find it done.
    """

    __tablename__ = "job_runs"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    due_at: Mapped[datetime]
    ran_at: Mapped[datetime] = mapped_column(index=True)
    # "done", or why nothing was sent ("nothing to say", "no longer needed").
    outcome: Mapped[str] = mapped_column(String(40))


# APScheduler's job store (its own format: pickled job state). Declared here so that the
# migrations own the whole schema; APScheduler finds the table and uses it as is.
apscheduler_jobs = Table(
    "apscheduler_jobs",
    Base.metadata,
    Column("id", Unicode(191), primary_key=True),
    Column("next_run_time", Float(25), index=True),
    Column("job_state", LargeBinary, nullable=False),
)


class AuditEntry(Base):
    """One state change: who did what to what, and when."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    action: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(40))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Alert(Base):
    """Something a coordinator must handle: an emergency, a request nobody took, a member the
    bot can no longer reach, a message for the coordinators.

    Taken by one coordinator (the first who asks: a conditional UPDATE), then marked done; the
    others see who took it, so two coordinators never call the same person unknowingly.
    """

    __tablename__ = "alerts"
    # The desk's question, "what is still to handle here", reads this index alone.
    __table_args__ = (Index("ix_alerts_territory_open", "territory_id", "done_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id"))
    kind: Mapped[str] = mapped_column(String(24))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("help_requests.id"))
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    taken_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    taken_at: Mapped[datetime | None]
    done_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    done_at: Mapped[datetime | None]

    member: Mapped[Member] = relationship(foreign_keys=[member_id], lazy="joined")
    taker: Mapped[Member | None] = relationship(foreign_keys=[taken_by], lazy="joined")


class LinkCode(Base):
    """A one-time code that joins an account on another platform to a member.

    Bound to the account that asked for it (`account_id`): a new code from that account
    invalidates the previous one, and redeeming it never links without a confirmation.
    """

    __tablename__ = "link_codes"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("platform_accounts.id"))
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class Attempt(Base):
    """One attempt at something that is rate-limited (a link code typed, a login...).

    `kind` names what is limited ("link-code"), `subject` who tried ("account:12"); rows are
    counted over a sliding window and pruned by the scheduler's retention sweep.
    """

    __tablename__ = "attempts"
    __table_args__ = (Index("ix_attempts_kind_subject_at", "kind", "subject", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    subject: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(index=True)
    succeeded: Mapped[bool] = mapped_column(Boolean, default=False)


class WebLogin(Base):
    """A one-time link into the web console: only a hash of its token is kept.

    Valid a few minutes, used once, bound to one member (a coordinator).
    """

    __tablename__ = "web_logins"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)
    used_at: Mapped[datetime | None]


class InstallSecret(Base):
    """A secret this installation generated for itself (the web console's session key)."""

    __tablename__ = "install_secrets"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]

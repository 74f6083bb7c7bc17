"""Entities of the cooperative and the rules of their life cycles.

The entities are SQLAlchemy 2 typed declarative classes, so the rules live next to the data they
guard; they do no I/O themselves (services load and save them through a unit of work).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    TypeDecorator,
    Unicode,
    UniqueConstraint,
    true,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from core.domain.errors import InvalidInput, InvalidTransition
from core.domain.vocabulary import (
    Category,
    MemberStatus,
    MessageKind,
    Platform,
    PollKind,
    PollState,
    RequestState,
)


class UTCDateTime(TypeDecorator[datetime]):
    """Store instants as naive UTC (portable across SQLite and PostgreSQL), return aware UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous: pass an aware datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}


class Territory(Base):
    """A cooperative's area. One installation serves several territories."""

    __tablename__ = "territories"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Paris")
    language: Mapped[str] = mapped_column(String(8), default="fr")
    neighbourhoods: Mapped[list[Any]] = mapped_column(default=list)
    # [{"number": "112", "label": "Emergency (any country in Europe)"}, ...]
    emergency_numbers: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime]

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class Member(Base):
    """A person of the cooperative. Roles combine; contact details are private."""

    __tablename__ = "members"
    __table_args__ = (
        Index("ix_members_territory_status", "territory_id", "status"),
        # Matching: the approved volunteers of a territory, by neighbourhood then id, with what
        # the score reads, so ranking joins `ix_member_skills_match` without touching the rows.
        Index(
            "ix_members_match",
            "territory_id",
            "status",
            "is_volunteer",
            "neighbourhood",
            "id",
            "availability",
            "language",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id"))
    display_name: Mapped[str] = mapped_column(String(80), index=True)
    is_requester: Mapped[bool] = mapped_column(Boolean, default=False)
    is_volunteer: Mapped[bool] = mapped_column(Boolean, default=False)
    is_coordinator: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[str] = mapped_column(String(8), default="fr")
    neighbourhood: Mapped[str | None] = mapped_column(String(80))
    availability: Mapped[int] = mapped_column(Integer, default=0)
    phone: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(16), default=MemberStatus.PENDING)
    preferred_platform: Mapped[str | None] = mapped_column(String(16))
    # Volunteers get a weekly digest of the open requests near them unless they opt out.
    weekly_digest: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[datetime]
    approved_at: Mapped[datetime | None]

    territory: Mapped[Territory] = relationship(lazy="joined")
    skills: Mapped[list[MemberSkill]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", back_populates="member"
    )
    accounts: Mapped[list[PlatformAccount]] = relationship(
        lazy="selectin", back_populates="member"
    )

    @property
    def first_name(self) -> str:
        """What public rooms may see of a member's name."""
        return self.display_name.split()[0] if self.display_name.strip() else "?"

    @property
    def roles(self) -> list[str]:
        names = ("requester", "volunteer", "coordinator")
        flags = (self.is_requester, self.is_volunteer, self.is_coordinator)
        return [name for name, flag in zip(names, flags, strict=True) if flag]

    @property
    def skill_set(self) -> set[Category]:
        return {Category(s.category) for s in self.skills}

    def set_skills(self, categories: set[Category]) -> None:
        """Replace the member's skills, keeping the territory copy used by matching in step."""
        keep = {s for s in self.skills if s.category in categories}
        have = {s.category for s in keep}
        self.skills[:] = [*keep] + [
            MemberSkill(category=str(c), territory_id=self.territory_id)
            for c in sorted(categories)
            if c not in have
        ]

    @property
    def can_act_as_volunteer(self) -> bool:
        return self.is_volunteer and self.status == MemberStatus.APPROVED

    @property
    def is_active(self) -> bool:
        return self.status in (MemberStatus.PENDING, MemberStatus.APPROVED)


class MemberSkill(Base):
    """A category a volunteer offers; the territory is copied here so matching uses one index."""

    __tablename__ = "member_skills"
    __table_args__ = (Index("ix_member_skills_match", "territory_id", "category", "member_id"),)

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    category: Mapped[str] = mapped_column(String(16), primary_key=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id"))

    member: Mapped[Member] = relationship(back_populates="skills")


class PlatformAccount(Base):
    """One identity of a member on one platform (console, telegram, matrix)."""

    __tablename__ = "platform_accounts"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(255))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    # Where to write to this person privately (a Telegram private chat, a Matrix DM room).
    chat_ref: Mapped[str | None] = mapped_column(String(255))
    reachable: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]

    member: Mapped[Member | None] = relationship(back_populates="accounts")


class TerritoryChannel(Base):
    """A public room of a territory on one platform (a Telegram group, a Matrix room)."""

    __tablename__ = "territory_channels"
    __table_args__ = (UniqueConstraint("platform", "chat_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id"), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    chat_ref: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime]


class HelpRequest(Base):
    """A request for help and its life cycle: open -> accepted -> done, or cancelled / expired."""

    __tablename__ = "help_requests"
    __table_args__ = (
        Index("ix_help_requests_territory_state", "territory_id", "state"),
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


class Invitation(Base):
    """An unguessable, revocable code that lets newcomers join one territory."""

    __tablename__ = "invitations"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id"), index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    max_uses: Mapped[int | None] = mapped_column(Integer)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    revoked_at: Mapped[datetime | None]


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


__all__ = [
    "Alert",
    "Assignment",
    "Attempt",
    "AuditEntry",
    "BallotReceipt",
    "Base",
    "ChannelSession",
    "Conversation",
    "DeadLetter",
    "HelpRequest",
    "InboundReceipt",
    "InstallSecret",
    "Invitation",
    "JobRun",
    "LinkCode",
    "MatchOffer",
    "Member",
    "MemberSkill",
    "Notification",
    "Platform",
    "PlatformAccount",
    "Poll",
    "PollOption",
    "PollPublication",
    "RecurringRequest",
    "SecretTally",
    "Territory",
    "TerritoryChannel",
    "Vote",
    "WebLogin",
    "apscheduler_jobs",
]

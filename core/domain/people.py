"""The people of a cooperative and where they are reached: territories, members, their skills,
platform accounts, public rooms, invitations.

SQLAlchemy 2 typed declarative classes: the rules live next to the data they guard, and they do
no I/O themselves (services load and save them through a unit of work).
"""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint, true
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from core.domain.base import Base
from core.domain.vocabulary import Category, MemberStatus


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
    # Hours after which a request nobody took is offered further (next volunteers, the whole
    # territory, the coordinators), set by its coordinators; None: the settings file's.
    escalation_hours: Mapped[list[Any] | None] = mapped_column(default=None)
    created_at: Mapped[datetime]

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def name_key(name: str) -> str:
    """A name as it is searched: lower case, without accents, spaces single ("Hélène  Roux" ->
    "helene roux"). SQLite's lower() leaves "É" as it is, so the database cannot do it."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())[:80]


def _name_key_of_row(context: DefaultExecutionContext) -> str:
    """`name_key` of a row inserted without the ORM (the demo, the benchmarks)."""
    return name_key(str(context.get_current_parameters().get("display_name") or ""))


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
    # The name as searched (`name_key`), kept with it: "helene" finds "Hélène" on both databases.
    name_key: Mapped[str] = mapped_column(String(80), default=_name_key_of_row, index=True)
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

    @validates("display_name")
    def _keep_name_key(self, _key: str, value: str) -> str:
        self.name_key = name_key(value or "")
        return value

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
    __table_args__ = (
        UniqueConstraint("platform", "external_id"),
        # The few accounts the bot can no longer reach ("Now" page), without a scan of all.
        Index("ix_platform_accounts_reachable", "reachable", "member_id"),
    )

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

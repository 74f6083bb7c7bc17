"""Members who do not chat, and the people who act for them (issue 15).

A senior without a smartphone is registered by a coordinator: her `CareProfile` says she does
not chat, when to call her, and whom volunteers call (her, or one of her proxies). A `Proxy` is
a relative, a neighbour or a coordinator she agreed may act for her: the row keeps how and when
she consented and who recorded it; revoking it ends the access at once (the row stays, dated,
for the record). A `ProxyCode` is the one-time code a senior who chats gives the person she
names, who types it in their own chat.

SQLAlchemy 2 typed declarative classes: the rules live next to the data they guard, and they do
no I/O themselves (services load and save them through a unit of work).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.domain.base import Base
from core.domain.people import Member


class CareProfile(Base):
    """How a member is reached when she does not chat, or chose help with her requests."""

    __tablename__ = "care_profiles"

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    # False: she holds no platform account; her notices go to her proxies.
    chats: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # When to call her, in her words ("l'après-midi", "before 11").
    call_times: Mapped[str | None] = mapped_column(String(120))
    # The proxy volunteers call rather than her (None: they call her).
    call_proxy_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    # She chats, and chose that her proxies get her notices as well.
    copy_to_proxies: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    updated_at: Mapped[datetime]


class Proxy(Base):
    """Someone who may act for a senior (post, change, cancel, thank) and is told what she is."""

    __tablename__ = "proxies"
    __table_args__ = (
        # "For whom may this member act?", asked at every action of a proxy.
        Index("ix_proxies_proxy_active", "proxy_id", "revoked_at"),
        Index("ix_proxies_senior_active", "senior_id", "revoked_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    senior_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    proxy_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    # How the senior consented, as recorded ("by phone"), and the day she did.
    consent: Mapped[str] = mapped_column(String(200))
    consent_on: Mapped[date]
    # Who recorded it: a coordinator, the senior herself in her chat (None: the administrator).
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoked_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"))

    senior: Mapped[Member] = relationship(foreign_keys=[senior_id], lazy="joined")
    proxy: Mapped[Member] = relationship(foreign_keys=[proxy_id], lazy="joined")

    @property
    def territory_id(self) -> int:
        """The territory of what is touched: the senior's."""
        return self.senior.territory_id

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class ProxyCode(Base):
    """A one-time code a senior gives the person she names; they type it to become her proxy."""

    __tablename__ = "proxy_codes"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    senior_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"))

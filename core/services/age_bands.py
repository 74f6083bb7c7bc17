"""A member's age band: optional, given with their consent, changeable, removable.

It feeds one figure only, the share of tasks between generations, and is never shown to
anyone else. Removing it deletes the row; erasing a member removes it too (`forget`).
"""

from __future__ import annotations

from sqlalchemy import delete

from core.domain.errors import InvalidInput
from core.domain.observatory_tables import AgeBand, LonelinessAsk, MemberAgeBand
from core.services.lookup import get_member
from core.services.unit_of_work import UnitOfWork


async def set_band(uow: UnitOfWork, member_id: int, band: str) -> MemberAgeBand:
    """Give or change the member's band (asked of the member themself: that is the consent)."""
    if band not in {b.value for b in AgeBand}:
        raise InvalidInput("Please choose one of the buttons.")
    await get_member(uow, member_id)
    row = await uow.session.get(MemberAgeBand, member_id)
    now = uow.now()
    if row is None:
        row = MemberAgeBand(member_id=member_id, band=band, consented_at=now, updated_at=now)
        uow.session.add(row)
    else:
        row.band, row.updated_at = band, now
    uow.audit(member_id, "member.age_band", f"member:{member_id}")
    return row


async def band_of(uow: UnitOfWork, member_id: int) -> str | None:
    row = await uow.session.get(MemberAgeBand, member_id)
    return None if row is None else row.band


async def remove_band(uow: UnitOfWork, member_id: int) -> None:
    """Take the band back: nothing of it is kept."""
    await forget(uow, member_id)
    uow.audit(member_id, "member.age_band_removed", f"member:{member_id}")


async def forget(uow: UnitOfWork, member_id: int) -> None:
    """Everything the observatory keeps about one member (erasure): their band, and when the
    loneliness check was last offered to them (their answers were never kept)."""
    await uow.session.execute(delete(MemberAgeBand).where(MemberAgeBand.member_id == member_id))
    await uow.session.execute(delete(LonelinessAsk).where(LonelinessAsk.member_id == member_id))

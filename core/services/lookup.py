"""Loading a member by id, the same way for every service: an erased member is not found.

Apart from `members` so that services `members` builds on (`requests`) can use it too, without
an import cycle.
"""

from __future__ import annotations

from core.domain.errors import NotFound
from core.domain.model import Member
from core.domain.vocabulary import MemberStatus
from core.services.unit_of_work import UnitOfWork


async def get_member(uow: UnitOfWork, member_id: int) -> Member:
    member = await uow.session.get(Member, member_id)
    if member is None or member.status == MemberStatus.ERASED:
        raise NotFound()
    return member

"""Who speaks: the senders of a batch loaded at once, and a turn begun for each message."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import select

from core.config import Settings
from core.dialogue.messages import Inbound
from core.dialogue.turn import Turn
from core.domain.model import Conversation, Member, PlatformAccount, Territory
from core.domain.vocabulary import MemberStatus
from core.services import identity, members
from core.services.unit_of_work import UnitOfWork

SenderKey = tuple[str, str]  # (platform, user_ref)


class Speaker(NamedTuple):
    """Who sends a message, loaded once for a batch (holding them keeps them in the session)."""

    account: PlatformAccount
    member: Member | None
    conversation: Conversation | None


async def speakers(uow: UnitOfWork, inbounds: list[Inbound]) -> dict[SenderKey, Speaker]:
    """The senders' accounts with their member and conversation, in one query for all."""
    known: dict[SenderKey, Speaker] = {}
    for platform in {i.platform for i in inbounds}:
        refs = {i.user_ref for i in inbounds if i.platform == platform}
        rows = await uow.session.execute(
            select(PlatformAccount, Member, Conversation)
            .outerjoin(Member, Member.id == PlatformAccount.member_id)
            .outerjoin(Conversation, Conversation.account_id == PlatformAccount.id)
            .where(PlatformAccount.platform == platform, PlatformAccount.external_id.in_(refs))
        )
        for account, member, conversation in rows:
            known[(platform, account.external_id)] = Speaker(account, member, conversation)
    return known


async def begin(
    uow: UnitOfWork, inbound: Inbound, known: dict[SenderKey, Speaker], settings: Settings
) -> Turn:
    """The turn of one message: its sender's account, member, conversation and territory."""
    # Used once: a second message of the same person in the batch sees the first's changes.
    speaker = known.pop((inbound.platform, inbound.user_ref), None)
    account = await identity.ensure_account(
        uow,
        inbound.platform,
        inbound.user_ref,
        inbound.chat_ref,
        known=speaker.account if speaker else None,
    )
    if speaker is not None:
        member, conversation = speaker.member, speaker.conversation
    else:
        member = await uow.session.get(Member, account.member_id) if account.member_id else None
        conversation = await uow.session.get(Conversation, account.id)
    if member is not None and member.status == MemberStatus.ERASED:
        member = None
    if conversation is None:
        conversation = Conversation(account_id=account.id, data={}, updated_at=uow.now())
        uow.session.add(conversation)
    invited = conversation.data.get("territory_id")
    if member is not None:
        territory = member.territory
    elif invited is not None and (found := await uow.session.get(Territory, invited)):
        territory = found
    else:
        territory = await members.ensure_territory(
            uow,
            inbound.territory or settings.default_territory,
            settings.default_timezone,
            settings.default_language,
        )
    return Turn(uow, inbound, account, conversation, territory, member)

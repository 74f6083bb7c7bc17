"""Identities across platforms: accounts, and one-time codes that join them into one member."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select, update

from core.domain import events
from core.domain.errors import CodeInvalid, InvalidInput
from core.domain.model import (
    Assignment,
    AuditEntry,
    HelpRequest,
    LinkCode,
    MatchOffer,
    Member,
    Notification,
    PlatformAccount,
)
from core.domain.vocabulary import MemberStatus, Platform
from core.services.members import get_member
from core.services.polls import merge_votes
from core.services.unit_of_work import UnitOfWork

# No 0/O or 1/I/L: codes are read aloud and copied by hand.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6


async def account_for(uow: UnitOfWork, platform: str, external_id: str) -> PlatformAccount | None:
    return (
        await uow.session.execute(
            select(PlatformAccount).where(
                PlatformAccount.platform == platform, PlatformAccount.external_id == external_id
            )
        )
    ).scalar_one_or_none()


async def ensure_account(
    uow: UnitOfWork,
    platform: str,
    external_id: str,
    chat_ref: str | None = None,
    *,
    known: PlatformAccount | None = None,
) -> PlatformAccount:
    """Return the account of a platform user, creating it (without a member) on first contact.

    `known` is that account if the caller already loaded it (saves a query). `chat_ref`, the
    private chat a message came from, becomes the account's only if it has none yet: a
    message never moves it (a room someone else may join would then get their private
    messages); the channel that opens or accepts a direct chat does
    (`channel_sessions.private_chat_opened`).
    """
    Platform(platform)
    account = known or await account_for(uow, platform, external_id)
    if account is None:
        account = PlatformAccount(
            platform=platform, external_id=external_id, chat_ref=chat_ref, created_at=uow.now()
        )
        uow.session.add(account)
        await uow.session.flush()
    elif chat_ref and account.chat_ref is None:
        account.chat_ref = chat_ref
    return account


async def issue_link_code(uow: UnitOfWork, member_id: int) -> LinkCode:
    """A code, valid a few minutes, that the member types on another platform."""
    await get_member(uow, member_id)
    minutes = uow.settings.link_code_minutes if uow.settings is not None else 10
    code = LinkCode(
        code="".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)),
        member_id=member_id,
        expires_at=uow.now() + timedelta(minutes=minutes),
    )
    uow.session.add(code)
    await uow.session.flush()
    uow.audit(member_id, "identity.code", f"member:{member_id}")
    return code


async def redeem_link_code(uow: UnitOfWork, account: PlatformAccount, code: str) -> Member:
    """Join `account` to the member who issued `code`; merge that account's former member."""
    normalized = "".join(ch for ch in code.upper() if ch.isalnum())
    if len(normalized) != CODE_LENGTH:
        raise CodeInvalid()
    link = await uow.session.get(LinkCode, normalized)
    if link is None or link.used_at is not None or link.expires_at <= uow.now():
        raise CodeInvalid()
    target = await get_member(uow, link.member_id)
    if account.member_id == target.id:
        raise InvalidInput("These two accounts are already joined.")
    previous = account.member_id
    former = await uow.session.get(Member, previous) if previous is not None else None
    if former is not None and former.territory_id != target.territory_id:
        # Refused before anything is changed (merge_members would refuse it half-way).
        raise InvalidInput("These accounts belong to two different territories.")
    link.used_at = uow.now()
    account.member_id = target.id
    await uow.session.flush()
    if previous is not None:
        await merge_members(uow, previous, target.id)
    uow.audit(target.id, "identity.link", f"member:{target.id}", platform=account.platform)
    return target


async def merge_members(uow: UnitOfWork, from_id: int, into_id: int) -> None:
    """Move everything of member `from_id` to `into_id`, then retire `from_id`."""
    source, target = await get_member(uow, from_id), await get_member(uow, into_id)
    if source.territory_id != target.territory_id:
        raise InvalidInput("These accounts belong to two different territories.")
    session = uow.session
    for model, column in (
        (PlatformAccount, PlatformAccount.member_id),
        (HelpRequest, HelpRequest.requester_id),
        (Assignment, Assignment.volunteer_id),
        (Assignment, Assignment.requester_id),
        (Notification, Notification.member_id),
        (AuditEntry, AuditEntry.actor_id),
    ):
        await session.execute(update(model).where(column == from_id).values({column.key: into_id}))
    offers = (
        await session.execute(select(MatchOffer).where(MatchOffer.volunteer_id == from_id))
    ).scalars()
    for offer in list(offers):
        if await session.get(MatchOffer, (offer.request_id, into_id)) is None:
            session.add(
                MatchOffer(
                    request_id=offer.request_id,
                    volunteer_id=into_id,
                    rank=offer.rank,
                    offered_at=offer.offered_at,
                    declined_at=offer.declined_at,
                )
            )
        await session.delete(offer)
    await merge_votes(uow, from_id, into_id)
    # Roles and details the target lacks are kept; the target's own choices win.
    target.is_requester |= source.is_requester
    target.is_volunteer |= source.is_volunteer
    target.phone = target.phone or source.phone
    target.address = target.address or source.address
    target.neighbourhood = target.neighbourhood or source.neighbourhood
    target.set_skills(target.skill_set | source.skill_set)
    target.availability |= source.availability
    source.status = MemberStatus.ERASED
    source.display_name, source.phone, source.address = "(merged)", None, None
    source.set_skills(set())
    await session.flush()
    uow.audit(into_id, "member.merge", f"member:{into_id}", merged=from_id)


async def mark_unreachable(uow: UnitOfWork, account_id: int) -> None:
    """Stop writing to an account the platform refuses (a blocked bot); coordinators are told."""
    account = await uow.session.get(PlatformAccount, account_id)
    if account is None or not account.reachable or account.chat_ref is None:
        return  # never opened a private chat: there was nothing to lose
    account.reachable = False
    uow.audit(
        account.member_id,
        "account.unreachable",
        f"account:{account.id}",
        platform=account.platform,
    )
    if account.member_id is not None:
        uow.publish(events.MemberUnreachable(account.member_id, account.platform))

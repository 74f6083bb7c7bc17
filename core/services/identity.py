"""Identities across platforms: accounts, and one-time codes that join them into one member."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select, update

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
from core.services import attempts
from core.services.members import get_member
from core.services.polls import merge_votes
from core.services.unit_of_work import UnitOfWork

# No 0/O or 1/I/L: codes are read aloud and copied by hand.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6
# A merge keeps the most restrictive status of the two members (erased ones are never merged).
STATUS_STRICTNESS = {MemberStatus.APPROVED: 0, MemberStatus.PENDING: 1, MemberStatus.SUSPENDED: 2}


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


async def issue_link_code(
    uow: UnitOfWork, member_id: int, *, account_id: int | None = None
) -> LinkCode:
    """A code, valid a few minutes, that the member types on another platform.

    Bound to `account_id`, the account that asked (told there of the outcome; the code dies if
    that account leaves the member). It replaces the member's codes not used yet.
    """
    await get_member(uow, member_id)
    minutes = uow.settings.link_code_minutes if uow.settings is not None else 10
    await uow.session.execute(
        delete(LinkCode).where(LinkCode.member_id == member_id, LinkCode.used_at.is_(None))
    )
    code = LinkCode(
        code="".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)),
        member_id=member_id,
        account_id=account_id,
        expires_at=uow.now() + timedelta(minutes=minutes),
    )
    uow.session.add(code)
    await uow.session.flush()
    uow.audit(member_id, "identity.code", f"member:{member_id}")
    return code


@dataclass(frozen=True)
class LinkProposal:
    """What a valid code would join, to show the person before they say yes."""

    code: str  # as stored (upper case, no separators): kept in the conversation, not shown
    target: Member  # the member who asked for the code; the account joins them
    former: Member | None  # the member the account belongs to now: merged into `target`
    platform: str  # where the code was asked for, named to the person ("Telegram")


async def propose_link(uow: UnitOfWork, account: PlatformAccount, code: str) -> LinkProposal:
    """Check a code typed (or tapped) on `account`. Nothing is joined before `confirm_link`.

    Wrong codes are rate-limited per account and for everyone (`attempts`): past the limit
    every code is refused (`TooManyAttempts`), the right one too. A wrong code (`CodeInvalid`)
    records a failed attempt in this transaction: the caller must commit it, not roll it
    back, or the limit would never be reached. Other refusals (`InvalidInput`: already
    joined, another territory) are of a right code and change nothing.
    """
    limit = attempts.link_code_limit(uow.settings)
    subject = attempts.account_subject(account.id)
    await attempts.ensure_allowed(uow, limit, subject)  # nothing recorded past the limit
    try:
        return await _proposal(uow, account, code)
    except CodeInvalid:
        attempts.record(uow, limit.kind, subject, succeeded=False)
        raise


async def confirm_link(uow: UnitOfWork, account: PlatformAccount, code: str) -> Member:
    """The person on `account` said yes: join it to the code's member, merging its former one.

    `code` comes from that account's conversation (where `propose_link` left it), never from
    a button; it is checked again, since it may have been used, replaced or expired since.
    """
    proposal = await _proposal(uow, account, code)
    target, former = proposal.target, proposal.former
    link = await uow.session.get(LinkCode, proposal.code)
    assert link is not None
    link.used_at = uow.now()
    account.member_id = target.id
    await uow.session.flush()
    if former is not None:
        await merge_members(uow, former.id, target.id)
    uow.audit(target.id, "identity.link", f"member:{target.id}", platform=account.platform)
    uow.publish(events.AccountsLinked(target.id, link.account_id, account.platform))
    return target


async def refuse_link(uow: UnitOfWork, account: PlatformAccount, code: str) -> None:
    """The person on `account` said no: the code is spent and its member is told."""
    link = await uow.session.get(LinkCode, _normalized(code))
    if link is None or link.used_at is not None:
        return
    link.used_at = uow.now()
    uow.audit(
        account.member_id, "identity.refuse", f"member:{link.member_id}", platform=account.platform
    )
    uow.publish(events.LinkRefused(link.member_id, link.account_id, account.platform))


def _normalized(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())[: CODE_LENGTH + 1]


async def _proposal(uow: UnitOfWork, account: PlatformAccount, code: str) -> LinkProposal:
    """What `code` would join `account` to, or the refusal; changes nothing."""
    normalized = _normalized(code)
    if len(normalized) != CODE_LENGTH:
        raise CodeInvalid()
    link = await uow.session.get(LinkCode, normalized)
    if link is None or link.used_at is not None or link.expires_at <= uow.now():
        raise CodeInvalid()
    target = await uow.session.get(Member, link.member_id)
    if target is None or target.status == MemberStatus.ERASED:
        raise CodeInvalid()
    asking = None
    if link.account_id is not None:  # the asking account must still be that member's
        asking = await uow.session.get(PlatformAccount, link.account_id)
        if asking is None or asking.member_id != target.id:
            raise CodeInvalid()
    if account.member_id == target.id:
        raise InvalidInput("These two accounts are already joined.")
    former = await uow.session.get(Member, account.member_id) if account.member_id else None
    if former is not None and former.status == MemberStatus.ERASED:
        former = None  # nothing left to merge: the account simply joins
    if former is not None and former.territory_id != target.territory_id:
        raise InvalidInput("These accounts belong to two different territories.")
    platform = asking.platform.capitalize() if asking is not None else "?"
    return LinkProposal(normalized, target, former, platform)


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
    status = _merged_status(source, target)
    # Roles and details the target lacks are kept; the target's own choices win. The
    # coordinator role is never carried over: only a coordinator's decision gives it.
    target.is_requester |= source.is_requester
    target.is_volunteer |= source.is_volunteer
    target.phone = target.phone or source.phone
    target.address = target.address or source.address
    target.neighbourhood = target.neighbourhood or source.neighbourhood
    target.set_skills(target.skill_set | source.skill_set)
    target.availability |= source.availability
    newly_pending = status == MemberStatus.PENDING != target.status
    if status != MemberStatus.APPROVED:
        target.approved_at = None
    elif source.approved_at is not None and target.approved_at is not None:
        target.approved_at = min(source.approved_at, target.approved_at)
    target.status = status
    source.status = MemberStatus.ERASED
    source.display_name, source.phone, source.address = "(merged)", None, None
    source.set_skills(set())
    await session.flush()
    uow.audit(
        into_id,
        "member.merge",
        f"member:{into_id}",
        **{"from": from_id, "into": into_id},
        status=str(status),
        roles=target.roles,
    )
    if newly_pending:  # the coordinators are asked, as for a new volunteer
        uow.publish(events.MemberJoined(into_id))


def _merged_status(source: Member, target: Member) -> MemberStatus:
    """The most restrictive status of the two; pending if a role needing approval is new.

    A volunteer role the target lacks needs a coordinator's approval even if the source was
    approved: approval is of a person as a volunteer, and the merge must never grant it.
    """
    status = max(
        (MemberStatus(source.status), MemberStatus(target.status)),
        key=STATUS_STRICTNESS.__getitem__,
    )
    if source.is_volunteer and not target.is_volunteer and status == MemberStatus.APPROVED:
        return MemberStatus.PENDING
    return status


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

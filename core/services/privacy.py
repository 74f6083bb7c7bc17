"""A member's rights over their data: export everything (JSON), erase it (aggregates stay)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import selectinload

from core.domain.model import (
    Assignment,
    AuditEntry,
    BallotReceipt,
    CareProfile,
    Conversation,
    DeskThread,
    HelpRequest,
    LinkCode,
    MatchOffer,
    Member,
    Notification,
    PlatformAccount,
    RecurringRequest,
    ReviewConsent,
    ReviewItem,
    Vote,
)
from core.domain.vocabulary import MemberStatus, RequestState
from core.services import age_bands, proxies, requests, safety
from core.services.authorization import Action, require_by
from core.services.members import get_member
from core.services.unit_of_work import UnitOfWork

ERASED_NAME = "(erased)"


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


async def export_member(uow: UnitOfWork, member_id: int) -> dict[str, Any]:
    """Everything the cooperative stores about a member, as JSON-ready data."""
    member = await get_member(uow, member_id)
    session = uow.session
    requests = (
        await session.execute(
            select(HelpRequest)
            .where(HelpRequest.requester_id == member_id)
            .order_by(HelpRequest.id)
        )
    ).scalars()
    tasks = (
        await session.execute(
            select(Assignment)
            .where(Assignment.volunteer_id == member_id)
            .order_by(Assignment.id)
            .options(selectinload(Assignment.request))  # no lazy load under asyncio
        )
    ).scalars()
    votes = (await session.execute(select(Vote).where(Vote.member_id == member_id))).scalars()
    receipts = (
        await session.execute(select(BallotReceipt).where(BallotReceipt.member_id == member_id))
    ).scalars()
    notifications = (
        await session.execute(
            select(Notification)
            .where(Notification.member_id == member_id)
            .order_by(Notification.id)
        )
    ).scalars()
    audit = (
        await session.execute(
            select(AuditEntry).where(AuditEntry.actor_id == member_id).order_by(AuditEntry.id)
        )
    ).scalars()
    own_requests = list(requests)
    actions = await _actions_on(uow, [r.id for r in own_requests])
    recurring = (
        await session.execute(
            select(RecurringRequest)
            .where(RecurringRequest.requester_id == member_id)
            .order_by(RecurringRequest.id)
        )
    ).scalars()
    kept = (
        await session.execute(
            select(ReviewItem).where(ReviewItem.member_id == member_id).order_by(ReviewItem.id)
        )
    ).scalars()
    consent = await session.get(ReviewConsent, member_id)
    return {
        "member": {
            "id": member.id,
            "display_name": member.display_name,
            "territory": member.territory.name,
            "roles": member.roles,
            "status": member.status,
            "language": member.language,
            "neighbourhood": member.neighbourhood,
            "skills": sorted(str(c) for c in member.skill_set),
            "availability_mask": member.availability,
            "phone": member.phone,
            "address": member.address,
            "created_at": _iso(member.created_at),
            "approved_at": _iso(member.approved_at),
            "weekly_digest": member.weekly_digest,
            "review_consent_given_at": _iso(consent.given_at) if consent else None,
        },
        "accounts": [
            {
                "platform": a.platform,
                "external_id": a.external_id,
                "created_at": _iso(a.created_at),
            }
            for a in member.accounts
        ],
        **await _proxy_part(uow, member),
        "requests": [{**_request(r), "actions": actions.get(r.id, [])} for r in own_requests],
        "recurring_requests": [
            {
                "id": r.id,
                "category": r.category,
                "description": r.description,
                "place": r.place,
                "weekday": r.weekday,
                "minute_of_day": r.minute_of_day,
                "every_weeks": r.every_weeks,
                "active": r.active,
                "created_at": _iso(r.created_at),
            }
            for r in recurring
        ],
        "tasks": [
            {
                "request_id": a.request_id,
                "category": a.request.category,
                "when_start": _iso(a.request.when_start),
                "state": a.request.state,
                "accepted_at": _iso(a.accepted_at),
                "withdrawn_at": _iso(a.withdrawn_at),
                "completed_at": _iso(a.completed_at),
                "hours": a.hours,
                "thanked_at": _iso(a.thanked_at),
            }
            for a in tasks
        ],
        "votes": [
            {"poll_id": v.poll_id, "choice": v.choice, "cast_at": _iso(v.cast_at)} for v in votes
        ],
        "secret_ballots_cast": [
            {"poll_id": r.poll_id, "cast_at": _iso(r.cast_at)} for r in receipts
        ],
        "notifications": [
            {
                "key": n.key,
                "params": _exported_params(n.params),
                "created_at": _iso(n.created_at),
                "sent_at": _iso(n.sent_at),
            }
            for n in notifications
        ],
        "kept_for_review": [
            {
                "text": k.text,
                "reason": k.reason,
                "status": k.status,
                "created_at": _iso(k.created_at),
            }
            for k in kept
        ],
        "age_band": await age_bands.band_of(uow, member_id),
        "audit": [
            {"at": _iso(e.at), "action": e.action, "subject": e.subject, "details": e.details}
            for e in audit
        ],
    }


def _exported_params(params: dict[str, Any]) -> dict[str, Any]:
    """A message's parameters as exported: the safety word is said at the door between the
    requester and the volunteer only, so it never leaves in a file an operator handles."""
    if "safety_word" not in params:
        return params
    return {**params, "safety_word": safety.WITHHELD}


def _request(r: HelpRequest) -> dict[str, Any]:
    holder = r.active_assignment
    return {
        "id": r.id,
        "category": r.category,
        "description": r.description,
        "when_start": _iso(r.when_start),
        "when_end": _iso(r.when_end),
        "when_kind": r.when_kind,  # how the time was said: an hour, or a window
        "place": r.place,
        "state": r.state,
        "created_at": _iso(r.created_at),
        "volunteer": holder.volunteer.display_name if holder else None,
        "hours": holder.hours if holder else None,
        "thanked_at": _iso(holder.thanked_at) if holder else None,
    }  # (never the safety word: it is for the requester and the volunteer at the door only)


async def _proxy_part(uow: UnitOfWork, member: Member) -> dict[str, Any]:
    """How she is reached, who acts for her (revoked too, with her consent), for whom she acts."""
    profile = await proxies.care_of(uow, member.id)
    names = {m.id: m.display_name for m in await proxies.seniors_of(uow, member.id)}
    return {
        "care": None
        if profile is None
        else {
            "chats": profile.chats,
            "call_times": profile.call_times,
            "volunteers_call": profile.call_proxy_id,
            "proxies_told_too": profile.copy_to_proxies,
        },
        "proxies": [
            {
                "proxy": p.proxy.display_name,
                "proxy_id": p.proxy_id,
                "consent": p.consent,
                "consent_on": _iso(p.consent_on),
                "recorded_by": p.recorded_by,
                "since": _iso(p.created_at),
                "revoked_at": _iso(p.revoked_at),
            }
            for p in await proxies.proxies_of(uow, member.id, active_only=False)
        ],
        "acts_for": [{"member": name, "member_id": id_} for id_, name in names.items()],
    }


async def _actions_on(uow: UnitOfWork, request_ids: list[int]) -> dict[int, list[Any]]:
    """Who did what to each request, and for whom (her proxy acting for her: both named)."""
    if not request_ids:
        return {}
    subjects = {f"request:{i}": i for i in request_ids}
    rows = await uow.session.execute(
        select(AuditEntry, Member.display_name)
        .outerjoin(Member, Member.id == AuditEntry.actor_id)
        .where(AuditEntry.subject.in_(list(subjects)))
        .order_by(AuditEntry.id)
    )
    found: dict[int, list[Any]] = {}
    for entry, actor in rows.all():
        found.setdefault(subjects[entry.subject], []).append(
            {
                "at": _iso(entry.at),
                "action": entry.action,
                "by": actor if entry.actor_id is not None else "(administrator or scheduler)",
                "by_id": entry.actor_id,
                "for_member": entry.details.get("for_member"),
            }
        )
    return found


async def _cancel_requests_of(uow: UnitOfWork, member_id: int, *, by_id: int | None) -> None:
    """Cancel what an erased member still asked for (open or accepted)."""
    pending = await uow.session.execute(
        select(HelpRequest.id)
        .where(
            HelpRequest.requester_id == member_id,
            HelpRequest.state.in_([RequestState.OPEN, RequestState.ACCEPTED]),
        )
        .order_by(HelpRequest.id)
    )
    for request_id in list(pending.scalars()):
        await requests.cancel(uow, by_id, request_id)


async def erase_member(uow: UnitOfWork, member_id: int, *, by_id: int | None) -> None:
    """Erase a member's personal data; counts (requests, hours, votes) stay, anonymous."""
    member = await get_member(uow, member_id)
    await require_by(uow, by_id, Action.ACT_FOR_MEMBER, member)
    session = uow.session
    # Before anything is scrubbed: their tasks are offered to others, and nobody is sent to
    # the door of someone who is no longer a member (the volunteers are told it is cancelled).
    await requests.release_tasks_of(uow, member_id, by_id=by_id)
    await _cancel_requests_of(uow, member_id, by_id=by_id)
    await _scrub_notifications_about(uow, member)
    await proxies.end_all_of(uow, member_id, by_id=by_id)
    await session.execute(delete(CareProfile).where(CareProfile.member_id == member_id))
    member.display_name = ERASED_NAME
    member.phone = member.address = member.neighbourhood = None
    member.status = MemberStatus.ERASED
    member.availability = 0
    member.set_skills(set())
    account_ids = [a.id for a in member.accounts]
    if account_ids:
        await session.execute(delete(Conversation).where(Conversation.account_id.in_(account_ids)))
        await session.execute(
            update(Notification)
            .where(Notification.account_id.in_(account_ids))
            .values(account_id=None, params={}, choices=[])
        )
        # The person may come back one day as a new member, from the same accounts.
        await session.execute(delete(PlatformAccount).where(PlatformAccount.id.in_(account_ids)))
    await session.execute(
        update(Notification)
        .where(Notification.member_id == member_id)
        .values(params={}, choices=[])
    )
    await session.execute(
        update(HelpRequest)
        .where(HelpRequest.requester_id == member_id)
        .values(description="", place=None)
    )
    # No more occurrences of their recurring requests, and nothing personal left in them.
    await session.execute(
        update(RecurringRequest)
        .where(RecurringRequest.requester_id == member_id)
        .values(active=False, description="", place=None)
    )
    await session.execute(delete(LinkCode).where(LinkCode.member_id == member_id))
    # Their messages kept for review, and their consent to it.
    await session.execute(delete(ReviewItem).where(ReviewItem.member_id == member_id))
    await session.execute(delete(ReviewConsent).where(ReviewConsent.member_id == member_id))
    # A coordinator's conversation with them ends: nobody writes to an erased member.
    await session.execute(
        update(DeskThread)
        .where(DeskThread.open_for == member_id)
        .values(open_for=None, closed_at=uow.now(), closed_by=by_id)
    )
    await session.execute(delete(MatchOffer).where(MatchOffer.volunteer_id == member_id))
    await age_bands.forget(uow, member_id)
    # Votes stay counted: they now point at an anonymous, erased member.
    uow.audit(by_id, "member.erase", f"member:{member_id}")


async def _scrub_notifications_about(uow: UnitOfWork, member: Member) -> None:
    """Blank the member's name and contact details in messages about them sent to others.

    The volunteer who accepted one of the member's requests got her phone and address; the
    requester a volunteer helped got his full name; coordinators got messages from them.
    """
    own = select(HelpRequest.id).where(HelpRequest.requester_id == member.id)
    helped = select(Assignment.request_id).where(Assignment.volunteer_id == member.id)
    own_ids = set((await uow.session.execute(own)).scalars())
    request_ids = own_ids | set((await uow.session.execute(helped)).scalars())
    topics = [f"member:{member.id}", *(f"request:{i}" for i in sorted(request_ids))]
    personal = [v for v in (member.phone, member.address, member.display_name) if v]
    rows = await uow.session.execute(select(Notification).where(Notification.topic.in_(topics)))
    for row in rows.scalars():
        own_topic = row.topic == f"member:{member.id}" or row.topic in {
            f"request:{i}" for i in own_ids
        }
        params = dict(row.params)
        for key, value in params.items():
            if not isinstance(value, str):
                continue
            if (
                value == member.first_name
                or any(p in value for p in personal)
                or (own_topic and key in ("text", "place"))
            ):
                params[key] = ERASED_NAME
        if params != row.params:
            row.params = params

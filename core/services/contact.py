"""The contact card: a requester's full name, phone, address and the place of a task.

Built here and nowhere else, for every path that shows it (the message on accepting, "my
tasks", reminders, follow-ups), and only for whom `authorization` allows to see it *now*: an
approved member who holds the task at this moment, or a coordinator of its territory. So a
volunteer suspended, or who gave the task back, gets no address, whatever the path and however
long ago the message was planned.

For a requester who chose how she is called (issue 15: she does not chat, or someone acts for
her), `how_to_call` says whom the volunteer calls, her or her proxy, and when.
"""

from __future__ import annotations

from sqlalchemy import or_, select

from core.domain.model import (
    CareProfile,
    HelpRequest,
    Member,
    Notification,
    PlatformAccount,
    Proxy,
)
from core.domain.vocabulary import Outcome
from core.i18n import N_
from core.services import authorization
from core.services.authorization import Action
from core.services.unit_of_work import UnitOfWork

# What stands in for a detail that is unknown or withheld.
WITHHELD = "-"
# The place of a task at the requester's home (no place given): a message id, translated when
# shown (see `render`), never "-".
AT_HOME = N_("at their home, the address above")
# When to call a requester who named no time (a message id, translated when shown).
ANY_TIME = N_("at any time")
# The parameters of a message that hold contact details.
CONTACT_FIELDS = ("phone", "address", "call_phone")
# What else a message must not carry once its reader may no longer see it: the safety word
# said at the door (`core/services/safety.py`), withheld with the details.
SECRET_FIELDS = (*CONTACT_FIELDS, "safety_word")


def may_see(viewer: Member, request: HelpRequest) -> bool:
    """Whether `viewer` may see the requester's contact details for this request now."""
    return authorization.may(viewer, Action.SEE_CONTACT, request)


def card(viewer: Member, request: HelpRequest) -> dict[str, str]:
    """The parameters `requester`, `phone`, `address`, `place` of a message to `viewer`.

    Whoever may not see them gets the requester's first name and nothing else.
    """
    requester = request.requester
    if not may_see(viewer, request):
        return {
            "requester": requester.first_name,
            "phone": WITHHELD,
            "address": WITHHELD,
            "place": WITHHELD,
        }
    return {
        "requester": requester.display_name,
        "phone": requester.phone or WITHHELD,
        "address": requester.address or WITHHELD,
        "place": request.place or AT_HOME,
    }


async def how_to_call(uow: UnitOfWork, viewer: Member, request: HelpRequest) -> dict[str, str]:
    """`call_name`, `call_phone`, `call_times`: whom `viewer` calls for this request (the
    requester, or the proxy she chose) and when she prefers; empty when she chose nothing,
    and for whoever may not see her contact details now."""
    if not may_see(viewer, request):
        return {}
    profile = await uow.session.get(CareProfile, request.requester_id)
    if profile is None or (
        profile.chats and not profile.call_times and profile.call_proxy_id is None
    ):
        return {}
    whom = request.requester
    if profile.call_proxy_id is not None:
        still = await uow.session.execute(
            select(Proxy).where(
                Proxy.senior_id == request.requester_id,
                Proxy.proxy_id == profile.call_proxy_id,
                Proxy.revoked_at.is_(None),
            )
        )
        proxy = still.scalars().first()
        if proxy is not None and proxy.proxy.is_active:
            whom = proxy.proxy
    return {
        "call_name": whom.display_name,
        "call_phone": whom.phone or WITHHELD,
        "call_times": profile.call_times or ANY_TIME,
    }


def member_card(viewer: Member, member: Member) -> dict[str, str]:
    """The parameters `name`, `phone`, `address` of a coordinator's alert about `member`.

    Only the coordinators of the member's territory see the phone and address; anyone else
    gets the first name alone.
    """
    if not authorization.may(viewer, Action.SEE_MEMBER_CONTACT, member):
        return {"name": member.first_name, "phone": WITHHELD, "address": WITHHELD}
    return {
        "name": member.display_name,
        "phone": member.phone or WITHHELD,
        "address": member.address or WITHHELD,
    }


def can_be_called(member: Member) -> bool:
    """Whether a phone number is known for `member` (without showing it)."""
    return bool(member.phone)


async def withhold_waiting_cards(uow: UnitOfWork, member: Member) -> int:
    """Messages to `member` still waiting in the outbox lose their contact details.

    Called when a member loses the right to them (suspension): a card written when they held a
    task must not reach them later. Returns how many were withheld.
    """
    accounts = select(PlatformAccount.id).where(PlatformAccount.member_id == member.id)
    rows = await uow.session.execute(
        select(Notification).where(
            Notification.sent_at.is_(None),
            or_(Notification.member_id == member.id, Notification.account_id.in_(accounts)),
        )
    )
    withheld = 0
    for row in rows.scalars():
        if _holds_details(row):
            _withhold(uow, row)
            withheld += 1
    return withheld


async def withhold_waiting_cards_about(uow: UnitOfWork, request: HelpRequest) -> int:
    """Messages about `request` still waiting in the outbox lose their contact details when
    their reader may no longer see them: the volunteer who gave the task back, or whoever once
    it is done or cancelled. Called by every change of who holds the task (a card written
    before it, or a "my tasks" answer not delivered yet, must not reach them after)."""
    rows = await uow.session.execute(
        select(Notification).where(
            Notification.sent_at.is_(None), Notification.topic == f"request:{request.id}"
        )
    )
    withheld = 0
    for row in rows.scalars():
        if not _holds_details(row):
            continue
        reader = await uow.session.get(Member, row.member_id) if row.member_id else None
        if reader is not None and may_see(reader, request):
            continue
        _withhold(uow, row)
        withheld += 1
    return withheld


def _holds_details(row: Notification) -> bool:
    return any(field in row.params for field in SECRET_FIELDS)


def _withhold(uow: UnitOfWork, row: Notification) -> None:
    """The message is not sent at all (it speaks of a task that is no longer theirs)."""
    secrets = [field for field in SECRET_FIELDS if field in row.params]
    params = {**row.params, **dict.fromkeys((*CONTACT_FIELDS, *secrets), WITHHELD)}
    if "requester" in params:
        params["requester"] = str(params.get("first_name") or WITHHELD)
    row.params = params
    row.choices = []
    row.sent_at, row.outcome, row.claimed_until = uow.now(), Outcome.SKIPPED, None

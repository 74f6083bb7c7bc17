"""Messages about a member's own membership: joining, approval, suspension, linked accounts."""

from __future__ import annotations

from typing import Any

from core.domain import events
from core.domain.model import PlatformAccount
from core.domain.vocabulary import MemberStatus
from core.i18n import N_
from core.services import outbox
from core.services.members import coordinators_of, get_member
from core.services.outbox import Choice
from core.services.unit_of_work import EventHandler, UnitOfWork


async def on_member_joined(uow: UnitOfWork, event: events.MemberJoined) -> None:
    """A newcomer waits for approval: the coordinators get a button to approve them."""
    member = await get_member(uow, event.member_id)
    if member.status != MemberStatus.PENDING:
        return
    for coordinator in await coordinators_of(uow, member.territory_id):
        outbox.write(
            uow,
            "New volunteer: {name} ({neighbourhood}) is waiting for your approval.",
            member=coordinator,
            name=member.display_name,
            neighbourhood=member.neighbourhood or "-",
            choices=[
                Choice("Approve", f"approve:{member.id}"),
                Choice("Refuse", f"desk_refuse:{member.id}"),
            ],
            topic=outbox.topic_of(member_id=member.id),
        )


async def on_member_approved(uow: UnitOfWork, event: events.MemberApproved) -> None:
    """The volunteer is welcome, with a way to the open requests."""
    member = await get_member(uow, event.member_id)
    outbox.write(
        uow,
        "Good news: you are now an approved volunteer. Thank you for joining!",
        member=member,
        choices=[Choice("Open requests", "requests")],
    )


async def on_member_suspended(uow: UnitOfWork, event: events.MemberSuspended) -> None:
    """The member is told, without the reason (a coordinator gives it in person)."""
    member = await get_member(uow, event.member_id)
    outbox.write(
        uow, "Your membership is suspended. A coordinator will tell you why.", member=member
    )


async def on_volunteer_refused(uow: UnitOfWork, event: events.VolunteerRefused) -> None:
    """The volunteer is thanked and told, with the coordinator's reason if there is one."""
    member = await get_member(uow, event.member_id)
    if event.reason:
        outbox.write(
            uow,
            N_(
                "Thank you for offering your help. A coordinator could not approve it "
                "for now. Their reason: {reason}"
            ),
            member=member,
            reason=event.reason,
            choices=[Choice("Talk to a coordinator", "coordinator")],
        )
        return
    outbox.write(
        uow,
        N_(
            "Thank you for offering your help. A coordinator could not approve it for now. "
            "You can talk to them if you wish."
        ),
        member=member,
        choices=[Choice("Talk to a coordinator", "coordinator")],
    )


async def _tell_code_owner(
    uow: UnitOfWork, event: events.AccountsLinked | events.LinkRefused, key: str
) -> None:
    """In the chat where the member asked for the code; else where they are best reached."""
    asking = await uow.session.get(PlatformAccount, event.account_id) if event.account_id else None
    where: dict[str, Any] = (
        {"account": asking}
        if asking is not None and asking.member_id == event.member_id
        else {"member": await get_member(uow, event.member_id)}
    )
    outbox.write(uow, key, platform=event.platform.capitalize(), **where)


async def on_accounts_linked(uow: UnitOfWork, event: events.AccountsLinked) -> None:
    """The owner of a link code learns that their other account is joined."""
    await _tell_code_owner(
        uow, event, N_("Done: your {platform} account is now linked to this one.")
    )


async def on_link_refused(uow: UnitOfWork, event: events.LinkRefused) -> None:
    """The owner of a link code learns that the other account said no."""
    await _tell_code_owner(
        uow,
        event,
        N_("The {platform} account that used your code refused the link. Nothing was linked."),
    )


HANDLERS: dict[type[events.Event], list[EventHandler]] = {
    events.MemberJoined: [on_member_joined],
    events.MemberApproved: [on_member_approved],
    events.MemberSuspended: [on_member_suspended],
    events.VolunteerRefused: [on_volunteer_refused],
    events.AccountsLinked: [on_accounts_linked],
    events.LinkRefused: [on_link_refused],
}

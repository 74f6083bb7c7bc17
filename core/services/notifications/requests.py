"""Messages of a request's life: offered, taken, given back, done, cancelled, expired, thanked.

Public rooms get a first name and a neighbourhood (`request_summary`); the contact card goes
to the volunteer alone (`cards`). Each message names its request (`request_id`); the posts of
a public room say what they are: offered (`REQUEST_POST`), taken, or closed.
"""

from __future__ import annotations

from sqlalchemy import select

from core.domain import events
from core.domain.model import MatchOffer, Member, Notification
from core.domain.vocabulary import AlertKind, MemberStatus, MessageKind, Outcome
from core.i18n import N_
from core.services import outbox, proxies
from core.services.members import get_member
from core.services.notifications import requester
from core.services.notifications.alert_notices import find_someone
from core.services.notifications.cards import accepted_card
from core.services.notifications.common import (
    TAKEN_POST,
    is_new_member,
    offer_privately,
    post_in_rooms,
    request_of,
    request_summary,
)
from core.services.outbox import Choice
from core.services.unit_of_work import EventHandler, UnitOfWork

# What the other volunteers offered a request are told once it is taken.
TAKEN_BY_ANOTHER = N_("Another volunteer has taken this request: {category}, {when}. Thank you!")


async def withhold_taken_notice(uow: UnitOfWork, volunteer_id: int, request_id: int) -> None:
    """A volunteer who pressed "I'll help" too late is answered that it is taken: the notice
    saying so, if still waiting in the outbox, is not sent too (told once, not twice)."""
    waiting = await uow.session.execute(
        select(Notification).where(
            Notification.member_id == volunteer_id,
            Notification.request_id == request_id,
            Notification.key == TAKEN_BY_ANOTHER,
            Notification.sent_at.is_(None),
        )
    )
    for row in waiting.scalars():
        row.sent_at, row.outcome, row.claimed_until = uow.now(), Outcome.SKIPPED, None


async def on_request_posted(uow: UnitOfWork, event: events.RequestPosted) -> None:
    """A new request is posted in the territory's public rooms, with a button to help."""
    request = await request_of(uow, event.request_id)
    await post_in_rooms(
        uow, request, N_("New request: {category}, {when}, in {neighbourhood}, for {first_name}.")
    )


async def on_volunteers_offered(uow: UnitOfWork, event: events.VolunteersOffered) -> None:
    """The best-suited volunteers are each offered the request privately."""
    request = await request_of(uow, event.request_id)
    summary = request_summary(request)
    if request.place:
        summary["place"] = request.place
    summary["new_member"] = is_new_member(uow, request.requester)
    key = (
        N_("New request near you: {category}, {when}, in {neighbourhood}, for {first_name}.")
        if not request.place
        else N_(
            "New request near you: {category}, {when}, in {neighbourhood} ({place}), "
            "for {first_name}."
        )
    )
    volunteers = [await get_member(uow, volunteer_id) for volunteer_id in event.volunteer_ids]
    offer_privately(uow, key, volunteers, request, **summary)


async def on_nobody_to_offer(uow: UnitOfWork, event: events.NobodyToOffer) -> None:
    """No volunteer could be offered a new request: an alert, at once, to every coordinator of
    its territory, with the requester's phone and address and "Offer to…" (the requester was
    told so when posting it). A request already in a coordinator's hands is not alerted twice."""
    await find_someone(uow, await request_of(uow, event.request_id), AlertKind.NOBODY_TO_OFFER)


async def on_request_accepted(uow: UnitOfWork, event: events.RequestAccepted) -> None:
    """The requester is told who comes, the volunteer gets the card, the other volunteers and
    the public rooms learn that it is taken."""
    request = await request_of(uow, event.request_id)
    volunteer = await get_member(uow, event.volunteer_id)
    summary = request_summary(request)
    await requester.write(
        uow,
        "{volunteer} will help you: {category}, {when}. They will contact you.",
        about=request,
        volunteer=volunteer.display_name,
        choices=[Choice("Cancel this request", f"cancel:{request.id}")],
        **summary,
    )
    # The contact card, to the volunteer who accepted (if they may see it: see `contact`).
    await accepted_card(uow, volunteer, request)
    others = await uow.session.execute(
        select(MatchOffer.volunteer_id).where(
            MatchOffer.request_id == request.id,
            MatchOffer.volunteer_id != volunteer.id,
            MatchOffer.declined_at.is_(None),
        )
    )
    for other_id in others.scalars():
        other = await uow.session.get(Member, other_id)
        if other is not None and other.status == MemberStatus.APPROVED:
            outbox.write(
                uow,
                TAKEN_BY_ANOTHER,
                member=other,
                request_id=request.id,
                **summary,
            )
    await post_in_rooms(uow, request, TAKEN_POST, MessageKind.REQUEST_TAKEN)


async def on_request_withdrawn(uow: UnitOfWork, event: events.RequestWithdrawn) -> None:
    """The volunteer gave the task back: the requester is told that we look again."""
    request = await request_of(uow, event.request_id)
    volunteer = await get_member(uow, event.volunteer_id)
    await requester.write(
        uow,
        "{volunteer} can no longer come ({category}, {when}). We are looking for someone else.",
        about=request,
        volunteer=volunteer.first_name,
        **request_summary(request),
    )


async def on_task_released(uow: UnitOfWork, event: events.TaskReleased) -> None:
    """A suspended volunteer's task: the requester is told kindly, with no name and no blame."""
    request = await request_of(uow, event.request_id)
    summary = request_summary(request)
    await requester.write(
        uow,
        "The volunteer can no longer come ({category}, {when}). We are looking for someone else.",
        about=request,
        **summary,
    )
    volunteer = await uow.session.get(Member, event.volunteer_id)
    if volunteer is not None and volunteer.status != MemberStatus.ERASED:
        outbox.write(
            uow,
            "This task is no longer yours: {category}, {when}. You do not need to go.",
            member=volunteer,
            request_id=request.id,
            **summary,
        )


async def on_request_completed(uow: UnitOfWork, event: events.RequestCompleted) -> None:
    """The task is done: the requester may say thank you, the volunteer's hours are counted."""
    request = await request_of(uow, event.request_id)
    volunteer = await get_member(uow, event.volunteer_id)
    await requester.write(
        uow,
        "{volunteer} has marked your request as done ({category}). "
        "Would you like to say thank you?",
        about=request,
        volunteer=volunteer.first_name,
        choices=[Choice("Say thank you", f"thank:{request.id}")],
        **request_summary(request),
    )
    outbox.write(
        uow,
        "Thank you! {hours} hours recorded.",
        member=volunteer,
        request_id=request.id,
        hours=event.hours,
    )


async def on_request_cancelled(uow: UnitOfWork, event: events.RequestCancelled) -> None:
    """The volunteer need not go, the requester learns who cancelled, the rooms' post closes."""
    request = await request_of(uow, event.request_id)
    summary = request_summary(request)
    if event.volunteer_id is not None:
        volunteer = await get_member(uow, event.volunteer_id)
        outbox.write(
            uow,
            "This request was cancelled: {category}, {when}. You do not need to go.",
            member=volunteer,
            request_id=request.id,
            **summary,
        )
    if event.by_id is not None and event.by_id != request.requester_id:
        # Her proxy, or a coordinator: the others who read for her learn who; not the one
        # who did it (answered in their own chat).
        helpers = {
            p.proxy_id: p.proxy for p in await proxies.proxies_of(uow, request.requester_id)
        }
        key = (
            N_("{name} cancelled the request: {category}, {when}.")
            if event.by_id in helpers
            else N_("A coordinator cancelled your request: {category}, {when}.")
        )
        name = helpers[event.by_id].first_name if event.by_id in helpers else ""
        await requester.write(uow, key, about=request, skip=event.by_id, name=name, **summary)
    await post_in_rooms(
        uow,
        request,
        N_("Cancelled: {category}, {when}, in {neighbourhood}."),
        MessageKind.REQUEST_CLOSED,
    )


async def on_request_expired(uow: UnitOfWork, event: events.RequestExpired) -> None:
    """Nobody was free in time: the requester is told, and may ask again."""
    request = await request_of(uow, event.request_id)
    await requester.write(
        uow,
        "Sorry, nobody was free for your request: {category}, {when}. "
        "Would you like to ask again?",
        about=request,
        choices=[Choice("Ask again", "need_help")],
        **request_summary(request),
    )


async def on_volunteer_thanked(uow: UnitOfWork, event: events.VolunteerThanked) -> None:
    """The requester's thanks reach the volunteer."""
    request = await request_of(uow, event.request_id)
    volunteer = await get_member(uow, event.volunteer_id)
    outbox.write(
        uow,
        "{first_name} says thank you for your help!",
        member=volunteer,
        request_id=request.id,
        first_name=request.requester.first_name,
    )


HANDLERS: dict[type[events.Event], list[EventHandler]] = {
    events.RequestPosted: [on_request_posted],
    events.VolunteersOffered: [on_volunteers_offered],
    events.NobodyToOffer: [on_nobody_to_offer],
    events.RequestAccepted: [on_request_accepted],
    events.RequestWithdrawn: [on_request_withdrawn],
    events.TaskReleased: [on_task_released],
    events.RequestCompleted: [on_request_completed],
    events.RequestCancelled: [on_request_cancelled],
    events.RequestExpired: [on_request_expired],
    events.VolunteerThanked: [on_volunteer_thanked],
}

"""The scheduler's messages about requests (events published by `core/services/timed.py`):
reminders before a task, escalation of a request nobody took, the follow-up after it, and the
weekly digest of open requests."""

from __future__ import annotations

from core.domain import events
from core.domain.model import Assignment, HelpRequest
from core.domain.vocabulary import AlertKind, RequestState
from core.i18n import N_
from core.services import contact, outbox, safety
from core.services.members import get_member
from core.services.notifications import requester
from core.services.notifications.alert_notices import find_someone, readers_of
from core.services.notifications.cards import reminder_card
from core.services.notifications.common import (
    post_in_rooms,
    request_of,
    request_summary,
)
from core.services.notifications.door import who_is_coming_choice
from core.services.outbox import Choice
from core.services.unit_of_work import EventHandler, UnitOfWork


async def _held_assignment(
    uow: UnitOfWork, request_id: int, assignment_id: int
) -> tuple[HelpRequest, Assignment] | None:
    """The request and the assignment, if that assignment still holds the task."""
    request = await uow.session.get(HelpRequest, request_id)
    if request is None:
        return None
    holder = request.active_assignment
    if holder is None or holder.id != assignment_id:
        return None
    return request, holder


async def on_reminder_due(uow: UnitOfWork, event: events.ReminderDue) -> None:
    """Before the task: the card again to the volunteer, a reminder to the requester."""
    found = await _held_assignment(uow, event.request_id, event.assignment_id)
    if found is None:
        return
    request, holder = found
    if request.state != RequestState.ACCEPTED:
        return
    volunteer = await get_member(uow, holder.volunteer_id)
    if not contact.may_see(volunteer, request):
        return  # a holder who lost the right to it (suspended): no card, and no false promise
    # The contact card again, to the volunteer who holds the task now and to nobody else.
    await reminder_card(uow, volunteer, request)
    key = (
        "Reminder: {volunteer} comes to help you {when}: {category}.\n"
        "They will say the safety word: {safety_word}."
        if not request.place
        else "Reminder: {volunteer} comes to help you {when}: {category}, at {place}.\n"
        "They will say the safety word: {safety_word}."
    )
    await requester.write(
        uow,
        key,
        about=request,
        volunteer=volunteer.display_name,
        place=request.place or "-",
        safety_word=safety.word_for(request.requester, request),
        choices=[
            who_is_coming_choice(request.id),
            Choice("Cancel this request", f"cancel:{request.id}"),
        ],
        **request_summary(request),
    )


async def on_request_escalated(uow: UnitOfWork, event: events.RequestEscalated) -> None:
    """Nobody took the request: offered again in the public rooms, then the coordinators are
    alerted and the requester told that a person is looking."""
    request = await request_of(uow, event.request_id)
    summary = request_summary(request)
    if event.level == "territory":
        await post_in_rooms(
            uow,
            request,
            N_(
                "Still looking for a volunteer: {category}, {when}, in {neighbourhood}, "
                "for {first_name}."
            ),
        )
        return
    # One already open (nobody to offer at posting) stays the one: it keeps coming back.
    alert = await find_someone(uow, request, AlertKind.REQUEST_UNANSWERED)
    coordinators = await readers_of(uow, alert)
    if not coordinators:  # nobody to promise: say only what is true
        await requester.write(
            uow,
            "We are still looking for someone for your request ({category}, {when}). "
            "I will write to you as soon as someone accepts.",
            about=request,
            **summary,
        )
        return
    await requester.write(
        uow,
        "We are still looking for someone for your request ({category}, {when}). "
        "A coordinator has been told and will help.",
        about=request,
        choices=[Choice("Talk to a coordinator", "coordinator")],
        **summary,
    )


async def on_follow_up_due(uow: UnitOfWork, event: events.FollowUpDue) -> None:
    """After the task: the volunteer is asked for the hours, the requester how it went."""
    found = await _held_assignment(uow, event.request_id, event.assignment_id)
    if found is None:
        return
    request, holder = found
    volunteer = await get_member(uow, holder.volunteer_id)
    summary = request_summary(request)
    if request.state == RequestState.ACCEPTED:
        # Only to a volunteer who still may act on the task (not suspended): see `contact`.
        if contact.may_see(volunteer, request):
            outbox.write(
                uow,
                "How did it go with {requester} ({category}, {when})? "
                "When it is done, tell us how many hours you gave.",
                member=volunteer,
                request_id=request.id,
                requester=request.requester.first_name,
                choices=[Choice("Done", f"done:{request.id}")],
                **summary,
            )
        await requester.write(
            uow,
            "Did {volunteer} come to help you ({category}, {when})? We hope it went well. "
            "If something went wrong, a coordinator is here for you.",
            about=request,
            volunteer=volunteer.first_name,
            choices=[Choice("Talk to a coordinator", "coordinator")],
            **summary,
        )
    elif request.state == RequestState.DONE and holder.thanked_at is None:
        await requester.write(
            uow,
            "We hope it went well with {volunteer} ({category}, {when}). "
            "Would you like to say thank you?",
            about=request,
            volunteer=volunteer.first_name,
            choices=[
                Choice("Say thank you", f"thank:{request.id}"),
                Choice("Talk to a coordinator", "coordinator"),
            ],
            **summary,
        )


async def on_digest_due(uow: UnitOfWork, event: events.DigestDue) -> None:
    """The weekly digest: how many open requests near the volunteer, and the soonest one."""
    if not event.request_ids:
        return
    member = await get_member(uow, event.member_id)
    soonest = await request_of(uow, event.request_ids[0])
    outbox.write(
        uow,
        "Open requests near you this week: {count}. "
        "The soonest: {category}, {when}, in {neighbourhood}.",
        member=member,
        request_id=soonest.id,
        count=len(event.request_ids),
        choices=[
            Choice("Open requests", "requests"),
            Choice("Stop this weekly message", "digest_off"),
        ],
        **request_summary(soonest),
    )


HANDLERS: dict[type[events.Event], list[EventHandler]] = {
    events.ReminderDue: [on_reminder_due],
    events.RequestEscalated: [on_request_escalated],
    events.FollowUpDue: [on_follow_up_due],
    events.DigestDue: [on_digest_due],
}

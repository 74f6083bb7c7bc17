"""Turn domain events into outbox messages, in the transaction that published them.

Privacy: the requester's phone and address come only from `core.services.contact` (the one place
that builds them, for whom `authorization` allows now: the approved volunteer holding the task);
public rooms get a first name and a neighbourhood.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from core.domain import events
from core.domain.model import (
    Assignment,
    BallotReceipt,
    HelpRequest,
    MatchOffer,
    Member,
    Notification,
    PlatformAccount,
    Poll,
    TerritoryChannel,
    Vote,
)
from core.domain.vocabulary import MemberStatus, RequestState
from core.i18n import N_
from core.services import contact, delivery_notices, outbox
from core.services.electorate import electorate
from core.services.members import coordinators_of, get_member
from core.services.outbox import Choice
from core.services.unit_of_work import EventHandler, UnitOfWork

DEFAULT_NEW_MEMBER_DAYS = 14


def request_summary(request: HelpRequest) -> dict[str, Any]:
    """What anyone may see of a request: no phone, no address, only the first name."""
    return {
        "request_id": request.id,
        "category": request.category,
        "when": request.when_start.isoformat(),
        "neighbourhood": request.neighbourhood or "-",
        "first_name": request.requester.first_name,
    }


def is_new_member(uow: UnitOfWork, member: Member) -> bool:
    """Whether a member joined less than `new_member_days` ago (volunteers are told so)."""
    days = getattr(uow.settings, "new_member_days", DEFAULT_NEW_MEMBER_DAYS)
    return uow.now() - member.created_at < timedelta(days=days)


def task_choices(request_id: int) -> list[Choice]:
    """The buttons under a contact card: the volunteer holds the task."""
    return [
        Choice("Done", f"done:{request_id}"),
        Choice("I can no longer come", f"withdraw:{request_id}"),
    ]


def offer_choices(request_id: int) -> list[Choice]:
    return [
        Choice("I'll help", f"accept:{request_id}"),
        Choice("Not for me", f"decline:{request_id}"),
    ]


async def _channels(uow: UnitOfWork, territory_id: int) -> list[TerritoryChannel]:
    rows = await uow.session.execute(
        select(TerritoryChannel).where(TerritoryChannel.territory_id == territory_id)
    )
    return list(rows.scalars())


async def on_member_joined(uow: UnitOfWork, event: events.MemberJoined) -> None:
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
            choices=[Choice("Approve", f"approve:{member.id}")],
            topic=f"member:{member.id}",
        )


async def on_member_approved(uow: UnitOfWork, event: events.MemberApproved) -> None:
    member = await get_member(uow, event.member_id)
    outbox.write(
        uow,
        "Good news: you are now an approved volunteer. Thank you for joining!",
        member=member,
        choices=[Choice("Open requests", "requests")],
    )


async def on_member_suspended(uow: UnitOfWork, event: events.MemberSuspended) -> None:
    member = await get_member(uow, event.member_id)
    outbox.write(
        uow, "Your membership is suspended. A coordinator will tell you why.", member=member
    )


async def on_request_posted(uow: UnitOfWork, event: events.RequestPosted) -> None:
    request = await uow.session.get(HelpRequest, event.request_id)
    assert request is not None
    for channel in await _channels(uow, request.territory_id):
        outbox.write(
            uow,
            "New request: {category}, {when}, in {neighbourhood}, for {first_name}.",
            channel=channel,
            choices=[Choice("I'll help", f"accept:{request.id}")],
            topic=f"request:{request.id}",
            new_member=is_new_member(uow, request.requester),
            **request_summary(request),
        )


async def on_volunteers_offered(uow: UnitOfWork, event: events.VolunteersOffered) -> None:
    request = await uow.session.get(HelpRequest, event.request_id)
    assert request is not None
    summary = request_summary(request)
    if request.place:
        summary["place"] = request.place
    summary["new_member"] = is_new_member(uow, request.requester)
    key = (
        "New request near you: {category}, {when}, in {neighbourhood}, for {first_name}."
        if not request.place
        else "New request near you: {category}, {when}, in {neighbourhood} ({place}), "
        "for {first_name}."
    )
    for volunteer_id in event.volunteer_ids:
        volunteer = await get_member(uow, volunteer_id)
        outbox.write(
            uow,
            key,
            member=volunteer,
            choices=offer_choices(request.id),
            topic=f"request:{request.id}",
            **summary,
        )


async def on_request_accepted(uow: UnitOfWork, event: events.RequestAccepted) -> None:
    request = await uow.session.get(HelpRequest, event.request_id)
    assert request is not None
    volunteer = await get_member(uow, event.volunteer_id)
    requester = request.requester
    summary = request_summary(request)
    outbox.write(
        uow,
        "{volunteer} will help you: {category}, {when}. They will contact you.",
        member=requester,
        volunteer=volunteer.display_name,
        topic=f"request:{request.id}",
        choices=[Choice("Cancel this request", f"cancel:{request.id}")],
        **summary,
    )
    # The contact card, to the volunteer who accepted (if they may see it: see `contact`).
    outbox.write(
        uow,
        "Thank you! You help {requester}: {category}, {when}.\n"
        "Phone: {phone}\nAddress: {address}\nWhere: {place}",
        member=volunteer,
        **contact.card(volunteer, request),
        choices=task_choices(request.id),
        topic=f"request:{request.id}",
        contact_card=True,  # a timeout on it is followed by the details again
        **summary,
    )
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
                "Another volunteer has taken this request: {category}, {when}. Thank you!",
                member=other,
                topic=f"request:{request.id}",
                **summary,
            )
    for channel in await _channels(uow, request.territory_id):
        outbox.write(
            uow,
            "Taken: {category}, {when}, in {neighbourhood}. Thank you!",
            channel=channel,
            topic=f"request:{request.id}",
            **summary,
        )


async def on_request_withdrawn(uow: UnitOfWork, event: events.RequestWithdrawn) -> None:
    request = await uow.session.get(HelpRequest, event.request_id)
    assert request is not None
    volunteer = await get_member(uow, event.volunteer_id)
    outbox.write(
        uow,
        "{volunteer} can no longer come ({category}, {when}). We are looking for someone else.",
        member=request.requester,
        volunteer=volunteer.first_name,
        topic=f"request:{request.id}",
        **request_summary(request),
    )


async def on_task_released(uow: UnitOfWork, event: events.TaskReleased) -> None:
    """A suspended volunteer's task: the requester is told kindly, with no name and no blame."""
    request = await uow.session.get(HelpRequest, event.request_id)
    assert request is not None
    summary = request_summary(request)
    outbox.write(
        uow,
        "The volunteer can no longer come ({category}, {when}). We are looking for someone else.",
        member=request.requester,
        topic=f"request:{request.id}",
        **summary,
    )
    volunteer = await uow.session.get(Member, event.volunteer_id)
    if volunteer is not None and volunteer.status != MemberStatus.ERASED:
        outbox.write(
            uow,
            "This task is no longer yours: {category}, {when}. You do not need to go.",
            member=volunteer,
            topic=f"request:{request.id}",
            **summary,
        )


async def on_request_completed(uow: UnitOfWork, event: events.RequestCompleted) -> None:
    request = await uow.session.get(HelpRequest, event.request_id)
    assert request is not None
    volunteer = await get_member(uow, event.volunteer_id)
    summary = request_summary(request)
    outbox.write(
        uow,
        "{volunteer} has marked your request as done ({category}). "
        "Would you like to say thank you?",
        member=request.requester,
        volunteer=volunteer.first_name,
        choices=[Choice("Say thank you", f"thank:{request.id}")],
        topic=f"request:{request.id}",
        **summary,
    )
    outbox.write(
        uow,
        "Thank you! {hours} hours recorded.",
        member=volunteer,
        hours=event.hours,
        topic=f"request:{request.id}",
    )


async def on_request_cancelled(uow: UnitOfWork, event: events.RequestCancelled) -> None:
    request = await uow.session.get(HelpRequest, event.request_id)
    assert request is not None
    summary = request_summary(request)
    if event.volunteer_id is not None:
        volunteer = await get_member(uow, event.volunteer_id)
        outbox.write(
            uow,
            "This request was cancelled: {category}, {when}. You do not need to go.",
            member=volunteer,
            topic=f"request:{request.id}",
            **summary,
        )
    if event.by_id is not None and event.by_id != request.requester_id:
        outbox.write(
            uow,
            "A coordinator cancelled your request: {category}, {when}.",
            member=request.requester,
            topic=f"request:{request.id}",
            **summary,
        )
    for channel in await _channels(uow, request.territory_id):
        outbox.write(
            uow,
            "Cancelled: {category}, {when}, in {neighbourhood}.",
            channel=channel,
            topic=f"request:{request.id}",
            **summary,
        )


async def on_request_expired(uow: UnitOfWork, event: events.RequestExpired) -> None:
    request = await uow.session.get(HelpRequest, event.request_id)
    assert request is not None
    outbox.write(
        uow,
        "Sorry, nobody was free for your request: {category}, {when}. "
        "Would you like to ask again?",
        member=request.requester,
        choices=[Choice("Ask again", "need_help")],
        topic=f"request:{request.id}",
        **request_summary(request),
    )


async def on_volunteer_thanked(uow: UnitOfWork, event: events.VolunteerThanked) -> None:
    request = await uow.session.get(HelpRequest, event.request_id)
    assert request is not None
    volunteer = await get_member(uow, event.volunteer_id)
    outbox.write(
        uow,
        "{first_name} says thank you for your help!",
        member=volunteer,
        topic=f"request:{request.id}",
        first_name=request.requester.first_name,
    )


def poll_choices(poll: Poll) -> list[Choice]:
    """The buttons of a poll: its options; for a secret multiple-choice ballot one "Vote",
    which asks for every choice in one message (no selection is kept between presses)."""
    if poll.secret and poll.kind == "multiple":
        return [Choice("Vote", f"ballot:{poll.id}")]
    return [
        Choice(o.label, f"vote:{poll.id}:{o.position}", {"translate": poll.kind == "proposal"})
        for o in poll.options
    ]


async def on_poll_opened(uow: UnitOfWork, event: events.PollOpened) -> None:
    poll = await uow.session.get(Poll, event.poll_id)
    assert poll is not None
    params = {
        "question": poll.question,
        "closes_at": poll.closes_at.isoformat(),
        "poll_id": poll.id,
        "secret": poll.secret,
        "kind": poll.kind,
    }
    key = (
        "New poll: {question}\nVote before {closes_at}."
        if not poll.secret
        else "New secret ballot: {question}\nVote before {closes_at}."
    )
    # Only the members who may vote in it (see `polls.electorate`).
    members = await uow.session.execute(select(Member).where(*electorate(poll)))
    for member in members.scalars():
        outbox.write(
            uow, key, member=member, choices=poll_choices(poll), topic=f"poll:{poll.id}", **params
        )
    for channel in await _channels(uow, poll.territory_id):
        outbox.write(
            uow,
            key,
            channel=channel,
            choices=poll_choices(poll),
            topic=f"poll:{poll.id}",
            **params,
        )


async def on_poll_closed(uow: UnitOfWork, event: events.PollClosed) -> None:
    poll = await uow.session.get(Poll, event.poll_id)
    assert poll is not None and poll.result is not None
    params = {
        "question": poll.question,
        "poll_id": poll.id,
        "result": poll.result,
        "kind": poll.kind,
    }
    key = "Poll closed: {question}"
    members = await uow.session.execute(
        select(Member).where(
            Member.territory_id == poll.territory_id, Member.status == MemberStatus.APPROVED
        )
    )
    for member in members.scalars():
        outbox.write(uow, key, member=member, topic=f"poll:{poll.id}", **params)
    for channel in await _channels(uow, poll.territory_id):
        outbox.write(uow, key, channel=channel, topic=f"poll:{poll.id}", **params)


async def _tell_coordinators_about(
    uow: UnitOfWork, member_id: int, key: str, **params: Any
) -> None:
    """A message about a member to every coordinator of their territory but themselves."""
    member = await get_member(uow, member_id)
    for coordinator in await coordinators_of(uow, member.territory_id):
        if coordinator.id != member.id:
            outbox.write(
                uow,
                key,
                member=coordinator,
                name=member.display_name,
                neighbourhood=member.neighbourhood or "-",
                topic=f"member:{member.id}",
                **params,
            )


async def on_coordinator_contacted(uow: UnitOfWork, event: events.CoordinatorContacted) -> None:
    await _tell_coordinators_about(
        uow, event.member_id, N_("Message from {name} ({neighbourhood}):\n{text}"), text=event.text
    )


async def on_emergency(uow: UnitOfWork, event: events.EmergencyRaised) -> None:
    await _tell_coordinators_about(
        uow,
        event.member_id,
        N_("EMERGENCY reported by {name} ({neighbourhood}):\n{text}"),
        text=event.text,
    )


# --- the scheduler's messages (events published by core/services/timed.py) ------------------


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
    found = await _held_assignment(uow, event.request_id, event.assignment_id)
    if found is None:
        return
    request, holder = found
    if request.state != RequestState.ACCEPTED:
        return
    volunteer = await get_member(uow, holder.volunteer_id)
    if not contact.may_see(volunteer, request):
        return  # a holder who lost the right to it (suspended): no card, and no false promise
    requester = request.requester
    summary = request_summary(request)
    # The contact card again, to the volunteer who holds the task now and to nobody else.
    outbox.write(
        uow,
        "Reminder: you help {requester} {when}: {category}.\n"
        "Phone: {phone}\nAddress: {address}\nWhere: {place}",
        member=volunteer,
        **contact.card(volunteer, request),
        choices=[
            Choice("My tasks", "my_tasks"),
            Choice("I can no longer come", f"withdraw:{request.id}"),
        ],
        topic=f"request:{request.id}",
        contact_card=True,
        **summary,
    )
    key = (
        "Reminder: {volunteer} comes to help you {when}: {category}."
        if not request.place
        else "Reminder: {volunteer} comes to help you {when}: {category}, at {place}."
    )
    outbox.write(
        uow,
        key,
        member=requester,
        volunteer=volunteer.display_name,
        place=request.place or "-",
        choices=[Choice("Cancel this request", f"cancel:{request.id}")],
        topic=f"request:{request.id}",
        **summary,
    )


async def on_request_escalated(uow: UnitOfWork, event: events.RequestEscalated) -> None:
    request = await uow.session.get(HelpRequest, event.request_id)
    assert request is not None
    summary = request_summary(request)
    if event.level == "territory":
        for channel in await _channels(uow, request.territory_id):
            outbox.write(
                uow,
                "Still looking for a volunteer: {category}, {when}, in {neighbourhood}, "
                "for {first_name}.",
                channel=channel,
                choices=[Choice("I'll help", f"accept:{request.id}")],
                topic=f"request:{request.id}",
                new_member=is_new_member(uow, request.requester),
                **summary,
            )
        return
    for coordinator in await coordinators_of(uow, request.territory_id):
        outbox.write(
            uow,
            "Nobody has accepted this request yet: {category}, {when}, in {neighbourhood}, "
            "for {name}. Could you find someone?",
            member=coordinator,
            name=request.requester.display_name,
            topic=f"request:{request.id}",
            **summary,
        )
    outbox.write(
        uow,
        "We are still looking for someone for your request ({category}, {when}). "
        "A coordinator has been told and will help.",
        member=request.requester,
        choices=[Choice("Talk to a coordinator", "coordinator")],
        topic=f"request:{request.id}",
        **summary,
    )


async def on_follow_up_due(uow: UnitOfWork, event: events.FollowUpDue) -> None:
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
                requester=request.requester.first_name,
                choices=[Choice("Done", f"done:{request.id}")],
                topic=f"request:{request.id}",
                **summary,
            )
        outbox.write(
            uow,
            "Did {volunteer} come to help you ({category}, {when})? We hope it went well. "
            "If something went wrong, a coordinator is here for you.",
            member=request.requester,
            volunteer=volunteer.first_name,
            choices=[Choice("Talk to a coordinator", "coordinator")],
            topic=f"request:{request.id}",
            **summary,
        )
    elif request.state == RequestState.DONE and holder.thanked_at is None:
        outbox.write(
            uow,
            "We hope it went well with {volunteer} ({category}, {when}). "
            "Would you like to say thank you?",
            member=request.requester,
            volunteer=volunteer.first_name,
            choices=[
                Choice("Say thank you", f"thank:{request.id}"),
                Choice("Talk to a coordinator", "coordinator"),
            ],
            topic=f"request:{request.id}",
            **summary,
        )


async def on_poll_closing_soon(uow: UnitOfWork, event: events.PollClosingSoon) -> None:
    poll = await uow.session.get(Poll, event.poll_id)
    assert poll is not None
    source = BallotReceipt if poll.secret else Vote
    voted = select(source.member_id).where(source.poll_id == poll.id)
    members = await uow.session.execute(
        select(Member).where(*electorate(poll), Member.id.not_in(voted)).order_by(Member.id)
    )
    for member in members.scalars():
        outbox.write(
            uow,
            'Reminder: the poll "{question}" closes {closes_at}. You have not voted yet.',
            member=member,
            question=poll.question,
            closes_at=poll.closes_at.isoformat(),
            poll_id=poll.id,
            choices=poll_choices(poll),
            topic=f"poll:{poll.id}",
        )


async def on_digest_due(uow: UnitOfWork, event: events.DigestDue) -> None:
    if not event.request_ids:
        return
    member = await get_member(uow, event.member_id)
    soonest = await uow.session.get(HelpRequest, event.request_ids[0])
    assert soonest is not None
    outbox.write(
        uow,
        "Open requests near you this week: {count}. "
        "The soonest: {category}, {when}, in {neighbourhood}.",
        member=member,
        count=len(event.request_ids),
        choices=[
            Choice("Open requests", "requests"),
            Choice("Stop this weekly message", "digest_off"),
        ],
        **request_summary(soonest),
    )


async def on_member_unreachable(uow: UnitOfWork, event: events.MemberUnreachable) -> None:
    await _tell_coordinators_about(
        uow,
        event.member_id,
        N_(
            "{name} can no longer be reached on {platform} (the bot was blocked). "
            "Please contact them another way."
        ),
        platform=event.platform.capitalize(),
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
    await _tell_code_owner(
        uow, event, N_("Done: your {platform} account is now linked to this one.")
    )


async def on_link_refused(uow: UnitOfWork, event: events.LinkRefused) -> None:
    await _tell_code_owner(
        uow,
        event,
        N_("The {platform} account that used your code refused the link. Nothing was linked."),
    )


# --- delivery: a contact card that may not have arrived -------------------------------------


async def on_contact_card_uncertain(uow: UnitOfWork, event: events.ContactCardUncertain) -> None:
    """A contact card got no answer in time: send the details again, shortly, to the same
    volunteer if they still hold the task (it may have arrived: the words say so)."""
    card = await uow.session.get(Notification, event.notification_id)
    if card is None or card.member_id is None:
        return
    request_id = card.params.get("request_id")
    if not isinstance(request_id, int):
        return
    request = await uow.session.get(HelpRequest, request_id)
    if request is None or request.state != RequestState.ACCEPTED:
        return
    holder = request.active_assignment
    if holder is None or holder.volunteer_id != card.member_id:
        return
    volunteer = await uow.session.get(Member, card.member_id)
    # Only to whom may see the details now (approved, holding this task): contact.py decides.
    if volunteer is None or not contact.may_see(volunteer, request):
        return
    # No `contact_card` marker: if this one times out too, it is not repeated again.
    outbox.write(
        uow,
        "Here are the details again, in case the last message did not arrive: "
        "{requester}, {category}, {when}.\nPhone: {phone}\nAddress: {address}\nWhere: {place}",
        member=volunteer,
        **contact.card(volunteer, request),
        choices=task_choices(request.id),
        topic=f"request:{request.id}",
        **request_summary(request),
    )


HANDLERS: dict[type[events.Event], list[EventHandler]] = {
    events.MemberJoined: [on_member_joined],
    events.MemberApproved: [on_member_approved],
    events.MemberSuspended: [on_member_suspended],
    events.RequestPosted: [on_request_posted],
    events.VolunteersOffered: [on_volunteers_offered],
    events.RequestAccepted: [on_request_accepted],
    events.RequestWithdrawn: [on_request_withdrawn],
    events.TaskReleased: [on_task_released],
    events.RequestCompleted: [on_request_completed],
    events.RequestCancelled: [on_request_cancelled],
    events.RequestExpired: [on_request_expired],
    events.VolunteerThanked: [on_volunteer_thanked],
    events.PollOpened: [on_poll_opened],
    events.PollClosed: [on_poll_closed],
    events.CoordinatorContacted: [on_coordinator_contacted],
    events.EmergencyRaised: [on_emergency],
    events.MemberUnreachable: [on_member_unreachable],
    events.ReminderDue: [on_reminder_due],
    events.RequestEscalated: [on_request_escalated],
    events.FollowUpDue: [on_follow_up_due],
    events.PollClosingSoon: [on_poll_closing_soon],
    events.DigestDue: [on_digest_due],
    events.AccountsLinked: [on_accounts_linked],
    events.LinkRefused: [on_link_refused],
    events.ContactCardUncertain: [on_contact_card_uncertain],
    **delivery_notices.HANDLERS,
}

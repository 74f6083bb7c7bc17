"""Services of the help-request life cycle: post, offer, accept, withdraw, complete, cancel."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from core.domain import events
from core.domain.errors import (
    AlreadyTaken,
    InvalidInput,
    InvalidTransition,
    NotAllowed,
    NotApproved,
    NotFound,
    Suspended,
)
from core.domain.model import Assignment, HelpRequest, MatchOffer, Member
from core.domain.vocabulary import Category, MemberStatus, RequestState, WhenKind
from core.domain.windows import checked_kind
from core.services import authorization, contact, matching, safety
from core.services.authorization import Action
from core.services.lookup import get_member
from core.services.text import clean_text
from core.services.unit_of_work import UnitOfWork

# A request may be posted for a moment that just passed ("now", typed slowly), not earlier.
PAST_TOLERANCE = timedelta(hours=1)
MIN_HOURS, MAX_HOURS = 0.25, 24.0


async def get_request(uow: UnitOfWork, request_id: int) -> HelpRequest:
    request = await uow.session.get(HelpRequest, request_id)
    if request is None:
        raise NotFound()
    return request


async def post_request(
    uow: UnitOfWork,
    requester_id: int,
    *,
    category: Category | str,
    when_start: datetime,
    when_end: datetime | None = None,
    when_kind: WhenKind | str | None = None,
    place: str | None = None,
    description: str = "",
    by_id: int | None = None,
) -> HelpRequest:
    """Post a help request and offer it to the best-ranked volunteers.

    `when_kind` says how the time was said (an hour, or a window: "jeudi matin"); without it, a
    moment is an hour and a window's kind is inferred from its hours.
    `by_id`: who posts it for the requester (her proxy), if not herself; both are recorded.
    """
    requester = await _active_member(uow, requester_id)
    if by_id is not None and by_id != requester.id:
        await authorization.require_by(uow, by_id, Action.POST_REQUEST_FOR, requester)
    if not requester.is_requester:
        raise NotAllowed("Only members registered as asking for help can post a request.")
    try:
        category = Category(category)
    except ValueError as exc:
        raise InvalidInput("Unknown kind of help: {category}.", category=category) from exc
    if when_start.tzinfo is None:
        raise InvalidInput("The time of the request has no time zone.")
    if when_start < uow.now() - PAST_TOLERANCE:
        raise InvalidInput("This time is already past. When do you need help?")
    if when_end is not None and when_end <= when_start:
        raise InvalidInput("The end of the time window must come after its start.")
    kind = checked_kind(when_kind, when_start, when_end, requester.territory.tz)
    now = uow.now()
    request = HelpRequest(
        territory_id=requester.territory_id,
        requester=requester,
        requester_id=requester.id,
        category=str(category),
        description=clean_text(description, what="description") if description.strip() else "",
        when_start=when_start,
        when_end=when_end,
        when_kind=str(kind),
        place=clean_text(place, limit=300, what="place") if place and place.strip() else None,
        neighbourhood=requester.neighbourhood,
        state=RequestState.OPEN,
        created_at=now,
        updated_at=now,
        assignments=[],
    )
    uow.session.add(request)
    await uow.session.flush()
    actor, done_for = by_id or requester_id, _done_for(by_id, requester_id)
    uow.audit(actor, "request.post", f"request:{request.id}", category=str(category), **done_for)
    uow.publish(events.RequestPosted(request.id))
    if not await offer_to_next_volunteers(uow, request.id, top_n(uow)):
        uow.publish(events.NobodyToOffer(request.id))
    return request


async def offer_to_next_volunteers(uow: UnitOfWork, request_id: int, count: int) -> list[int]:
    """Offer an open request to the next `count` best volunteers not asked yet.

    This is also the widening step the scheduler calls when nobody answered in time.
    """
    request = await get_request(uow, request_id)
    if request.state != RequestState.OPEN:
        return []
    exclude = await matching.already_offered(uow, request.id)
    exclude |= await matching.excluded_volunteers(uow, request)
    ranked = await matching.rank_volunteers(uow, request, limit=count, exclude=exclude)
    first_rank = len(exclude)
    for offset, volunteer in enumerate(ranked):
        uow.session.add(
            MatchOffer(
                request_id=request.id,
                volunteer_id=volunteer.member_id,
                rank=first_rank + offset + 1,
                offered_at=uow.now(),
            )
        )
    ids = tuple(v.member_id for v in ranked)
    if ids:
        uow.publish(events.VolunteersOffered(request.id, ids))
    return list(ids)


async def offer_to_volunteer(
    uow: UnitOfWork, request_id: int, volunteer_id: int, *, by_id: int | None
) -> None:
    """A coordinator offers an open request to one volunteer they chose (told through the
    outbox like any offer); a volunteer who said "not for me" is asked again."""
    request = await get_request(uow, request_id)
    await authorization.require_by(uow, by_id, Action.COORDINATE, request)
    volunteer = await get_member(uow, volunteer_id)
    if not volunteer.can_act_as_volunteer or volunteer.territory_id != request.territory_id:
        raise InvalidInput("{name} cannot take requests here.", name=volunteer.first_name)
    if request.state != RequestState.OPEN:
        raise InvalidTransition(state=request.state)
    offer = await uow.session.get(MatchOffer, (request.id, volunteer.id))
    if offer is None:
        rank = len(await matching.already_offered(uow, request.id)) + 1
        offer = MatchOffer(request_id=request.id, volunteer_id=volunteer.id, rank=rank)
        uow.session.add(offer)
    offer.offered_at, offer.declined_at = uow.now(), None
    uow.audit(by_id, "request.offer", f"request:{request.id}", volunteer=volunteer.id)
    uow.publish(events.VolunteersOffered(request.id, (volunteer.id,)))


async def accept(uow: UnitOfWork, volunteer_id: int, request_id: int) -> Assignment:
    """A volunteer takes a request. Of many simultaneous accepts exactly one wins."""
    volunteer = await get_member(uow, volunteer_id)
    request = await get_request(uow, request_id)
    authorization.require(volunteer, Action.ACCEPT_REQUEST, request)
    if request.state == RequestState.ACCEPTED:
        raise AlreadyTaken()
    request.transition("accept", uow.now())
    assignment = Assignment(
        request_id=request.id,
        volunteer_id=volunteer_id,
        requester_id=request.requester_id,
        accepted_at=uow.now(),
    )
    request.assignments.append(assignment)
    safety.give_word(uow, request, assignment)  # said at the door (see `safety`)
    try:
        await uow.session.flush()
    except StaleDataError as exc:
        # Someone else's UPDATE of the same version committed first.
        await uow.rollback()
        raise AlreadyTaken() from exc
    uow.audit(volunteer_id, "request.accept", f"request:{request.id}")
    uow.publish(events.RequestAccepted(request.id, volunteer_id))
    return assignment


async def decline(uow: UnitOfWork, volunteer_id: int, request_id: int) -> None:
    """A volunteer says "not for me"; the request will not be offered to them again."""
    volunteer = await get_member(uow, volunteer_id)
    authorization.require(volunteer, Action.DECLINE_OFFER, await get_request(uow, request_id))
    offer = await uow.session.get(MatchOffer, (request_id, volunteer_id))
    if offer is None:
        offer = MatchOffer(
            request_id=request_id, volunteer_id=volunteer_id, rank=0, offered_at=uow.now()
        )
        uow.session.add(offer)
    offer.declined_at = uow.now()
    uow.audit(volunteer_id, "request.decline", f"request:{request_id}")


async def withdraw(uow: UnitOfWork, volunteer_id: int, request_id: int) -> HelpRequest:
    """The volunteer can no longer come: the request opens again and is offered to others."""
    request = await get_request(uow, request_id)
    authorization.require(await get_member(uow, volunteer_id), Action.WITHDRAW_FROM_TASK, request)
    assignment = request.active_assignment
    assert assignment is not None  # the rule checked that the volunteer holds it
    request.transition("withdraw", uow.now())
    assignment.withdrawn_at = uow.now()
    await _flush_or_conflict(uow)
    await contact.withhold_waiting_cards_about(uow, request)
    uow.audit(volunteer_id, "request.withdraw", f"request:{request.id}")
    uow.publish(events.RequestWithdrawn(request.id, volunteer_id))
    await offer_to_next_volunteers(uow, request.id, top_n(uow))
    return request


async def complete(uow: UnitOfWork, actor_id: int, request_id: int, hours: float) -> Assignment:
    """Mark a task done with the hours given (by its volunteer or a coordinator)."""
    if not MIN_HOURS <= hours <= MAX_HOURS:
        raise InvalidInput("Please give the hours as a number between 0.25 and 24.")
    request = await get_request(uow, request_id)
    authorization.require(await get_member(uow, actor_id), Action.COMPLETE_TASK, request)
    assignment = request.active_assignment
    if assignment is None:
        raise InvalidTransition(state=request.state)
    request.transition("complete", uow.now())
    assignment.completed_at = uow.now()
    assignment.hours = round(float(hours), 2)
    await _flush_or_conflict(uow)
    await contact.withhold_waiting_cards_about(uow, request)
    uow.audit(actor_id, "request.complete", f"request:{request.id}", hours=assignment.hours)
    uow.publish(events.RequestCompleted(request.id, assignment.volunteer_id, assignment.hours))
    return assignment


async def cancel(uow: UnitOfWork, actor_id: int | None, request_id: int) -> HelpRequest:
    """Cancel a request (its requester, a coordinator, or the administrator with `None`)."""
    request = await get_request(uow, request_id)
    await authorization.require_by(uow, actor_id, Action.CANCEL_REQUEST, request)
    holder = request.active_assignment
    request.transition("cancel", uow.now())
    await _flush_or_conflict(uow)
    await contact.withhold_waiting_cards_about(uow, request)
    uow.audit(actor_id, "request.cancel", f"request:{request.id}", **_done_for(actor_id, request))
    uow.publish(
        events.RequestCancelled(request.id, actor_id, holder.volunteer_id if holder else None)
    )
    return request


async def expire(uow: UnitOfWork, request_id: int) -> bool:
    """Expire an open request whose time has passed; return False if there was nothing to do."""
    request = await get_request(uow, request_id)
    if request.state != RequestState.OPEN:
        return False
    request.transition("expire", uow.now())
    await _flush_or_conflict(uow)
    uow.audit(None, "request.expire", f"request:{request.id}")
    uow.publish(events.RequestExpired(request.id))
    return True


async def thank(uow: UnitOfWork, requester_id: int, request_id: int) -> Assignment:
    """The requester thanks the volunteer who helped (`requester_id`: or her proxy)."""
    request = await get_request(uow, request_id)
    await authorization.require_by(uow, requester_id, Action.THANK_VOLUNTEER, request)
    assignment = request.active_assignment
    if request.state != RequestState.DONE or assignment is None:
        raise InvalidTransition(state=request.state)
    if assignment.thanked_at is None:
        assignment.thanked_at = uow.now()
        done_for = _done_for(requester_id, request)
        uow.audit(requester_id, "request.thank", f"request:{request.id}", **done_for)
        uow.publish(events.VolunteerThanked(request.id, assignment.volunteer_id))
    return assignment


async def requests_of(
    uow: UnitOfWork, requester_id: int, *, active_only: bool = False
) -> list[HelpRequest]:
    query = select(HelpRequest).where(HelpRequest.requester_id == requester_id)
    if active_only:
        query = query.where(HelpRequest.state.in_([RequestState.OPEN, RequestState.ACCEPTED]))
    return list((await uow.session.execute(query.order_by(HelpRequest.when_start))).scalars())


async def tasks_of(
    uow: UnitOfWork, volunteer_id: int, *, active_only: bool = True
) -> list[HelpRequest]:
    """Requests the volunteer holds (accepted, or done when `active_only` is False)."""
    query = (
        select(HelpRequest)
        .join(Assignment, Assignment.request_id == HelpRequest.id)
        .where(Assignment.volunteer_id == volunteer_id, Assignment.withdrawn_at.is_(None))
    )
    if active_only:
        query = query.where(HelpRequest.state == RequestState.ACCEPTED)
    return list((await uow.session.execute(query.order_by(HelpRequest.when_start))).scalars())


async def open_requests_for(
    uow: UnitOfWork, volunteer_id: int, *, limit: int = 10
) -> list[HelpRequest]:
    """Open requests a volunteer could take: their skills and neighbourhood first, then soonest."""
    volunteer = await _active_member(uow, volunteer_id)
    if not volunteer.can_act_as_volunteer:
        if volunteer.is_volunteer:
            raise NotApproved()
        raise NotAllowed("Only volunteers can see the open requests.")
    declined = select(MatchOffer.request_id).where(
        MatchOffer.volunteer_id == volunteer_id, MatchOffer.declined_at.is_not(None)
    )
    query = select(HelpRequest).where(
        HelpRequest.territory_id == volunteer.territory_id,
        HelpRequest.state == RequestState.OPEN,
        HelpRequest.requester_id != volunteer_id,
        HelpRequest.when_start >= uow.now() - PAST_TOLERANCE,
        HelpRequest.id.not_in(declined),
    )
    rows = list((await uow.session.execute(query)).scalars())
    skills = {str(c) for c in volunteer.skill_set}
    rows.sort(
        key=lambda r: (
            r.category not in skills,
            r.neighbourhood != volunteer.neighbourhood,
            r.when_start,
            r.id,
        )
    )
    return rows[:limit]


async def release_tasks_of(uow: UnitOfWork, volunteer_id: int, *, by_id: int | None) -> list[int]:
    """Take back every open task of a volunteer (on suspension) and offer each again at once.

    The requesters are told kindly, without a name (see `events.TaskReleased`).
    """
    held = await uow.session.execute(
        select(HelpRequest)
        .join(Assignment, Assignment.request_id == HelpRequest.id)
        .where(
            Assignment.volunteer_id == volunteer_id,
            Assignment.withdrawn_at.is_(None),
            Assignment.completed_at.is_(None),
            HelpRequest.state == RequestState.ACCEPTED,
        )
        .order_by(HelpRequest.id)
    )
    released = []
    for request in list(held.scalars()):
        assignment = request.active_assignment
        assert assignment is not None and assignment.volunteer_id == volunteer_id
        request.transition("withdraw", uow.now())
        assignment.withdrawn_at = uow.now()
        await _flush_or_conflict(uow)
        await contact.withhold_waiting_cards_about(uow, request)
        uow.audit(by_id, "request.release", f"request:{request.id}", volunteer=volunteer_id)
        uow.publish(events.TaskReleased(request.id, volunteer_id))
        await offer_again(uow, request.id)
        released.append(request.id)
    return released


async def offer_again(uow: UnitOfWork, request_id: int) -> list[int]:
    """Offer an open request again: to the volunteers who were told it was taken, then to the
    next best ones not asked yet (`offer_to_next_volunteers`)."""
    request = await get_request(uow, request_id)
    if request.state != RequestState.OPEN:
        return []
    told = await uow.session.execute(
        select(MatchOffer.volunteer_id)
        .join(Member, Member.id == MatchOffer.volunteer_id)
        .where(
            MatchOffer.request_id == request.id,
            MatchOffer.declined_at.is_(None),
            Member.status == MemberStatus.APPROVED,
            Member.is_volunteer.is_(True),
        )
    )
    again = sorted(set(told.scalars()) - await matching.excluded_volunteers(uow, request))
    if again:
        uow.publish(events.VolunteersOffered(request.id, tuple(again)))
    return again + await offer_to_next_volunteers(uow, request.id, top_n(uow))


def _done_for(actor_id: int | None, subject: HelpRequest | int) -> dict[str, int]:
    """The audit detail naming the member an action was done for, when another did it (her
    proxy, a coordinator): the actor is the entry's `actor_id`."""
    requester_id = subject if isinstance(subject, int) else subject.requester_id
    return {} if actor_id is None or actor_id == requester_id else {"for_member": requester_id}


def top_n(uow: UnitOfWork) -> int:  # how many of the best-suited are offered at a time
    return uow.settings.matching_top_n if uow.settings is not None else 5


async def _active_member(uow: UnitOfWork, member_id: int) -> Member:
    member = await get_member(uow, member_id)
    if member.status == MemberStatus.SUSPENDED:
        raise Suspended()
    return member


async def _flush_or_conflict(uow: UnitOfWork) -> None:
    try:
        await uow.session.flush()
    except StaleDataError as exc:
        await uow.rollback()
        raise InvalidTransition(state="changed") from exc

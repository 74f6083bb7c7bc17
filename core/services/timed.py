"""What time does to requests and polls: the services the scheduler calls.

Each service takes a unit of work and ids, checks that its work still makes sense now (no
reminder for a cancelled task), changes what it must and publishes the events whose handlers
(core/services/notifications/) write the messages. It returns an outcome for the job log.
When and whether to call them is decided by core/scheduling/plan.py; recording that the work
is done (`job_runs`), in the same transaction, is core/scheduling/jobs.py's part.
"""

from __future__ import annotations

from datetime import date

from core.domain import events
from core.domain.model import HelpRequest
from core.domain.vocabulary import PollState, RequestState
from core.services import contact, polls, recurring, requests
from core.services.members import get_member
from core.services.unit_of_work import UnitOfWork

DONE = "done"
NOTHING_TO_SAY = "nothing to say"
NO_LONGER_NEEDED = "no longer needed"

# Escalation levels, in order (see `escalation_hours` in the settings).
NEXT_VOLUNTEERS, WHOLE_TERRITORY, COORDINATORS = 1, 2, 3
# "The whole territory": the public rooms, and this many more of the best-ranked volunteers.
WHOLE_TERRITORY_VOLUNTEERS = 200
# How many open requests a weekly digest considers.
DIGEST_LIMIT = 100


async def _held(uow: UnitOfWork, request_id: int, assignment_id: int) -> HelpRequest | None:
    request = await uow.session.get(HelpRequest, request_id)
    if request is None:
        return None
    holder = request.active_assignment
    return request if holder is not None and holder.id == assignment_id else None


async def send_reminder(uow: UnitOfWork, request_id: int, assignment_id: int, hours: int) -> str:
    """Remind the volunteer (with the address) and the requester of a task coming soon."""
    request = await _held(uow, request_id, assignment_id)
    if request is None or request.state != RequestState.ACCEPTED:
        return NO_LONGER_NEEDED
    holder = request.active_assignment
    assert holder is not None
    if not contact.may_see(holder.volunteer, request):
        return NO_LONGER_NEEDED  # the volunteer lost the right to the address since (suspended)
    uow.publish(events.ReminderDue(request_id, assignment_id, hours))
    return DONE


async def escalate(uow: UnitOfWork, request_id: int, level: int) -> str:
    """Widen the search for a request nobody took: next volunteers, everybody, coordinators."""
    request = await requests.get_request(uow, request_id)
    if request.state != RequestState.OPEN:
        return NO_LONGER_NEEDED
    if level == NEXT_VOLUNTEERS:
        offered = await requests.offer_to_next_volunteers(uow, request_id, requests.top_n(uow))
        return DONE if offered else NOTHING_TO_SAY
    if level == WHOLE_TERRITORY:
        await requests.offer_to_next_volunteers(uow, request_id, WHOLE_TERRITORY_VOLUNTEERS)
        uow.publish(events.RequestEscalated(request_id, "territory"))
        return DONE
    uow.publish(events.RequestEscalated(request_id, "coordinators"))
    uow.audit(None, "request.escalate", f"request:{request_id}", level="coordinators")
    return DONE


async def expire_request(uow: UnitOfWork, request_id: int) -> str:
    """Its time passed and nobody was free: the requester is told kindly, offered to ask again."""
    return DONE if await requests.expire(uow, request_id) else NO_LONGER_NEEDED


async def follow_up(uow: UnitOfWork, request_id: int, assignment_id: int) -> str:
    """After the task: hours from the volunteer if not done; how it went from the requester."""
    request = await _held(uow, request_id, assignment_id)
    if request is None:
        return NO_LONGER_NEEDED
    holder = request.active_assignment
    assert holder is not None
    if request.state == RequestState.DONE and holder.thanked_at is not None:
        return NOTHING_TO_SAY
    if request.state not in (RequestState.ACCEPTED, RequestState.DONE):
        return NO_LONGER_NEEDED
    uow.publish(events.FollowUpDue(request_id, assignment_id))
    return DONE


async def remind_poll(uow: UnitOfWork, poll_id: int) -> str:
    """The poll closes soon: remind the members who have not voted."""
    poll = await polls.get_poll(uow, poll_id)
    if not poll.is_open_at(uow.now()):
        return NO_LONGER_NEEDED
    uow.publish(events.PollClosingSoon(poll_id))
    return DONE


async def close_poll_at_deadline(uow: UnitOfWork, poll_id: int) -> str:
    """Close a poll at its deadline and announce the result to members and public rooms."""
    poll = await polls.get_poll(uow, poll_id)
    if poll.state == PollState.CLOSED:
        return NO_LONGER_NEEDED
    await polls.close_poll(uow, poll_id, by_id=None)
    return DONE


async def digest_requests(uow: UnitOfWork, member_id: int) -> list[int]:
    """Open requests near a volunteer: their skills, their neighbourhood first, soonest first."""
    member = await get_member(uow, member_id)
    if not member.can_act_as_volunteer:
        return []
    skills = {str(c) for c in member.skill_set}
    rows = await requests.open_requests_for(uow, member_id, limit=DIGEST_LIMIT)
    return [r.id for r in rows if r.category in skills and r.when_start > uow.now()]


async def send_digest(uow: UnitOfWork, member_id: int) -> str:
    """A volunteer's weekly digest; nothing is sent when no request is waiting near them."""
    member = await get_member(uow, member_id)
    if not (member.can_act_as_volunteer and member.weekly_digest):
        return NO_LONGER_NEEDED
    request_ids = await digest_requests(uow, member_id)
    if not request_ids:
        return NOTHING_TO_SAY
    uow.publish(events.DigestDue(member_id, tuple(request_ids)))
    return DONE


async def post_occurrence(uow: UnitOfWork, recurring_id: int, day_ordinal: int) -> str:
    """Post the occurrence of a recurring request on a local day (a `date.toordinal()`)."""
    rule = await recurring.get_recurring(uow, recurring_id)
    if not rule.active:
        return NO_LONGER_NEEDED
    await recurring.create_occurrence(uow, recurring_id, date.fromordinal(day_ordinal))
    return DONE


async def set_weekly_digest(
    uow: UnitOfWork, member_id: int, enabled: bool, *, by_id: int | None
) -> None:
    """A member (or the administrator, `by_id=None`) turns the weekly digest on or off."""
    member = await get_member(uow, member_id)
    if member.weekly_digest != enabled:
        member.weekly_digest = enabled
        uow.audit(by_id, "member.digest", f"member:{member_id}", enabled=enabled)

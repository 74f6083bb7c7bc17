"""Changing a request still to come: what kind of help, when, where (issue 15).

The requester, her active proxies or a coordinator of her territory change an open or accepted
request; a closed one (done, cancelled, expired) is refused with its state. The new time is
checked as when posting, kept as it was said (a window stays a window). One transaction holds
the change, its audit line (the actor, and the member it was done for) and the messages it
implies (`notifications.changes`). Reminders already sent for the old time are forgotten, so
that those of the new time are sent (the plan derives their times from the request).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from sqlalchemy import delete, or_, select
from sqlalchemy.orm.exc import StaleDataError

from core.domain import events
from core.domain.errors import InvalidInput, InvalidTransition
from core.domain.model import AuditEntry, HelpRequest, JobRun
from core.domain.vocabulary import Category, RequestState
from core.domain.windows import checked_kind, infer_kind
from core.services import authorization, requests
from core.services.authorization import Action
from core.services.text import clean_text
from core.services.unit_of_work import UnitOfWork


class _Keep:
    def __repr__(self) -> str:
        return "KEEP"


# A piece not given is kept as it is (`place=None` is a change: at her home).
KEEP: Final = _Keep()
PIECES = ("what", "when", "where")


async def change(
    uow: UnitOfWork,
    actor_id: int | None,
    request_id: int,
    *,
    category: Category | str | None = None,
    when_start: datetime | None = None,
    when_end: datetime | None = None,
    when_kind: str | None = None,
    place: str | _Keep | None = KEEP,
) -> tuple[str, ...]:
    """Change the pieces given; return the pieces that changed ("what", "when", "where").

    Refused, with nothing changed: an actor who may not, a request no longer open nor
    accepted, a time past or malformed, an unknown kind of help, nothing different."""
    request = await requests.get_request(uow, request_id)
    await authorization.require_by(uow, actor_id, Action.CHANGE_REQUEST, request)
    if request.state not in (RequestState.OPEN, RequestState.ACCEPTED):
        raise InvalidTransition(state=request.state)
    new = _checked(uow, request, category, when_start, when_end, when_kind, place)
    changed = tuple(piece for piece in PIECES if piece in new)
    if not changed:
        raise InvalidInput("Nothing is different from the request as it is.")
    if "what" in new:
        request.category = new["what"]
    if "when" in new:
        request.when_start, request.when_end, request.when_kind = new["when"]
    if "where" in new:
        request.place = new["where"]
    request.updated_at = uow.now()
    try:
        await uow.session.flush()
    except StaleDataError as exc:  # changed (accepted, cancelled) by someone else meanwhile
        await uow.rollback()
        raise InvalidTransition(state="changed") from exc
    if "when" in changed:
        await _forget_reminders(uow, request)
    done_for = {} if actor_id == request.requester_id else {"for_member": request.requester_id}
    uow.audit(
        actor_id, "request.change", f"request:{request.id}", changed=list(changed), **done_for
    )
    newly: list[int] = []
    if "what" in changed and request.state == RequestState.OPEN:
        # Another kind of help: the volunteers who offer it, not asked yet, are offered it.
        newly = await requests.offer_to_next_volunteers(uow, request.id, requests.top_n(uow))
    uow.publish(events.RequestChanged(request.id, actor_id, changed, tuple(newly)))
    return changed


async def confirm(uow: UnitOfWork, volunteer_id: int, request_id: int) -> bool:
    """The volunteer who holds the task will still come after a change: her readers are told
    once (False, and nothing said, if this change was already confirmed)."""
    request = await requests.get_request(uow, request_id)
    holder = request.active_assignment
    if holder is None or holder.volunteer_id != volunteer_id:
        raise InvalidTransition(state=request.state)
    last = await uow.session.execute(
        select(AuditEntry.action)
        .where(
            AuditEntry.subject == f"request:{request.id}",
            AuditEntry.action.in_(("request.change", "request.change_confirmed")),
        )
        .order_by(AuditEntry.id.desc())
        .limit(1)
    )
    if last.scalar_one_or_none() != "request.change":
        return False
    uow.audit(volunteer_id, "request.change_confirmed", f"request:{request.id}")
    uow.publish(events.ChangeConfirmed(request.id, volunteer_id))
    return True


def _checked(
    uow: UnitOfWork,
    request: HelpRequest,
    category: Category | str | None,
    when_start: datetime | None,
    when_end: datetime | None,
    when_kind: str | None,
    place: str | _Keep | None,
) -> dict[str, Any]:
    """The pieces given that differ from the request's, checked as when posting."""
    new: dict[str, Any] = {}
    if category is not None:
        try:
            category = Category(category)
        except ValueError as exc:
            raise InvalidInput("Unknown kind of help: {category}.", category=category) from exc
        if str(category) != request.category:
            new["what"] = str(category)
    if when_start is not None:
        if when_start.tzinfo is None:
            raise InvalidInput("The time of the request has no time zone.")
        if when_end is not None and when_end <= when_start:
            raise InvalidInput("The end of the time window must come after its start.")
        tz = request.requester.territory.tz
        kind = str(checked_kind(when_kind, when_start, when_end, tz))
        now_said = (request.when_start, request.when_end, _kind_of(request))
        if (when_start, when_end, kind) != now_said:
            if (when_end or when_start) < uow.now():
                raise InvalidInput("This time is already past. When do you need help?")
            new["when"] = (when_start, when_end, kind)
    if not isinstance(place, _Keep):
        cleaned = clean_text(place, limit=300, what="place") if place and place.strip() else None
        if cleaned != request.place:
            new["where"] = cleaned
    return new


def _kind_of(request: HelpRequest) -> str:
    """How the request's time was said (inferred for requests older than the kinds)."""
    tz = request.requester.territory.tz
    return request.when_kind or str(infer_kind(request.when_start, request.when_end, tz))


async def _forget_reminders(uow: UnitOfWork, request: HelpRequest) -> None:
    """The reminders (and the follow-up) of the task's old time, if already done, are
    forgotten: the plan (`core.scheduling.request_rules`) sends those of the new time. Their
    keys end with the request and its assignment (`Reminders.key`, `FollowUp.key`)."""
    holder = request.active_assignment
    if holder is None:
        return
    suffix = f":request:{request.id}:assignment:{holder.id}"
    await uow.session.execute(
        delete(JobRun).where(
            or_(JobRun.key.like(f"reminder-%{suffix}"), JobRun.key == f"follow-up{suffix}")
        )
    )

"""Messages of a request changed (what, when or where; `core.services.changes`).

While it is open, the rooms' post is edited (a `REQUEST_POST` about the same request) and the
volunteers offered it who did not say "not for me" see the new version, with its buttons. Once
accepted, the rooms' "taken" post is edited, and the volunteer holding the task is told what
changed, on a card (the address goes to them alone), asked whether they can still come. Her
readers (herself, her proxies) are told, but the one who changed it (answered in their chat).
"""

from __future__ import annotations

from sqlalchemy import select

from core.domain import events
from core.domain.model import HelpRequest, MatchOffer, Member
from core.domain.vocabulary import MemberStatus, MessageKind, RequestState
from core.i18n import N_
from core.services.notifications import requester
from core.services.notifications.cards import write_card
from core.services.notifications.common import (
    TAKEN_POST,
    offer_privately,
    post_in_rooms,
    request_of,
    request_summary,
)
from core.services.outbox import Choice
from core.services.unit_of_work import EventHandler, UnitOfWork

# What changed, said to the volunteer (a message id in the parameter `what`, translated).
CHANGED = {
    ("what",): N_("the kind of help"),
    ("when",): N_("the day"),
    ("where",): N_("the place"),
    ("what", "when"): N_("the kind of help and the day"),
    ("what", "where"): N_("the kind of help and the place"),
    ("when", "where"): N_("the day and the place"),
    ("what", "when", "where"): N_("the kind of help, the day and the place"),
}


def still_choices(request_id: int) -> list[Choice]:
    """The volunteer's answer to a change: they keep the task (`change_ok`: she who asked is
    told they will come), or give it back (`withdraw`: asked, then offered to others)."""
    return [
        Choice("Still OK", f"change_ok:{request_id}"),
        Choice("I can no longer come", f"withdraw:{request_id}"),
    ]


async def on_request_changed(uow: UnitOfWork, event: events.RequestChanged) -> None:
    """The rooms' post edited; the volunteers concerned and her readers told."""
    request = await request_of(uow, event.request_id)
    summary = request_summary(request)
    if request.state == RequestState.OPEN:
        await _offered_again(uow, request, event.newly_offered)
    else:
        await _holder_told(uow, request, event.changed)
    key = (
        N_("The request is changed: {category}, {when}, {place}.")
        if request.place
        else N_("The request is changed: {category}, {when}, at home.")
    )
    await requester.write(
        uow, key, about=request, skip=event.by_id, place=request.place or "", **summary
    )


async def _offered_again(
    uow: UnitOfWork, request: HelpRequest, newly_offered: tuple[int, ...]
) -> None:
    """The open request's new version: the rooms' post edited, and the volunteers offered it
    (but who said "not for me") see it with its buttons."""
    summary = request_summary(request)
    await post_in_rooms(
        uow,
        request,
        N_("Changed request: {category}, {when}, in {neighbourhood}, for {first_name}."),
    )
    offered = await uow.session.execute(
        select(Member)
        .join(MatchOffer, MatchOffer.volunteer_id == Member.id)
        .where(
            MatchOffer.request_id == request.id,
            MatchOffer.declined_at.is_(None),
            # Those this change offers it to get the usual offer instead.
            MatchOffer.volunteer_id.not_in(newly_offered),
            Member.status == MemberStatus.APPROVED,
            Member.is_volunteer.is_(True),
        )
        .order_by(Member.id)
    )
    key = (
        N_("This request has changed: {category}, {when}, in {neighbourhood} ({place}).")
        if request.place
        else N_("This request has changed: {category}, {when}, in {neighbourhood}.")
    )
    offer_privately(
        uow, key, list(offered.scalars()), request, place=request.place or "", **summary
    )


async def _holder_told(uow: UnitOfWork, request: HelpRequest, changed: tuple[str, ...]) -> None:
    """The volunteer holding the task: what changed and the task as it is now (a card: the
    address is theirs alone), with "Still OK" and "I can no longer come"."""
    holder = request.active_assignment
    if holder is None:
        return
    await post_in_rooms(uow, request, TAKEN_POST, MessageKind.REQUEST_TAKEN)
    write_card(
        uow,
        N_(
            "The request of {requester} has changed: {what}.\nNow: {category}, {when}.\n"
            "Address: {address}\nWhere: {place}\nCan you still come?"
        ),
        holder.volunteer,
        request,
        choices=still_choices(request.id),
        what=CHANGED[tuple(p for p in ("what", "when", "where") if p in changed)],
    )


async def on_change_confirmed(uow: UnitOfWork, event: events.ChangeConfirmed) -> None:
    """Her readers learn that the volunteer has seen the change and still comes."""
    request = await request_of(uow, event.request_id)
    volunteer = await uow.session.get(Member, event.volunteer_id)
    assert volunteer is not None
    await requester.write(
        uow,
        "{volunteer} has seen the change and will come: {category}, {when}.",
        about=request,
        volunteer=volunteer.display_name,
        **request_summary(request),
    )


HANDLERS: dict[type[events.Event], list[EventHandler]] = {
    events.RequestChanged: [on_request_changed],
    events.ChangeConfirmed: [on_change_confirmed],
}

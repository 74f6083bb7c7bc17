"""The contact card: the requester's phone and address, for the volunteer who holds the task.

Every card is written here, as a `CONTACT_CARD` message (never to a public room: `outbox.write`
refuses it), with its details from `core.services.contact`, the one place that builds them for
whom may see them now. A card that may not have arrived is followed by the details once more.
"""

from __future__ import annotations

from typing import Any

from core.domain import events
from core.domain.model import HelpRequest, Member, Notification
from core.domain.vocabulary import MessageKind, RequestState
from core.i18n import N_
from core.services import contact, outbox, safety
from core.services.notifications.common import request_summary, task_choices
from core.services.outbox import Choice
from core.services.unit_of_work import EventHandler, UnitOfWork

# Marks the card sent again after an uncertain one: if it times out too, it is not repeated.
SENT_AGAIN = "sent_again"


def write_card(
    uow: UnitOfWork,
    key: str,
    volunteer: Member,
    request: HelpRequest,
    *,
    choices: list[Choice],
    **values: Any,
) -> Notification:
    """A contact card to `volunteer` about `request` (withheld details if they may not see it)."""
    return outbox.write(
        uow,
        key,
        member=volunteer,
        kind=MessageKind.CONTACT_CARD,
        request_id=request.id,
        choices=choices,
        **contact.card(volunteer, request),
        **request_summary(request),
        safety_word=safety.word_for(volunteer, request),
        **values,
    )


async def accepted_card(uow: UnitOfWork, volunteer: Member, request: HelpRequest) -> Notification:
    """The card the volunteer who accepted gets at once."""
    call = await contact.how_to_call(uow, volunteer, request)
    key = (
        N_(
            "Thank you! You are helping {requester}: {category}, {when}.\n"
            "At the door, say this safety word: {safety_word}\n"
            "Phone: {phone}\nAddress: {address}\nWhere: {place}\n"
            "Call {call_name} ({call_times}): {call_phone}"
        )
        if call
        else N_(
            "Thank you! You are helping {requester}: {category}, {when}.\n"
            "At the door, say this safety word: {safety_word}\n"
            "Phone: {phone}\nAddress: {address}\nWhere: {place}"
        )
    )
    return write_card(uow, key, volunteer, request, choices=task_choices(request.id), **call)


async def reminder_card(uow: UnitOfWork, volunteer: Member, request: HelpRequest) -> Notification:
    """The card again before the task, to the volunteer who holds it now."""
    call = await contact.how_to_call(uow, volunteer, request)
    key = (
        N_(
            "Reminder: you are helping {requester} {when}: {category}.\n"
            "At the door, say this safety word: {safety_word}\n"
            "Phone: {phone}\nAddress: {address}\nWhere: {place}\n"
            "Call {call_name} ({call_times}): {call_phone}"
        )
        if call
        else N_(
            "Reminder: you are helping {requester} {when}: {category}.\n"
            "At the door, say this safety word: {safety_word}\n"
            "Phone: {phone}\nAddress: {address}\nWhere: {place}"
        )
    )
    return write_card(
        uow,
        key,
        volunteer,
        request,
        choices=[
            Choice("My tasks", "my_tasks"),
            Choice("I can no longer come", f"withdraw:{request.id}"),
        ],
        **call,
    )


async def on_contact_card_uncertain(uow: UnitOfWork, event: events.ContactCardUncertain) -> None:
    """A contact card got no answer in time: send the details again, shortly, to the same
    volunteer if they still hold the task (it may have arrived: the words say so)."""
    card = await uow.session.get(Notification, event.notification_id)
    if card is None or card.member_id is None or card.request_id is None:
        return
    if card.kind != MessageKind.CONTACT_CARD or card.params.get(SENT_AGAIN):
        return
    request = await uow.session.get(HelpRequest, card.request_id)
    if request is None or request.state != RequestState.ACCEPTED:
        return
    holder = request.active_assignment
    if holder is None or holder.volunteer_id != card.member_id:
        return
    volunteer = await uow.session.get(Member, card.member_id)
    # Only to whom may see the details now (approved, holding this task): contact.py decides.
    if volunteer is None or not contact.may_see(volunteer, request):
        return
    write_card(
        uow,
        N_(
            "Here are the details again, in case the last message did not arrive: "
            "{requester}, {category}, {when}.\n"
            "At the door, say this safety word: {safety_word}\n"
            "Phone: {phone}\nAddress: {address}\nWhere: {place}"
        ),
        volunteer,
        request,
        choices=task_choices(request.id),
        **{SENT_AGAIN: True},
    )


HANDLERS: dict[type[events.Event], list[EventHandler]] = {
    events.ContactCardUncertain: [on_contact_card_uncertain],
}

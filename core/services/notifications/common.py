"""What the notification handlers share: a request's public summary, the buttons under an
offer or a task, where a territory's public rooms are, and a request's post in them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from core.domain.model import HelpRequest, Member, TerritoryChannel
from core.domain.vocabulary import MessageKind
from core.i18n import N_
from core.services import outbox
from core.services.outbox import Choice
from core.services.unit_of_work import UnitOfWork

DEFAULT_NEW_MEMBER_DAYS = 14
# A request's post once a volunteer took it (on acceptance, and again when it is changed).
TAKEN_POST = N_("Taken: {category}, {when}, in {neighbourhood}. Thank you!")


def request_summary(request: HelpRequest) -> dict[str, Any]:
    """What anyone may see of a request: no phone, no address, only the first name.

    The request's id is not in it: a message names its request with `request_id=`.
    """
    return {
        "category": request.category,
        **request.when_said,  # the time as it was said: "jeudi 3 décembre, le matin"
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
    """The buttons under a request offered to one volunteer."""
    return [
        Choice("I'll help", f"accept:{request_id}"),
        Choice("Not for me", f"decline:{request_id}"),
    ]


def offer_privately(
    uow: UnitOfWork, key: str, volunteers: list[Member], request: HelpRequest, **params: Any
) -> None:
    """Each of `volunteers` is offered `request` in a private message `key`, with its buttons
    (a new request, or a changed one)."""
    for volunteer in volunteers:
        outbox.write(
            uow,
            key,
            member=volunteer,
            kind=MessageKind.REQUEST_POST,
            request_id=request.id,
            choices=offer_choices(request.id),
            **params,
        )


async def rooms_of(uow: UnitOfWork, territory_id: int) -> list[TerritoryChannel]:
    """The public rooms of a territory, on every platform."""
    rows = await uow.session.execute(
        select(TerritoryChannel)
        .where(TerritoryChannel.territory_id == territory_id)
        .order_by(TerritoryChannel.id)
    )
    return list(rows.scalars())


async def request_of(uow: UnitOfWork, request_id: int) -> HelpRequest:
    """The request an event is about (events name requests that exist)."""
    request = await uow.session.get(HelpRequest, request_id)
    assert request is not None
    return request


async def post_in_rooms(
    uow: UnitOfWork, request: HelpRequest, key: str, kind: MessageKind = MessageKind.REQUEST_POST
) -> None:
    """The request's post in every public room of its territory (its public summary only); an
    open request's post (`REQUEST_POST`) carries "I'll help". Adapters edit the room's last
    post about the request, so a later post replaces the earlier one."""
    extra: dict[str, Any] = {}
    if kind == MessageKind.REQUEST_POST:
        extra = {
            "choices": [Choice("I'll help", f"accept:{request.id}")],
            "new_member": is_new_member(uow, request.requester),
        }
    for room in await rooms_of(uow, request.territory_id):
        outbox.write(
            uow,
            key,
            channel=room,
            kind=kind,
            request_id=request.id,
            **extra,
            **request_summary(request),
        )

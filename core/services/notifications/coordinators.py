"""Alerts for the coordinators about a member: an emergency, a message for them, a member the
bot can no longer reach. Each is an `ALERT` about that member (`topic_of(member_id=...)`)."""

from __future__ import annotations

from typing import Any

from core.domain import events
from core.domain.vocabulary import AlertKind, MessageKind
from core.i18n import N_
from core.services import alerts, outbox
from core.services.members import coordinators_of, get_member
from core.services.outbox import Choice
from core.services.unit_of_work import EventHandler, UnitOfWork


async def alert_coordinators_about(
    uow: UnitOfWork, member_id: int, key: str, *, choices: tuple[Choice, ...] = (), **values: Any
) -> None:
    """An alert about a member to every coordinator of their territory but themselves."""
    member = await get_member(uow, member_id)
    for coordinator in await coordinators_of(uow, member.territory_id):
        if coordinator.id != member.id:
            outbox.write(
                uow,
                key,
                member=coordinator,
                kind=MessageKind.ALERT,
                topic=outbox.topic_of(member_id=member.id),
                choices=choices,
                name=member.display_name,
                neighbourhood=member.neighbourhood or "-",
                **values,
            )


async def _raise(uow: UnitOfWork, member_id: int, kind: AlertKind, text: str) -> None:
    """The same alert on the coordinators' desk (the web console's "Now" page)."""
    member = await get_member(uow, member_id)
    alerts.raise_alert(uow, member.territory_id, kind, member.id, text=text)


async def on_coordinator_contacted(uow: UnitOfWork, event: events.CoordinatorContacted) -> None:
    """A member's message for the coordinators."""
    await _raise(uow, event.member_id, AlertKind.COORDINATOR_CONTACTED, event.text)
    # "Reply": the coordinator who presses it answers the member through the bot
    # (`core/services/threads.py`); the others are told who did.
    await alert_coordinators_about(
        uow,
        event.member_id,
        N_("Message from {name} ({neighbourhood}):\n{text}"),
        text=event.text,
        choices=(Choice("Reply", f"desk_reply:{event.member_id}"),),
    )


async def on_emergency(uow: UnitOfWork, event: events.EmergencyRaised) -> None:
    """A message that sounds like an emergency (the member got the emergency numbers)."""
    await _raise(uow, event.member_id, AlertKind.EMERGENCY, event.text)
    await alert_coordinators_about(
        uow,
        event.member_id,
        N_("EMERGENCY reported by {name} ({neighbourhood}):\n{text}"),
        text=event.text,
    )


async def on_scam_reported(uow: UnitOfWork, event: events.ScamReported) -> None:
    """A member received a text that looks like a scam and would like someone to check it."""
    await _raise(uow, event.member_id, AlertKind.SCAM, event.text)
    await alert_coordinators_about(
        uow,
        event.member_id,
        N_(
            "{name} ({neighbourhood}) received a message that looks like a scam. "
            "Please call them to check it with them:\n{text}"
        ),
        text=event.text,
    )


async def on_member_unreachable(uow: UnitOfWork, event: events.MemberUnreachable) -> None:
    """The member blocked the bot on a platform: someone must reach them another way."""
    await _raise(uow, event.member_id, AlertKind.MEMBER_UNREACHABLE, event.platform)
    await alert_coordinators_about(
        uow,
        event.member_id,
        N_(
            "{name} can no longer be reached on {platform} (the bot was blocked). "
            "Please contact them another way."
        ),
        platform=event.platform.capitalize(),
    )


HANDLERS: dict[type[events.Event], list[EventHandler]] = {
    events.CoordinatorContacted: [on_coordinator_contacted],
    events.EmergencyRaised: [on_emergency],
    events.ScamReported: [on_scam_reported],
    events.MemberUnreachable: [on_member_unreachable],
}

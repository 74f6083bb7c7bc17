"""What the outbox tells people about its own failures: a message set aside after too many
failed attempts is reported once to the coordinators of its territory, without its content."""

from __future__ import annotations

from typing import Any

from core.domain import events
from core.domain.model import Member, Notification, PlatformAccount, TerritoryChannel
from core.domain.vocabulary import MessageKind
from core.i18n import N_
from core.services import outbox
from core.services.members import coordinators_of
from core.services.unit_of_work import EventHandler, UnitOfWork


async def on_notification_set_aside(uow: UnitOfWork, event: events.NotificationSetAside) -> None:
    """Tell the coordinators once that a message could not be delivered (never its content)."""
    row = await uow.session.get(Notification, event.notification_id)
    if row is None or row.params.get("set_aside_report"):
        return  # a report that could not be delivered is only logged (no chain of reports)
    if row.channel_id is not None:
        channel = await uow.session.get(TerritoryChannel, row.channel_id)
        key = N_(
            "A message to the {platform} group could not be delivered after {attempts} tries. "
            "It is set aside: please check the bot's log."
        )
        params: dict[str, Any] = {"platform": (channel.platform if channel else "?").capitalize()}
        territory_id = channel.territory_id if channel else row.territory_id
        about = None
    else:
        recipient = await uow.session.get(Member, row.member_id) if row.member_id else None
        if recipient is None and row.account_id is not None:
            account = await uow.session.get(PlatformAccount, row.account_id)
            recipient = account.member if account is not None else None
        if recipient is None:
            return  # a newcomer with no member yet: the log line is the report
        key = N_(
            "A message to {name} could not be delivered after {attempts} tries. "
            "Please contact them another way."
        )
        params = {"name": recipient.display_name}
        territory_id, about = recipient.territory_id, recipient.id
    if territory_id is None:
        return
    for coordinator in await coordinators_of(uow, territory_id):
        if coordinator.id == about:
            continue
        outbox.write(
            uow,
            key,
            member=coordinator,
            kind=MessageKind.ALERT,
            topic=outbox.topic_of(notification_id=row.id),
            attempts=row.attempts,
            set_aside_report=True,
            **params,
        )


HANDLERS: dict[type[events.Event], list[EventHandler]] = {
    events.NotificationSetAside: [on_notification_set_aside],
}

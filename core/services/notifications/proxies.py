"""Messages about who acts for whom: a proxy named, a proxy removed (issue 15)."""

from __future__ import annotations

from core.domain import events
from core.i18n import N_
from core.services import outbox, proxies
from core.services.members import get_member
from core.services.outbox import Choice
from core.services.unit_of_work import EventHandler, UnitOfWork


async def on_proxy_added(uow: UnitOfWork, event: events.ProxyAdded) -> None:
    """The proxy learns for whom they act and what they may do; she too, if she chats."""
    senior = await get_member(uow, event.senior_id)
    proxy = await get_member(uow, event.proxy_id)
    outbox.write(
        uow,
        N_(
            "You can now act for {senior}: ask for help, change, cancel, say thank you. "
            "You will receive the messages for {senior}."
        ),
        member=proxy,
        senior=senior.display_name,
        choices=[Choice("Ask for help", "need_help"), Choice("Menu", "menu")],
        topic=outbox.topic_of(member_id=senior.id),
    )
    if await proxies.chats(uow, senior.id):
        outbox.write(
            uow,
            N_("{name} can now act for you: ask for help, change, cancel, say thank you."),
            member=senior,
            name=proxy.display_name,
            choices=[Choice("Who acts for me", "proxies")],
            topic=outbox.topic_of(member_id=senior.id),
        )


async def on_proxy_removed(uow: UnitOfWork, event: events.ProxyRemoved) -> None:
    """Each side is told, but the one who asked for it (answered in their own chat)."""
    senior = await get_member(uow, event.senior_id)
    proxy = await get_member(uow, event.proxy_id)
    if event.by_id != proxy.id:
        outbox.write(
            uow,
            N_("You no longer act for {senior}."),
            member=proxy,
            senior=senior.display_name,
            topic=outbox.topic_of(member_id=senior.id),
        )
    if event.by_id != senior.id and await proxies.chats(uow, senior.id):
        outbox.write(
            uow,
            N_("{name} no longer acts for you."),
            member=senior,
            name=proxy.display_name,
            topic=outbox.topic_of(member_id=senior.id),
        )


HANDLERS: dict[type[events.Event], list[EventHandler]] = {
    events.ProxyAdded: [on_proxy_added],
    events.ProxyRemoved: [on_proxy_removed],
}

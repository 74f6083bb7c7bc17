"""The "Now" page: what needs a coordinator now, with Take and Done on each alert."""

from __future__ import annotations

from aiohttp import web

from bots.web.context import back, console_of, me, render, territory_of
from core.services import alerts, desk

REFRESH_SECONDS = 60


async def now_page(request: web.Request) -> web.Response:
    """Alerts, requests waiting, approvals, unreachable members, polls closing."""
    async with console_of(request).core.uow() as uow:
        found = await desk.desk_of(uow, territory_of(request).id, by_id=me(request).id)
        return render(request, "now.html", desk=found, refresh=REFRESH_SECONDS)


async def take_alert(request: web.Request) -> web.Response:
    """A coordinator takes an alert (the others then see who)."""
    async with console_of(request).core.uow() as uow:
        await alerts.take(uow, int(request.match_info["id"]), by_id=me(request).id)
        await uow.commit()
    raise back("/")


async def alert_done(request: web.Request) -> web.Response:
    async with console_of(request).core.uow() as uow:
        await alerts.mark_done(uow, int(request.match_info["id"]), by_id=me(request).id)
        await uow.commit()
    raise back("/")


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/", now_page)
    router.add_post(r"/alerts/{id:\d{1,9}}/take", take_alert)
    router.add_post(r"/alerts/{id:\d{1,9}}/done", alert_done)

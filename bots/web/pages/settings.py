"""Settings of the territory: neighbourhoods, emergency numbers and labels, time zone,
invitations (create, revoke), and the escalation delays (from the settings file)."""

from __future__ import annotations

from datetime import timedelta

from aiohttp import web

from bots.web.app import back, console_of, form_of, me, render, territory_of
from core.domain.errors import InvalidInput
from core.services import invitations, territories


async def settings_page(request: web.Request) -> web.Response:
    territory = territory_of(request)
    core = console_of(request).core
    async with core.uow() as uow:
        found = await invitations.list_invitations(uow, territory.id, by_id=me(request).id)
        return render(
            request,
            "settings.html",
            invitations=found,
            now=uow.now(),
            is_valid=invitations.is_valid,
            escalation=core.settings.escalation_for(territory.name),
            numbers_text="\n".join(
                f"{n.get('number', '')} | {n.get('label', '')}"
                for n in territory.emergency_numbers
            ),
        )


async def save(request: web.Request) -> web.Response:
    """Neighbourhoods one per line, numbers as "15 | SAMU" lines, and the time zone."""
    form = form_of(request)
    numbers = []
    for line in str(form.get("numbers", "")).splitlines():
        if line.strip():
            number, bar, label = line.partition("|")
            if not bar:
                raise InvalidInput("Write each number as: 15 | SAMU")
            numbers.append((number.strip(), label.strip()))
    async with console_of(request).core.uow() as uow:
        await territories.update_territory(
            uow,
            territory_of(request).id,
            by_id=me(request).id,
            neighbourhoods=str(form.get("neighbourhoods", "")).splitlines(),
            emergency_numbers=numbers,
            timezone=str(form.get("timezone", "")).strip(),
        )
        await uow.commit()
    raise back("/settings")


async def invite(request: web.Request) -> web.Response:
    form = form_of(request)
    try:
        days = int(str(form.get("days", "30")))
        uses = int(str(form.get("uses", "") or 0)) or None
    except ValueError as exc:
        raise InvalidInput() from exc
    if not 1 <= days <= 365:
        raise InvalidInput("Please give a number of days between 1 and 365.")
    async with console_of(request).core.uow() as uow:
        await invitations.create_invitation(
            uow,
            territory_of(request).id,
            by_id=me(request).id,
            expires_at=uow.now() + timedelta(days=days),
            max_uses=uses,
        )
        await uow.commit()
    raise back("/settings")


async def revoke(request: web.Request) -> web.Response:
    async with console_of(request).core.uow() as uow:
        await invitations.revoke_invitation(
            uow, str(form_of(request).get("code", ""))[:64], by_id=me(request).id
        )
        await uow.commit()
    raise back("/settings")


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/settings", settings_page)
    router.add_post("/settings", save)
    router.add_post("/settings/invitations", invite)
    router.add_post("/settings/invitations/revoke", revoke)

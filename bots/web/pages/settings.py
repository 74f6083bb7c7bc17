"""Settings of the territory: neighbourhoods, emergency numbers and labels, time zone, the
escalation delays, and invitations (create, revoke, print with their QR code)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from aiohttp import web

from bots.telegram.links import invitation_link
from bots.web.context import back, console_of, form_of, me, render, territory_of
from bots.web.qr import qr_svg
from core.domain.errors import InvalidInput
from core.i18n import N_, translate
from core.services import invitations, territories

LEVELS = ("first", "second", "third")
# A delay as typed: digits with one decimal point or comma ("1,5" in French), nothing else.
HOURS = re.compile(r"\d{1,4}([.,]\d{1,2})?")
QR_TITLE = N_("QR code of the invitation to {territory}")


async def settings_page(request: web.Request, status: int = 200, **problem: Any) -> web.Response:
    territory = territory_of(request)
    core = console_of(request).core
    async with core.uow() as uow:
        found = await invitations.list_invitations(uow, territory.id, by_id=me(request).id)
        return render(
            request,
            "settings.html",
            status=status,
            invitations=found,
            now=uow.now(),
            is_valid=invitations.is_valid,
            # As typed when refused; else 2, 1.5, 0.25: as a coordinator would type them.
            escalation=problem.get("typed")
            or [
                f"{hours:g}"
                for hours in core.settings.escalation_for(
                    territory.name, territory.escalation_hours
                )
            ],
            escalation_own=territory.escalation_hours is not None,
            escalation_problem=problem.get("escalation_problem"),
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


def _hours(form: Any) -> list[float]:
    """The three delays of the form, in hours (the core checks their ranges and order)."""
    typed = [str(form.get(level, "")).strip()[:8] for level in LEVELS]
    if not all(HOURS.fullmatch(value) for value in typed):
        raise InvalidInput("Write each delay as a number of hours, like 2 or 1.5.")
    return [float(value.replace(",", ".")) for value in typed]


async def save_escalation(request: web.Request) -> web.Response:
    """The territory's own escalation delays, or back to the settings file's ("default")."""
    form = form_of(request)
    try:
        hours = None if form.get("default") else _hours(form)
        async with console_of(request).core.uow() as uow:
            await territories.set_escalation(
                uow, territory_of(request).id, by_id=me(request).id, hours=hours
            )
            await uow.commit()
    except InvalidInput as error:
        # The page again, the kind sentence next to the delays; nothing was changed.
        text = translate(me(request).language, error.key).format(**error.params)
        typed = [str(form.get(level, ""))[:8] for level in LEVELS]
        return await settings_page(request, status=400, escalation_problem=text, typed=typed)
    raise back("/settings#escalation")


async def invite(request: web.Request) -> web.Response:
    form = form_of(request)
    try:
        days = int(str(form.get("days", "30"))[:6])
        uses = int(str(form.get("uses", "") or 0)[:7]) or None
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
    raise back("/settings#invitations")


async def revoke(request: web.Request) -> web.Response:
    async with console_of(request).core.uow() as uow:
        await invitations.revoke_invitation(
            uow, str(form_of(request).get("code", ""))[:64], by_id=me(request).id
        )
        await uow.commit()
    raise back("/settings#invitations")


async def print_invitation(request: web.Request) -> web.Response:
    """One invitation on a page to print: its QR code, large type, the territory's name."""
    console = console_of(request)
    async with console.core.uow() as uow:
        invitation = await invitations.get_invitation(
            uow, request.match_info["code"], by_id=me(request).id
        )
        valid = invitations.is_valid(invitation, uow.now())
    link = None
    if console.bot_username and valid:
        link = invitation_link(console.bot_username, invitation.code)
    title = translate(me(request).language, QR_TITLE)
    return render(
        request,
        "invitation.html",
        invitation=invitation,
        valid=valid,
        link=link,
        qr=qr_svg(link, title.format(territory=territory_of(request).name)) if link else None,
    )


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/settings", settings_page)
    router.add_post("/settings", save)
    router.add_post("/settings/escalation", save_escalation)
    router.add_post("/settings/invitations", invite)
    router.add_post("/settings/invitations/revoke", revoke)
    router.add_get(r"/settings/invitations/{code:[A-Za-z0-9_-]{1,32}}", print_invitation)

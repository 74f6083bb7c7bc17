"""Members: search; approve, suspend with a reason, promote; requests and tasks; export; erase."""

from __future__ import annotations

import json

from aiohttp import web
from sqlalchemy import select

from bots.web.context import back, console_of, form_of, me, render, territory_of
from core.domain.errors import InvalidInput, NotFound
from core.domain.model import Member, PlatformAccount
from core.domain.people import name_key
from core.domain.vocabulary import MemberStatus, Role
from core.services import members, privacy, requests
from core.services.authorization import require_coordinator
from core.services.text import clean_text
from core.services.unit_of_work import UnitOfWork

PAGE = 100
UNREACHABLE = "unreachable"


async def _member(uow: UnitOfWork, request: web.Request) -> Member:
    """The member of the address, if they belong to the coordinator's territory."""
    member = await members.get_member(uow, int(request.match_info["id"]))
    if member.territory_id != territory_of(request).id:
        raise NotFound()
    return member


async def list_page(request: web.Request) -> web.Response:
    """Members of the territory, by name, filtered by a search and a status."""
    search = request.query.get("q", "").strip()[:80]
    status = request.query.get("status", "")
    async with console_of(request).core.uow() as uow:
        await require_coordinator(uow, me(request).id, territory_of(request).id)
        query = select(Member).where(
            Member.territory_id == territory_of(request).id,
            Member.status != MemberStatus.ERASED,
        )
        if search:
            query = query.where(Member.name_key.contains(name_key(search), autoescape=True))
        if status in (MemberStatus.PENDING, MemberStatus.APPROVED, MemberStatus.SUSPENDED):
            query = query.where(Member.status == status)
        elif status == UNREACHABLE:  # the whole list behind the "Now" page's first twenty
            blocked = select(PlatformAccount.member_id).where(PlatformAccount.reachable.is_(False))
            query = query.where(Member.id.in_(blocked))
        found = list(
            (await uow.session.execute(query.order_by(Member.display_name).limit(PAGE))).scalars()
        )
        return render(request, "members.html", found=found, q=search, status_filter=status)


async def detail_page(request: web.Request) -> web.Response:
    """One member: contact details (coordinators may see them), roles, requests and tasks."""
    async with console_of(request).core.uow() as uow:
        await require_coordinator(uow, me(request).id, territory_of(request).id)
        member = await _member(uow, request)
        asked = await requests.requests_of(uow, member.id)
        tasks = await requests.tasks_of(uow, member.id, active_only=False)
        return render(request, "member.html", member=member, asked=asked, tasks=tasks)


async def act(request: web.Request) -> web.Response:
    """Approve, suspend (with a reason), promote or erase (with confirmation) a member."""
    action = request.match_info["action"]
    form = form_of(request)
    by_id = me(request).id
    async with console_of(request).core.uow() as uow:
        member = await _member(uow, request)
        if action == "approve":
            await members.approve_member(uow, member.id, by_id=by_id)
        elif action == "suspend":
            reason = clean_text(str(form.get("reason", "")), limit=300, what="reason")
            await members.suspend_member(uow, member.id, by_id=by_id, reason=reason)
        elif action == "promote":
            role = str(form.get("role", ""))
            if role not in set(Role):
                raise InvalidInput()
            await members.promote_member(uow, member.id, role, by_id=by_id)
        elif action == "erase":
            if form.get("confirm") != member.display_name:
                raise InvalidInput("Type the member's name exactly to confirm.")
            await privacy.erase_member(uow, member.id, by_id=by_id)
            await uow.commit()
            raise back("/members")
        else:
            raise NotFound()
        await uow.commit()
    raise back(f"/members/{member.id}")


async def export(request: web.Request) -> web.Response:
    """Everything stored about the member, as JSON (audited)."""
    async with console_of(request).core.uow() as uow:
        member = await _member(uow, request)
        await require_coordinator(uow, me(request).id, member.territory_id)
        data = await privacy.export_member(uow, member.id)
        uow.audit(me(request).id, "member.export", f"member:{member.id}")
        await uow.commit()
    return web.Response(
        text=json.dumps(data, indent=2, ensure_ascii=False),
        content_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="member-{member.id}.json"'},
    )


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/members", list_page)
    router.add_get(r"/members/{id:\d{1,9}}", detail_page)
    router.add_get(r"/members/{id:\d{1,9}}/export", export)
    router.add_post(r"/members/{id:\d{1,9}}/{action:approve|suspend|promote|erase}", act)

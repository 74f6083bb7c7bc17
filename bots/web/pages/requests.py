"""Requests: filter, open one (its history), offer it to a volunteer, cancel it, or post a new
one on behalf of a member who phoned, through the same services as the chat."""

from __future__ import annotations

from datetime import date, datetime, time

from aiohttp import web
from sqlalchemy import select

from bots.web.context import back, console_of, form_of, me, render, territory_of
from core.dialogue.render import CATEGORY_LABELS
from core.domain.errors import InvalidInput, NotFound
from core.domain.model import AuditEntry, HelpRequest, MatchOffer, Member
from core.domain.vocabulary import MemberStatus, RequestState
from core.services import desk_work, requests
from core.services.authorization import require_coordinator
from core.services.unit_of_work import UnitOfWork

PAGE = 100


async def _request(uow: UnitOfWork, request: web.Request) -> HelpRequest:
    found = await requests.get_request(uow, int(request.match_info["id"]))
    if found.territory_id != territory_of(request).id:
        raise NotFound()
    return found


async def _members(uow: UnitOfWork, territory_id: int, *, volunteers: bool) -> list[Member]:
    """The approved requesters (or volunteers) of the territory, for the forms' lists."""
    flag = Member.is_volunteer if volunteers else Member.is_requester
    query = (
        select(Member)
        .where(
            Member.territory_id == territory_id,
            Member.status == MemberStatus.APPROVED,
            flag.is_(True),
        )
        .order_by(Member.display_name)
        .limit(500)
    )
    return list((await uow.session.execute(query)).scalars())


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


async def list_page(request: web.Request) -> web.Response:
    """Requests filtered by state, category, neighbourhood and day; the soonest first."""
    territory = territory_of(request)
    filters = {
        k: request.query.get(k, "")[:80] for k in ("state", "category", "neighbourhood", "day")
    }
    query = select(HelpRequest).where(HelpRequest.territory_id == territory.id)
    if filters["state"] in set(RequestState):
        query = query.where(HelpRequest.state == filters["state"])
    if filters["category"] in CATEGORY_LABELS:
        query = query.where(HelpRequest.category == filters["category"])
    if filters["neighbourhood"]:
        query = query.where(HelpRequest.neighbourhood == filters["neighbourhood"])
    day = _day(filters["day"])
    if day is not None:
        start = datetime.combine(day, time(0), territory.tz)
        end = datetime.combine(day, time(23, 59, 59), territory.tz)
        query = query.where(HelpRequest.when_start.between(start, end))
    async with console_of(request).core.uow() as uow:
        await require_coordinator(uow, me(request).id, territory.id)
        found = list(
            (
                await uow.session.execute(
                    query.order_by(HelpRequest.when_start.desc()).limit(PAGE)
                )
            ).scalars()
        )
        requesters = await _members(uow, territory.id, volunteers=False)
        return render(
            request,
            "requests.html",
            found=found,
            filters=filters,
            states=list(RequestState),
            categories=list(CATEGORY_LABELS),
            requesters=requesters,
        )


async def detail_page(request: web.Request) -> web.Response:
    """One request: the requester's contact details, who was offered it, its history."""
    async with console_of(request).core.uow() as uow:
        await require_coordinator(uow, me(request).id, territory_of(request).id)
        found = await _request(uow, request)
        history = (
            await uow.session.execute(
                select(AuditEntry, Member.display_name)
                .outerjoin(Member, Member.id == AuditEntry.actor_id)
                .where(AuditEntry.subject == f"request:{found.id}")
                .order_by(AuditEntry.at, AuditEntry.id)
            )
        ).all()
        offers = (
            await uow.session.execute(
                select(MatchOffer, Member.display_name)
                .join(Member, Member.id == MatchOffer.volunteer_id)
                .where(MatchOffer.request_id == found.id)
                .order_by(MatchOffer.rank)
            )
        ).all()
        volunteers = await _members(uow, found.territory_id, volunteers=True)
        return render(
            request,
            "request.html",
            item=found,
            history=history,
            offers=offers,
            volunteers=volunteers,
        )


async def post_on_behalf(request: web.Request) -> web.Response:
    """A member phoned: who, what, when, where, posted for them and offered to volunteers."""
    form = form_of(request)
    territory = territory_of(request)
    day = _day(str(form.get("day", "")))
    try:
        hour = time.fromisoformat(str(form.get("time", "")))
    except ValueError:
        hour = None
    if day is None or hour is None:
        raise InvalidInput("Please give the day and the time of the help.")
    try:
        requester_id = int(str(form.get("requester", "")))
    except ValueError as exc:
        raise InvalidInput("Please choose the member who asks for help.") from exc
    async with console_of(request).core.uow() as uow:
        await require_coordinator(uow, me(request).id, territory.id)
        requester = await uow.session.get(Member, requester_id)
        if requester is None or requester.territory_id != territory.id:
            raise NotFound()
        posted = await desk_work.post_on_behalf(
            uow,
            requester.id,
            by_id=me(request).id,
            category=str(form.get("category", "")),
            when_start=datetime.combine(day, hour, territory.tz),
            place=str(form.get("place", "")),
            description=str(form.get("description", "")),
        )
        await uow.commit()
    raise back(f"/requests/{posted.id}")


async def act(request: web.Request) -> web.Response:
    """Offer the request to a chosen volunteer, or cancel it."""
    action = request.match_info["action"]
    async with console_of(request).core.uow() as uow:
        found = await _request(uow, request)
        if action == "cancel":
            await requests.cancel(uow, me(request).id, found.id)
        else:
            try:
                volunteer_id = int(str(form_of(request).get("volunteer", "")))
            except ValueError as exc:
                raise InvalidInput("Please choose a volunteer.") from exc
            await requests.offer_to_volunteer(uow, found.id, volunteer_id, by_id=me(request).id)
        await uow.commit()
    raise back(f"/requests/{found.id}")


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/requests", list_page)
    router.add_post("/requests", post_on_behalf)
    router.add_get(r"/requests/{id:\d{1,9}}", detail_page)
    router.add_post(r"/requests/{id:\d{1,9}}/{action:offer|cancel}", act)

"""Polls: create (single, multiple, proposal, secret), follow participation, close, results.

Participation is a count of voters (for a secret ballot: its receipts), never who chose what.
"""

from __future__ import annotations

from datetime import date, datetime, time

from aiohttp import web
from sqlalchemy import select

from bots.web.context import back, console_of, form_of, me, render, territory_of
from core.domain.errors import InvalidInput, NotFound
from core.domain.model import Poll
from core.domain.vocabulary import PollKind
from core.services import polls
from core.services.authorization import require_coordinator

PAGE = 50


async def list_page(request: web.Request) -> web.Response:
    """The territory's polls, the newest first, with how many voted and the results once closed."""
    territory = territory_of(request)
    async with console_of(request).core.uow() as uow:
        await require_coordinator(uow, me(request).id, territory.id)
        found = list(
            (
                await uow.session.execute(
                    select(Poll)
                    .where(Poll.territory_id == territory.id)
                    .order_by(Poll.created_at.desc(), Poll.id.desc())
                    .limit(PAGE)
                )
            ).scalars()
        )
        voters = {poll.id: await polls.count_votes(uow, poll.id) for poll in found}
        return render(request, "polls.html", found=found, voters=voters, kinds=list(PollKind))


async def create(request: web.Request) -> web.Response:
    form = form_of(request)
    territory = territory_of(request)
    try:
        closes = datetime.combine(
            date.fromisoformat(str(form.get("day", ""))),
            time.fromisoformat(str(form.get("time", "") or "18:00")),
            territory.tz,
        )
    except ValueError as exc:
        raise InvalidInput("Please give the day and the time of the closing.") from exc
    kind = str(form.get("kind", PollKind.SINGLE))
    if kind not in set(PollKind):
        raise InvalidInput()
    options = [line.strip() for line in str(form.get("options", "")).splitlines() if line.strip()]
    async with console_of(request).core.uow() as uow:
        await polls.create_poll(
            uow,
            territory.id,
            str(form.get("question", "")),
            options,
            closes_at=closes,
            kind=kind,
            secret=form.get("secret") == "on",
            by_id=me(request).id,
        )
        await uow.commit()
    raise back("/polls")


async def close(request: web.Request) -> web.Response:
    async with console_of(request).core.uow() as uow:
        poll = await polls.get_poll(uow, int(request.match_info["id"]))
        if poll.territory_id != territory_of(request).id:
            raise NotFound()
        await polls.close_poll(uow, poll.id, by_id=me(request).id)
        await uow.commit()
    raise back("/polls")


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/polls", list_page)
    router.add_post("/polls", create)
    router.add_post(r"/polls/{id:\d{1,9}}/close", close)

"""Impact: the observatory's figures for a chosen period with the change from the previous one,
charts (SVG from `core.observatory.charts`), a drill-down behind each figure, publishing the
open data and turning the loneliness check on or off; and the public
`/observatory/<territory>/<file>` where it is published.

The figures are `core.observatory.catalogue`'s, the same as the report's and the export's.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from aiohttp import web

from bots.web.context import back, console_of, me, render, territory_of
from core.domain.errors import InvalidInput
from core.observatory import periods, publication
from core.observatory.catalogue import BY_NAME, FIGURES, one
from core.observatory.charts import charts
from core.observatory.impact import impact
from core.observatory.wording import LABELS, value_text
from core.services import loneliness
from core.services.authorization import require_coordinator

# The drill-down lists at most this many rows (the count above it says how many there are).
MAX_ROWS = 500
# The charts' SVG carries its own <style>: this page alone lets inline styles in (no script).
IMPACT_CSP = (
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)
CONTENT_TYPES = {".json": "application/json", ".csv": "text/csv"}


def chosen_period(request: web.Request, timezone: str, today: date) -> periods.Period:
    """`?from=&to=` (local dates), by default the last whole month."""
    first, last = request.query.get("from", ""), request.query.get("to", "")
    if not first and not last:
        end = today.replace(day=1) - timedelta(days=1)
        return periods.month(end.year, end.month, timezone)
    try:
        return periods.between(date.fromisoformat(first), date.fromisoformat(last), timezone)
    except ValueError as exc:
        raise InvalidInput("Please give the first and the last day of the period.") from exc


def _query(period: periods.Period) -> str:
    return f"from={period.first.isoformat()}&to={period.last.isoformat()}"


async def impact_page(request: web.Request) -> web.Response:
    territory = territory_of(request)
    language = me(request).language
    async with console_of(request).core.uow() as uow:
        await require_coordinator(uow, me(request).id, territory.id)
        today = uow.now().astimezone(territory.tz).date()
        period = chosen_period(request, territory.timezone, today)
        seen = await impact(uow.session, territory.id, period, territory.timezone)
        published = await publication.is_published(uow, territory.id)
        loneliness_on = await loneliness.is_on(uow, territory.id)
    rows: list[dict[str, Any]] = []
    for definition in FIGURES:
        name = definition.name
        change = seen.change(name)
        rows.append(
            {
                "name": name,
                "label": LABELS[name],
                "value": value_text(language, name, seen.figures[name].value),
                "previous": value_text(language, name, seen.previous[name].value),
                "change": _signed(language, name, change),
            }
        )
    response = render(
        request,
        "impact.html",
        period=period,
        query=_query(period),
        rows=rows,
        charts=charts(language, seen.months, seen.values),
        published=published,
        loneliness_on=loneliness_on,
        public_path=f"/observatory/{territory.name}/datapackage.json",
    )
    response.headers["Content-Security-Policy"] = IMPACT_CSP
    return response


def _signed(language: str, name: str, change: float | None) -> str:
    if change is None:
        return "—"
    if change == 0:
        return "="
    shown = value_text(language, name, abs(change))
    return ("+ " if change > 0 else "− ") + shown


async def drill_down(request: web.Request) -> web.Response:
    """The rows a figure counts, for the chosen period (ids only: no contact detail)."""
    name = request.match_info["name"]
    if name not in BY_NAME:
        raise web.HTTPNotFound()
    territory = territory_of(request)
    async with console_of(request).core.uow() as uow:
        await require_coordinator(uow, me(request).id, territory.id)
        today = uow.now().astimezone(territory.tz).date()
        period = chosen_period(request, territory.timezone, today)
        figure = await one(uow.session, name, territory.id, period)
    listed = figure.rows or []
    return render(
        request,
        "impact_rows.html",
        label=LABELS[name],
        figure_name=name,
        period=period,
        query=_query(period),
        value=value_text(me(request).language, name, figure.value),
        count=len(listed),
        rows=listed[:MAX_ROWS],
        links_requests=name in REQUEST_ROWS,
    )


# Figures whose rows start with a request's id (linked to its page).
REQUEST_ROWS = {
    "posted",
    "accepted",
    "done",
    "cancelled",
    "expired",
    "fulfilled_share",
    "acceptance_median_s",
    "acceptance_p90_s",
    "unmet_by_category",
    "unmet_by_neighbourhood",
}


async def publish(request: web.Request) -> web.Response:
    return await _publish(request, True)


async def unpublish(request: web.Request) -> web.Response:
    return await _publish(request, False)


async def _publish(request: web.Request, published: bool) -> web.Response:
    async with console_of(request).core.uow() as uow:
        await publication.set_published(
            uow, territory_of(request).id, by_id=me(request).id, published=published
        )
        await uow.commit()
    raise back("/impact")


async def loneliness_on(request: web.Request) -> web.Response:
    return await _loneliness(request, True)


async def loneliness_off(request: web.Request) -> web.Response:
    return await _loneliness(request, False)


async def _loneliness(request: web.Request, on: bool) -> web.Response:
    async with console_of(request).core.uow() as uow:
        await loneliness.set_on(uow, territory_of(request).id, by_id=me(request).id, on=on)
        await uow.commit()
    raise back("/impact")


async def public_file(request: web.Request) -> web.Response:
    """A published package's file, for anyone; 404 for what is not published."""
    name = request.match_info["file"]
    async with console_of(request).core.uow() as uow:
        data = await publication.published_file(uow, request.match_info["territory"], name)
    if data is None:
        raise web.HTTPNotFound()
    suffix = name[name.rfind(".") :]
    return web.Response(
        body=data,
        content_type=CONTENT_TYPES[suffix],
        charset="utf-8",
        headers={"Access-Control-Allow-Origin": "*"},
    )


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/impact", impact_page)
    router.add_get(r"/impact/{name:[a-z0-9_]{1,40}}", drill_down)
    router.add_post("/impact/publish", publish)
    router.add_post("/impact/unpublish", unpublish)
    router.add_post("/impact/loneliness/on", loneliness_on)
    router.add_post("/impact/loneliness/off", loneliness_off)
    router.add_get(
        r"/observatory/{territory:[^/]{1,120}}/{file:[a-z]{1,20}\.(json|csv)}", public_file
    )

"""The console's Impact page over HTTP, on SQLite and PostgreSQL: the figures of a chosen period
with the change from the previous one, charts, the drill-down behind each figure, and the
opt-in publication of the open data at /observatory/<territory>/datapackage.json."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

from frictionless import validate
from sqlalchemy import select

from core.app import Core
from core.domain.model import AuditEntry
from core.observatory.merge import merge
from core.services import loneliness
from tests.integration._observatory import build
from tests.integration._web import console

MARCH = "from=2026-03-01&to=2026-03-31"


def cell(html: str, figure: str) -> list[str]:
    row = re.search(rf'<tr data-figure="{figure}">(.*?)</tr>', html, re.S)
    assert row is not None, figure
    return [
        re.sub(r"<[^>]+>", "", c).strip()
        for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row.group(1), re.S)
    ]


async def test_the_impact_page_shows_the_period_the_change_and_the_charts(core: Core) -> None:
    history = await build(core)
    async with console(core, history.coordinator) as browser:
        response = await browser.client.get(f"/impact?{MARCH}")
        html = await response.text()
    assert response.status == 200
    # March: 7 posted; February (the period before): q5 only.
    assert cell(html, "posted") == ["Demandes publiées", "7", "1", "+ 6"]
    assert cell(html, "hours_given") == ["Heures données", "7,5", "0", "+ 7,5"]
    # Eight charts, and the loneliness score's trend: the history has answers in March's quarter.
    assert html.count("<svg") == 9 and "<script" not in html
    assert 'id="chart-loneliness"' in html
    policy = response.headers["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in policy and "script-src" not in policy


async def test_behind_each_figure_are_the_rows_it_counts(core: Core) -> None:
    history = await build(core)
    async with console(core, history.coordinator) as browser:
        posted = await (await browser.client.get(f"/impact/posted?{MARCH}")).text()
        unknown = await browser.client.get(f"/impact/nothing_like_it?{MARCH}")
        bad = await browser.client.get("/impact/posted?from=2026-03-31&to=yesterday")
        refusal = await bad.text()
    assert re.search(r'<span id="count">7</span>', posted)
    assert len(re.findall(r'<a href="/requests/\d+">', posted)) == 7
    assert unknown.status == 404
    assert bad.status == 400 and "premier et le dernier jour" in refusal


async def test_the_open_data_is_published_only_when_a_coordinator_chooses_to(
    core: Core, tmp_path: Path
) -> None:
    history = await build(core)
    address = "/observatory/Rezé/datapackage.json"
    async with console(core) as anonymous, console(core, history.coordinator) as desk:
        assert (await anonymous.client.get(address)).status == 404
        published = await desk.post("/impact/publish", {}, csrf=await desk.csrf("/impact"))
        assert published.status == 303
        response = await anonymous.client.get(address)
        assert response.status == 200
        body = await response.read()
        package = json.loads(body)
        assert package["entraide"]["cooperative"] == "Rezé"
        folder = tmp_path / "fetched"
        folder.mkdir()
        (folder / "datapackage.json").write_bytes(body)
        for name in ("figures.csv", "breakdowns.csv"):
            got = await anonymous.client.get(f"/observatory/Rezé/{name}")
            assert got.status == 200
            (folder / name).write_bytes(await got.read())
        assert validate(str(folder / "datapackage.json")).valid
        # The merge reads a published package from its address.
        url = str(anonymous.client.make_url(address))
        merged = await asyncio.to_thread(merge, [url], tmp_path / "merged")
        assert merged.exists()
        assert (await anonymous.client.get("/observatory/Rezé/secret.json")).status == 404
        assert (await anonymous.client.get("/observatory/Ailleurs/datapackage.json")).status == 404
        await desk.post("/impact/unpublish", {}, csrf=await desk.csrf("/impact"))
        assert (await anonymous.client.get(address)).status == 404


async def test_a_coordinator_turns_the_loneliness_check_on_and_off(core: Core) -> None:
    history = await build(core)

    async def is_on() -> bool:
        async with core.uow() as uow:
            return await loneliness.is_on(uow, history.territory_id)

    async with console(core) as anonymous, console(core, history.coordinator) as desk:
        refused = await anonymous.post("/impact/loneliness/on", {}, csrf="forged")
        assert refused.status != 200 and not await is_on()
        page = await (await desk.client.get("/impact")).text()
        assert "Commencer les questions sur la solitude" in page
        started = await desk.post("/impact/loneliness/on", {}, csrf=await desk.csrf("/impact"))
        assert started.status == 303 and await is_on()
        page = await (await desk.client.get("/impact")).text()
        assert "Arrêter les questions sur la solitude" in page
        await desk.post("/impact/loneliness/off", {}, csrf=await desk.csrf("/impact"))
        assert not await is_on()
    async with core.uow() as uow:
        actions = (await uow.session.execute(select(AuditEntry.action))).scalars().all()
    assert {"observatory.loneliness_on", "observatory.loneliness_off"} <= set(actions)

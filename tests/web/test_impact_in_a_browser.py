"""The console's Impact page in a real browser, over demo data: the figures, their change, the
charts (inline SVG, nothing loaded from elsewhere), the drill-down behind a figure, publishing
the open data; a screenshot for the README, and no serious accessibility problem (axe-core)."""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web
from sqlalchemy import select

from bots.web.app import build_app
from core.app import Core
from core.domain.model import Member
from core.observatory import demo
from core.services import web_access
from tests.conftest import NOW, FrozenClock, make_settings
from tests.web.conftest import AXE, Browser, missing

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PERIOD = "from=2026-10-01&to=2026-10-31"


class Site:
    def __init__(self, core: Core, url: str, coordinator: int) -> None:
        self.core, self.url, self.coordinator = core, url, coordinator

    async def link(self) -> str:
        async with self.core.uow() as uow:
            token = await web_access.issue_login(uow, self.coordinator, by_id=None)
            await uow.commit()
        return f"{self.url}/login?token={token}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def site(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Site]:
    folder = tmp_path_factory.mktemp("impact")
    core = Core.open(
        make_settings(f"sqlite+aiosqlite:///{folder / 'demo.sqlite3'}"), FrozenClock()
    )
    await core.create_schema()
    async with core.uow() as uow:
        await demo.fill(uow.session, "Rezé", members=300, weeks=26, end=NOW)
        await uow.commit()
        coordinator = (
            await uow.session.execute(select(Member.id).where(Member.is_coordinator).limit(1))
        ).scalar_one()
    runner = web.AppRunner(await build_app(core), access_log=None)
    await runner.setup()
    port = _free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield Site(core, f"http://127.0.0.1:{port}", coordinator)
    await runner.cleanup()
    await core.close()


async def test_the_impact_page_shows_figures_charts_and_the_rows_behind_a_figure(
    site: Site, browser: Browser
) -> None:
    if not AXE.exists():
        missing(f"axe-core ({AXE})")
    page: Any = browser.page
    outside: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(site.url) else outside.append(r.url))
    await page.goto(await site.link())
    await page.get_by_role("button", name="Entrer dans la console").click()
    await page.wait_for_url(f"{site.url}/")
    assert await page.get_by_role("link", name="Impact").get_attribute("href") == "/impact"
    await page.goto(f"{site.url}/impact?{PERIOD}", timeout=60_000)
    posted = page.locator('tr[data-figure="posted"] td').first
    shown = int(await posted.inner_text())
    assert shown > 50
    assert await page.locator("figure.chart svg").count() == 9  # with the loneliness trend
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "impact.png"), full_page=True)
    await page.add_script_tag(path=str(AXE))
    result = json.loads(await page.evaluate("async () => JSON.stringify(await axe.run())"))
    serious = [
        f"{v['id']}: {v['help']}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
    async with page.expect_navigation(timeout=60_000):
        await page.get_by_role("link", name="Demandes publiées").click(timeout=60_000)
    assert int(await page.locator("#count").inner_text()) == shown
    assert await page.locator("#rows tr").count() == shown
    assert outside == []


async def test_a_coordinator_publishes_the_open_data_and_stops_it(
    site: Site, browser: Browser
) -> None:
    page: Any = browser.page
    await page.goto(f"{site.url}/impact", timeout=60_000)
    async with page.expect_navigation(timeout=60_000):
        await page.get_by_role("button", name="Publier les données ouvertes").click(timeout=60_000)
    address = await page.get_by_role("link", name="/observatory/").get_attribute("href")
    response = await page.request.get(site.url + address, timeout=60_000)
    assert response.status == 200
    assert (await response.json())["entraide"]["cooperative"] == "Rezé"
    async with page.expect_navigation(timeout=60_000):
        await page.get_by_role("button", name="Arrêter la publication").click(timeout=60_000)
    assert (await page.request.get(site.url + address)).status == 404

"""The coordinators' console in a real browser: log in with a one-time link, approve a volunteer
(told in their chat), post a request for a member who phoned (offered to volunteers), take and
close an alert; refusals; a screenshot of every page in French; axe-core finds no serious or
critical accessibility problem on any page."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web
from sqlalchemy import select

from bots.web.app import build_app
from core.app import Core
from core.dialogue.render import render_text
from core.domain import events
from core.domain.model import Alert, Member, Notification
from core.domain.vocabulary import Category, MemberStatus, MessageKind, Role
from core.services import invitations, members, polls, requests, web_access
from tests.conftest import NOW, Cooperative, FrozenClock, make_settings
from tests.integration._support import free_port
from tests.web.conftest import AXE, Browser, missing

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


class Site:
    """The console served on a free loopback port over a small cooperative."""

    def __init__(self, core: Core, coop: Cooperative, url: str, invitation: str) -> None:
        self.core, self.coop, self.url, self.invitation = core, coop, url, invitation

    async def link(self, member_id: int) -> str:
        async with self.core.uow() as uow:
            token = await web_access.issue_login(uow, member_id, by_id=None)
            await uow.commit()
        return f"{self.url}/login?token={token}"

    async def rows(self, model: type, *where: Any) -> list[Any]:
        async with self.core.uow() as uow:
            return list((await uow.session.execute(select(model).where(*where))).scalars())


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def site(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Site]:
    folder = tmp_path_factory.mktemp("console")
    settings = make_settings(f"sqlite+aiosqlite:///{folder / 'entraide.sqlite3'}")
    # The bot's name, so that invitations print with the QR code of their Telegram link.
    settings = settings.model_copy(update={"telegram_bot_username": "entraide_reze_bot"})
    core = Core.open(settings, FrozenClock())
    await core.create_schema()
    coop = await Cooperative(core).setup()
    async with core.uow() as uow:
        await members.onboard_member(
            uow, coop.territory_id, "Dan Moreau", roles=[Role.VOLUNTEER], skills=[Category.DIY]
        )
        await polls.create_poll(
            uow,
            coop.territory_id,
            "Quel jour pour la fête des voisins ?",
            ["Samedi", "Dimanche"],
            closes_at=NOW + timedelta(days=2),
            by_id=coop.coordinator,
        )
        await requests.post_request(
            uow,
            coop.alice,
            category=Category.TRANSPORT,
            when_start=NOW + timedelta(days=1, hours=5),
            description="Rendez-vous chez le médecin, retour vers midi",
        )
        uow.publish(events.EmergencyRaised(coop.alice, "Je suis tombée dans la cuisine"))
        invitation = await invitations.create_invitation(
            uow, coop.territory_id, by_id=coop.coordinator, expires_at=NOW + timedelta(days=30)
        )
        await uow.commit()
    runner = web.AppRunner(await build_app(core), access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield Site(core, coop, f"http://127.0.0.1:{port}", invitation.code)
    await runner.cleanup()
    await core.close()


async def _member(site: Site, name: str) -> Member:
    (found,) = await site.rows(Member, Member.display_name == name)
    return found


PAGES = {
    "login": "/login",
    "now": "/",
    "requests": "/requests",
    "request": "/requests/1",  # made by the fixture
    "members": "/members",
    "member": "/members/{alice}",
    "polls": "/polls",
    "settings": "/settings",
    "invitation": "/settings/invitations/{invitation}",  # made by the fixture
}


async def test_every_page_in_french_has_a_screenshot_and_no_serious_accessibility_problem(
    site: Site, browser: Browser
) -> None:
    if not AXE.exists():
        missing(f"axe-core ({AXE})")
    page: Any = browser.page
    await page.goto(await site.link(site.coop.coordinator))
    await page.get_by_role("button", name="Entrer dans la console").click()
    await page.wait_for_url(f"{site.url}/")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems: dict[str, list[str]] = {}
    for name, path in PAGES.items():
        if name == "login":
            await page.goto(f"{site.url}/login?token=exemple")
        else:
            await page.goto(
                site.url + path.format(alice=site.coop.alice, invitation=site.invitation)
            )
        assert await page.get_attribute("html", "lang") == "fr"
        await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
        await page.add_script_tag(path=str(AXE))
        result = await page.evaluate("async () => JSON.stringify(await axe.run())")
        found = [
            f"{v['id']}: {v['help']}"
            for v in json.loads(result)["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        if found:
            problems[name] = found
    assert problems == {}


async def test_a_coordinator_logs_in_with_a_link_and_approves_a_volunteer_who_is_told(
    site: Site, browser: Browser
) -> None:
    page: Any = browser.page
    await page.goto(await site.link(site.coop.coordinator))
    await page.get_by_role("button", name="Entrer dans la console").click()
    await page.wait_for_url(f"{site.url}/")
    assert await page.get_by_role("heading", name="Ce qui vous attend maintenant").is_visible()
    await page.get_by_role("button", name="Valider Dan Moreau").click()
    await page.wait_for_load_state()
    dan = await _member(site, "Dan Moreau")
    assert dan.status == MemberStatus.APPROVED
    (told,) = await site.rows(Notification, Notification.member_id == dan.id)
    text = render_text(told.key, told.params, "fr", "Europe/Paris", told.kind)
    assert "bénévole" in text and "validé" in text


async def test_a_request_posted_for_a_member_reaches_volunteers_then_an_alert_is_closed(
    site: Site, browser: Browser
) -> None:
    page: Any = browser.page
    await page.goto(f"{site.url}/requests")
    await page.get_by_label("Qui demande de l'aide").select_option(
        label="Alice Durand (Trentemoult)"
    )
    await page.get_by_label("Quelle aide").select_option("shopping")
    await page.get_by_label("Quel jour").fill((NOW + timedelta(days=2)).date().isoformat())
    await page.get_by_label("À quelle heure").fill("10:30")
    await page.get_by_role("button", name="Publier la demande").click()
    await page.wait_for_url(f"{site.url}/requests/*")
    assert await page.get_by_text("06 12 34 56 78").is_visible()
    offered = await site.rows(Notification, Notification.kind == MessageKind.REQUEST_POST)
    assert {site.coop.bob, site.coop.carol} <= {row.member_id for row in offered}

    await page.goto(f"{site.url}/")
    await page.get_by_role("button", name="Je m'en occupe").click()
    await page.wait_for_load_state()
    assert await page.get_by_text("Prise en charge par Claire Martin").is_visible()
    await page.get_by_role("button", name="C'est fait").click()
    await page.wait_for_load_state()
    assert await page.get_by_text("Aucune alerte à traiter.").is_visible()
    (alert,) = await site.rows(Alert)
    assert alert.done_by == site.coop.coordinator


async def test_a_used_link_a_form_without_its_token_and_other_members_are_refused(
    site: Site, browser: Browser
) -> None:
    page: Any = browser.page
    context: Any = browser.context
    link = await site.link(site.coop.coordinator)
    dan = await _member(site, "Dan Moreau")
    async with site.core.uow() as uow:
        await members.onboard_member(uow, site.coop.territory_id, "Hugo", roles=[Role.VOLUNTEER])
        await uow.commit()
    hugo = await _member(site, "Hugo")
    for form in ({}, {"csrf": "f" * 64}):
        refused = await context.request.post(f"{site.url}/members/{hugo.id}/approve", form=form)
        assert refused.status == 403
    assert (await _member(site, "Hugo")).status == MemberStatus.PENDING

    await page.goto(link)
    await page.get_by_role("button", name="Entrer dans la console").click()
    await page.goto(link)
    await page.get_by_role("button", name="Entrer dans la console").click()
    assert await page.get_by_text("Ce lien n'est pas valable").is_visible()

    async with site.core.uow() as uow:
        with pytest.raises(Exception, match="coordinat"):
            await web_access.issue_login(uow, dan.id, by_id=None)
        elsewhere = await members.add_territory(uow, "Bouguenais")
        eve = await members.onboard_member(uow, elsewhere.id, "Eve", roles=[Role.COORDINATOR])
        await uow.commit()
    await page.goto(await site.link(eve.id))
    await page.get_by_role("button", name="Entrer dans la console").click()
    await page.wait_for_url(f"{site.url}/")
    answer = await page.goto(f"{site.url}/members/{site.coop.alice}")
    assert answer.status == 404
    assert "06 12 34 56 78" not in await page.content()

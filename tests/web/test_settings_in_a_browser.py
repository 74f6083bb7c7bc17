"""The territory's settings in a real browser, with JavaScript turned off (every form must work
without it): invitations created, printed with their QR code and revoked; escalation delays
changed, a wrong one explained next to the form. Screenshots and axe-core for these pages are
in test_console_in_a_browser.py."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from core.domain.model import AuditEntry, Invitation, Territory
from tests.web.conftest import Browser
from tests.web.test_console_in_a_browser import Site, site  # noqa: F401 (the module's fixture)

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def page(site: Site, browser: Browser) -> AsyncIterator[Any]:  # noqa: F811
    """A page of a context without JavaScript, logged in as the coordinator."""
    context: Any = browser.context
    plain = await context.browser.new_context(locale="fr-FR", java_script_enabled=False)
    plain.set_default_timeout(8000)
    tab = await plain.new_page()
    await tab.goto(await site.link(site.coop.coordinator))
    await tab.get_by_role("button", name="Entrer dans la console").click()
    await tab.wait_for_url(f"{site.url}/")
    yield tab
    await plain.close()


async def test_an_invitation_is_created_printed_with_its_qr_code_then_revoked(
    site: Site,  # noqa: F811
    page: Any,
) -> None:
    before = {row.code for row in await site.rows(Invitation)}
    await page.goto(f"{site.url}/settings")
    await page.get_by_label("Valable combien de jours").fill("10")
    await page.get_by_role("button", name="Créer une invitation").click()
    await page.wait_for_url(f"{site.url}/settings*")
    (code,) = {row.code for row in await site.rows(Invitation)} - before

    await page.get_by_role("link", name=f"Imprimer avec son code QR {code[:6]}").click()
    await page.wait_for_url(f"{site.url}/settings/invitations/{code}")
    assert await page.get_by_role("heading", name="Rejoignez l'entraide de Rezé").is_visible()
    qr = page.get_by_role("img", name="Code QR de l'invitation à Rezé")
    assert await qr.is_visible()
    assert (await qr.bounding_box())["width"] >= 300  # large enough to scan from a poster
    assert await page.get_by_text("Visez ce code avec l'appareil photo").is_visible()
    assert await page.get_by_text(f"https://t.me/entraide_reze_bot?start=join_{code}").is_visible()

    await page.get_by_role("link", name="Retour aux réglages").click()
    await page.get_by_role("button", name=f"Révoquer {code[:6]}").click()
    await page.wait_for_url(f"{site.url}/settings*")
    (revoked,) = await site.rows(Invitation, Invitation.code == code)
    assert revoked.revoked_at is not None
    await page.goto(f"{site.url}/settings/invitations/{code}")
    assert await page.get_by_text("Cette invitation n'est plus valable").is_visible()
    assert await page.get_by_role("img").count() == 0


async def test_escalation_delays_are_changed_and_a_wrong_one_is_explained_by_the_form(
    site: Site,  # noqa: F811
    page: Any,
) -> None:
    await page.goto(f"{site.url}/settings")
    first = page.get_by_label("Les bénévoles suivants sont sollicités après (heures)")
    second = page.get_by_label("Tout le territoire est sollicité après (heures)")
    third = page.get_by_label("L'équipe de coordination est alertée après (heures)")
    assert await first.input_value() == "2" and await third.input_value() == "24"
    await first.fill("8")
    await second.fill("2")
    await page.get_by_role("button", name="Enregistrer les délais").click()
    assert await page.get_by_role("alert").filter(has_text="plus long").is_visible()
    assert await first.input_value() == "8"  # kept, to be corrected
    (territory,) = await site.rows(Territory, Territory.id == site.coop.territory_id)
    assert territory.escalation_hours is None

    await first.fill("1,5")
    await second.fill("4")
    await third.fill("12")
    await page.get_by_role("button", name="Enregistrer les délais").click()
    await page.wait_for_url(f"{site.url}/settings*")
    assert await page.get_by_text("Ces délais sont propres à ce territoire.").is_visible()
    assert await first.input_value() == "1.5"
    (territory,) = await site.rows(Territory, Territory.id == site.coop.territory_id)
    assert territory.escalation_hours == [1.5, 4.0, 12.0]
    (line,) = await site.rows(AuditEntry, AuditEntry.action == "territory.escalation")
    assert line.actor_id == site.coop.coordinator

    await page.get_by_role("button", name="Reprendre les délais du serveur").click()
    await page.wait_for_url(f"{site.url}/settings*")
    assert await first.input_value() == "2"

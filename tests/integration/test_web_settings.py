"""The territory's settings in the web console, on SQLite and PostgreSQL: escalation delays its
coordinators set (checked, audited, followed by the scheduler), invitations printed with
their QR code, and the "Now" page's short lists with the length of the whole ones."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bots.web.qr import qr_svg
from core.domain.model import AuditEntry, Member, PlatformAccount, Territory
from core.domain.vocabulary import Role
from core.scheduling.plan import planned
from core.services import desk, invitations, members, requests
from tests.conftest import NOW, Cooperative, FrozenClock
from tests.integration._web import console


async def _territory(coop: Cooperative) -> Territory:
    async with coop.core.uow() as uow:
        found = await uow.session.get(Territory, coop.territory_id)
        assert found is not None
        return found


async def _audit(coop: Cooperative, action: str) -> list[AuditEntry]:
    async with coop.core.uow() as uow:
        return list(
            (await uow.session.execute(select(AuditEntry).where(AuditEntry.action == action)))
            .scalars()
            .all()
        )


async def _escalation_dues(coop: Cooperative) -> list[timedelta]:
    async with coop.core.uow() as uow:
        request = await requests.post_request(
            uow, coop.alice, category="shopping", when_start=NOW + timedelta(days=3)
        )
        await uow.commit()
        now = uow.now()
        works = await planned(
            uow, coop.core.settings, now=now, until=now + timedelta(days=3), kinds=["escalation"]
        )
    return [work.due_at - request.created_at for work in works if work.args[0] == request.id]


async def test_escalation_delays_set_in_the_console_are_audited_and_used_by_the_scheduler(
    coop: Cooperative, clock: FrozenClock
) -> None:
    async with console(coop.core, coop.coordinator) as browser:
        page = await (await browser.client.get("/settings")).text()
        assert 'value="2"' in page and 'value="24"' in page  # the settings file's defaults
        saved = await browser.post(
            "/settings/escalation", {"first": "1,5", "second": "4", "third": "12"}
        )
        assert saved.status == 303
    assert (await _territory(coop)).escalation_hours == [1.5, 4.0, 12.0]
    (line,) = await _audit(coop, "territory.escalation")
    assert line.actor_id == coop.coordinator and line.details == {"hours": [1.5, 4.0, 12.0]}
    assert await _escalation_dues(coop) == [timedelta(hours=h) for h in (1.5, 4, 12)]


async def test_going_back_to_the_servers_escalation_delays(coop: Cooperative) -> None:
    coop.core.settings = coop.core.settings.model_copy(
        update={"escalation_hours_by_territory": {"Rezé": [1.0, 2.0, 3.0]}}
    )
    async with console(coop.core, coop.coordinator) as browser:
        await browser.post("/settings/escalation", {"first": "5", "second": "6", "third": "7"})
        assert await _escalation_dues(coop) == [timedelta(hours=h) for h in (5, 6, 7)]
        back = await browser.post("/settings/escalation", {"default": "1"})
        assert back.status == 303
    assert (await _territory(coop)).escalation_hours is None
    assert len(await _audit(coop, "territory.escalation")) == 2
    assert await _escalation_dues(coop) == [timedelta(hours=h) for h in (1, 2, 3)]


@pytest.mark.parametrize(
    ("first", "second", "third", "said"),
    [
        ("8", "2", "24", "Chaque délai doit être plus long"),
        ("0", "8", "24", "entre un quart"),
        ("2", "8", "1000", "entre un quart"),
        ("deux", "8", "24", "Écrivez chaque délai"),
        ("nan", "8", "24", "Écrivez chaque délai"),
        ("2", "", "24", "Écrivez chaque délai"),
    ],
)
async def test_escalation_delays_out_of_range_or_in_the_wrong_order_are_refused_kindly(
    coop: Cooperative, first: str, second: str, third: str, said: str
) -> None:
    async with console(coop.core, coop.coordinator) as browser:
        refused = await browser.post(
            "/settings/escalation", {"first": first, "second": second, "third": third}
        )
        assert refused.status == 400
        text = await refused.text()
    assert said in text.replace("\u00a0", " ")
    assert f'value="{first}"' in text  # what was typed stays in the form, to correct it
    assert (await _territory(coop)).escalation_hours is None
    assert await _audit(coop, "territory.escalation") == []


async def test_only_a_coordinator_of_the_territory_sets_its_escalation_delays(
    coop: Cooperative,
) -> None:
    from core.domain.errors import NotAllowed
    from core.services import territories

    async with coop.core.uow() as uow:
        with pytest.raises(NotAllowed):
            await territories.set_escalation(
                uow, coop.territory_id, by_id=coop.bob, hours=[1.0, 2.0, 3.0]
            )
    assert (await _territory(coop)).escalation_hours is None


async def _invitation(coop: Cooperative) -> str:
    async with coop.core.uow() as uow:
        made = await invitations.create_invitation(
            uow,
            coop.territory_id,
            by_id=coop.coordinator,
            expires_at=NOW + timedelta(days=30),
        )
        await uow.commit()
        return made.code


async def test_an_invitation_prints_as_a_qr_code_of_its_telegram_link_with_the_territory(
    coop: Cooperative,
) -> None:
    coop.core.settings = coop.core.settings.model_copy(
        update={"telegram_bot_username": "@entraide_reze_bot"}
    )
    code = await _invitation(coop)
    link = f"https://t.me/entraide_reze_bot?start=join_{code}"
    async with console(coop.core, coop.coordinator) as browser:
        settings = await (await browser.client.get("/settings")).text()
        assert f'href="/settings/invitations/{code}"' in settings
        printed = await browser.client.get(f"/settings/invitations/{code}")
        assert printed.status == 200
        page = await printed.text()
    assert "Rezé" in page and link in page
    # The image is the QR code of that link (and of nothing else), named for screen readers.
    expected = qr_svg(link, "Code QR de l'invitation à Rezé")
    assert str(expected) in page and expected.startswith('<svg role="img"')
    assert str(qr_svg(link + "x", "Code QR de l'invitation à Rezé")) not in page


async def test_a_revoked_invitation_prints_no_qr_code_and_others_cannot_see_it(
    coop: Cooperative,
) -> None:
    coop.core.settings = coop.core.settings.model_copy(
        update={"telegram_bot_username": "entraide_reze_bot"}
    )
    code = await _invitation(coop)
    async with console(coop.core, coop.coordinator) as browser:
        revoked = await browser.post("/settings/invitations/revoke", {"code": code})
        assert revoked.status == 303
        page = await (await browser.client.get(f"/settings/invitations/{code}")).text()
        assert "<svg" not in page and "plus valable" in page
        unknown = await browser.client.get(
            "/settings/invitations/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
        )
        assert unknown.status == 404
        malformed = await browser.client.get("/settings/invitations/a.b")
        assert malformed.status == 404
    async with coop.core.uow() as uow:
        elsewhere = await members.add_territory(uow, "Bouguenais")
        eve = await members.onboard_member(uow, elsewhere.id, "Eve", roles=[Role.COORDINATOR])
        await uow.commit()
    async with console(coop.core, eve.id) as browser:
        other = await browser.client.get(f"/settings/invitations/{code}")
        assert other.status == 403
        assert code not in await other.text()


async def test_without_the_bots_name_an_invitation_prints_its_code_and_says_why(
    coop: Cooperative,
) -> None:
    code = await _invitation(coop)
    async with console(coop.core, coop.coordinator) as browser:
        page = await (await browser.client.get(f"/settings/invitations/{code}")).text()
    assert "<svg" not in page and code in page and "telegram_bot_username" in page


async def test_the_now_page_lists_the_first_twenty_and_says_how_many_more(
    coop: Cooperative,
) -> None:
    async with coop.core.uow() as uow:
        for n in range(25):
            volunteer = await members.onboard_member(
                uow, coop.territory_id, f"Bénévole {n:02d}", roles=[Role.VOLUNTEER]
            )
            uow.session.add(
                PlatformAccount(
                    platform="telegram",
                    external_id=f"t{n}",
                    member_id=volunteer.id,
                    chat_ref=f"t{n}",
                    reachable=False,
                    created_at=NOW,
                )
            )
        await uow.commit()
    async with coop.core.uow() as uow:
        found = await desk.desk_of(uow, coop.territory_id, by_id=coop.coordinator)
        pending = (
            await uow.session.execute(select(Member).where(Member.status == "pending"))
        ).all()
    assert len(found.approvals) == desk.SHORT_LIST and found.approvals_count == len(pending)
    assert len(found.unreachable) == desk.SHORT_LIST and found.unreachable_count == 25
    async with console(coop.core, coop.coordinator) as browser:
        page = await (await browser.client.get("/")).text()
        assert "5 de plus" in page
        listed = await (await browser.client.get("/members?status=unreachable")).text()
    assert all(f"Bénévole {n:02d}" in listed for n in range(25))
    assert "Alice Durand" not in listed

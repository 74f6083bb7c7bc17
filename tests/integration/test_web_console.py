"""The coordinators' web console over HTTP, on SQLite and PostgreSQL: who gets in, the CSRF
check, and the desk's actions going through the same services (audited, told through the
outbox). The browser tests (tests/web) replay the main paths in a real Chromium."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.domain import events
from core.domain.errors import NotAllowed
from core.domain.model import Alert, AuditEntry, Member, Notification
from core.domain.vocabulary import Category, MemberStatus, MessageKind, Role
from core.services import members, web_access
from tests.conftest import NOW, Cooperative, FrozenClock
from tests.integration._web import console, link_for


async def _pending_volunteer(coop: Cooperative) -> int:
    async with coop.core.uow() as uow:
        dan = await members.onboard_member(
            uow, coop.territory_id, "Dan Moreau", roles=[Role.VOLUNTEER], skills=[Category.DIY]
        )
        await uow.commit()
        return dan.id


async def _rows(coop: Cooperative, model: type, *where: object) -> list:  # type: ignore[type-arg]
    async with coop.core.uow() as uow:
        return list((await uow.session.execute(select(model).where(*where))).scalars())


async def test_a_one_time_link_lets_a_coordinator_in_once(coop: Cooperative) -> None:
    token = await link_for(coop.core, coop.coordinator)
    async with console(coop.core) as browser:
        assert (await browser.client.get("/", allow_redirects=False)).status == 303
        first = await browser.login(token)
        assert first.status == 303 and first.headers["Location"] == "/"
        cookie = first.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        page = await browser.client.get("/")
        assert page.status == 200 and "Rezé" in await page.text()
        assert "default-src 'self'" in page.headers["Content-Security-Policy"]
        assert page.headers["Referrer-Policy"] == "no-referrer"
    async with console(coop.core) as other_browser:
        second = await other_browser.login(token)
        assert second.status == 403
        assert (await other_browser.client.get("/", allow_redirects=False)).status == 303
    (line,) = await _rows(coop, AuditEntry, AuditEntry.action == "web.login")
    assert line.actor_id == coop.coordinator


async def test_an_expired_link_is_refused(coop: Cooperative, clock: FrozenClock) -> None:
    token = await link_for(coop.core, coop.coordinator)
    clock.advance(minutes=web_access.LINK_MINUTES + 1)
    async with console(coop.core) as browser:
        assert (await browser.login(token)).status == 403


async def test_only_coordinators_get_a_link_and_a_demoted_one_is_let_out(
    coop: Cooperative,
) -> None:
    for member_id in (coop.bob, coop.alice):
        async with coop.core.uow() as uow:
            with pytest.raises(NotAllowed):
                await web_access.issue_login(uow, member_id, by_id=None)
    async with console(coop.core, coop.coordinator) as browser:
        assert (await browser.client.get("/")).status == 200
        async with coop.core.uow() as uow:
            claire = await uow.session.get(Member, coop.coordinator)
            assert claire is not None
            claire.status = MemberStatus.SUSPENDED
            await uow.commit()
        assert (await browser.client.get("/", allow_redirects=False)).status == 303


async def test_a_coordinator_of_another_territory_sees_nothing_of_this_one(
    coop: Cooperative,
) -> None:
    async with coop.core.uow() as uow:
        elsewhere = await members.add_territory(uow, "Bouguenais")
        eve = await members.onboard_member(uow, elsewhere.id, "Eve", roles=[Role.COORDINATOR])
        await uow.commit()
    dan = await _pending_volunteer(coop)
    async with console(coop.core, eve.id) as browser:
        assert (await browser.client.get(f"/members/{coop.alice}")).status == 404
        members_page = await (await browser.client.get("/members")).text()
        assert "Alice" not in members_page and "06 12 34 56 78" not in members_page
        assert (await browser.post(f"/members/{dan}/approve", {})).status == 404
    (still,) = await _rows(coop, Member, Member.id == dan)
    assert still.status == MemberStatus.PENDING


async def test_a_form_without_or_with_a_wrong_csrf_token_changes_nothing(
    coop: Cooperative,
) -> None:
    dan = await _pending_volunteer(coop)
    async with console(coop.core, coop.coordinator) as browser:
        missing = await browser.client.post(f"/members/{dan}/approve", allow_redirects=False)
        wrong = await browser.post(f"/members/{dan}/approve", {}, csrf="0" * 64)
        assert (missing.status, wrong.status) == (403, 403)
    (still,) = await _rows(coop, Member, Member.id == dan)
    assert still.status == MemberStatus.PENDING


async def test_approving_a_volunteer_is_audited_and_the_volunteer_is_told(
    coop: Cooperative,
) -> None:
    dan = await _pending_volunteer(coop)
    async with console(coop.core, coop.coordinator) as browser:
        assert "Dan Moreau" in await (await browser.client.get("/")).text()
        response = await browser.post(f"/members/{dan}/approve", {})
        assert response.status == 303
    (approved,) = await _rows(coop, Member, Member.id == dan)
    assert approved.status == MemberStatus.APPROVED
    approvals = AuditEntry.action == "member.approve", AuditEntry.subject == f"member:{dan}"
    (line,) = await _rows(coop, AuditEntry, *approvals)
    assert line.actor_id == coop.coordinator
    assert await _rows(coop, Notification, Notification.member_id == dan)


async def test_a_request_posted_for_a_member_who_phoned_is_offered_to_volunteers(
    coop: Cooperative,
) -> None:
    day = (NOW + timedelta(days=2)).date().isoformat()
    async with console(coop.core, coop.coordinator) as browser:
        response = await browser.post(
            "/requests",
            {"requester": coop.alice, "category": "shopping", "day": day, "time": "10:00"},
        )
        assert response.status == 303
        detail = await (await browser.client.get(response.headers["Location"])).text()
        assert "06 12 34 56 78" in detail  # the coordinator sees the contact details
    offers = await _rows(coop, Notification, Notification.kind == MessageKind.REQUEST_POST)
    assert {row.member_id for row in offers} == {coop.bob, coop.carol}
    (line,) = await _rows(coop, AuditEntry, AuditEntry.action == "request.post_on_behalf")
    assert line.actor_id == coop.coordinator


async def test_an_alert_is_taken_then_closed_from_the_now_page(coop: Cooperative) -> None:
    async with coop.core.uow() as uow:
        uow.publish(events.EmergencyRaised(coop.alice, "Je suis tombée"))
        await uow.commit()
    (alert,) = await _rows(coop, Alert)
    async with console(coop.core, coop.coordinator) as browser:
        page = await (await browser.client.get("/")).text()
        assert "Je suis tombée" in page and "06 12 34 56 78" in page
        assert (await browser.post(f"/alerts/{alert.id}/take", {})).status == 303
        assert "Claire Martin" in await (await browser.client.get("/")).text()
        assert (await browser.post(f"/alerts/{alert.id}/done", {})).status == 303
        assert "Je suis tombée" not in await (await browser.client.get("/")).text()
    (closed,) = await _rows(coop, Alert)
    assert closed.taken_by == closed.done_by == coop.coordinator


async def test_failed_logins_are_rate_limited_even_for_a_right_link(coop: Cooperative) -> None:
    token = await link_for(coop.core, coop.coordinator)
    async with console(coop.core) as browser:
        for _ in range(coop.core.settings.web_login_attempts):
            assert (await browser.login("wrong" * 8)).status == 403
        assert (await browser.login(token)).status == 429


async def test_behind_an_https_proxy_the_session_cookie_is_secure(coop: Cooperative) -> None:
    coop.core.settings.web_behind_proxy = True
    token = await link_for(coop.core, coop.coordinator)
    async with console(coop.core) as browser:
        csrf = await browser.csrf(f"/login?token={token}")
        response = await browser.client.post(
            "/login",
            data={"csrf": csrf, "token": token},
            headers={"X-Forwarded-Proto": "https"},
            allow_redirects=False,
        )
        assert response.status == 303
        assert "Secure" in response.headers["Set-Cookie"]


async def test_suspending_with_a_reason_and_promoting_are_audited_and_a_bad_role_is_refused(
    coop: Cooperative,
) -> None:
    async with console(coop.core, coop.coordinator) as browser:
        suspended = await browser.post(f"/members/{coop.bob}/suspend", {"reason": "Absent"})
        assert suspended.status == 303
        assert (await browser.post(f"/members/{coop.carol}/promote", {"role": "x"})).status == 400
        promoted = await browser.post(f"/members/{coop.carol}/promote", {"role": "coordinator"})
        assert promoted.status == 303
    (bob,) = await _rows(coop, Member, Member.id == coop.bob)
    (carol,) = await _rows(coop, Member, Member.id == coop.carol)
    assert bob.status == MemberStatus.SUSPENDED and carol.is_coordinator
    # The reason is in the suspension's own line (the same service as the chat's /suspendre).
    (reason,) = await _rows(coop, AuditEntry, AuditEntry.action == "member.suspend")
    assert (reason.actor_id, reason.details) == (coop.coordinator, {"reason": "Absent"})


async def test_erasing_a_member_needs_their_exact_name(coop: Cooperative) -> None:
    async with console(coop.core, coop.coordinator) as browser:
        wrong = await browser.post(f"/members/{coop.alice}/erase", {"confirm": "Alice"})
        assert wrong.status == 400
        (alice,) = await _rows(coop, Member, Member.id == coop.alice)
        assert alice.status != MemberStatus.ERASED
        right = await browser.post(f"/members/{coop.alice}/erase", {"confirm": "Alice Durand"})
        assert right.status == 303
    (alice,) = await _rows(coop, Member, Member.id == coop.alice)
    assert alice.status == MemberStatus.ERASED


async def test_export_polls_and_settings_go_through_the_core(coop: Cooperative) -> None:
    day = (NOW + timedelta(days=3)).date().isoformat()
    async with console(coop.core, coop.coordinator) as browser:
        exported = await browser.client.get(f"/members/{coop.alice}/export")
        assert exported.status == 200
        assert (await exported.json())["member"]["phone"] == "06 12 34 56 78"
        created = await browser.post(
            "/polls",
            {"question": "Fête ?", "kind": "single", "options": "Oui\nNon", "day": day},
        )
        assert created.status == 303
        assert "Fête ?" in await (await browser.client.get("/polls")).text()
        saved = await browser.post(
            "/settings",
            {"neighbourhoods": "Ragon\nChâteau", "numbers": "15 | SAMU", "timezone": "UTC"},
        )
        assert saved.status == 303
        invited = await browser.post("/settings/invitations", {"days": "10"})
        assert invited.status == 303
    audit = {line.action for line in await _rows(coop, AuditEntry)}
    assert {"member.export", "poll.create", "territory.update", "invitation.create"} <= audit


async def test_login_links_expired_beyond_the_retention_period_are_deleted(
    coop: Cooperative, clock: FrozenClock
) -> None:
    from core.domain.model import WebLogin
    from core.scheduling.retention import prune

    await link_for(coop.core, coop.coordinator)
    clock.advance(days=coop.core.settings.retention_days - 1)
    recent = await link_for(coop.core, coop.coordinator)
    clock.advance(days=2)
    deleted = await prune(coop.core, clock())
    assert deleted["web_logins"] == 1
    (kept,) = await _rows(coop, WebLogin)
    assert kept.token_hash == web_access.token_hash(recent)

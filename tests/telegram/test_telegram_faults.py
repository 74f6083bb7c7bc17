"""Telegram faults: rate limits, bad gateways, dropped connections, blocked users, replays."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.app import Core
from core.domain.model import AuditEntry, Member, Notification, PlatformAccount
from core.domain.vocabulary import Role
from core.services import members, outbox
from tests.conftest import make_settings
from tests.integration._support import outbox_settled
from tests.telegram.harness import ptb_timedelta as ptb_timedelta  # autouse

from .bot_api import FakeBotApi, FakeUser
from .database_faults import database_away_once
from .harness import onboard_on_telegram, running_channel

pytestmark = pytest.mark.slow


@dataclass
class Bench:
    api: FakeBotApi
    core: Core
    territory_id: int
    users: list[FakeUser]
    member_ids: list[int]
    coordinator: FakeUser


@pytest.fixture
async def bench(tmp_path: Path) -> AsyncIterator[Bench]:
    api = await FakeBotApi.start()
    settings = make_settings(f"sqlite+aiosqlite:///{tmp_path / 'faults.sqlite3'}")
    core = Core.open(settings.model_copy(update={"default_territory": "Rezé"}))
    await core.create_schema()
    users = [api.user(500 + i, f"Membre{i}", started=True) for i in range(25)]
    coordinator = api.user(400, "Claire", started=True)
    member_ids = []
    async with core.uow() as uow:
        territory = await members.add_territory(uow, "Rezé", neighbourhoods=["Château"])
        for user, roles in [(coordinator, [Role.COORDINATOR])] + [
            (u, [Role.REQUESTER]) for u in users
        ]:
            member = await onboard_on_telegram(uow, territory.id, user, roles=roles)
            if user is not coordinator:
                member_ids.append(member.id)
        await uow.commit()
    yield Bench(api, core, territory.id, users, member_ids, coordinator)
    await core.close()
    await api.stop()


async def write_notifications(bench: Bench, per_member: int) -> list[str]:
    texts = []
    async with bench.core.uow() as uow:
        for member_id in bench.member_ids:
            member = await uow.session.get(Member, member_id)
            for n in range(per_member):
                text = f"Message {member_id}-{n}"
                texts.append(text)
                outbox.write(uow, text, member=member)
        await uow.commit()
    return texts


async def test_500_notifications_arrive_exactly_once_through_429_502_and_dropped_connections(
    bench: Bench,
) -> None:
    texts = await write_notifications(bench, per_member=20)
    assert len(texts) == 500
    api = bench.api
    api.fail_next("sendMessage", status=429, retry_after=1, count=3)
    api.fail_next("sendMessage", status=502, count=5)
    api.drop_next("sendMessage", count=5, before_processing=True)
    async with running_channel(bench.api, bench.core):

        def delivered() -> Counter[str]:
            return Counter(m.text for u in bench.users for m in api.sent(u.id))

        await api.wait_until(lambda: sum(delivered().values()) >= 500, timeout=60)
        # Every message marked done (a send is marked only once Telegram has it): nothing
        # can be sent twice after this.
        await outbox_settled(bench.core, timeout=30)
    counts = delivered()
    assert set(counts) == set(texts)
    assert max(counts.values()) == 1
    async with bench.core.uow() as uow:
        unsent = (
            await uow.session.execute(
                select(func.count())
                .select_from(Notification)
                .where(Notification.sent_at.is_(None))
            )
        ).scalar_one()
    assert unsent == 0


async def test_a_member_who_blocked_the_bot_is_marked_unreachable_and_coordinators_told(
    bench: Bench,
) -> None:
    blocked = bench.users[0]
    bench.api.block(blocked)
    async with running_channel(bench.api, bench.core):
        async with bench.core.uow() as uow:
            outbox.write(uow, "Hello", member=await uow.session.get(Member, bench.member_ids[0]))
            await uow.commit()
        await bench.api.wait_until(
            lambda: any("bloqué" in (m.text or "") for m in bench.api.sent(bench.coordinator.id)),
            10,
        )
    async with bench.core.uow() as uow:
        account = (
            await uow.session.execute(
                select(PlatformAccount).where(PlatformAccount.external_id == str(blocked.id))
            )
        ).scalar_one()
    assert account.reachable is False


async def test_the_same_update_delivered_twice_is_answered_once(bench: Bench) -> None:
    user = bench.users[1]
    async with running_channel(bench.api, bench.core):
        bench.api.command(user, "/aide")
        await bench.api.wait_sent(user, 1)
        bench.api.duplicate_last_update()
        await bench.api.wait_confirmed()  # the repeat handled (updates are confirmed after)
        await outbox_settled(bench.core)  # and whatever it wrote, sent
    answers = [m for m in bench.api.sent(user) if m.buttons]
    assert len(answers) == 1


async def test_a_forged_button_is_answered_kindly_and_changes_nothing(bench: Bench) -> None:
    user = bench.users[2]
    async with running_channel(bench.api, bench.core):
        bench.api.command(user, "/aide")
        [menu] = await bench.api.wait_sent(user, 1)
        async with bench.core.uow() as uow:
            before = (
                await uow.session.execute(select(func.count()).select_from(AuditEntry))
            ).scalar_one()
        forged = ("accept:9999", "cancel_yes:1", "approve:1", "vote:1:0", "x" * 64)
        for data in forged:
            bench.api.press(user, menu, data, check=False)

        # Each press edits the pressed message into a kind explanation (two forged ids of
        # nothing get the same words: Telegram answers that edit "not modified").
        def answered_edits() -> int:
            return len([r for r in bench.api.requests("editMessageText") if r.status])

        await bench.api.wait_until(lambda: answered_edits() >= len(forged), 10)
    assert not bench.api.unanswered_callbacks
    async with bench.core.uow() as uow:
        after = (
            await uow.session.execute(select(func.count()).select_from(AuditEntry))
        ).scalar_one()
    assert after == before


async def test_a_voice_message_gets_a_kind_answer_saying_who_will_call_back(
    bench: Bench,
) -> None:
    # Issue 15: a member's voice message is no longer only answered "please write": it goes
    # to the coordinators, and the member is told so (tests/telegram/test_telegram_alerts.py).
    user = bench.users[3]
    async with running_channel(bench.api, bench.core):
        bench.api.voice(user)
        [answer] = await bench.api.wait_sent(user, 1)
    assert "message vocal" in (answer.text or "") and answer.buttons


async def test_a_message_longer_than_4096_characters_is_split(bench: Bench) -> None:
    async with bench.core.uow() as uow:
        member = await uow.session.get(Member, bench.member_ids[4])
        outbox.write(uow, "<b>" + "x" * 5000 + " & fin", member=member)
        await uow.commit()
    async with running_channel(bench.api, bench.core):
        parts = await bench.api.wait_sent(bench.users[4], 2)
    assert all(len(p.text or "") <= 4096 for p in parts)
    assert "".join(p.text or "" for p in parts).replace(" ", "").startswith("<b>xxx")


async def test_an_update_whose_handling_fails_is_fetched_again_and_answered_once(
    bench: Bench, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The database is away for the first try (as when PostgreSQL restarts): the update must
    # not be confirmed to Telegram, and the person's next message must wait for it.
    database_away_once(monkeypatch)
    user = bench.users[2]
    async with running_channel(bench.api, bench.core):
        bench.api.command(user, "/aide")
        bench.api.command(user, "/sondages")
        await bench.api.wait_sent(user, 2, timeout=15)
        await bench.api.wait_confirmed()
        await outbox_settled(bench.core)
    replies = [m.text or "" for m in bench.api.sent(user)]
    assert len(replies) == 2
    assert "Je mets en relation" in replies[0] and "Aucun sondage" in replies[1]

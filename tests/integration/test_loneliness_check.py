"""The loneliness check in the chat (SQLite and PostgreSQL): offered only where the territory
turned it on, only to a requester once helped (at her thanks, or by the scheduler a day later,
at a daytime hour, never in the middle of another flow), then every three months; opt-in;
answered privately and kept only as one more anonymous count; stopping keeps nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from core.dialogue.engine import ConversationEngine
from core.domain.errors import NotAllowed
from core.domain.model import AuditEntry, Conversation, Notification, PlatformAccount
from core.domain.observatory_tables import LonelinessAsk, LonelinessTally
from core.scheduling import run_due
from core.scheduling.retention import prune
from core.services import loneliness, privacy, proxies, requests
from tests.conftest import NOW, Cooperative, FrozenClock
from tests.integration._support import accept, as_member, new_member, post, say

OFFER = loneliness.OFFER
FIRST_QUESTION = "How often do you feel that you lack companionship?"
KIND = ["loneliness-offer"]
CONSENT = "by phone, 2026-11-20"


async def turn_on(coop: Cooperative, on: bool = True) -> None:
    async with coop.core.uow() as uow:
        await loneliness.set_on(uow, coop.territory_id, by_id=coop.coordinator, on=on)
        await uow.commit()


async def helped(coop: Cooperative, requester_id: int | None = None) -> int:
    """A request of Alice's (or `requester_id`'s), taken and done by Bob; its id."""
    request_id = await post(coop, requester_id=requester_id)
    await accept(coop, coop.bob, request_id)
    async with coop.core.uow() as uow:
        await requests.complete(uow, coop.bob, request_id, 1.5)
        await uow.commit()
    return request_id


async def tallies(coop: Cooperative) -> list[tuple[Any, ...]]:
    async with coop.core.uow() as uow:
        rows = await uow.session.execute(
            select(
                LonelinessTally.territory_id,
                LonelinessTally.quarter,
                LonelinessTally.wave,
                LonelinessTally.score,
                LonelinessTally.count,
            ).order_by(LonelinessTally.score)
        )
        return [tuple(r) for r in rows]


async def asked_at(coop: Cooperative, member_id: int) -> Any:
    async with coop.core.uow() as uow:
        row = await uow.session.get(LonelinessAsk, member_id)
        return None if row is None else row.asked_at


async def conversation_of(coop: Cooperative, who: str) -> Conversation:
    async with coop.core.uow() as uow:
        account = (
            await uow.session.execute(
                select(PlatformAccount).where(PlatformAccount.external_id == who)
            )
        ).scalar_one()
        found = await uow.session.get(Conversation, account.id)
        assert found is not None
        return found


async def thanked(coop: Cooperative, engine: ConversationEngine) -> list[str]:
    """Alice, helped, says thank you: the keys of what she is told."""
    await as_member(coop.core, "alice", coop.alice)
    request_id = await helped(coop)
    return [r.key for r in await say(engine, "alice", action=f"thank:{request_id}")]


async def answer(engine: ConversationEngine, *points: int) -> list[str]:
    keys: list[str] = []
    for value in points:
        keys = [r.key for r in await say(engine, "alice", action=f"often:{value}")]
    return keys


async def test_nothing_is_offered_where_the_territory_has_it_off(coop: Cooperative) -> None:
    engine = ConversationEngine(coop.core)
    assert await thanked(coop, engine) == ["Your thanks have been sent."]
    assert await asked_at(coop, coop.alice) is None


async def test_an_answered_check_is_one_anonymous_count_with_its_total(
    coop: Cooperative,
) -> None:
    await turn_on(coop)
    engine = ConversationEngine(coop.core)
    assert await thanked(coop, engine) == ["Your thanks have been sent.", OFFER]
    assert await asked_at(coop, coop.alice) == NOW
    [first] = await say(engine, "alice", action="lonely:yes")
    assert first.key == FIRST_QUESTION
    assert [b.action for b in first.buttons] == ["often:1", "often:2", "often:3", "lonely_stop"]
    assert await answer(engine, 3, 2) == ["How often do you feel isolated from others?"]
    [thanks] = await say(engine, "alice", "presque jamais")  # the words of a button: 1
    assert thanks.key.startswith("Thank you. Your answers are counted with the others")
    assert await tallies(coop) == [(coop.territory_id, "2026-Q4", "first", 6, 1)]
    # Nothing of it stays with her: not in her chat's state, not in the audit log.
    state = await conversation_of(coop, "alice")
    assert state.flow is None
    assert not {"total", "index", "wave"} & set(state.data)
    async with coop.core.uow() as uow:
        audited = (await uow.session.execute(select(AuditEntry))).scalars().all()
    assert not [a for a in audited if "lonel" in a.action and a.actor_id == coop.alice]
    assert all("6" not in str(a.details.values()) for a in audited if a.actor_id == coop.alice)


async def test_two_answers_of_the_same_total_add_up_in_one_count(coop: Cooperative) -> None:
    await turn_on(coop)
    engine = ConversationEngine(coop.core)
    await thanked(coop, engine)
    await say(engine, "alice", action="lonely:yes")
    await answer(engine, 1, 1, 2)
    zoe = await new_member(coop, "zoe", "Zoé Blanc")
    request_id = await helped(coop, zoe)
    await say(engine, "zoe", action=f"thank:{request_id}")
    await say(engine, "zoe", action="lonely:yes")
    for value in (2, 1, 1):
        await say(engine, "zoe", action=f"often:{value}")
    assert await tallies(coop) == [(coop.territory_id, "2026-Q4", "first", 4, 2)]


async def test_no_is_respected_and_it_is_offered_again_three_months_later(
    coop: Cooperative, clock: FrozenClock
) -> None:
    await turn_on(coop)
    engine = ConversationEngine(coop.core)
    await thanked(coop, engine)
    [declined] = await say(engine, "alice", "non")
    assert declined.key == "All right. Thank you."
    assert await tallies(coop) == []
    clock.now = NOW + timedelta(days=90)
    assert "offered" not in await run_due(coop.core, KIND)
    clock.now = NOW + timedelta(days=92)
    assert (await run_due(coop.core, KIND)).get("offered") == 1
    assert await asked_at(coop, coop.alice) == clock.now
    await say(engine, "alice", action="lonely:yes")
    await answer(engine, 3, 3, 3)
    assert await tallies(coop) == [(coop.territory_id, "2027-Q1", "again", 9, 1)]
    assert (await run_due(coop.core, KIND)).get("offered") is None  # not twice


async def test_stopping_midway_keeps_nothing(coop: Cooperative) -> None:
    await turn_on(coop)
    engine = ConversationEngine(coop.core)
    await thanked(coop, engine)
    await say(engine, "alice", action="lonely:yes")
    await answer(engine, 3)
    [stopped] = await say(engine, "alice", action="lonely_stop")
    assert stopped.key == "Stopped. Nothing of your answers is kept."
    state = await conversation_of(coop, "alice")
    assert state.flow is None and "total" not in state.data
    # An old button pressed again afterwards counts nothing either.
    await say(engine, "alice", action="often:3")
    assert await tallies(coop) == []


@pytest.mark.parametrize("leave", ["annuler", "menu", "je suis tombée, au secours"])
async def test_leaving_the_questions_keeps_nothing(coop: Cooperative, leave: str) -> None:
    await turn_on(coop)
    engine = ConversationEngine(coop.core)
    await thanked(coop, engine)
    await say(engine, "alice", action="lonely:yes")
    await answer(engine, 3, 3)
    await say(engine, "alice", leave)
    state = await conversation_of(coop, "alice")
    assert "total" not in str(state.data)
    await say(engine, "alice", action="often:3")
    assert await tallies(coop) == []


async def test_forged_answers_are_refused_and_count_nothing(coop: Cooperative) -> None:
    await turn_on(coop)
    engine = ConversationEngine(coop.core)
    await as_member(coop.core, "alice", coop.alice)
    for forged in ("lonely:yes", "often:3"):  # never offered: no step waits for them
        await say(engine, "alice", action=forged)
    assert await asked_at(coop, coop.alice) is None
    assert (await conversation_of(coop, "alice")).flow is None
    keys = await thanked(coop, engine)
    assert OFFER in keys
    await say(engine, "alice", action="lonely:yes")
    for forged in ("often:7", "often:0", "often:-1", "often:", "often:3:3"):
        [refused] = await say(engine, "alice", action=forged)
        assert "often:1" in [b.action for b in refused.buttons]
    assert await tallies(coop) == []


async def test_the_scheduler_offers_it_a_day_after_the_first_help_in_daytime(
    coop: Cooperative, clock: FrozenClock
) -> None:
    await turn_on(coop)
    engine = ConversationEngine(coop.core)
    await as_member(coop.core, "alice", coop.alice)
    await helped(coop)  # not thanked: nothing was offered
    clock.now = NOW + timedelta(hours=20)  # 6:00 in Paris the next morning
    assert "offered" not in await run_due(coop.core, KIND)
    clock.now = NOW + timedelta(days=1)  # 10:00 in Paris: past 9:00, the hour of the digest
    assert (await run_due(coop.core, KIND)).get("offered") == 1
    async with coop.core.uow() as uow:
        offers = (
            await uow.session.execute(select(Notification).where(Notification.key == OFFER))
        ).scalars()
        assert len(list(offers)) == 1
    [first] = await say(engine, "alice", action="lonely:yes")  # her chat waits for the answer
    assert first.key == FIRST_QUESTION


async def test_a_requester_busy_in_another_flow_is_offered_it_the_next_day(
    coop: Cooperative, clock: FrozenClock
) -> None:
    await turn_on(coop)
    engine = ConversationEngine(coop.core)
    await as_member(coop.core, "alice", coop.alice)
    await helped(coop)
    clock.now = NOW + timedelta(days=1)
    await say(engine, "alice", action="need_help")  # in the middle of a request
    assert (await run_due(coop.core, KIND)).get("busy") == 1
    assert await asked_at(coop, coop.alice) is None
    await say(engine, "alice", action="abort")
    clock.now = NOW + timedelta(days=2)
    assert (await run_due(coop.core, KIND)).get("offered") == 1


async def test_only_requesters_who_were_helped_are_offered_it(
    coop: Cooperative, clock: FrozenClock
) -> None:
    await turn_on(coop)
    await as_member(coop.core, "alice", coop.alice)
    await as_member(coop.core, "bob", coop.bob)
    request_id = await post(coop)
    await accept(coop, coop.bob, request_id)  # taken, not done yet
    clock.now = NOW + timedelta(days=5)
    assert "offered" not in await run_due(coop.core, KIND)
    assert await asked_at(coop, coop.bob) is None and await asked_at(coop, coop.alice) is None


async def test_turned_off_it_is_no_longer_offered(coop: Cooperative, clock: FrozenClock) -> None:
    await turn_on(coop)
    await as_member(coop.core, "alice", coop.alice)
    await helped(coop)
    await turn_on(coop, False)
    clock.now = NOW + timedelta(days=1)
    assert "offered" not in await run_due(coop.core, KIND)


async def test_only_a_coordinator_turns_it_on(coop: Cooperative) -> None:
    async with coop.core.uow() as uow:
        with pytest.raises(NotAllowed):
            await loneliness.set_on(uow, coop.territory_id, by_id=coop.alice, on=True)
    async with coop.core.uow() as uow:
        assert not await loneliness.is_on(uow, coop.territory_id)


async def test_erasure_forgets_the_offer_and_the_counts_stay_anonymous(
    coop: Cooperative,
) -> None:
    await turn_on(coop)
    engine = ConversationEngine(coop.core)
    await thanked(coop, engine)
    await say(engine, "alice", action="lonely:yes")
    await answer(engine, 2, 2, 2)
    async with coop.core.uow() as uow:
        await privacy.erase_member(uow, coop.alice, by_id=coop.coordinator)
        await uow.commit()
    assert await asked_at(coop, coop.alice) is None
    assert await tallies(coop) == [(coop.territory_id, "2026-Q4", "first", 6, 1)]


async def test_a_check_left_unfinished_for_a_day_is_dropped_with_its_total(
    coop: Cooperative, clock: FrozenClock
) -> None:
    await turn_on(coop)
    engine = ConversationEngine(coop.core)
    await thanked(coop, engine)
    await say(engine, "alice", action="lonely:yes")
    await answer(engine, 3, 2)
    clock.advance(hours=23)
    assert (await prune(coop.core, clock()))["loneliness_unfinished"] == 0
    assert (await conversation_of(coop, "alice")).data["total"] == 5
    clock.advance(hours=2)
    assert (await prune(coop.core, clock()))["loneliness_unfinished"] == 1
    state = await conversation_of(coop, "alice")
    assert state.flow is None and not {"total", "index", "wave"} & set(state.data)
    await say(engine, "alice", action="often:3")  # the last question's button, too late
    assert await tallies(coop) == []


async def test_a_proxy_who_thanks_for_her_is_offered_nothing(coop: Cooperative) -> None:
    await turn_on(coop)
    engine = ConversationEngine(coop.core)
    marie = await new_member(coop, "marie", "Marie Blanc")
    await helped(coop, marie)  # Marie was helped herself, too
    async with coop.core.uow() as uow:
        await proxies.add_proxy(uow, coop.alice, marie, consent=CONSENT, by_id=coop.coordinator)
        await uow.commit()
    request_id = await helped(coop)  # Alice's
    keys = [r.key for r in await say(engine, "marie", action=f"thank:{request_id}")]
    assert keys == ["Your thanks have been sent."]
    assert await asked_at(coop, coop.alice) is None and await asked_at(coop, marie) is None

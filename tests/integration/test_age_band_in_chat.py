"""The age band in the chat (SQLite and PostgreSQL): the last, optional question of onboarding,
skipped in one tap; given, changed or removed later by the member herself, with buttons or
their words; a forged band changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.dialogue.engine import ConversationEngine
from core.domain.model import AuditEntry, Member
from core.domain.observatory_tables import MemberAgeBand
from tests.conftest import Cooperative
from tests.integration._support import as_member, say

AGE_QUESTION = "One last question, if you like: how old are you?"


async def _bands(coop: Cooperative) -> dict[int, str]:
    async with coop.core.uow() as uow:
        rows = (await uow.session.execute(select(MemberAgeBand))).scalars()
        return {r.member_id: r.band for r in rows}


async def _zoe(coop: Cooperative) -> Member | None:
    async with coop.core.uow() as uow:
        found = await uow.session.execute(select(Member).where(Member.display_name == "Zoé"))
        return found.scalar_one_or_none()


async def onboard_up_to_the_age(engine: ConversationEngine) -> list[str]:
    """Zoé joins as a requester; the buttons of the age question."""
    await say(engine, "zoe", "bonjour", display_name="Zoé")
    for action in ("lang:fr", "role:requester", "nb:0", "skip"):
        await say(engine, "zoe", action=action)
    [question] = await say(engine, "zoe", action="skip")
    assert question.key.startswith(AGE_QUESTION)
    assert "Personne d'autre ne voit votre réponse" in question.text
    return [b.action for b in question.buttons]


async def test_onboarding_asks_the_age_last_and_keeps_the_band_given(coop: Cooperative) -> None:
    engine = ConversationEngine(coop.core)
    buttons = await onboard_up_to_the_age(engine)
    assert buttons == ["band:under_30", "band:30_59", "band:60_74", "band:75_plus", "band:none"]
    assert await _zoe(coop) is None  # nobody is a member before the last answer
    [welcome] = await say(engine, "zoe", action="band:75_plus")
    assert welcome.key.startswith("Welcome, {name}!")
    zoe = await _zoe(coop)
    assert zoe is not None
    assert await _bands(coop) == {zoe.id: "75_plus"}


async def test_i_prefer_not_to_say_is_one_tap_and_stores_nothing(coop: Cooperative) -> None:
    engine = ConversationEngine(coop.core)
    await onboard_up_to_the_age(engine)
    [welcome] = await say(engine, "zoe", action="band:none")
    assert welcome.key.startswith("Welcome, {name}!")
    assert await _zoe(coop) is not None
    assert await _bands(coop) == {}


async def test_the_band_typed_as_on_its_button_is_that_band(coop: Cooperative) -> None:
    engine = ConversationEngine(coop.core)
    await onboard_up_to_the_age(engine)
    [welcome] = await say(engine, "zoe", "75 ans et plus")
    assert welcome.key.startswith("Welcome, {name}!")
    zoe = await _zoe(coop)
    assert zoe is not None and await _bands(coop) == {zoe.id: "75_plus"}


async def test_a_forged_band_at_onboarding_is_refused_and_asked_again(coop: Cooperative) -> None:
    engine = ConversationEngine(coop.core)
    await onboard_up_to_the_age(engine)
    [again] = await say(engine, "zoe", action="band:eighty")
    assert "band:none" in [b.action for b in again.buttons]
    assert await _zoe(coop) is None and await _bands(coop) == {}


async def test_a_member_gives_changes_and_removes_her_band_from_the_chat(
    coop: Cooperative,
) -> None:
    engine = ConversationEngine(coop.core)
    await as_member(coop.core, "alice", coop.alice)
    [shown] = await say(engine, "alice", "mon âge")
    assert shown.key.startswith("You have not given your age.")
    assert "band:none" not in [b.action for b in shown.buttons]
    await say(engine, "alice", action="band:60_74")
    assert await _bands(coop) == {coop.alice: "60_74"}
    [shown] = await say(engine, "alice", action="my_age")
    assert shown.key.startswith("Your age, as you gave it:") and "60 à 74 ans" in shown.text
    await say(engine, "alice", "4")  # the fourth button: 75 and over
    assert await _bands(coop) == {coop.alice: "75_plus"}
    [removed] = await say(engine, "alice", action="band:none")
    assert removed.key == "Done: your age is removed."
    assert await _bands(coop) == {}
    async with coop.core.uow() as uow:
        actions = (await uow.session.execute(select(AuditEntry.action))).scalars().all()
    assert {"member.age_band", "member.age_band_removed"} <= set(actions)


async def test_the_help_leads_to_the_age(coop: Cooperative) -> None:
    engine = ConversationEngine(coop.core)
    await as_member(coop.core, "alice", coop.alice)
    [shown] = await say(engine, "alice", action="help")
    assert "my_age" in [b.action for b in shown.buttons]


async def test_a_forged_band_of_a_member_changes_nothing(coop: Cooperative) -> None:
    engine = ConversationEngine(coop.core)
    await as_member(coop.core, "alice", coop.alice)
    await say(engine, "alice", action="band:30_59")
    for forged in ("band:eighty", "band:", "band:75_plus:x", "band:" + "9" * 400):
        replies = await say(engine, "alice", action=forged)
        assert replies and replies[0].text
    assert await _bands(coop) == {coop.alice: "30_59"}


@pytest.mark.parametrize(
    ("typed", "band"),
    [("82", "75_plus"), ("67 ans", "60_74"), ("30", "30_59"), ("19", "under_30")],
)
async def test_the_age_typed_in_years_is_its_band(
    coop: Cooperative, typed: str, band: str
) -> None:
    engine = ConversationEngine(coop.core)
    await onboard_up_to_the_age(engine)
    [welcome] = await say(engine, "zoe", typed)
    assert welcome.key.startswith("Welcome, {name}!")
    zoe = await _zoe(coop)
    assert zoe is not None and await _bands(coop) == {zoe.id: band}


@pytest.mark.parametrize("typed", ["vieux", "7", "200", "82 ou 83", "-5"])
async def test_an_age_that_is_not_one_is_asked_again_kindly(coop: Cooperative, typed: str) -> None:
    engine = ConversationEngine(coop.core)
    await onboard_up_to_the_age(engine)
    [again] = await say(engine, "zoe", typed)
    assert "band:none" in [b.action for b in again.buttons]
    assert await _zoe(coop) is None and await _bands(coop) == {}

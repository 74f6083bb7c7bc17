"""A volunteer chooses every time that suits them at onboarding, and matching uses them all
(SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.dialogue.engine import ConversationEngine
from core.domain.availability import PRESETS
from core.domain.model import Member
from core.services import matching, members, requests
from tests.conftest import NOW, Cooperative
from tests.integration._support import say


async def onboard_zoe(engine: ConversationEngine, *slots: str) -> list[str]:
    """Zoé joins as a gardening volunteer; the message ids of the answers at the times step."""
    await say(engine, "zoe", "bonjour", display_name="Zoé")
    for action in ("lang:fr", "role:volunteer", "nb:0", "skill:gardening", "skills_done"):
        await say(engine, "zoe", action=action)
    keys = []
    for slot in slots:
        [answer] = await say(engine, "zoe", action=slot)
        keys.append(answer.key)
    return keys


async def test_a_volunteer_chooses_several_times_and_all_are_kept(coop: Cooperative) -> None:
    engine = ConversationEngine(coop.core)
    keys = await onboard_zoe(
        engine,
        "avail:weekday_mornings",
        "avail:weekday_evenings",
        "avail:weekends",
        "avail:weekday_evenings",  # pressed again: no longer chosen
    )
    assert all(key.startswith("When are you usually available?") for key in keys)
    [shown] = await say(engine, "zoe", action="avail:weekday_afternoons")
    selected = {b.action for b in shown.buttons if b.label.startswith("✓ ")}
    assert selected == {"avail:weekday_mornings", "avail:weekends", "avail:weekday_afternoons"}
    await say(engine, "zoe", action="avail:weekday_afternoons")  # and off again
    [phone] = await say(engine, "zoe", action="avail_done")
    assert phone.key.startswith("What is your phone number?")
    await say(engine, "zoe", action="skip")
    await say(engine, "zoe", action="band:none")
    async with coop.core.uow() as uow:
        zoe = (
            await uow.session.execute(select(Member).where(Member.display_name == "Zoé"))
        ).scalar_one()
    assert zoe.availability == PRESETS["weekday_mornings"] | PRESETS["weekends"]


async def test_done_without_any_time_asks_for_one(coop: Cooperative) -> None:
    engine = ConversationEngine(coop.core)
    await onboard_zoe(engine)
    [again] = await say(engine, "zoe", action="avail_done")
    assert again.key == "Please choose at least one time."
    assert [b.action for b in again.buttons][-1] == "avail_done"


async def test_matching_ranks_the_volunteer_higher_at_each_chosen_time(
    coop: Cooperative,
) -> None:
    engine = ConversationEngine(coop.core)
    await onboard_zoe(
        engine, "avail:weekday_mornings", "avail:weekends", "avail_done", "skip", "band:none"
    )
    async with coop.core.uow() as uow:
        zoe = (
            await uow.session.execute(select(Member).where(Member.display_name == "Zoé"))
        ).scalar_one()
        await members.approve_member(uow, zoe.id, by_id=coop.coordinator)
        await uow.commit()
    # NOW is a Monday at 10:00 in Paris (09:00 UTC).
    saturday_afternoon = NOW + timedelta(days=5, hours=5)
    tuesday_morning = NOW + timedelta(days=1)
    wednesday_evening = NOW + timedelta(days=2, hours=10)
    scores = {}
    async with coop.core.uow() as uow:
        for name, when in (
            ("saturday", saturday_afternoon),
            ("tuesday", tuesday_morning),
            ("wednesday", wednesday_evening),
        ):
            request = await requests.post_request(
                uow, coop.alice, category="gardening", when_start=when
            )
            [ranked] = await matching.rank_volunteers(uow, request, limit=5, exclude=set())
            assert ranked.member_id == zoe.id
            scores[name] = ranked.score
    assert scores["saturday"] == scores["tuesday"]
    assert scores["saturday"] - scores["wednesday"] == matching.AVAILABILITY_WEIGHT

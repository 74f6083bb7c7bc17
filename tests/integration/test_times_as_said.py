"""Times never invented: a window said ("jeudi matin", "dans la semaine") stays a window.

Issue 11, "Times never given": the request keeps the window and its kind, the senior and the
volunteers see it as it was said (never "à 09:00"), matching scores availability by the
window, and reminders name no hour nobody gave. Engine level, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from core.dialogue.engine import ConversationEngine
from core.dialogue.render import render_text
from core.domain.availability import Period, slot_bit
from core.domain.model import HelpRequest, Member, Notification
from core.domain.vocabulary import WhenKind
from core.scheduling import run_due
from core.services import matching, members
from nlu.interpreter import BuiltinInterpreter
from tests.conftest import Cooperative, FrozenClock
from tests.integration._support import accept
from tests.integration.test_conversation import as_member, say

PARIS = ZoneInfo("Europe/Paris")
THURSDAY = datetime(2026, 11, 26, tzinfo=PARIS).date()  # the clock's Monday + 3 days
# An hour written in a message: "09:00", "9h", "9 h", "9am".
AN_HOUR = re.compile(r"\d{1,2} ?(:\d{2}|h\b|am\b|pm\b)")


@pytest.fixture(scope="module")
def interpreter() -> BuiltinInterpreter:
    return BuiltinInterpreter()


async def _ask(coop: Cooperative, engine: ConversationEngine, *lines: str) -> str:
    """Alice asks in her words, up to the summary; the summary's text."""
    await as_member(coop.core, "alice", coop.alice)
    replies = []
    for line in lines:
        replies = await say(engine, "alice", line)
    assert replies[-1].key.startswith("Here is your request"), [r.key for r in replies]
    return replies[-1].text


async def _the_request(coop: Cooperative) -> HelpRequest:
    async with coop.core.uow() as uow:
        return (await uow.session.execute(select(HelpRequest))).scalar_one()


async def _to(coop: Cooperative, member_id: int) -> list[Notification]:
    async with coop.core.uow() as uow:
        rows = await uow.session.execute(
            select(Notification)
            .where(Notification.member_id == member_id)
            .order_by(Notification.id)
        )
        return list(rows.scalars())


def _shown(row: Notification, language: str) -> str:
    return render_text(row.key, row.params, language, "Europe/Paris", row.kind or "text")


async def test_thursday_morning_is_kept_as_a_window_and_shown_as_said(
    coop: Cooperative, interpreter: BuiltinInterpreter
) -> None:
    engine = ConversationEngine(coop.core, interpreter)
    summary = await _ask(
        coop, engine, "j'ai besoin de quelqu'un pour faire mes courses jeudi matin", "chez moi"
    )
    assert "jeudi 26 novembre, le matin" in summary
    assert not AN_HOUR.search(summary), summary
    await say(engine, "alice", "oui")

    request = await _the_request(coop)
    start, end = request.when_start, request.when_end
    assert end is not None and request.when_kind == WhenKind.MORNING
    assert (start.astimezone(PARIS).date(), start.astimezone(PARIS).hour) == (THURSDAY, 9)
    assert end.astimezone(PARIS).hour == 12
    [offer] = [r for r in await _to(coop, coop.bob) if r.request_id == request.id]
    assert "jeudi 26 novembre, le matin" in _shown(offer, "fr")
    assert "Thursday 26 November, in the morning" in _shown(offer, "en")
    assert not AN_HOUR.search(_shown(offer, "fr") + _shown(offer, "en"))


@pytest.mark.parametrize(
    ("words", "kind", "shown"),
    [
        ("Thursday morning", WhenKind.MORNING, "jeudi 26 novembre, le matin"),
        ("demain après-midi", WhenKind.AFTERNOON, "mardi 24 novembre, l'après-midi"),
        ("jeudi", WhenKind.DAY, "jeudi 26 novembre"),
        ("dans la semaine", WhenKind.DAYS, "entre le mardi 24 novembre et le lundi 30 novembre"),
        ("dans les prochains jours", WhenKind.DAYS, "entre le mardi 24 novembre et le"),
        ("jeudi à 15h", WhenKind.AT, "jeudi 26 novembre à 15:00"),
    ],
)
async def test_a_day_a_part_of_a_day_or_some_days_typed_at_the_when_step_are_kept_as_said(
    coop: Cooperative, interpreter: BuiltinInterpreter, words: str, kind: WhenKind, shown: str
) -> None:
    engine = ConversationEngine(coop.core, interpreter)
    await as_member(coop.core, "alice", coop.alice)
    for pressed in ("need_help", "cat:shopping"):
        await say(engine, "alice", action=pressed)
    await say(engine, "alice", words)
    [summary] = await say(engine, "alice", action="where:home")
    assert shown in summary.text, summary.text
    if kind != WhenKind.AT:
        assert not AN_HOUR.search(summary.text), summary.text
    await say(engine, "alice", action="confirm")
    assert (await _the_request(coop)).when_kind == kind


async def test_a_window_is_matched_against_the_volunteers_slots_of_that_window(
    coop: Cooperative,
) -> None:
    """Thursday morning (9:00 to 12:00) is a morning: a volunteer free on Thursday mornings
    scores for it, one free on Thursday afternoons does not (the window's end is not in it)."""
    async with coop.core.uow() as uow:
        await members.update_profile(uow, coop.bob, availability=slot_bit(3, Period.AFTERNOON))
        await members.update_profile(uow, coop.carol, availability=slot_bit(3, Period.MORNING))
        await uow.commit()
    thursday_morning = (
        datetime.combine(THURSDAY, datetime.min.time(), PARIS) + timedelta(hours=9),
        datetime.combine(THURSDAY, datetime.min.time(), PARIS) + timedelta(hours=12),
    )
    async with coop.core.uow() as uow:
        alice = await uow.session.get(Member, coop.alice)
        assert alice is not None
        request = HelpRequest(
            territory_id=coop.territory_id,
            requester=alice,
            requester_id=alice.id,
            category="shopping",
            when_start=thursday_morning[0],
            when_end=thursday_morning[1],
            when_kind=WhenKind.MORNING,
            neighbourhood="Elsewhere",  # no neighbourhood bonus: availability decides
            state="open",
            created_at=uow.now(),
            updated_at=uow.now(),
            assignments=[],
        )
        ranked = await matching.rank_volunteers(uow, request, limit=5, exclude=set())
    scores = {r.member_id: r.score for r in ranked}
    assert scores[coop.carol] - scores[coop.bob] == matching.AVAILABILITY_WEIGHT


async def test_reminders_of_a_window_come_before_its_start_and_name_no_hour(
    coop: Cooperative, interpreter: BuiltinInterpreter, clock: FrozenClock
) -> None:
    engine = ConversationEngine(coop.core, interpreter)
    await _ask(coop, engine, "j'ai besoin de quelqu'un pour faire mes courses jeudi matin", "1")
    await say(engine, "alice", "oui")
    request = await _the_request(coop)
    await accept(coop, coop.bob, request.id)

    clock.now = request.when_start - timedelta(hours=24)  # Wednesday 9:00, a day before
    assert await run_due(coop.core, ["reminder"]) == {"done": 1}
    reminders = [
        row
        for member_id in (coop.alice, coop.bob)
        for row in await _to(coop, member_id)
        if row.key.startswith("Reminder:")
    ]
    assert len(reminders) == 2
    for row in reminders:
        for language in ("fr", "en"):
            text = _shown(row, language)
            said = ("jeudi 26 novembre, le matin", "Thursday 26 November, in the morning")
            assert any(words in text for words in said), text
            assert not AN_HOUR.search(text), text

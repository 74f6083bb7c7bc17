"""Changing a request still to come (issue 15), on SQLite and PostgreSQL.

Alice, or Marie acting for Odette, changes what, when or where from "My requests": the request
as it will be is shown, and nothing changes before a yes. While it is open the rooms' post is
edited and the volunteers offered it see the new version; once accepted, the volunteer holding
it is told what changed and keeps the task or gives it back; reminders follow the new time.
Whoever may not change it, or a request that is over, is refused and nothing changes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from core.dialogue.engine import ConversationEngine
from core.dialogue.render import render_text
from core.domain.errors import InvalidInput, InvalidTransition, NotAllowed
from core.domain.model import AuditEntry, HelpRequest, Notification
from core.domain.vocabulary import MessageKind, RequestState
from core.scheduling import run_due
from core.services import changes, privacy, proxies, requests
from nlu.interpreter import BuiltinInterpreter
from tests.conftest import NOW, Cooperative, FrozenClock
from tests.integration._scheduling import add_channel, runs, sent
from tests.integration._support import accept, as_member, post, say, texts
from tests.integration.test_proxies import CONSENT, _odette_and_marie

# Friday 27 November 2026, in the afternoon in Paris (14:00 to 17:00, UTC+1).
FRIDAY_AFTERNOON = (datetime(2026, 11, 27, 13, tzinfo=UTC), datetime(2026, 11, 27, 16, tzinfo=UTC))


@pytest.fixture(scope="module")
def interpreter() -> BuiltinInterpreter:
    return BuiltinInterpreter()


async def _request(coop: Cooperative, request_id: int) -> HelpRequest:
    async with coop.core.uow() as uow:
        request = await uow.session.get(HelpRequest, request_id)
        assert request is not None
        return request


async def _changes(coop: Cooperative) -> list[AuditEntry]:
    async with coop.core.uow() as uow:
        rows = await uow.session.execute(
            select(AuditEntry).where(AuditEntry.action == "request.change")
        )
        return list(rows.scalars())


async def _change(coop: Cooperative, actor_id: int | None, request_id: int, **pieces: object):  # type: ignore[no-untyped-def]
    async with coop.core.uow() as uow:
        changed = await changes.change(uow, actor_id, request_id, **pieces)  # type: ignore[arg-type]
        await uow.commit()
        return changed


async def test_alice_changes_the_day_in_her_words_and_the_post_and_offers_follow(
    coop: Cooperative, interpreter: BuiltinInterpreter
) -> None:
    room = await add_channel(coop)
    request_id = await post(coop)
    await as_member(coop.core, "alice", coop.alice)
    engine = ConversationEngine(coop.core, interpreter)
    shown = await say(engine, "alice", action="my_requests")
    assert f"change_req:{request_id}" in [b.action for b in shown[-1].buttons]
    asked = await say(engine, "alice", action=f"change_req:{request_id}")
    assert [b.action for b in asked[-1].buttons][:3] == [
        "change:what",
        "change:when",
        "change:where",
    ]
    summary = await say(engine, "alice", "plutôt vendredi après-midi")
    assert summary[-1].key.startswith("Here is your request, changed"), texts(summary)
    assert "vendredi 27 novembre, l'après-midi" in summary[-1].text, summary[-1].text
    assert (await _request(coop, request_id)).when_start == NOW + timedelta(days=3)  # not yet
    done = await say(engine, "alice", action="change_yes")
    assert "The volunteers see the new version" in texts(done)
    request = await _request(coop, request_id)
    assert (request.when_start, request.when_end) == FRIDAY_AFTERNOON
    assert request.when_kind == "afternoon"  # a window stays a window: no hour invented
    (post_edit,) = await sent(coop.core, channel=True, startswith="Changed request")
    assert post_edit.channel_id == room and post_edit.kind == MessageKind.REQUEST_POST
    assert post_edit.request_id == request_id and "address" not in post_edit.params
    for volunteer in (coop.bob, coop.carol):
        (offer,) = await sent(coop.core, member_id=volunteer, startswith="This request has")
        assert offer.params["when_kind"] == "afternoon" and "address" not in offer.params
        assert offer.choices[0]["action"] == f"accept:{request_id}"
    (entry,) = await _changes(coop)
    assert entry.actor_id == coop.alice and entry.details["changed"] == ["when"]
    assert "for_member" not in entry.details


async def test_a_proxy_changes_the_place_for_her_and_both_are_recorded(
    coop: Cooperative,
) -> None:
    odette, marie = await _odette_and_marie(coop)
    async with coop.core.uow() as uow:  # she acts for Alice too
        await proxies.add_proxy(uow, coop.alice, marie, consent=CONSENT, by_id=coop.coordinator)
        await uow.commit()
    request_id = await post(coop, requester_id=odette)
    alices = await post(coop, days=4)
    await as_member(coop.core, "marie", marie)
    engine = ConversationEngine(coop.core)
    shown = await say(engine, "marie", action="my_requests")
    # Each request says for whom it is, with its own button.
    buttons = {r.params[proxies.FOR_NAME]: [b.action for b in r.buttons] for r in shown}
    assert f"change_req:{request_id}" in buttons["Odette"]
    assert f"change_req:{alices}" in buttons["Alice"]
    await say(engine, "marie", action=f"change_req:{request_id}")
    asked = await say(engine, "marie", action="change:where")
    assert asked[-1].buttons[0].action == "where:home"
    summary = await say(engine, "marie", "la pharmacie du port")
    assert summary[-1].key.startswith("Here is the request for {name}, changed"), texts(summary)
    await say(engine, "marie", action="change_yes")
    assert (await _request(coop, request_id)).place == "la pharmacie du port"
    (entry,) = await _changes(coop)
    assert (entry.actor_id, entry.details["for_member"]) == (marie, odette)
    assert entry.details["changed"] == ["where"]
    async with coop.core.uow() as uow:  # her export names who changed it, and for whom
        exported = await privacy.export_member(uow, odette)
    (hers,) = exported["requests"]
    assert {"action": "request.change", "by": "Marie Lebrun", "for_member": odette}.items() <= (
        hers["actions"][-1].items()
    )


async def test_the_volunteer_holding_it_is_told_what_changed_and_keeps_or_gives_it_back(
    coop: Cooperative,
) -> None:
    request_id = await post(coop)
    await accept(coop, coop.bob, request_id)
    await as_member(coop.core, "bob", coop.bob)
    await _change(coop, coop.alice, request_id, place="la pharmacie du port", category="transport")
    (card,) = await sent(coop.core, member_id=coop.bob, startswith="The request of")
    assert card.kind == MessageKind.CONTACT_CARD
    assert card.params["what"] == "the kind of help and the place"
    assert card.params["address"] == "3 rue des Pêcheurs"
    text = render_text(card.key, card.params, "fr", "Europe/Paris", card.kind)
    assert "a changé\u00a0: le type d'aide et le lieu" in text, text
    assert "la pharmacie du port" in text and "jeudi 26 novembre à 10:00" in text
    assert [c["action"] for c in card.choices] == [
        f"change_ok:{request_id}",
        f"withdraw:{request_id}",
    ]
    # The address goes to the volunteer who holds the task, and nobody else.
    async with coop.core.uow() as uow:
        rows = (await uow.session.execute(select(Notification))).scalars()
        assert {n.member_id for n in rows if "3 rue des Pêcheurs" in str(n.params)} == {coop.bob}
    engine = ConversationEngine(coop.core)
    kept = await say(engine, "bob", action=f"change_ok:{request_id}")
    assert "You keep this task" in texts(kept)
    assert (await _request(coop, request_id)).state == RequestState.ACCEPTED
    confirmed = "{volunteer} has seen the change and will come: {category}, {when}."
    (told,) = await sent(coop.core, member_id=coop.alice, startswith=confirmed)
    assert told.params["volunteer"] == "Bob Leroy"
    await say(engine, "bob", action=f"change_ok:{request_id}")  # pressed again: told once
    assert len(await sent(coop.core, member_id=coop.alice, startswith=confirmed)) == 1
    await say(engine, "bob", action=f"withdraw:{request_id}")
    await say(engine, "bob", action=f"withdraw_yes:{request_id}")
    request = await _request(coop, request_id)
    assert request.state == RequestState.OPEN and request.active_assignment is None


async def test_reminders_of_the_old_day_make_way_for_those_of_the_new_one(
    coop: Cooperative, clock: FrozenClock
) -> None:
    request_id = await post(coop, days=3)
    await accept(coop, coop.bob, request_id)
    old = NOW + timedelta(days=3)
    clock.now = old - timedelta(hours=24)
    assert await run_due(coop.core, ["reminder"]) == {"done": 1}
    new = NOW + timedelta(days=5)
    await _change(coop, coop.alice, request_id, when_start=new)
    assert await runs(coop.core) == {}  # the reminder of the old day is forgotten
    clock.now = old - timedelta(hours=1)
    assert await run_due(coop.core, ["reminder"]) == {}  # nothing at the old time
    clock.now = new - timedelta(hours=24)
    assert await run_due(coop.core, ["reminder"]) == {"done": 1}
    reminders = await sent(coop.core, member_id=coop.bob, startswith="Reminder:")
    assert [r.params["when"] for r in reminders] == [old.isoformat(), new.isoformat()]


async def test_a_coordinator_may_change_it_and_is_recorded_with_her(coop: Cooperative) -> None:
    request_id = await post(coop)
    assert await _change(coop, coop.coordinator, request_id, category="transport") == ("what",)
    (entry,) = await _changes(coop)
    assert (entry.actor_id, entry.details["for_member"]) == (coop.coordinator, coop.alice)
    # Alice did not do it: she is told, without her address (it is hers).
    (told,) = await sent(coop.core, member_id=coop.alice, startswith="The request is changed")
    assert told.params["category"] == "transport" and "address" not in told.params


async def test_an_outsider_and_a_revoked_proxy_are_refused_and_nothing_changes(
    coop: Cooperative,
) -> None:
    odette, marie = await _odette_and_marie(coop)
    request_id = await post(coop, requester_id=odette)
    async with coop.core.uow() as uow:
        await proxies.remove_proxy(uow, odette, marie, by_id=coop.coordinator)
        await uow.commit()
    for outsider in (coop.carol, marie, coop.alice):
        with pytest.raises(NotAllowed):
            await _change(coop, outsider, request_id, place="ailleurs")
    assert (await _request(coop, request_id)).place is None
    assert await _changes(coop) == []


async def test_a_request_done_or_cancelled_cannot_be_changed_even_by_an_old_button(
    coop: Cooperative,
) -> None:
    done_id = await post(coop)
    await accept(coop, coop.bob, done_id)
    async with coop.core.uow() as uow:
        await requests.complete(uow, coop.bob, done_id, 1.0)
        await uow.commit()
    with pytest.raises(InvalidTransition):
        await _change(coop, coop.alice, done_id, place="ailleurs")
    cancelled_id = await post(coop)
    await as_member(coop.core, "alice", coop.alice)
    engine = ConversationEngine(coop.core)
    await say(engine, "alice", action=f"change_req:{cancelled_id}")
    await say(engine, "alice", action="change:where")
    await say(engine, "alice", "la pharmacie")  # the summary, to confirm
    async with coop.core.uow() as uow:
        await requests.cancel(uow, coop.alice, cancelled_id)
        await uow.commit()
    refused = await say(engine, "alice", action="change_yes")
    refused += await say(engine, "alice", action=f"change_req:{cancelled_id}")
    assert texts(refused).count("This request is {state} now") == 2, texts(refused)
    assert refused[-1].params["state"] == "cancelled"
    assert await _changes(coop) == []


async def test_bad_input_is_answered_kindly_and_changes_nothing(coop: Cooperative) -> None:
    request_id = await post(coop)
    before = await _request(coop, request_id)
    for pieces in (
        {"when_start": NOW - timedelta(days=1)},
        {"when_start": NOW + timedelta(days=1), "when_end": NOW},
        {"category": "jetpack"},
        {"category": "shopping"},  # nothing different
    ):
        with pytest.raises(InvalidInput):
            await _change(coop, coop.alice, request_id, **pieces)
    await as_member(coop.core, "alice", coop.alice)
    engine = ConversationEngine(coop.core)
    await say(engine, "alice", action=f"change_req:{request_id}")
    await say(engine, "alice", action="change:when")
    replies = await say(engine, "alice", "le jour de la saint glinglin")
    assert "did not understand the date" in texts(replies)
    after = await _request(coop, request_id)
    assert (after.when_start, after.category, after.place, after.version) == (
        before.when_start,
        before.category,
        before.place,
        before.version,
    )
    assert await _changes(coop) == []


async def test_the_place_of_a_task_whose_hour_just_passed_can_still_be_set_right(
    coop: Cooperative, clock: FrozenClock
) -> None:
    """The dialogue sends every piece: the time kept as it is is no new time, so not "past"."""
    request_id = await post(coop, days=3)
    await accept(coop, coop.bob, request_id)
    before = await _request(coop, request_id)
    clock.now = before.when_start + timedelta(minutes=30)  # Bob is on his way, not done
    changed = await _change(
        coop,
        coop.alice,
        request_id,
        category=before.category,
        when_start=before.when_start,
        when_end=before.when_end,
        when_kind=None,  # as for a request older than the kinds: inferred, the same
        place="chez ma voisine, au 5",
    )
    assert changed == ("where",)


async def test_another_kind_of_help_is_offered_to_the_volunteers_who_give_it(
    coop: Cooperative,
) -> None:
    """Paperwork nobody offers, changed to a lift: Bob (who gives lifts) gets the usual offer,
    once; Carol (shopping only) is not asked."""
    request_id = await post(coop, category="paperwork")
    async with coop.core.uow() as uow:
        notified = await uow.session.execute(
            select(Notification.member_id).where(Notification.kind == MessageKind.REQUEST_POST)
        )
        assert list(notified.scalars()) == []  # nobody to offer paperwork to
    await _change(coop, coop.alice, request_id, category="transport")
    async with coop.core.uow() as uow:
        rows = await uow.session.execute(
            select(Notification).where(
                Notification.kind == MessageKind.REQUEST_POST, Notification.member_id.is_not(None)
            )
        )
        offers = [(n.member_id, n.key) for n in rows.scalars()]
    assert [member for member, _key in offers] == [coop.bob]
    assert not offers[0][1].startswith("This request has changed")

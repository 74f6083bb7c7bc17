"""Members who do not chat and the people who act for them (issue 15), on both databases.

Odette does not chat: a coordinator registered her, with when to call her. Marie, her
daughter, acts for her with her consent: she posts, cancels and thanks for her, and receives
what concerns her. Every action records both who did it and for whom. An outsider cannot make
themselves a proxy; a revoked proxy loses access at once, reminders already planned included.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from core.dialogue.engine import ConversationEngine
from core.domain.errors import DomainError, NotAllowed
from core.domain.model import AuditEntry, HelpRequest, Notification
from core.domain.vocabulary import Role
from core.services import members, privacy, proxies, requests, timed
from nlu.interpreter import BuiltinInterpreter
from tests.conftest import NOW, Cooperative
from tests.integration._support import accept, post, snapshot
from tests.integration.test_conversation import as_member, say, texts

CONSENT = "by phone, 2026-11-20"


@pytest.fixture(scope="module")
def interpreter() -> BuiltinInterpreter:
    return BuiltinInterpreter()


async def _odette_and_marie(
    coop: Cooperative, *, proxy: bool = True, call_proxy: bool = False
) -> tuple[int, int]:
    """Odette (no chat, call her in the afternoon) and Marie, her proxy (unless `proxy`)."""
    async with coop.core.uow() as uow:
        odette = await members.onboard_member(
            uow,
            coop.territory_id,
            "Odette Lebrun",
            roles=[Role.REQUESTER],
            neighbourhood="Trentemoult",
            phone="02 40 11 22 33",
            address="5 rue des Lilas",
        )
        await proxies.register_no_chat(
            uow, odette.id, call_times="in the afternoon", by_id=coop.coordinator
        )
        # A daughter who offers help too, not approved yet: she asks nothing for herself.
        marie = await members.onboard_member(
            uow, coop.territory_id, "Marie Lebrun", roles=[Role.VOLUNTEER], phone="06 99 88 77 66"
        )
        if proxy:
            await proxies.add_proxy(
                uow,
                odette.id,
                marie.id,
                consent=CONSENT,
                by_id=coop.coordinator,
                volunteers_call_proxy=call_proxy,
            )
        await uow.commit()
        return odette.id, marie.id


async def _unsent(coop: Cooperative, member_id: int) -> list[Notification]:
    async with coop.core.uow() as uow:
        rows = await uow.session.execute(
            select(Notification)
            .where(Notification.member_id == member_id, Notification.sent_at.is_(None))
            .order_by(Notification.id)
        )
        return list(rows.scalars())


async def _audit(coop: Cooperative, action: str) -> list[AuditEntry]:
    async with coop.core.uow() as uow:
        rows = await uow.session.execute(select(AuditEntry).where(AuditEntry.action == action))
        return list(rows.scalars())


async def test_a_coordinator_records_the_consent_of_a_senior_who_does_not_chat(
    coop: Cooperative,
) -> None:
    odette, marie = await _odette_and_marie(coop)
    async with coop.core.uow() as uow:
        assert not await proxies.chats(uow, odette)
        (row,) = await proxies.proxies_of(uow, odette)
        profile = await proxies.care_of(uow, odette)
    assert (row.proxy_id, row.consent, row.consent_on) == (marie, CONSENT, date(2026, 11, 20))
    assert row.recorded_by == coop.coordinator
    assert profile is not None and profile.call_times == "in the afternoon"
    (added,) = await _audit(coop, "proxy.add")
    assert added.actor_id == coop.coordinator and added.details["proxy"] == marie
    # Marie is told for whom she now acts.
    assert any("act for {senior}" in n.key for n in await _unsent(coop, marie))


@pytest.mark.parametrize(
    "consent", ["", "   ", "by phone, 2026-12-25", "by phone, 2026-02-30", "x" * 201]
)
async def test_a_consent_without_its_words_or_with_an_impossible_day_is_refused(
    coop: Cooperative, consent: str
) -> None:
    odette, marie = await _odette_and_marie(coop, proxy=False)
    before = await snapshot(coop.core)
    async with coop.core.uow() as uow:
        with pytest.raises(DomainError):
            await proxies.add_proxy(uow, odette, marie, consent=consent, by_id=coop.coordinator)
    assert await snapshot(coop.core) == before


async def test_an_outsider_cannot_make_themselves_a_proxy(coop: Cooperative) -> None:
    odette, marie = await _odette_and_marie(coop, proxy=False)
    before = await snapshot(coop.core)
    for outsider in (marie, coop.bob, coop.alice):  # herself, a volunteer, another requester
        async with coop.core.uow() as uow:
            with pytest.raises(NotAllowed):
                await proxies.add_proxy(uow, odette, outsider, consent=CONSENT, by_id=outsider)
    # Nor may she post for Odette, see or cancel her requests.
    request_id = await post(coop, requester_id=odette)
    before = await snapshot(coop.core)
    async with coop.core.uow() as uow:
        with pytest.raises(NotAllowed):
            await requests.post_request(
                uow, odette, by_id=marie, category="shopping", when_start=NOW + timedelta(days=1)
            )
    async with coop.core.uow() as uow:
        with pytest.raises(NotAllowed):
            await requests.cancel(uow, marie, request_id)
    assert await snapshot(coop.core) == before


async def test_a_coordinator_of_another_territory_cannot_name_a_proxy(coop: Cooperative) -> None:
    odette, marie = await _odette_and_marie(coop, proxy=False)
    async with coop.core.uow() as uow:
        other = await members.add_territory(uow, "Nantes")
        stranger = await members.onboard_member(
            uow, other.id, "Paul Vidal", roles=[Role.COORDINATOR]
        )
        await uow.commit()
    async with coop.core.uow() as uow:
        with pytest.raises(NotAllowed):
            await proxies.add_proxy(uow, odette, marie, consent=CONSENT, by_id=stranger.id)


async def test_a_proxy_posts_for_her_in_one_message_and_both_are_recorded(
    coop: Cooperative, interpreter: BuiltinInterpreter
) -> None:
    odette, marie = await _odette_and_marie(coop)
    await as_member(coop.core, "marie", marie)
    engine = ConversationEngine(coop.core, interpreter)
    replies = await say(engine, "marie", "Il faudrait faire les courses jeudi à 15h chez elle")
    summary = replies[-1]
    assert summary.key.startswith("Here is the request for {name}"), texts(replies)
    assert "Odette" in summary.text
    await say(engine, "marie", action="confirm")
    async with coop.core.uow() as uow:
        request = (await uow.session.execute(select(HelpRequest))).scalar_one()
    assert (request.requester_id, request.category) == (odette, "shopping")
    (posted,) = await _audit(coop, "request.post")
    assert posted.actor_id == marie and posted.details["for_member"] == odette


async def test_a_proxy_for_several_members_is_asked_for_whom_with_buttons(
    coop: Cooperative,
) -> None:
    odette, marie = await _odette_and_marie(coop)
    async with coop.core.uow() as uow:
        await proxies.add_proxy(uow, coop.alice, marie, consent=CONSENT, by_id=coop.coordinator)
        await uow.commit()
    await as_member(coop.core, "marie", marie)
    engine = ConversationEngine(coop.core)
    replies = await say(engine, "marie", action="need_help")
    assert replies[-1].key == "For whom is this request?"
    assert [b.action for b in replies[-1].buttons] == [f"for:{coop.alice}", f"for:{odette}"]
    # A forged button (someone she does not act for) changes nothing.
    refused = await say(engine, "marie", action=f"for:{coop.bob}")
    assert "no longer valid" in refused[-1].key
    for pressed in (f"for:{odette}", "cat:shopping", "when:tomorrow_morning", "where:home"):
        replies = await say(engine, "marie", action=pressed)
    assert "Odette" in replies[-1].text
    await say(engine, "marie", action="confirm")
    async with coop.core.uow() as uow:
        request = (await uow.session.execute(select(HelpRequest))).scalar_one()
    assert request.requester_id == odette


async def test_her_notices_go_to_her_proxy_when_she_does_not_chat(coop: Cooperative) -> None:
    odette, marie = await _odette_and_marie(coop)
    request_id = await post(coop, requester_id=odette)
    await accept(coop, coop.bob, request_id)
    told = [n for n in await _unsent(coop, marie) if n.request_id == request_id]
    assert [n.key for n in told] == [
        "{volunteer} will help you: {category}, {when}. They will contact you.",
        # The word said at her door: whoever reads her notices opens it with her.
        "Your safety word: {safety_word}.\n"
        "{volunteer} will say it at your door. Open only to someone who says it.",
    ]
    assert all(n.params[proxies.FOR_NAME] == "Odette" for n in told)
    assert await _unsent(coop, odette) == []  # she holds no account: nothing written for her


async def test_she_who_chats_and_chose_it_is_told_with_her_proxies(coop: Cooperative) -> None:
    async with coop.core.uow() as uow:
        await proxies.add_proxy(uow, coop.alice, coop.carol, consent=CONSENT, by_id=coop.alice)
        await proxies.set_care(uow, coop.alice, by_id=coop.alice, copy_to_proxies=True)
        await uow.commit()
    request_id = await post(coop)
    await accept(coop, coop.bob, request_id)
    for reader in (coop.alice, coop.carol):
        assert any(
            n.key.startswith("{volunteer} will help you") for n in await _unsent(coop, reader)
        )


async def test_a_senior_with_neither_chat_nor_proxy_is_left_to_the_coordinators(
    coop: Cooperative,
) -> None:
    odette, _marie = await _odette_and_marie(coop, proxy=False)
    request_id = await post(coop, requester_id=odette)
    await accept(coop, coop.bob, request_id)
    told = [n for n in await _unsent(coop, coop.coordinator) if n.request_id == request_id]
    assert any(n.key.startswith("{volunteer} will help you") for n in told)


async def _card(coop: Cooperative, volunteer: int, request_id: int) -> dict[str, Any]:
    cards = [
        n
        for n in await _unsent(coop, volunteer)
        if n.request_id == request_id and "phone" in n.params
    ]
    assert cards
    return cards[-1].params


async def test_the_volunteer_is_told_whom_to_call_and_when(coop: Cooperative) -> None:
    odette, _marie = await _odette_and_marie(coop)
    request_id = await post(coop, requester_id=odette)
    await accept(coop, coop.bob, request_id)
    card = await _card(coop, coop.bob, request_id)
    assert (card["phone"], card["address"]) == ("02 40 11 22 33", "5 rue des Lilas")
    assert (card["call_name"], card["call_phone"]) == ("Odette Lebrun", "02 40 11 22 33")
    assert card["call_times"] == "in the afternoon"
    # Nobody else is given a phone or an address about it.
    for other in (coop.carol, coop.alice):
        assert all("call_phone" not in n.params for n in await _unsent(coop, other))


async def test_the_volunteer_calls_her_proxy_when_she_chose_so(coop: Cooperative) -> None:
    odette, _marie = await _odette_and_marie(coop, call_proxy=True)
    request_id = await post(coop, requester_id=odette)
    await accept(coop, coop.bob, request_id)
    card = await _card(coop, coop.bob, request_id)
    assert (card["call_name"], card["call_phone"]) == ("Marie Lebrun", "06 99 88 77 66")


async def test_a_revoked_proxy_loses_access_at_once_and_planned_reminders_skip_them(
    coop: Cooperative,
) -> None:
    odette, marie = await _odette_and_marie(coop)
    request_id = await post(coop, requester_id=odette)
    await accept(coop, coop.bob, request_id)
    async with coop.core.uow() as uow:
        await proxies.remove_proxy(uow, odette, marie, by_id=coop.coordinator)
        await uow.commit()
    # What was waiting for her about Odette is not sent.
    assert [n for n in await _unsent(coop, marie) if n.params.get(proxies.FOR_ID) == odette] == []
    # She may no longer cancel, nor post for her.
    async with coop.core.uow() as uow:
        with pytest.raises(NotAllowed):
            await requests.cancel(uow, marie, request_id)
    async with coop.core.uow() as uow:
        with pytest.raises(NotAllowed):
            await requests.post_request(
                uow, odette, by_id=marie, category="shopping", when_start=NOW + timedelta(days=1)
            )
    # The reminder planned before the revocation reaches the volunteer, and not Marie.
    async with coop.core.uow() as uow:
        request = await uow.session.get(HelpRequest, request_id)
        assert request is not None and request.active_assignment is not None
        assignment_id = request.active_assignment.id
        assert await timed.send_reminder(uow, request_id, assignment_id, 24) == timed.DONE
        await uow.commit()
    assert not any(n.key.startswith("Reminder") for n in await _unsent(coop, marie))
    assert any(n.key.startswith("Reminder") for n in await _unsent(coop, coop.bob))


async def test_a_reminder_reaches_the_proxy_of_the_day(coop: Cooperative) -> None:
    odette, marie = await _odette_and_marie(coop)
    request_id = await post(coop, requester_id=odette)
    await accept(coop, coop.bob, request_id)
    async with coop.core.uow() as uow:
        request = await uow.session.get(HelpRequest, request_id)
        assert request is not None and request.active_assignment is not None
        await timed.send_reminder(uow, request_id, request.active_assignment.id, 24)
        await uow.commit()
    reminders = [n for n in await _unsent(coop, marie) if n.key.startswith("Reminder")]
    assert reminders and reminders[0].params[proxies.FOR_NAME] == "Odette"


async def test_a_proxy_cancels_and_thanks_for_her_and_the_export_names_the_actor(
    coop: Cooperative,
) -> None:
    odette, marie = await _odette_and_marie(coop)
    await as_member(coop.core, "marie", marie)
    engine = ConversationEngine(coop.core)
    for pressed in ("need_help", "cat:shopping", "when:tomorrow_morning", "where:home"):
        await say(engine, "marie", action=pressed)
    await say(engine, "marie", action="confirm")
    first = await post(coop, requester_id=odette, days=2)
    replies = await say(engine, "marie", action=f"cancel:{first}")
    assert replies[-1].buttons[0].action == f"cancel_yes:{first}"
    await say(engine, "marie", action=f"cancel_yes:{first}")
    async with coop.core.uow() as uow:
        posted = (
            await uow.session.execute(select(HelpRequest).where(HelpRequest.id != first))
        ).scalar_one()
    await accept(coop, coop.bob, posted.id)
    async with coop.core.uow() as uow:
        await requests.complete(uow, coop.bob, posted.id, 1.5)
        await uow.commit()
    replies = await say(engine, "marie", action=f"thank:{posted.id}")
    assert "thanks have been sent" in texts(replies)
    async with coop.core.uow() as uow:
        exported = await privacy.export_member(uow, odette)
    assert exported["proxies"][0]["proxy"] == "Marie Lebrun"
    assert exported["proxies"][0]["consent"] == CONSENT
    assert exported["care"]["chats"] is False
    by_request = {r["id"]: r["actions"] for r in exported["requests"]}
    acted = {(a["action"], a["by"]) for r in by_request.values() for a in r}
    assert ("request.post", "Marie Lebrun") in acted
    assert ("request.cancel", "Marie Lebrun") in acted
    assert ("request.thank", "Marie Lebrun") in acted
    assert all(a["for_member"] == odette for a in by_request[first] if a["by"] == "Marie Lebrun")
    async with coop.core.uow() as uow:
        hers = await privacy.export_member(uow, marie)
    assert hers["acts_for"] == [{"member": "Odette Lebrun", "member_id": odette}]


async def test_a_senior_who_chats_names_a_proxy_in_her_words_and_removes_them(
    coop: Cooperative,
) -> None:
    await as_member(coop.core, "alice", coop.alice)
    engine = ConversationEngine(coop.core)
    replies = await say(engine, "alice", "Ma fille s'occupe de mes demandes")
    assert replies[-1].key.startswith("Who will act for you?")
    replies = await say(engine, "alice", "Carol Petit")
    assert replies[-1].buttons[0].action == f"proxy_yes:{coop.carol}"
    await say(engine, "alice", action=f"proxy_yes:{coop.carol}")
    async with coop.core.uow() as uow:
        (row,) = await proxies.proxies_of(uow, coop.alice)
    assert (row.proxy_id, row.recorded_by, row.consent) == (
        coop.carol,
        coop.alice,
        proxies.IN_HER_CHAT,
    )
    await say(engine, "alice", action=f"proxy_remove:{coop.carol}")
    async with coop.core.uow() as uow:
        assert await proxies.proxies_of(uow, coop.alice) == []


async def test_the_one_time_code_makes_whoever_types_it_her_proxy_once(coop: Cooperative) -> None:
    await as_member(coop.core, "alice", coop.alice)
    await as_member(coop.core, "carol", coop.carol)
    await as_member(coop.core, "bob", coop.bob)
    engine = ConversationEngine(coop.core)
    await say(engine, "alice", action="proxy_add")
    replies = await say(engine, "alice", action="proxy_code")
    code = replies[-1].params["code"]
    replies = await say(engine, "carol", f"proche {code.lower()}")
    assert "now act for" in texts(replies)
    replies = await say(engine, "bob", f"proche {code}")  # used: refused, and counted
    assert "wrong or has expired" in texts(replies)
    async with coop.core.uow() as uow:
        assert [p.proxy_id for p in await proxies.proxies_of(uow, coop.alice)] == [coop.carol]


async def test_wrong_proxy_codes_are_limited(coop: Cooperative) -> None:
    await as_member(coop.core, "bob", coop.bob)
    engine = ConversationEngine(coop.core)
    for _ in range(5):
        replies = await say(engine, "bob", "proche ZZZZZZ")
        assert "wrong or has expired" in texts(replies)
    replies = await say(engine, "bob", "proche ZZZZZZ")
    assert "wrong or has expired" not in texts(replies)  # too many tries: wait
    async with coop.core.uow() as uow:
        assert await proxies.seniors_of(uow, coop.bob) == []


async def test_a_proxy_steps_down_and_she_is_told(coop: Cooperative) -> None:
    odette, marie = await _odette_and_marie(coop)
    async with coop.core.uow() as uow:
        await proxies.add_proxy(uow, coop.alice, marie, consent=CONSENT, by_id=coop.coordinator)
        await uow.commit()
    await as_member(coop.core, "marie", marie)
    engine = ConversationEngine(coop.core)
    shown = await say(engine, "marie", action="proxies")
    assert {b.action for r in shown for b in r.buttons} >= {
        f"proxy_leave:{odette}",
        f"proxy_leave:{coop.alice}",
    }
    await say(engine, "marie", action=f"proxy_leave:{coop.alice}")
    assert any(n.key == "{name} no longer acts for you." for n in await _unsent(coop, coop.alice))
    async with coop.core.uow() as uow:
        assert [s.id for s in await proxies.seniors_of(uow, marie)] == [odette]


async def test_erasing_a_senior_ends_her_proxies_and_her_care_profile(coop: Cooperative) -> None:
    odette, marie = await _odette_and_marie(coop)
    async with coop.core.uow() as uow:
        await privacy.erase_member(uow, odette, by_id=coop.coordinator)
        await uow.commit()
    async with coop.core.uow() as uow:
        assert await proxies.seniors_of(uow, marie) == []
        assert await proxies.care_of(uow, odette) is None


async def test_her_proxy_is_told_the_safety_word_and_can_ask_who_is_coming_until_revoked(
    coop: Cooperative,
) -> None:
    odette, marie = await _odette_and_marie(coop)
    request_id = await post(coop, requester_id=odette)
    await accept(coop, coop.bob, request_id)
    async with coop.core.uow() as uow:
        request = await uow.session.get(HelpRequest, request_id)
        assert request is not None and request.active_assignment is not None
        word = request.active_assignment.safety_word
    assert word
    # Marie reads Odette's notices: the word, with the first name of who comes.
    told = [n for n in await _unsent(coop, marie) if n.params.get("safety_word") == word]
    assert told and told[0].params[proxies.FOR_NAME] == "Odette"
    # She asks who is coming, for her mother, by the button or in words.
    engine = ConversationEngine(coop.core)
    await as_member(coop.core, "marie", marie)
    [pressed] = await say(engine, "marie", action=f"who_coming:{request_id}")
    assert "Bob" in pressed.text and word in pressed.text
    typed = await say(engine, "marie", "qui vient ?")
    assert any(word in r.text for r in typed)
    # Revoked, she is told nothing more about Odette's door.
    async with coop.core.uow() as uow:
        await proxies.remove_proxy(uow, odette, marie, by_id=coop.coordinator)
        await uow.commit()
    forged = await say(engine, "marie", action=f"who_coming:{request_id}")
    typed = await say(engine, "marie", "qui vient ?")
    assert all(word not in r.text for r in forged + typed)

"""A coordinator answers a member from the chat ("Reply"), on SQLite and PostgreSQL: the thread
is hers, the other coordinators are told, both sides write and either closes it, an emergency
still interrupts, and nobody else can take, write in or close it."""

from __future__ import annotations

import pytest

from core.domain.model import Alert, DeskThread
from core.services import privacy
from tests.conftest import Cooperative
from tests.integration._desk import FORGED, Desk, actions, keys

TO_MEMBER = "{name} (coordination):\n{text}"
# The coordinators' alert about a member's message (core/services/notifications/alert_notices.py),
# then, once a coordinator answers, the member's messages in the thread (core/services/threads.py).
ALERT = (
    "Message from {name} ({neighbourhood}), {raised_at}:\n{text}\n"
    "Phone: {phone}\nAddress: {address}"
)
FROM_MEMBER = "Message from {name} ({neighbourhood}):\n{text}"


@pytest.fixture
async def desk(coop: Cooperative) -> Desk:
    return await Desk(coop).setup()


async def _alice_writes_to_the_coordinators(desk: Desk) -> None:
    await desk.press("alice", "coordinator")
    await desk.say("alice", "Pouvez-vous me rappeler ?")


async def _thread(desk: Desk) -> DeskThread:
    (thread,) = await desk.rows(DeskThread)
    return thread


async def test_a_member_s_message_reaches_the_coordinators_with_a_reply_button(
    desk: Desk,
) -> None:
    await _alice_writes_to_the_coordinators(desk)
    for coordinator in (desk.coop.coordinator, desk.denise):
        (alert,) = [m for m in await desk.messages_to(coordinator) if m.key == ALERT]
        assert alert.params["name"] == "Alice Durand"
        assert alert.params["neighbourhood"] == "Trentemoult"
        assert {"label": "Reply", "action": f"desk_reply:{desk.coop.alice}"} in alert.choices


async def test_the_coordinator_who_replies_takes_the_thread_and_the_member_answers_her(
    desk: Desk,
) -> None:
    coop = desk.coop
    await _alice_writes_to_the_coordinators(desk)
    taken = await desk.press("claire", f"desk_reply:{coop.alice}")
    assert "Write your message for {name}" in keys(taken)
    thread = await _thread(desk)
    assert (thread.member_id, thread.coordinator_id) == (coop.alice, coop.coordinator)
    # Denise is told who answers; the alert on the desk is Claire's now.
    told = [m for m in await desk.messages_to(desk.denise) if "is answering" in m.key]
    assert [m.params["coordinator"] for m in told] == ["Claire"]
    (alert,) = await desk.rows(Alert)
    assert alert.taken_by == coop.coordinator

    sent = await desk.say("claire", "Bonjour Alice, je vous appelle demain à 10 h.")
    assert "Sent to {name}." in keys(sent)
    (to_alice,) = [m for m in await desk.messages_to(coop.alice) if m.key == TO_MEMBER]
    assert to_alice.params == {
        "name": "Claire",
        "text": "Bonjour Alice, je vous appelle demain à 10 h.",
    }
    assert f"thread_close:{thread.id}" in [c["action"] for c in to_alice.choices]

    answered = await desk.say("alice", "Merci, je serai là.")
    assert "Sent to the coordination." in keys(answered)
    back = [m for m in await desk.messages_to(coop.coordinator) if m.key == FROM_MEMBER]
    assert back[-1].params["text"] == "Merci, je serai là."
    # Only Claire gets Alice's answer: Denise got the first message only.
    assert len([m for m in await desk.messages_to(desk.denise) if m.key == ALERT]) == 1
    assert not [m for m in await desk.messages_to(desk.denise) if m.key == FROM_MEMBER]
    # Alice's contact details are in no message of the thread.
    for row in [*await desk.messages_to(coop.alice), *back]:
        assert "06 12 34 56 78" not in str(row.params)
        assert "rue des Pêcheurs" not in str(row.params)
    audit = [(e.action, e.actor_id) for e in await desk.audit("thread.message")]
    assert audit == [("thread.message", coop.coordinator), ("thread.message", coop.alice)]
    (take,) = await desk.audit("thread.take")
    assert (take.actor_id, take.subject) == (coop.coordinator, f"member:{coop.alice}")


async def test_a_second_coordinator_is_told_who_answers_already(desk: Desk) -> None:
    await _alice_writes_to_the_coordinators(desk)
    await desk.press("claire", f"desk_reply:{desk.coop.alice}")
    before = await desk.counts()
    refused = await desk.press("denise", f"desk_reply:{desk.coop.alice}")
    assert keys(refused) == "{name} is already answering this member."
    assert refused[0].params["name"] == "Claire"
    assert await desk.counts() == before


async def test_the_member_closes_and_the_coordinator_is_told_and_can_no_longer_write(
    desk: Desk,
) -> None:
    coop = desk.coop
    await _alice_writes_to_the_coordinators(desk)
    await desk.press("claire", f"desk_reply:{coop.alice}")
    thread = await _thread(desk)
    closed = await desk.press("alice", f"thread_close:{thread.id}")
    assert "The conversation is closed." in keys(closed)
    told = [m for m in await desk.messages_to(coop.coordinator) if "closed the" in m.key]
    assert [m.params["name"] for m in told] == ["Alice"]
    late = await desk.say("claire", "Vous êtes là ?")
    assert keys(late).startswith("This conversation is closed.")
    assert not [m for m in await desk.messages_to(coop.alice) if m.key == TO_MEMBER]
    (line,) = await desk.audit("thread.close")
    assert line.actor_id == coop.alice
    assert (await _thread(desk)).closed_by == coop.alice
    # Alice's words now go the usual way, not to Claire.
    await desk.say("alice", "Merci encore")
    assert not [
        m
        for m in await desk.messages_to(coop.coordinator)
        if m.params.get("text") == "Merci encore"
    ]


async def test_the_coordinator_ends_the_thread_with_fin_and_the_member_is_told(
    desk: Desk,
) -> None:
    coop = desk.coop
    await _alice_writes_to_the_coordinators(desk)
    await desk.press("claire", f"desk_reply:{coop.alice}")
    await desk.say("claire", "/fin")
    assert not (await _thread(desk)).is_open
    told = [m for m in await desk.messages_to(coop.alice) if "closed this" in m.key]
    assert len(told) == 1
    (line,) = await desk.audit("thread.close")
    assert line.actor_id == coop.coordinator
    # Another coordinator may answer Alice now.
    await desk.press("denise", f"desk_reply:{coop.alice}")
    assert len(await desk.rows(DeskThread)) == 2


async def test_an_emergency_from_the_member_interrupts_the_thread_as_usual(desk: Desk) -> None:
    coop = desk.coop
    await _alice_writes_to_the_coordinators(desk)
    await desk.press("claire", f"desk_reply:{coop.alice}")
    replies = await desk.say("alice", "Je suis tombée et je ne peux pas me relever")
    assert "112" in replies[0].text
    emergencies = [m for m in await desk.messages_to(desk.denise) if "EMERGENCY" in m.key]
    assert len(emergencies) == 1  # every coordinator is alerted, not only Claire
    assert not [m for m in await desk.messages_to(coop.coordinator) if m.key == FROM_MEMBER]


async def test_a_member_who_writes_to_the_coordinators_again_reaches_the_one_answering(
    desk: Desk,
) -> None:
    coop = desk.coop
    await _alice_writes_to_the_coordinators(desk)
    await desk.press("claire", f"desk_reply:{coop.alice}")
    await desk.press("alice", "coordinator")
    await desk.say("alice", "Encore une question")
    to_denise = [m for m in await desk.messages_to(desk.denise) if m.key in (ALERT, FROM_MEMBER)]
    assert len(to_denise) == 1  # the first message only
    to_claire = [m for m in await desk.messages_to(coop.coordinator) if m.key == FROM_MEMBER]
    assert to_claire[-1].params["text"] == "Encore une question"


async def test_only_a_coordinator_of_the_territory_may_reply_and_forged_buttons_change_nothing(
    desk: Desk,
) -> None:
    coop = desk.coop
    await _alice_writes_to_the_coordinators(desk)
    before = await desk.counts()
    for who in ("bob", "carol"):  # volunteers
        refused = await desk.press(who, f"desk_reply:{coop.alice}")
        assert keys(refused) == "Only a coordinator of this territory can do that."
    refused = await desk.press("zoe", f"desk_reply:{coop.alice}")  # another territory
    assert keys(refused) == "Only a coordinator of this territory can do that."
    for forged in FORGED:
        assert await desk.press("claire", f"desk_reply:{forged}")
        assert await desk.press("claire", f"thread_close:{forged}")
    assert await desk.counts() == before

    await desk.press("claire", f"desk_reply:{coop.alice}")
    thread = await _thread(desk)
    before = await desk.counts()
    for who in ("bob", "zoe"):
        refused = await desk.press(who, f"thread_close:{thread.id}")
        assert keys(refused) == "I could not find that. It may have been removed."
    assert await desk.counts() == before
    assert (await _thread(desk)).is_open
    # The thread's buttons are for its two sides: Bob's words are his own, never delivered.
    await desk.say("bob", "Je me glisse dans la conversation")
    assert not [
        m for m in await desk.messages_to(coop.alice) if "glisse" in str(m.params.get("text"))
    ]
    assert "thread_close" not in " ".join(actions(await desk.press("bob", "menu")))


async def test_erasing_the_member_ends_the_thread_and_the_coordinator_writes_no_more(
    desk: Desk,
) -> None:
    coop = desk.coop
    await _alice_writes_to_the_coordinators(desk)
    await desk.press("claire", f"desk_reply:{coop.alice}")
    async with desk.core.uow() as uow:
        await privacy.erase_member(uow, coop.alice, by_id=coop.coordinator)
        await uow.commit()
    assert not (await _thread(desk)).is_open
    late = await desk.say("claire", "Vous êtes là ?")
    assert keys(late).startswith("This conversation is closed.")
    assert not [m for m in await desk.messages_to(coop.alice) if m.key == TO_MEMBER]

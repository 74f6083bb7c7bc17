"""Finding 4: suspending a member cuts their access to seniors' contact details, at once.

A suspended volunteer gives back their open tasks (re-offered at once, the requesters told
kindly), never receives a phone number or an address again by any path (accepting, "my tasks",
reminders, follow-ups, messages still waiting in the outbox), and while talking to a
coordinator every typed text is only a message to the coordinators: no command runs there.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from core.app import Core
from core.dialogue.engine import ConversationEngine
from core.dialogue.messages import Outgoing
from core.domain.model import Assignment, HelpRequest, Member, Notification, PlatformAccount
from core.domain.vocabulary import Category, MemberStatus, RequestState, Role
from core.scheduling import run_due
from core.services import identity, members, privacy
from tests.conftest import NOW, Cooperative, FrozenClock
from tests.integration._support import accept, as_member, post, say

ADDRESS = "3 rue des Pêcheurs"  # Alice's, in `Cooperative`
PHONE = "06 12 34 56 78"


async def suspend(coop: Cooperative, member_id: int) -> None:
    async with coop.core.uow() as uow:
        await members.suspend_member(uow, member_id, by_id=coop.coordinator)
        await uow.commit()


async def rows_to(core: Core, member_id: int, *, after: int = 0) -> list[Notification]:
    """Every message to the member (by member or by one of their accounts) after row `after`."""
    async with core.uow() as uow:
        accounts = select(PlatformAccount.id).where(PlatformAccount.member_id == member_id)
        query = select(Notification).where(
            Notification.id > after,
            (Notification.member_id == member_id) | Notification.account_id.in_(accounts),
        )
        return list((await uow.session.execute(query.order_by(Notification.id))).scalars())


async def last_row(core: Core) -> int:
    async with core.uow() as uow:
        rows = await uow.session.execute(select(Notification.id).order_by(Notification.id.desc()))
        return rows.scalars().first() or 0


def carries_contact(rows: list[Notification] | list[Outgoing]) -> bool:
    return any(ADDRESS in f"{r.params}" or PHONE in f"{r.params}" for r in rows) or any(
        ADDRESS in getattr(r, "text", "") or PHONE in getattr(r, "text", "") for r in rows
    )


async def test_a_suspended_volunteers_task_is_given_back_offered_again_and_the_requester_told(
    coop: Cooperative,
) -> None:
    request_id = await post(coop)
    await accept(coop, coop.bob, request_id)
    async with coop.core.uow() as uow:  # a volunteer who joined after the request was posted
        dan = await members.onboard_member(
            uow,
            coop.territory_id,
            "Dan Neuf",
            roles=[Role.VOLUNTEER],
            neighbourhood="Trentemoult",
            skills=[Category.SHOPPING],
            availability=(1 << 21) - 1,
        )
        await members.approve_member(uow, dan.id, by_id=coop.coordinator)
        await uow.commit()
    before = await last_row(coop.core)

    await suspend(coop, coop.bob)

    async with coop.core.uow() as uow:
        request = await uow.session.get(HelpRequest, request_id)
        assert request is not None and request.state == RequestState.OPEN
        held = (
            await uow.session.execute(
                select(Assignment).where(
                    Assignment.volunteer_id == coop.bob, Assignment.withdrawn_at.is_(None)
                )
            )
        ).scalars()
        assert list(held) == []
    # Offered again at once: to the volunteer who was told it was taken, and to the new one.
    for volunteer in (coop.carol, dan.id):
        offers = await rows_to(coop.core, volunteer, after=before)
        assert [r.key for r in offers if r.topic == f"request:{request_id}"], volunteer
        assert any(r.choices for r in offers)
    # The requester is told kindly, without a name and without blame.
    told = [r for r in await rows_to(coop.core, coop.alice, after=before)]
    assert len(told) == 1
    assert told[0].key.startswith("The volunteer can no longer come")
    assert "looking for someone else" in told[0].key
    assert "Bob" not in f"{told[0].key} {told[0].params}"
    assert "suspend" not in told[0].key.lower()


async def test_a_suspended_volunteer_gets_no_reminder_and_no_follow_up_with_the_address(
    coop: Cooperative, clock: FrozenClock
) -> None:
    request_id = await post(coop, days=3)
    await accept(coop, coop.bob, request_id)
    before = await last_row(coop.core)
    await suspend(coop, coop.bob)

    for hours_before in (24, 1):  # both reminders
        clock.now = NOW + timedelta(days=3) - timedelta(hours=hours_before)
        await run_due(coop.core, ["reminder"])
    clock.now = NOW + timedelta(days=3, hours=30)
    await run_due(coop.core, ["follow-up"])

    to_bob = await rows_to(coop.core, coop.bob, after=before)
    assert not carries_contact(to_bob)
    assert [r.key for r in to_bob if r.key.startswith(("Reminder", "How did it go"))] == []


async def test_a_volunteer_suspended_before_this_release_gets_no_address_in_a_reminder(
    coop: Cooperative, clock: FrozenClock
) -> None:
    """Status changed while still holding a task: the card is refused where it is built."""
    request_id = await post(coop, days=3)
    await accept(coop, coop.bob, request_id)
    async with coop.core.uow() as uow:
        await uow.session.execute(
            update(Member).where(Member.id == coop.bob).values(status=MemberStatus.SUSPENDED)
        )
        await uow.commit()
    before = await last_row(coop.core)

    clock.now = NOW + timedelta(days=3) - timedelta(hours=24)
    await run_due(coop.core, ["reminder"])
    clock.now = NOW + timedelta(days=3, hours=30)
    await run_due(coop.core, ["follow-up"])

    to_bob = await rows_to(coop.core, coop.bob, after=before)
    assert not carries_contact(to_bob)
    assert [r.key for r in to_bob if r.key.startswith(("Reminder", "How did it go"))] == []


async def test_a_card_still_waiting_in_the_outbox_loses_the_address_on_suspension(
    coop: Cooperative,
) -> None:
    request_id = await post(coop)
    await accept(coop, coop.bob, request_id)  # Bob is offline: the card waits in the outbox
    waiting = [r for r in await rows_to(coop.core, coop.bob) if r.sent_at is None]
    assert carries_contact(waiting)

    await suspend(coop, coop.bob)

    still_waiting = [r for r in await rows_to(coop.core, coop.bob) if r.sent_at is None]
    assert not carries_contact(still_waiting)
    assert not carries_contact(
        [r for r in await rows_to(coop.core, coop.bob) if r.outcome is None]
    )


async def test_my_tasks_typed_while_talking_to_a_coordinator_is_only_a_message(
    coop: Cooperative,
) -> None:
    request_id = await post(coop)
    await accept(coop, coop.bob, request_id)
    await suspend(coop, coop.bob)
    engine = ConversationEngine(coop.core)
    await as_member(coop.core, "bob", coop.bob)
    before = await last_row(coop.core)

    await say(engine, "bob", action="coordinator")
    replies = await say(engine, "bob", "mes missions")

    assert not carries_contact(replies)
    assert not carries_contact(await rows_to(coop.core, coop.bob, after=before))
    assert [r.key for r in replies] == [
        "Your message has been sent to the coordinators. Someone will contact you soon."
    ]
    to_coordinator = await rows_to(coop.core, coop.coordinator, after=before)
    assert [r.params.get("text") for r in to_coordinator] == ["mes missions"]


async def test_an_approved_member_talking_to_a_coordinator_runs_no_typed_command(
    coop: Cooperative,
) -> None:
    request_id = await post(coop)
    await accept(coop, coop.bob, request_id)
    engine = ConversationEngine(coop.core)
    await as_member(coop.core, "bob", coop.bob)
    await say(engine, "bob", action="coordinator")
    before = await last_row(coop.core)

    replies = await say(engine, "bob", "mes missions")

    assert not carries_contact(replies)
    to_coordinator = await rows_to(coop.core, coop.coordinator, after=before)
    assert [r.params.get("text") for r in to_coordinator] == ["mes missions"]


async def test_a_link_code_typed_while_talking_to_a_coordinator_does_not_link(
    coop: Cooperative,
) -> None:
    """The suspended volunteer cannot escape into a fresh approved member through `lier`."""
    async with coop.core.uow() as uow:
        fresh = await members.onboard_member(
            uow, coop.territory_id, "Bob Bis", roles=[Role.REQUESTER]
        )
        await uow.commit()
    engine = ConversationEngine(coop.core)
    await as_member(coop.core, "bob", coop.bob)
    await as_member(coop.core, "bob-bis", fresh.id)
    code = str((await say(engine, "bob-bis", action="link"))[0].params["code"])
    await suspend(coop, coop.bob)

    await say(engine, "bob", action="coordinator")
    await say(engine, "bob", f"lier {code}")

    async with coop.core.uow() as uow:
        account = await identity.account_for(uow, "console", "bob")
        assert account is not None and account.member_id == coop.bob
        bob = await uow.session.get(Member, coop.bob)
        assert bob is not None and bob.status == MemberStatus.SUSPENDED
        bis = await uow.session.get(Member, fresh.id)
        assert bis is not None and bis.status == MemberStatus.APPROVED


async def test_a_suspended_member_reaches_the_coordinators_by_typing_coordinateur(
    coop: Cooperative,
) -> None:
    await suspend(coop, coop.bob)
    engine = ConversationEngine(coop.core)
    await as_member(coop.core, "bob", coop.bob)
    before = await last_row(coop.core)

    prompt = await say(engine, "bob", "coordinateur")
    sent = await say(engine, "bob", "Pourquoi suis-je suspendu ?")

    assert [r.key for r in prompt] == [
        "Write your message for the coordinators. A person will answer you."
    ]
    assert len(sent) == 1 and "sent to the coordinators" in sent[0].key
    to_coordinator = await rows_to(coop.core, coop.coordinator, after=before)
    assert [r.params.get("text") for r in to_coordinator] == ["Pourquoi suis-je suspendu ?"]


async def test_a_suspended_member_is_refused_anything_else_kindly(coop: Cooperative) -> None:
    request_id = await post(coop)
    await accept(coop, coop.bob, request_id)
    await suspend(coop, coop.bob)
    engine = ConversationEngine(coop.core)
    await as_member(coop.core, "bob", coop.bob)
    other = await post(coop, days=4)

    for text, action in (
        ("mes missions", None),
        ("dispo", None),
        (None, "my_tasks"),
        (None, f"accept:{other}"),
        (None, f"done:{request_id}"),
    ):
        replies = await say(engine, "bob", text, action)
        assert [r.key for r in replies] == [
            "Your membership is suspended. Please talk to a coordinator."
        ], (text, action)
        assert not carries_contact(replies)
    async with coop.core.uow() as uow:
        request = await uow.session.get(HelpRequest, other)
        assert request is not None and request.state == RequestState.OPEN


async def test_erasing_a_member_frees_their_tasks_and_cancels_their_requests(
    coop: Cooperative,
) -> None:
    # Erasure is the other way a member leaves: their tasks must not stay held by nobody,
    # and volunteers must not go to the door of someone who is no longer a member.
    held = await post(coop)
    await accept(coop, coop.bob, held)
    theirs = await post(coop, requester_id=coop.alice, days=4)
    await accept(coop, coop.carol, theirs)
    waiting = await post(coop, requester_id=coop.alice, days=5)
    async with coop.core.uow() as uow:
        await privacy.erase_member(uow, coop.bob, by_id=None)
        await uow.commit()
    async with coop.core.uow() as uow:
        released = await uow.session.get(HelpRequest, held)
        assert released is not None and released.state == RequestState.OPEN
        assert released.active_assignment is None
    async with coop.core.uow() as uow:
        await privacy.erase_member(uow, coop.alice, by_id=None)
        await uow.commit()
    async with coop.core.uow() as uow:
        for request_id in (held, theirs, waiting):
            request = await uow.session.get(HelpRequest, request_id)
            assert request is not None and request.state == RequestState.CANCELLED
    told = await rows_to(coop.core, coop.carol)
    assert [r for r in told if r.key.startswith("This request was cancelled")]

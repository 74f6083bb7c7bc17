"""Finding 12: every action checks the territory of what it touches.

Buttons carry ids, and anyone can forge one. A member of territory A who presses a button made
up with the id of territory B's poll, request or member is refused in one kind sentence; nothing
is written and nothing of B is shown. Driven through the conversation engine like a real press.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from core.app import Core
from core.dialogue.engine import ConversationEngine
from core.dialogue.messages import Outgoing
from core.domain.model import Base, Conversation, HelpRequest, Member
from core.domain.vocabulary import Category, MemberStatus, PollKind, RequestState, Role
from core.services import authorization, members, polls, requests
from core.services.authorization import Action
from tests.conftest import NOW, Cooperative
from tests.integration._support import as_member, press

# Everything of territory B that A must never see: names, contact, poll, the task's time.
B_SECRETS = (
    "Berthe",
    "07 99 99 99 99",
    "9 rue Cachée",
    "Couëts",
    "Fête des Couëts",
    "Samedi-B",
    "Dimanche-B",
    "Jardin-B",
    "Bernard",
    "Bruno",
)
B_WHEN = NOW + timedelta(days=9, hours=3)  # B's tasks: 2, 3 and 4 December; A has none then
B_WHENS = [B_WHEN + timedelta(days=days) for days in range(3)]
# The tables a refused press may touch: its own reply (outbox), its chat's state and account.
CONVERSATION_TABLES = {"notifications", "conversations", "platform_accounts", "inbound_receipts"}


@dataclass
class TerritoryB:
    coordinator: int
    requester: int
    volunteer: int
    pending: int
    poll: int
    single_poll: int
    open_request: int
    taken_request: int
    done_request: int


async def make_territory_b(core: Core) -> TerritoryB:
    async with core.uow() as uow:
        b = await members.add_territory(uow, "Bouguenais", neighbourhoods=["Les Couëts"])
        coordinator = await members.onboard_member(
            uow, b.id, "Bernard Coord", roles=[Role.COORDINATOR]
        )
        berthe = await members.onboard_member(
            uow,
            b.id,
            "Berthe Secret",
            roles=[Role.REQUESTER],
            neighbourhood="Les Couëts",
            phone="07 99 99 99 99",
            address="9 rue Cachée",
        )
        bruno = await members.onboard_member(
            uow,
            b.id,
            "Bruno Benevole",
            roles=[Role.VOLUNTEER],
            neighbourhood="Les Couëts",
            skills=[Category.GARDENING],
            availability=(1 << 21) - 1,
        )
        await members.approve_member(uow, bruno.id, by_id=coordinator.id)
        pending = await members.onboard_member(
            uow, b.id, "Bianca Attente", roles=[Role.VOLUNTEER], skills=[Category.PETS]
        )
        poll = await polls.create_poll(
            uow,
            b.id,
            "Fête des Couëts ?",
            ["Samedi-B", "Dimanche-B"],
            kind=PollKind.MULTIPLE,
            closes_at=NOW + timedelta(days=7),
            by_id=coordinator.id,
        )
        single = await polls.create_poll(
            uow,
            b.id,
            "Fête des Couëts, une seule date ?",
            ["Samedi-B", "Dimanche-B"],
            closes_at=NOW + timedelta(days=7),
            by_id=coordinator.id,
        )
        ids = []
        for days in (9, 10, 11):
            request = await requests.post_request(
                uow,
                berthe.id,
                category=Category.GARDENING,
                when_start=B_WHENS[days - 9],
                place="Jardin-B",
            )
            ids.append(request.id)
        await requests.accept(uow, bruno.id, ids[1])
        await requests.accept(uow, bruno.id, ids[2])
        await requests.complete(uow, bruno.id, ids[2], 2)
        await uow.commit()
    return TerritoryB(coordinator.id, berthe.id, bruno.id, pending.id, poll.id, single.id, *ids)


async def domain_rows(core: Core) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but the conversation's own (the reply, the chat state)."""
    async with core.uow() as uow:
        result: dict[str, list[tuple[Any, ...]]] = {}
        for table in Base.metadata.sorted_tables:
            if table.name not in CONVERSATION_TABLES:
                rows = (await uow.session.execute(select(table))).all()
                result[table.name] = sorted((tuple(r) for r in rows), key=repr)
        return result


def shows_b(replies: list[Outgoing]) -> list[str]:
    said = "\n".join(f"{r.text} {r.params} {[b.label for b in r.buttons]}" for r in replies)
    found = [secret for secret in B_SECRETS if secret in said]
    if any(when.isoformat() in said for when in B_WHENS) or "décembre" in said:
        found.append("when")
    return found


@pytest.fixture
async def two(coop: Cooperative) -> tuple[Cooperative, TerritoryB]:
    b = await make_territory_b(coop.core)
    for who, member_id in (
        ("claire", coop.coordinator),
        ("alice", coop.alice),
        ("carol", coop.carol),
    ):
        await as_member(coop.core, who, member_id)
    return coop, b


def forged_presses(b: TerritoryB) -> list[tuple[str, str]]:
    """(who in A, forged button) pairs: every action that names something of B."""
    return [
        ("carol", f"vote:{b.poll}:0"),
        ("carol", f"vote:{b.poll}:1"),
        ("carol", f"vote:{b.single_poll}:0"),
        ("carol", f"vote_set:{b.single_poll}:1"),
        ("carol", f"vote_set:{b.poll}:0,1"),
        ("carol", f"vote_send:{b.poll}"),
        ("carol", f"vote_retract:{b.single_poll}"),
        ("carol", f"accept:{b.open_request}"),
        ("carol", f"decline:{b.open_request}"),
        ("carol", f"decline:{b.taken_request}"),
        ("carol", f"done:{b.taken_request}"),
        ("carol", f"withdraw:{b.taken_request}"),
        ("carol", f"withdraw_yes:{b.taken_request}"),
        ("carol", f"change_ok:{b.taken_request}"),
        ("carol", f"change_ok:{b.open_request}"),
        ("claire", f"cancel:{b.open_request}"),
        ("claire", f"cancel:{b.taken_request}"),
        ("claire", f"cancel_yes:{b.open_request}"),
        ("claire", f"change_req:{b.open_request}"),
        ("claire", f"change_req:{b.taken_request}"),
        ("claire", f"done:{b.taken_request}"),
        ("claire", f"withdraw_yes:{b.taken_request}"),
        ("claire", f"approve:{b.pending}"),
        ("claire", f"decline:{b.open_request}"),
        ("claire", f"vote:{b.poll}:0"),
        ("alice", f"cancel:{b.open_request}"),
        ("alice", f"cancel_yes:{b.taken_request}"),
        ("alice", f"thank:{b.done_request}"),
        ("alice", f"change_req:{b.open_request}"),
        ("alice", f"vote:{b.poll}:0"),
    ]


async def test_forged_buttons_naming_another_territory_are_refused_and_change_nothing(
    two: tuple[Cooperative, TerritoryB],
) -> None:
    coop, b = two
    engine = ConversationEngine(coop.core)
    before = await domain_rows(coop.core)

    for who, action in forged_presses(b):
        replies = await press(engine, who, action)
        assert len(replies) == 1, (who, action, [r.key for r in replies])
        assert not replies[0].buttons, (who, action, replies[0].key)
        assert shows_b(replies) == [], (who, action, replies[0].text)
        assert await domain_rows(coop.core) == before, (who, action)

    async with coop.core.uow() as uow:
        states = await uow.session.execute(
            select(Conversation.data, Conversation.flow, Conversation.step)
        )
        for data, flow, step in states:
            assert f"poll_{b.poll}" not in data and "request_id" not in data
            assert (flow, step) == (None, None)
        for request_id in (b.open_request, b.taken_request):
            request = await uow.session.get(HelpRequest, request_id)
            assert request is not None and request.state != RequestState.CANCELLED
        pending = await uow.session.get(Member, b.pending)
        assert pending is not None and pending.status == MemberStatus.PENDING


async def test_polls_and_open_requests_show_only_ones_own_territory(
    two: tuple[Cooperative, TerritoryB],
) -> None:
    coop, _ = two
    engine = ConversationEngine(coop.core)
    for who, action in (("carol", "polls"), ("carol", "requests"), ("claire", "polls")):
        assert shows_b(await press(engine, who, action)) == [], (who, action)


async def test_a_coordinator_awaiting_approval_cannot_open_a_poll_from_the_chat(
    coop: Cooperative,
) -> None:
    """Coordinator and volunteer at once: pending until approved, no coordinator's powers."""
    async with coop.core.uow() as uow:
        both = await members.onboard_member(
            uow,
            coop.territory_id,
            "Paul Pending",
            roles=[Role.COORDINATOR, Role.VOLUNTEER],
            skills=[Category.SHOPPING],
        )
        await uow.commit()
    assert both.status == MemberStatus.PENDING
    await as_member(coop.core, "paul", both.id)
    engine = ConversationEngine(coop.core)

    replies = await press(engine, "paul", "new_poll")

    assert [r.key for r in replies] == ["Only a coordinator of this territory can do that."]
    async with coop.core.uow() as uow:
        flows = (await uow.session.execute(select(Conversation.flow))).scalars()
        assert "poll" not in list(flows)


async def test_one_module_decides_and_refuses_what_it_does_not_know(
    two: tuple[Cooperative, TerritoryB],
) -> None:
    """`authorization.may` answers for every named action; another territory is always no."""
    coop, b = two
    async with coop.core.uow() as uow:
        claire = await members.get_member(uow, coop.coordinator)
        carol = await members.get_member(uow, coop.carol)
        b_request = await requests.get_request(uow, b.open_request)
        b_taken = await requests.get_request(uow, b.taken_request)
        b_poll = await polls.get_poll(uow, b.poll)
        b_pending = await members.get_member(uow, b.pending)
        for action in Action:
            for actor in (claire, carol):
                for subject in (b_request, b_taken, b_poll, b_pending, b_pending.territory):
                    assert not authorization.may(actor, action, subject), (
                        actor.display_name,
                        action,
                        subject,
                    )
        assert authorization.may(claire, Action.COORDINATE, claire.territory)
        assert authorization.may(authorization.ADMINISTRATOR, Action.COORDINATE, b_pending)

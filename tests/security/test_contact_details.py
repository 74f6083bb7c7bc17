"""A requester's phone and address, seen by an attacker: no conversation path gives them away.

Only the approved volunteer who holds the task now (and the territory's coordinators) sees
them: `core/services/contact.py` decides, for every path. Here another volunteer, and the
volunteer who gave the task back, try every action the router knows (with the request's id,
the requester's id, or none) and the words a person types; nothing they are answered, nor any
message written for them, holds the details. The actions are read from the router: a new one
is tried here without changing this test.
"""

from __future__ import annotations

from sqlalchemy import select

from core.dialogue import routing
from core.dialogue.engine import ConversationEngine
from core.dialogue.flood import FloodGate
from core.dialogue.messages import Inbound
from core.dialogue.port import ChannelPort
from core.domain.model import HelpRequest, Notification
from core.services import identity
from tests.conftest import Cooperative
from tests.integration._support import accept, post

PHONE, ADDRESS = "06 12 34 56 78", "3 rue des Pêcheurs"
TYPED = ["mes missions", "dispo", "mes demandes", "menu", "oui", "1", "2", "merci", "c'est fait"]
# Pressing these makes the attacker the holder of the task: then they may see the details.
TAKES_THE_TASK = {"accept"}


def _tries(request_id: int, requester_id: int) -> list[str]:
    """Every action of the router, with the arguments that point at the request."""
    tries = []
    for name, registered in sorted(routing.ACTIONS.items()):
        if name in TAKES_THE_TASK:
            continue
        if registered.arg is routing.NoArg:
            tries.append(name)
        elif registered.arg == routing.RequestId:
            tries.append(f"{name}:{request_id}")
        elif registered.arg == routing.MemberId:
            tries.append(f"{name}:{requester_id}")
    return tries


async def _console(coop: Cooperative, who: str, member_id: int) -> None:
    async with coop.core.uow() as uow:
        account = await identity.ensure_account(uow, "console", who, who)
        account.member_id = member_id
        await uow.commit()


async def _leaks(coop: Cooperative, engine: ConversationEngine, who: str, member_id: int) -> str:
    """Everything `who` is answered while trying, and every message written for them since."""
    async with coop.core.uow() as uow:
        before = (await uow.session.execute(select(Notification.id))).scalars().all()
    request_id = (await _request(coop)).id
    seen = []
    for action in _tries(request_id, coop.alice):
        seen += await engine.handle(Inbound("console", who, who, action=action))
    for text in TYPED:
        seen += await engine.handle(Inbound("console", who, who, text=text))
    # What is left for them in the outbox (on any platform) says no more.
    seen += await ChannelPort(engine.core).pending("console", member_ids={member_id})
    async with coop.core.uow() as uow:
        rows = await uow.session.scalars(
            select(Notification).where(
                Notification.member_id == member_id, Notification.id.not_in(before)
            )
        )
        written = [f"{r.key} {r.params}" for r in rows]
    return "\n".join([*(f"{m.text} {m.params}" for m in seen), *written])


async def _request(coop: Cooperative) -> HelpRequest:
    async with coop.core.uow() as uow:
        return (await uow.session.scalars(select(HelpRequest))).one()


async def test_another_volunteer_never_gets_the_requesters_phone_or_address(
    coop: Cooperative,
) -> None:
    engine = ConversationEngine(coop.core, flood=FloodGate(10_000, 10_000))
    request_id = await post(coop)
    await accept(coop, coop.bob, request_id)
    await _console(coop, "carol", coop.carol)

    seen = await _leaks(coop, engine, "carol", coop.carol)

    assert "accept" in routing.ACTIONS and len(seen) > 0
    assert PHONE not in seen and ADDRESS not in seen
    assert (await _request(coop)).active_assignment.volunteer_id == coop.bob  # type: ignore[union-attr]


async def test_a_volunteer_who_gave_the_task_back_gets_the_details_no_more(
    coop: Cooperative,
) -> None:
    engine = ConversationEngine(coop.core, flood=FloodGate(10_000, 10_000))
    request_id = await post(coop)
    await _console(coop, "bob", coop.bob)
    # While he holds it, "my tasks" shows him the card: the search below can find them.
    await accept(coop, coop.bob, request_id)
    holding = await engine.handle(Inbound("console", "bob", "bob", action="my_tasks"))
    assert any(PHONE in m.text and ADDRESS in m.text for m in holding)
    await engine.handle(Inbound("console", "bob", "bob", action=f"withdraw_yes:{request_id}"))

    seen = await _leaks(coop, engine, "bob", coop.bob)

    assert PHONE not in seen and ADDRESS not in seen
    assert (await _request(coop)).active_assignment is None

"""Messages of several people at once share one transaction, yet each is answered as if alone.

On SQLite and PostgreSQL: the engine's group commit (see `core/dialogue/batching.py`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event, func, select

from core.app import Core
from core.dialogue.engine import ConversationEngine
from core.dialogue.messages import Inbound, Outgoing
from core.dialogue.port import ChannelPort
from core.domain.errors import NotFound
from core.domain.model import Assignment, InboundReceipt
from core.services import identity
from tests.conftest import Cooperative

MENU = "What would you like to do?"
LANGUAGE_QUESTION = (
    "Bonjour\u00a0! Welcome! Quelle langue préférez-vous\u00a0? Which language do you prefer?"
)


def press(who: str, action: str, ref: str | None = None) -> Inbound:
    return Inbound("console", who, who, action=action, territory="Rezé", message_ref=ref)


def write(who: str, text: str, ref: str | None = None) -> Inbound:
    return Inbound("console", who, who, text=text, territory="Rezé", message_ref=ref)


async def at_once(engine: ConversationEngine, *inbounds: Inbound) -> list[list[Outgoing]]:
    """Hand the messages to the engine together, as a channel's concurrent handlers do."""
    return list(await asyncio.gather(*(engine.handle(i) for i in inbounds)))


async def link(coop: Cooperative, **accounts: int) -> None:
    async with coop.core.uow() as uow:
        for who, member_id in accounts.items():
            account = await identity.ensure_account(uow, "console", who, who)
            account.member_id = member_id
        await uow.commit()


@contextmanager
def transactions(core: Core) -> Iterator[list[object]]:
    begun: list[object] = []

    def count(connection: object) -> None:
        begun.append(connection)

    event.listen(core.engine.sync_engine, "begin", count)
    try:
        yield begun
    finally:
        event.remove(core.engine.sync_engine, "begin", count)


async def receipts(core: Core) -> int:
    async with core.uow() as uow:
        return (
            await uow.session.execute(select(func.count(InboundReceipt.message_ref)))
        ).scalar_one()


async def test_messages_of_several_people_at_once_share_a_transaction(coop: Cooperative) -> None:
    engine = ConversationEngine(coop.core)
    people = [f"newcomer{i}" for i in range(8)]
    with transactions(coop.core) as begun:
        replies = await at_once(engine, *(write(who, "bonjour", f"m-{who}") for who in people))
    assert [r[0].key for r in replies] == [LANGUAGE_QUESTION] * len(people)
    assert len(begun) == 1
    assert await receipts(coop.core) == len(people)


async def test_each_reply_goes_to_the_chat_of_its_own_sender(coop: Cooperative) -> None:
    engine = ConversationEngine(coop.core)
    await link(coop, alice=coop.alice, bob=coop.bob, carol=coop.carol)
    replies = await at_once(engine, *(press(who, "menu") for who in ("alice", "bob", "carol")))
    assert [[r.chat_ref for r in batch] for batch in replies] == [["alice"], ["bob"], ["carol"]]


async def test_a_refusal_in_a_batch_refuses_only_its_sender(coop: Cooperative) -> None:
    engine = ConversationEngine(coop.core)
    await link(coop, alice=coop.alice, bob=coop.bob, carol=coop.carol, claire=coop.coordinator)
    replies = await at_once(
        engine,
        press("alice", "menu", "1"),
        press("bob", "accept:99999", "2"),  # a request that does not exist
        press("carol", "menu", "3"),
        press("claire", "menu", "4"),
    )
    assert [r[0].key for r in replies] == [MENU, NotFound.key, MENU, MENU]
    assert await receipts(coop.core) == 4
    async with coop.core.uow() as uow:
        assert (await uow.session.execute(select(func.count(Assignment.id)))).scalar_one() == 0


async def test_an_update_delivered_twice_in_one_batch_is_answered_once(coop: Cooperative) -> None:
    engine = ConversationEngine(coop.core)
    replies = await at_once(
        engine, write("zoe", "bonjour", "same"), write("zoe", "bonjour", "same")
    )
    assert sorted(len(r) for r in replies) == [0, 1]
    assert await receipts(coop.core) == 1


async def test_two_messages_of_one_person_in_a_batch_follow_each_other(coop: Cooperative) -> None:
    engine = ConversationEngine(coop.core)
    # Someone else first, so that both of Zoé's messages wait and go in the same batch.
    replies = await at_once(
        engine,
        write("yann", "bonjour"),
        write("zoe", "bonjour"),
        press("zoe", "lang:fr"),
    )
    assert replies[1][0].key == LANGUAGE_QUESTION
    assert replies[2][0].language == "fr"  # the second saw the first's question and answered it
    assert replies[2][0].key != LANGUAGE_QUESTION


async def test_recorded_sends_join_the_batch_of_the_messages(coop: Cooperative) -> None:
    engine = ConversationEngine(coop.core)
    first = await engine.handle(write("zoe", "bonjour"))
    with transactions(coop.core) as begun:
        await asyncio.gather(
            engine.handle(write("yann", "bonjour")),
            engine.handle(write("xavier", "bonjour")),
            engine.mark_delivered(first),
        )
    assert len(begun) == 1
    still_to_send = await ChannelPort(coop.core).pending("console")
    assert first[0].notification_id not in {m.notification_id for m in still_to_send}

"""What `handle()` answers: every message its transaction wrote for the inbound's platform.

A volunteer who accepts gets the contact card in the answer to their press (not from the
outbox's next round), leased to the caller so that the delivery loop does not send it again;
messages for another platform wait in the outbox for their own delivery.
"""

from __future__ import annotations

from sqlalchemy import select

from core.dialogue.engine import ConversationEngine
from core.dialogue.messages import Inbound, Outgoing
from core.dialogue.port import ChannelPort
from core.domain.model import Member, Notification, PlatformAccount
from core.domain.vocabulary import MessageKind
from core.services import identity
from tests.conftest import Cooperative, FrozenClock
from tests.integration._support import post
from tests.telegram.harness import telegram_account

PHONE, ADDRESS = "06 12 34 56 78", "3 rue des Pêcheurs"
THANK_YOU = "Thank you! You are helping {requester}"  # the contact card's message id
WILL_HELP = "{volunteer} will help you"  # the requester's notice


async def _account(coop: Cooperative, platform: str, ref: str, member_id: int) -> None:
    async with coop.core.uow() as uow:
        if platform == "telegram":
            await telegram_account(uow, ref, member_id=member_id)
        else:
            account = await identity.ensure_account(uow, platform, ref, ref)
            account.member_id = member_id
        await uow.commit()


async def _open_request(coop: Cooperative, engine: ConversationEngine) -> int:
    """Alice's request, its offers already delivered (so that only the accept's are left)."""
    request_id = await post(coop)
    for platform in ("telegram", "matrix", "console"):
        await engine.mark_delivered(await ChannelPort(engine.core).pending(platform))
    return request_id


def _keyed(messages: list[Outgoing], key: str) -> list[Outgoing]:
    return [m for m in messages if m.key.startswith(key)]


async def test_an_accept_answers_at_once_with_the_contact_card_which_is_not_delivered_again(
    coop: Cooperative, clock: FrozenClock
) -> None:
    await _account(coop, "telegram", "200", coop.bob)
    await _account(coop, "telegram", "300", coop.alice)
    engine = ConversationEngine(coop.core)
    request_id = await _open_request(coop, engine)

    answer = await engine.handle(
        Inbound("telegram", "200", "200", action=f"accept:{request_id}", message_ref="a1")
    )

    [card] = _keyed(answer, THANK_YOU)
    assert PHONE in card.text and ADDRESS in card.text
    assert card.chat_ref == "200" and card.kind == MessageKind.CONTACT_CARD
    [notice] = _keyed(answer, WILL_HELP)
    assert notice.chat_ref == "300"  # the requester, on the same platform: her own chat
    assert answer[0] is card  # the sender's chat first
    async with coop.core.uow() as uow:
        accounts = {
            a.external_id: a.id for a in await uow.session.scalars(select(PlatformAccount))
        }
        row = await uow.session.get(Notification, card.notification_id)
        assert row is not None and row.claimed_until is not None and row.attempts == 1
    assert (card.account_id, notice.account_id) == (accounts["200"], accounts["300"])

    # Leased to the caller: the delivery loop does not take them, neither now...
    pending = await ChannelPort(engine.core).pending("telegram")
    assert not {card.notification_id, notice.notification_id} & _ids(pending)
    # ...nor once they are sent and the lease is long over.
    await engine.mark_delivered(answer)
    clock.advance(hours=1)
    pending = await ChannelPort(engine.core).pending("telegram")
    assert not {card.notification_id, notice.notification_id} & _ids(pending)


async def test_messages_for_another_platform_wait_for_their_own_delivery(
    coop: Cooperative,
) -> None:
    await _account(coop, "telegram", "200", coop.bob)
    await _account(coop, "matrix", "@alice:example.org", coop.alice)
    engine = ConversationEngine(coop.core)
    request_id = await _open_request(coop, engine)

    answer = await engine.handle(
        Inbound("telegram", "200", "200", action=f"accept:{request_id}", message_ref="a2")
    )

    assert _keyed(answer, THANK_YOU) and not _keyed(answer, WILL_HELP)
    [notice] = _keyed(await ChannelPort(engine.core).pending("matrix"), WILL_HELP)
    assert notice.chat_ref == "@alice:example.org"


async def test_a_console_terminal_is_answered_only_with_its_own_messages(
    coop: Cooperative,
) -> None:
    # Each `entraide chat` is one person's terminal: Alice's notice waits for hers.
    await _account(coop, "console", "bob", coop.bob)
    await _account(coop, "console", "alice", coop.alice)
    engine = ConversationEngine(coop.core)
    request_id = await _open_request(coop, engine)

    answer = await engine.handle(Inbound("console", "bob", "bob", action=f"accept:{request_id}"))

    assert [m.chat_ref for m in answer] == ["bob"] and _keyed(answer, THANK_YOU)
    for_alice = await ChannelPort(engine.core).pending("console", member_ids={coop.alice})
    assert _keyed(for_alice, WILL_HELP)


def _ids(messages: list[Outgoing]) -> set[int]:
    return {m.notification_id for m in messages}


async def test_an_answer_never_begins_with_someone_elses_message(coop: Cooperative) -> None:
    # Bob is reached on Matrix but presses on Telegram: his card goes to Matrix. Alice's notice
    # (Telegram) is not the first answer to his press, which an adapter may edit into it.
    await _account(coop, "telegram", "200", coop.bob)
    await _account(coop, "matrix", "@bob:example.org", coop.bob)
    await _account(coop, "telegram", "300", coop.alice)
    async with coop.core.uow() as uow:
        bob = await uow.session.get(Member, coop.bob)
        assert bob is not None
        bob.preferred_platform = "matrix"
        await uow.commit()
    engine = ConversationEngine(coop.core)
    request_id = await _open_request(coop, engine)

    answer = await engine.handle(
        Inbound("telegram", "200", "200", action=f"accept:{request_id}", message_ref="a3")
    )

    assert answer == []
    assert _keyed(await ChannelPort(engine.core).pending("matrix"), THANK_YOU)
    [notice] = _keyed(await ChannelPort(engine.core).pending("telegram"), WILL_HELP)
    assert notice.chat_ref == "300"

"""Finding 16 (first point): a Matrix room is someone's private chat only if it is their DM.

A room counted as a direct chat as soon as it had two members, and every message rewrote the
sender's private chat to the room it came from. A member who spoke alone with the bot in an
ordinary room (everyone else had left) made it her private chat; whoever joined it next read
her private messages, contact details included. Now a room is a person's direct chat only if
the bot accepted it (an invitation marked `is_direct`) or opened it as their DM and they are
its only other member; and only that moves the private chat, never a message.
"""

from __future__ import annotations

from datetime import timedelta

import nio
import pytest

from core.dialogue.port import ChannelPort
from core.domain.vocabulary import Category, Platform, Role
from core.services import channel_sessions, identity, requests
from tests.conftest import Cooperative
from tests.matrix.botkit import START, BotRunner, People, body_of, direct_chat, every_event
from tests.matrix.botkit import bot_fixture as bot_fixture
from tests.matrix.botkit import people_fixture as people_fixture
from tests.matrix.fixtures import homeserver_fixture as homeserver_fixture  # the fixtures
from tests.matrix.fixtures import matrix_client_fixture as matrix_client_fixture
from tests.matrix.homeserver import Homeserver, create_room

PHONE, ADDRESS = "06 12 34 56 78", "3 rue des Pêcheurs"


async def test_a_message_never_moves_a_members_private_chat(coop: Cooperative) -> None:
    async with coop.core.uow() as uow:
        await channel_sessions.private_chat_opened(uow, Platform.MATRIX, "@bob:hs", "!dm:hs")
        await uow.commit()
    async with coop.core.uow() as uow:
        account = await identity.ensure_account(uow, Platform.MATRIX, "@bob:hs", "!other:hs")
        assert account.chat_ref == "!dm:hs"
        await uow.commit()
    # Only a direct chat the bot opened or accepted does.
    async with coop.core.uow() as uow:
        await channel_sessions.private_chat_opened(uow, Platform.MATRIX, "@bob:hs", "!new:hs")
        await uow.commit()
    async with coop.core.uow() as uow:
        assert await channel_sessions.private_chat_of(uow, Platform.MATRIX, "@bob:hs") == "!new:hs"


@pytest.mark.matrix
@pytest.mark.slow
async def test_whoever_joins_a_room_where_a_member_spoke_alone_never_gets_her_private_messages(
    homeserver: Homeserver, bot: BotRunner, people: People
) -> None:
    claire, alice = await people("claire"), await people("alice")
    bob, mallory = await people("bob"), await people("mallory")
    coordinator = await bot.add_member(
        claire.user_id, "Claire Martin", roles=[Role.COORDINATOR], neighbourhood="Château"
    )
    alice_id = await bot.add_member(
        alice.user_id, "Alice Durand", roles=[Role.REQUESTER], phone=PHONE, address=ADDRESS
    )
    bob_id = await bot.add_member(
        bob.user_id,
        "Bob Leroy",
        roles=[Role.VOLUNTEER],
        skills=[Category.SHOPPING],
        approve_by=coordinator,
    )
    await bot.start()
    dm = await direct_chat(bob, bot.user_id)
    await bob.next_from_bot(dm)  # the bot greets him in his direct chat

    # An ordinary room (not a DM): Claire invites Bob and the bot, then leaves.
    room = await create_room(claire.client, "Atelier", invite=[bob.client])
    invited = await claire.client.room_invite(room, bot.user_id)
    assert isinstance(invited, nio.RoomInviteResponse), invited
    await bob.wait_for(
        lambda r, e: (
            r == room
            and isinstance(e, nio.RoomMemberEvent)
            and e.state_key == bot.user_id
            and e.membership == "join"
        )
    )
    await claire.client.room_leave(room)
    await bob.wait_for(
        lambda r, e: (
            r == room
            and isinstance(e, nio.RoomMemberEvent)
            and e.state_key == claire.user_id
            and e.membership == "leave"
        )
    )

    # Bob speaks there, alone with the bot; then a command the bot always answers, in order.
    mark = len(bob.seen())
    await bob.say(room, "mes missions")
    await bob.say(room, "!prendre 999999")
    await bob.next_from_bot(after=mark)

    # Mallory joins that room. Then Bob takes Alice's request: her phone and address go out.
    assert isinstance(await bob.client.room_invite(room, mallory.user_id), nio.RoomInviteResponse)
    assert isinstance(await mallory.client.join(room), nio.JoinResponse)
    async with bot.core.uow() as uow:
        request = await requests.post_request(
            uow, alice_id, category="shopping", when_start=START + timedelta(days=2)
        )
        await uow.commit()
    async with bot.core.uow() as uow:
        await requests.accept(uow, bob_id, request.id)
        await uow.commit()
    where, card = await bob.wait_for(
        lambda r, e: e.sender == bot.user_id and PHONE in body_of(e), after=mark
    )

    assert where == dm, "the contact details go to Bob's direct chat"
    assert ADDRESS in body_of(card)
    seen_by_mallory = every_event(homeserver, people.user(mallory), room)
    leaked = [e for e in seen_by_mallory if PHONE in str(e) or ADDRESS in str(e)]
    assert leaked == []
    assert await ChannelPort(bot.core).private_chat_of(Platform.MATRIX, bob.user_id) == dm

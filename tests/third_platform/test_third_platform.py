"""A third chat platform needs one module: the in-memory `MemoryChannel` (under 150 lines)
runs the conversation Telegram and Matrix run, through the real engine and the shared pump.

A newcomer onboards and asks for help; the volunteer it is offered to accepts from the offer,
and gets the requester's phone and address; the territory's group sees the request's post
edited to "taken". A poll opens natively in the group (a member who is in the group is not
sent a private copy), a vote there is recorded, and the close stops the native poll.
On SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import timedelta

import pytest

from core.app import Core
from core.dialogue.engine import ConversationEngine
from core.dialogue.port import ChannelPort
from core.domain.vocabulary import Category, Role
from core.services import channels, identity, members, polls
from tests.conftest import FrozenClock
from tests.integration._support import eventually

from .memory_channel import MemoryChannel, Shown

GROUP = "group:entraide"
PHONE, ADDRESS = "06 12 34 56 78", "3 rue des Pêcheurs"


@pytest.fixture
async def platform(core: Core) -> AsyncIterator[MemoryChannel]:
    channel = MemoryChannel(ConversationEngine(core), ChannelPort(core))
    stop = asyncio.Event()
    running = asyncio.create_task(channel.run(stop))
    try:
        yield channel
    finally:
        stop.set()
        await asyncio.wait_for(running, 10)


async def seen(channel: MemoryChannel, chat: str, found: Callable[[Shown], bool]) -> Shown:
    """The first message of `chat` that `found` accepts, once it has arrived."""

    async def first() -> Shown | None:
        return next((m for m in channel.chats[chat] if found(m)), None)

    return await eventually(first)


async def a_cooperative(core: Core, platform: str) -> tuple[int, int]:
    """The default territory, its coordinator Claire and volunteer Bob on this platform, and
    its group there. Returns (claire, bob)."""
    async with core.uow() as uow:
        territory = await members.add_territory(
            uow, core.settings.default_territory, neighbourhoods=["Trentemoult", "Château"]
        )
        ids = []
        for user, name, roles, skills in (
            ("claire", "Claire Martin", [Role.COORDINATOR], []),
            ("bob", "Bob Leroy", [Role.VOLUNTEER], [Category.SHOPPING]),
        ):
            account = await identity.ensure_account(uow, platform, user, user)
            member = await members.onboard_member(
                uow,
                territory.id,
                name,
                roles=roles,
                neighbourhood="Trentemoult",
                skills=skills,
                availability=(1 << 21) - 1,
                account=account,
            )
            ids.append(member.id)
        await members.approve_member(uow, ids[1], by_id=ids[0])
        await channels.link_channel(uow, ids[0], platform, GROUP)
        await uow.commit()
    return ids[0], ids[1]


async def test_a_third_platform_runs_the_whole_conversation_through_the_shared_pump(
    core: Core, clock: FrozenClock, platform: MemoryChannel
) -> None:
    claire, bob = await a_cooperative(core, platform.platform)
    platform.groups[GROUP].add("bob")

    # -- onboarding: a newcomer answers with buttons and words.
    await platform.say("alice", "bonjour")
    await seen(platform, "alice", lambda m: any(a == "lang:fr" for _, a in m.buttons))
    await platform.press("alice", "lang:fr")
    await seen(platform, "alice", lambda m: "prénom" in m.text)
    await platform.say("alice", "Alice")
    await seen(platform, "alice", lambda m: any(a.startswith("role:") for _, a in m.buttons))
    await platform.press("alice", "role:requester")
    await seen(platform, "alice", lambda m: any(a.startswith("nb:") for _, a in m.buttons))
    await platform.press("alice", "nb:0")
    await seen(platform, "alice", lambda m: "téléphone" in m.text)
    await platform.say("alice", PHONE)
    await seen(platform, "alice", lambda m: "adresse" in m.text)
    await platform.say("alice", ADDRESS)
    await seen(platform, "alice", lambda m: any(a == "band:none" for _, a in m.buttons))
    await platform.press("alice", "band:none")
    await seen(platform, "alice", lambda m: "Bienvenue, Alice" in m.text)

    # -- a request, offered to Bob privately and posted in the group.
    await platform.press("alice", "need_help")
    await seen(platform, "alice", lambda m: any(a.startswith("cat:") for _, a in m.buttons))
    await platform.press("alice", "cat:shopping")
    await seen(platform, "alice", lambda m: any(a.startswith("when:") for _, a in m.buttons))
    await platform.press("alice", "when:tomorrow_morning")
    await seen(platform, "alice", lambda m: any(a == "where:home" for _, a in m.buttons))
    await platform.press("alice", "where:home")
    await seen(platform, "alice", lambda m: any(a == "confirm" for _, a in m.buttons))
    await platform.press("alice", "confirm")
    offer = await seen(
        platform, "bob", lambda m: any(a.startswith("accept:") for _, a in m.buttons)
    )
    post = await seen(
        platform, GROUP, lambda m: any(a.startswith("accept:") for _, a in m.buttons)
    )
    assert PHONE not in post.text and ADDRESS not in post.text

    # -- Bob accepts: the contact card comes to him alone; the group's post says it is taken.
    await platform.press("bob", "accept:")
    card = await seen(platform, "bob", lambda m: PHONE in m.text)
    assert ADDRESS in card.text and offer.ref != card.ref
    await seen(platform, GROUP, lambda m: m.ref == post.ref and not m.buttons)
    assert [m for m in platform.chats[GROUP] if PHONE in m.text or ADDRESS in m.text] == []
    assert [m for m in platform.chats["alice"] if PHONE in m.text and "Bob" in m.text] == []

    # -- a poll: native in the group; Bob, who is in it, gets no private copy; Alice does.
    clock.advance(minutes=1)  # members who joined before the poll opened vote in it
    async with core.uow() as uow:
        poll = await polls.create_poll(
            uow,
            (await members.get_member(uow, claire)).territory_id,
            "Quel jour pour la fête ?",
            ["Samedi", "Dimanche"],
            closes_at=uow.now() + timedelta(days=3),
            by_id=claire,
        )
        poll_id = poll.id
        await uow.commit()
    in_group = await seen(platform, GROUP, lambda m: m.poll_ref is not None)
    await seen(platform, "alice", lambda m: m.poll_ref is not None)
    port = ChannelPort(core)
    # Shown, then remembered as ours (votes come back with the platform's poll id).
    await eventually(lambda: port.poll_for_publication(platform.platform, in_group.ref_of_poll))
    await platform.vote("bob", in_group.ref_of_poll, [1])

    async def choice_of_bob() -> list[int] | None:
        async with core.uow() as uow:
            return await polls.current_choice(uow, bob, poll_id)

    assert await eventually(choice_of_bob) == [1]
    assert not [m for m in platform.chats["bob"] if m.poll_ref is not None]

    # -- the close stops the native poll, then says the results.
    async with core.uow() as uow:
        await polls.close_poll(uow, poll_id, by_id=claire)
        await uow.commit()
    await seen(platform, GROUP, lambda m: m.ref == in_group.ref and m.closed)
    await seen(platform, GROUP, lambda m: "Dimanche: 1" in m.text)

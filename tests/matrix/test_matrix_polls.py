"""Native MSC3381 polls in a territory room on a real Synapse: the bot's poll start, responses in
the unstable and the stable forms, a changed vote, a withdrawn one, a spoiled one, a person who
is not a member, and the bot's authoritative end with the results.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bots.matrix import events
from core.domain.vocabulary import Category, Role
from core.services import polls
from tests.matrix.botkit import (
    BotRunner,
    People,
    body_of,
    eventually,
    kind_of,
    respond,
    said,
    territory_room,
)
from tests.matrix.botkit import bot_fixture as bot_fixture
from tests.matrix.botkit import people_fixture as people_fixture
from tests.matrix.fixtures import homeserver_fixture as homeserver_fixture  # the fixtures
from tests.matrix.fixtures import matrix_client_fixture as matrix_client_fixture
from tests.matrix.homeserver import Homeserver

pytestmark = [pytest.mark.matrix, pytest.mark.slow]


async def test_each_members_latest_response_counts_and_the_bot_ends_the_poll(
    homeserver: Homeserver, bot: BotRunner, people: People
) -> None:
    claire = await people("claire")
    bob, carol, dave = await people("bob"), await people("carol"), await people("dave")
    erin, frank, olga = await people("erin"), await people("frank"), await people("olga")
    coordinator = await bot.add_member(
        claire.user_id, "Claire Martin", roles=[Role.COORDINATOR], neighbourhood="Château"
    )
    await bot.add_member(
        bob.user_id,
        "Bob Leroy",
        roles=[Role.VOLUNTEER],
        skills=[Category.SHOPPING],
        approve_by=coordinator,
    )
    for person, name in (
        (carol, "Carol Petit"),
        (dave, "Dave Moreau"),
        (erin, "Erin Roux"),
        (frank, "Frank Blanc"),
    ):
        await bot.add_member(person.user_id, name, roles=[Role.REQUESTER])
    # Olga is in the room but not a member of the cooperative.
    await bot.start()
    room = await territory_room(bot, claire, [bob, carol, dave, erin, frank, olga])

    territory_id = await bot.territory()
    async with bot.core.uow() as uow:
        poll = await polls.create_poll(
            uow,
            territory_id,
            "Quel jour pour la fête de quartier ?",
            ["Samedi", "Dimanche"],
            closes_at=uow.now() + timedelta(days=3),
            by_id=coordinator,
        )
        poll_id = poll.id
        await uow.commit()

    # The bot starts a native poll, in the unstable form Element renders.
    _, start = await olga.wait_for(lambda r, e: r == room and kind_of(e) == events.POLL_START)
    assert start.sender == bot.user_id
    content = start.source["content"]
    block = content[events.POLL_START]
    assert block["kind"] == "org.matrix.msc3381.poll.disclosed"
    assert block["max_selections"] == 1
    assert block["question"][events.TEXT] == "Quel jour pour la fête de quartier ?"
    assert [a[events.TEXT] for a in block["answers"]] == ["Samedi", "Dimanche"]
    assert "1. Samedi\n2. Dimanche" in content[events.TEXT]  # the fallback for other clients
    saturday, sunday = (a["id"] for a in block["answers"])

    await respond(bob, room, start.event_id, [saturday], stable=False)
    await respond(carol, room, start.event_id, [sunday], stable=True)
    await respond(dave, room, start.event_id, [saturday], stable=False)
    await respond(dave, room, start.event_id, [sunday], stable=True)  # changed his mind
    await respond(erin, room, start.event_id, [sunday], stable=False)
    await respond(erin, room, start.event_id, [], stable=False)  # withdrew
    await respond(frank, room, start.event_id, [saturday], stable=True)
    await respond(frank, room, start.event_id, ["vendredi"], stable=False)  # spoiled
    mark = len(olga.seen())
    await respond(olga, room, start.event_id, [saturday], stable=False)  # not a member

    # Olga's response, the last one, is answered privately: she is invited to join.
    olga_chat, _welcome = await olga.wait_for(
        lambda r, e: r != room and e.sender == bot.user_id and "Welcome" in body_of(e),
        after=mark,
    )
    assert olga_chat != room

    async def tallied() -> dict[str, Any]:
        async with bot.core.uow() as uow:
            return await polls.tally(uow, await polls.get_poll(uow, poll_id))

    result = await tallied()
    assert (result["counts"], result["voters"]) == ([1, 2], 3)

    # Nobody received a private copy of the poll: it is in their room.
    for person in (bob, carol, dave, erin, frank):
        assert not [e for r, e in person.seen() if r != room and kind_of(e) == events.POLL_START]

    async with bot.core.uow() as uow:
        await polls.close_poll(uow, poll_id, by_id=coordinator)
        await uow.commit()
    _, end = await bob.wait_for(lambda r, e: r == room and kind_of(e) == events.POLL_END)
    assert end.sender == bot.user_id
    assert end.source["content"]["m.relates_to"] == {
        "rel_type": "m.reference",
        "event_id": start.event_id,
    }
    results = end.source["content"][events.TEXT]
    assert "Quel jour pour la fête de quartier ?" in results
    assert "- Samedi: 1\n- Dimanche: 2\n" + said("fr", "Voters: {voters}", voters=3) in results
    # The homeserver lists the end among the poll's relations: clients close the poll on it.
    related = homeserver.relations(bot.user.access_token, room, start.event_id)
    assert [e["event_id"] for e in related if e["type"] == events.POLL_END] == [end.event_id]
    # A vote after the end changes nothing.
    await respond(bob, room, start.event_id, [sunday], stable=False)

    async def told_closed() -> bool:
        closed = said("fr", "This poll is closed. Votes are no longer accepted.")
        return any(closed in body_of(e) for e in bob.from_bot())

    await eventually(told_closed)
    assert (await tallied())["counts"] == [1, 2]
    bot.check_alive()

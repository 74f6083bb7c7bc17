"""The territory room on a real Synapse: a request in one French message, posted anonymised,
two ✋ at the same moment and one winner, the post edited, contact details only in the winner's
direct chat, done with hours.
"""

from __future__ import annotations

import asyncio
import json
import re

import nio
import pytest
from sqlalchemy import select

from bots.matrix import render
from core.domain.model import Assignment, HelpRequest
from core.domain.vocabulary import Category, RequestState, Role
from tests.matrix.botkit import (
    BotRunner,
    People,
    body_of,
    direct_chat,
    eventually,
    every_event,
    joined_rooms,
    room_members,
    said,
    territory_room,
)
from tests.matrix.botkit import bot_fixture as bot_fixture
from tests.matrix.botkit import people_fixture as people_fixture
from tests.matrix.fixtures import homeserver_fixture as homeserver_fixture  # the fixtures
from tests.matrix.fixtures import matrix_client_fixture as matrix_client_fixture
from tests.matrix.homeserver import Homeserver

pytestmark = [pytest.mark.matrix, pytest.mark.slow]

TAKE_IT = "React with ✋ or write !take {request_id} to help."
PHONE = "06 12 34 56 78"
ADDRESS = "3 rue des Pêcheurs"


async def test_two_hands_at_once_one_winner_who_alone_gets_the_contact_details(
    homeserver: Homeserver, bot: BotRunner, people: People
) -> None:
    claire, alice = await people("claire"), await people("alice")
    bob, carol, dave = await people("bob"), await people("carol"), await people("dave")
    coordinator = await bot.add_member(
        claire.user_id, "Claire Martin", roles=[Role.COORDINATOR], neighbourhood="Château"
    )
    await bot.add_member(
        alice.user_id, "Alice Durand", roles=[Role.REQUESTER], phone=PHONE, address=ADDRESS
    )
    volunteers = {}
    for person, name in ((bob, "Bob Leroy"), (carol, "Carol Petit"), (dave, "Dave Moreau")):
        volunteers[person.user_id] = await bot.add_member(
            person.user_id,
            name,
            roles=[Role.VOLUNTEER],
            skills=[Category.SHOPPING],
            approve_by=coordinator,
        )
    await bot.start()
    room = await territory_room(bot, claire, [bob, carol, dave])

    # Alice asks in her own words, in one French message, and confirms.
    dm = await direct_chat(alice, bot.user_id)
    await alice.next_from_bot(dm)  # the menu: she is a member already
    summary = await alice.ask(
        dm, "Bonjour, pourriez-vous m'aider à faire mes courses au marché jeudi à 10h ? Merci"
    )
    assert "au marché" in body_of(summary) and "1. " in body_of(summary)
    await alice.ask(dm, "1")  # "Yes, send it"

    # The room gets the request, anonymised, with its number and the way to take it.
    _, post = await dave.wait_for(
        lambda r, e: r == room and e.sender == bot.user_id and "✋" in body_of(e)
    )
    text = body_of(post)
    request_id = int(re.match(r"#(\d+) · ", text).group(1))  # type: ignore[union-attr]
    assert "Alice" in text and "Durand" not in text and PHONE not in text
    assert said("fr", TAKE_IT, request_id=request_id) in text  # "... !prendre 12."
    assert "<br/>" in post.source["content"]["formatted_body"]

    # Bob and Carol raise their hand at the same moment.
    hands = await asyncio.gather(
        bob.client.room_send(room, "m.reaction", render.reaction(post.event_id)),
        carol.client.room_send(room, "m.reaction", render.reaction(post.event_id)),
    )
    assert all(isinstance(sent, nio.RoomSendResponse) for sent in hands), hands

    async def accepted() -> Assignment | None:
        async with bot.core.uow() as uow:
            request = await uow.session.get(HelpRequest, request_id)
            assert request is not None
            return request.active_assignment if request.state == RequestState.ACCEPTED else None

    assignment = await eventually(accepted)
    winner = bob if assignment.volunteer_id == volunteers[bob.user_id] else carol
    loser = carol if winner is bob else bob
    assert assignment.volunteer_id == volunteers[winner.user_id]

    # The post is edited to say it is taken (still no contact details).
    _, edit = await dave.wait_for(
        lambda r, e: (
            r == room
            and e.source["content"].get("m.relates_to", {}).get("rel_type") == "m.replace"
            and e.source["content"]["m.relates_to"]["event_id"] == post.event_id
        )
    )
    taken = said("fr", "Taken: {category}, {when}, in {neighbourhood}. Thank you!")
    assert body_of(edit).startswith(f"#{request_id} · {taken.split('{')[0]}")
    assert PHONE not in json.dumps(edit.source)

    async def hand_withdrawn() -> bool:
        # The bot's own ✋ under the post is taken back: there is nothing left to take.
        related = homeserver.relations(
            bot.user.access_token, room, post.event_id, rel_type="m.annotation"
        )
        return not [e for e in related if e["sender"] == bot.user_id]

    await eventually(hand_withdrawn)

    # The winner gets the contact details in a direct chat the bot opened; the other one is told.
    winner_dm, details = await winner.wait_for(
        lambda r, e: e.sender == bot.user_id and PHONE in body_of(e)
    )
    assert ADDRESS in body_of(details) and winner_dm != room
    await loser.wait_for(
        lambda r, e: r != room and e.sender == bot.user_id and "déjà" in body_of(e)
    )
    # Dave is late: `!prendre N` tells him, privately, that it is taken.
    mark = len(dave.seen())
    await dave.say(room, f"!prendre {request_id}")
    late_room, _late = await dave.wait_for(
        lambda r, e: e.sender == bot.user_id and "déjà" in body_of(e), after=mark
    )
    assert late_room != room

    # Done, with the hours, in the winner's direct chat ("1" is "Done").
    await winner.ask(winner_dm, "1", contains="heures")
    await winner.ask(winner_dm, "1,5", contains="noté")

    async def done() -> bool:
        async with bot.core.uow() as uow:
            request = await uow.session.get(HelpRequest, request_id)
            assert request is not None
            return request.state == RequestState.DONE

    await eventually(done)
    async with bot.core.uow() as uow:
        hours = (
            await uow.session.execute(
                select(Assignment.hours).where(Assignment.request_id == request_id)
            )
        ).scalar_one()
    assert hours == 1.5
    await alice.wait_for(
        lambda r, e: r == dm and e.sender == bot.user_id and "merci" in body_of(e).lower()
    )

    # Privacy, over every event of every room the bot is in (the homeserver's own record):
    # the phone and the address are only in the winner's direct chat.
    bot_token = bot.user.access_token
    rooms_with_details = set()
    for room_id in joined_rooms(homeserver, bot_token):
        for event in every_event(homeserver, bot_token, room_id):
            raw = json.dumps(event, ensure_ascii=False)
            if PHONE in raw or ADDRESS in raw:
                rooms_with_details.add(room_id)
                assert event["sender"] == bot.user_id
    assert rooms_with_details == {winner_dm}
    assert room_members(homeserver, bot_token, winner_dm) == {bot.user_id, winner.user_id}
    # And what each person saw, from their own syncs.
    for person in (alice, bob, carol, dave, claire):
        for room_id, event in person.seen():
            if PHONE in json.dumps(event.source, ensure_ascii=False):
                assert person is winner and room_id == winner_dm
    bot.check_alive()

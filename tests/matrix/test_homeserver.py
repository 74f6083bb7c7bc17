"""The Matrix test harness against a real Synapse: messages, polls, relations, restarts.

These are also the facts the Matrix adapter relies on: nio delivers poll events as
`UnknownEvent`, the relations endpoint lists a poll's responses and end, and a client keeps
syncing across a restart of its homeserver.
"""

from __future__ import annotations

import asyncio
import statistics
import time

import nio
import pytest

from tests.matrix.fixtures import ClientFactory
from tests.matrix.fixtures import homeserver_fixture as homeserver_fixture  # the fixtures
from tests.matrix.fixtures import matrix_client_fixture as matrix_client_fixture
from tests.matrix.homeserver import Homeserver, create_room, wait_for_event

pytestmark = [pytest.mark.matrix, pytest.mark.slow]

POLL_START = "org.matrix.msc3381.poll.start"
POLL_RESPONSE = "org.matrix.msc3381.poll.response"
POLL_END = "org.matrix.msc3381.poll.end"


def poll_start_content(question: str, answers: dict[str, str]) -> dict:
    """An unstable (MSC3381) poll start, as Element sends it."""
    lines = "\n".join(f"{n}. {text}" for n, text in enumerate(answers.values(), start=1))
    return {
        "org.matrix.msc1767.text": f"{question}\n{lines}",
        POLL_START: {
            "kind": "org.matrix.msc3381.poll.disclosed",
            "max_selections": 1,
            "question": {"org.matrix.msc1767.text": question},
            "answers": [
                {"id": key, "org.matrix.msc1767.text": text} for key, text in answers.items()
            ],
        },
    }


def text_is(body: str):  # type: ignore[no-untyped-def]
    return lambda event: isinstance(event, nio.RoomMessageText) and event.body == body


async def send_text(client: nio.AsyncClient, room_id: str, body: str) -> str:
    sent = await client.room_send(room_id, "m.room.message", {"msgtype": "m.text", "body": body})
    assert isinstance(sent, nio.RoomSendResponse), sent
    return sent.event_id


async def test_two_clients_exchange_a_message(matrix_client: ClientFactory) -> None:
    alice = await matrix_client("alice")
    bob = await matrix_client("bob")
    room_id = await create_room(alice, "Entraide Rezé", invite=[bob])

    event_id = await send_text(alice, room_id, "Bonjour Bob, tu peux m'aider samedi ?")
    received = await wait_for_event(bob, room_id, text_is("Bonjour Bob, tu peux m'aider samedi ?"))

    assert received.event_id == event_id
    assert received.sender == alice.user_id
    await send_text(bob, room_id, "Oui, avec plaisir")
    answer = await wait_for_event(alice, room_id, text_is("Oui, avec plaisir"))
    assert answer.sender == bob.user_id


async def test_a_direct_room_invites_as_direct(matrix_client: ClientFactory) -> None:
    alice = await matrix_client("alice")
    bob = await matrix_client("bob")
    # Invited by user id (not by client), Bob is only invited: he sees the invite, then joins.
    room_id = await create_room(alice, "Alice et Bob", invite=[bob.user_id], is_direct=True)

    synced = await bob.sync(timeout=0)
    assert isinstance(synced, nio.SyncResponse), synced
    invite = next(
        event
        for event in synced.rooms.invite[room_id].invite_state
        if isinstance(event, nio.InviteMemberEvent) and event.state_key == bob.user_id
    )
    assert invite.membership == "invite"
    assert invite.content.get("is_direct") is True
    assert isinstance(await bob.join(room_id), nio.JoinResponse)
    await send_text(bob, room_id, "merci pour l'invitation")
    await wait_for_event(alice, room_id, text_is("merci pour l'invitation"))


async def test_a_poll_start_arrives_as_an_unknown_event(matrix_client: ClientFactory) -> None:
    alice = await matrix_client("alice")
    bob = await matrix_client("bob")
    room_id = await create_room(alice, "Sondage", invite=[bob])
    seen_by_callback: list[nio.UnknownEvent] = []

    async def on_unknown(room: nio.MatrixRoom, event: nio.UnknownEvent) -> None:
        seen_by_callback.append(event)

    bob.add_event_callback(on_unknown, nio.UnknownEvent)  # type: ignore[arg-type]
    content = poll_start_content("Quel jour pour le repas ?", {"sam": "Samedi", "dim": "Dimanche"})
    sent = await alice.room_send(room_id, POLL_START, content)
    assert isinstance(sent, nio.RoomSendResponse), sent

    event = await wait_for_event(bob, room_id, lambda e: getattr(e, "type", None) == POLL_START)

    assert isinstance(event, nio.UnknownEvent)
    assert event.event_id == sent.event_id
    assert event.sender == alice.user_id
    assert event.source["content"] == content
    assert [e.event_id for e in seen_by_callback if e.type == POLL_START] == [sent.event_id]


async def test_poll_responses_and_end_are_listed_by_the_relations_endpoint(
    homeserver: Homeserver,
    matrix_client: ClientFactory,
) -> None:
    alice = await matrix_client("alice")
    bob = await matrix_client("bob")
    carol = await matrix_client("carol")
    room_id = await create_room(alice, "Sondage", invite=[bob, carol])
    start = await alice.room_send(
        room_id, POLL_START, poll_start_content("Qui conduit ?", {"b": "Bob", "c": "Carol"})
    )
    assert isinstance(start, nio.RoomSendResponse), start
    reference = {"rel_type": "m.reference", "event_id": start.event_id}

    votes = {}
    for voter, answer in ((bob, "c"), (carol, "c"), (bob, "b")):  # Bob changes his mind
        sent = await voter.room_send(
            room_id,
            POLL_RESPONSE,
            {"m.relates_to": reference, POLL_RESPONSE: {"answers": [answer]}},
        )
        assert isinstance(sent, nio.RoomSendResponse), sent
        votes[sent.event_id] = (voter.user_id, answer)
    end = await alice.room_send(
        room_id,
        POLL_END,
        {"m.relates_to": reference, "org.matrix.msc1767.text": "Fin du sondage", POLL_END: {}},
    )
    assert isinstance(end, nio.RoomSendResponse), end
    unrelated = await send_text(bob, room_id, "Je prends la voiture")

    related = homeserver.relations(alice.access_token, room_id, start.event_id)

    by_id = {event["event_id"]: event for event in related}
    assert set(by_id) == {*votes, end.event_id}
    assert unrelated not in by_id
    for event_id, (sender, answer) in votes.items():
        event = by_id[event_id]
        assert event["type"] == POLL_RESPONSE
        assert event["sender"] == sender
        assert event["content"][POLL_RESPONSE]["answers"] == [answer]
        assert isinstance(event["origin_server_ts"], int)
    assert by_id[end.event_id]["type"] == POLL_END
    assert by_id[end.event_id]["sender"] == alice.user_id


async def test_median_round_trip_of_twenty_messages(
    homeserver: Homeserver,
    matrix_client: ClientFactory,
    record_property: pytest.RecordProperty,
) -> None:
    alice = await matrix_client("alice")
    bob = await matrix_client("bob")
    room_id = await create_room(alice, "Ping", invite=[bob])
    await bob.sync(timeout=0)  # from here on Bob's syncs are incremental long polls

    round_trips = []
    for n in range(20):
        started = time.perf_counter()
        waiting = asyncio.create_task(wait_for_event(bob, room_id, text_is(f"ping {n}")))
        await send_text(alice, room_id, f"ping {n}")
        await waiting
        round_trips.append(time.perf_counter() - started)

    median_ms = statistics.median(round_trips) * 1000
    record_property("median_round_trip_ms", round(median_ms, 1))
    record_property("startup_s", round(homeserver.startup_seconds, 2))
    record_property("setup_s", round(homeserver.setup_seconds, 2))
    print(
        f"\nSynapse: setup {homeserver.setup_seconds:.1f} s,"
        f" start {homeserver.startup_seconds:.1f} s; client-to-client round trip"
        f" over 20 messages: median {median_ms:.0f} ms,"
        f" max {max(round_trips) * 1000:.0f} ms"
    )
    assert median_ms < 1000


async def test_a_restart_keeps_users_and_rooms(
    homeserver: Homeserver,
    matrix_client: ClientFactory,
) -> None:
    alice = await matrix_client("alice")
    bob = await matrix_client("bob")
    room_id = await create_room(alice, "Avant le redémarrage", invite=[bob])
    await send_text(alice, room_id, "avant")
    await wait_for_event(bob, room_id, text_is("avant"))
    port = homeserver.port

    await homeserver.arestart()

    assert homeserver.port == port
    assert homeserver.running
    # The same clients, with their tokens and sync positions, carry on.
    await send_text(alice, room_id, "après")
    received = await wait_for_event(bob, room_id, text_is("après"))
    assert received.sender == alice.user_id
    # The users can still log in with their passwords and still belong to the room.
    user = matrix_client.users[bob.user_id]
    again = await homeserver.login_client(user)
    try:
        joined = await again.joined_rooms()
        assert isinstance(joined, nio.JoinedRoomsResponse), joined
        assert room_id in joined.rooms
    finally:
        await again.close()


async def test_a_sync_loop_survives_the_homeserver_going_down(
    homeserver: Homeserver,
    matrix_client: ClientFactory,
) -> None:
    """What a bot's `sync_forever` meets: the homeserver disappears, then comes back."""
    alice = await matrix_client("alice")
    bob = await matrix_client("bob")
    room_id = await create_room(alice, "Panne", invite=[bob])
    await bob.sync(timeout=0)
    received: list[str] = []

    async def on_text(room: nio.MatrixRoom, event: nio.RoomMessageText) -> None:
        received.append(event.body)

    bob.add_event_callback(on_text, nio.RoomMessageText)  # type: ignore[arg-type]
    loop = asyncio.create_task(bob.sync_forever(timeout=1000))
    try:
        await homeserver.arestart(down_for=1.0)
        await send_text(alice, room_id, "de retour")
        deadline = time.monotonic() + 30
        while "de retour" not in received and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        assert "de retour" in received
    finally:
        loop.cancel()
        with pytest.raises(asyncio.CancelledError):
            await loop

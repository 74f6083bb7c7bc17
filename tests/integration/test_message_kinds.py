"""Every outbox message says what it is (`kind`) and what it is about (`request_id`, `poll_id`),
set where it is written; nothing depends on its wording.

One scenario plays the life of a cooperative through the conversation engine and the
scheduler's services: a request asked in the chat, offered, accepted, reminded, done and
thanked; another cancelled; a third escalated; an emergency; a message for the coordinators;
a poll opened, voted, reminded and closed; a member the bot cannot reach; a message set aside.
The same scenario then runs with every message reworded (`tests/reworded.py`): the kinds,
references, topics, recipients and buttons of the outbox are the same.
"""

from __future__ import annotations

import ast
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from core.app import Core
from core.dialogue import render
from core.dialogue.engine import ConversationEngine
from core.domain import events
from core.domain.model import Notification
from core.domain.vocabulary import MessageKind as Kind
from core.domain.vocabulary import Outcome
from core.services import channels, identity, outbox, polls, requests, timed
from core.services.contact import WITHHELD
from core.services.members import get_member
from tests.conftest import NOW, Cooperative, FrozenClock, make_settings, postgres_schema
from tests.integration._support import post, press, say
from tests.reworded import reword, reworded_catalog

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Cast:
    """Who is who in the scenario: members, the public room, the requests and the poll."""

    coop: Cooperative
    room: int
    asked: int  # asked in the chat, accepted, reminded, done, thanked
    cancelled: int
    escalated: int
    poll: int
    set_aside: int  # a room's post that failed for good


async def _in_a_uow(core: Core, work: Any, *args: Any, **kwargs: Any) -> Any:
    async with core.uow() as uow:
        result = await work(uow, *args, **kwargs)
        await uow.commit()
        return result


async def play(core: Core, clock: FrozenClock) -> Cast:
    """The life of a cooperative, pressing buttons (actions) as members do."""
    coop = await Cooperative(core).setup()
    engine = ConversationEngine(core)
    async with core.uow() as uow:
        for who, member_id in (
            ("alice", coop.alice),
            ("bob", coop.bob),
            ("carol", coop.carol),
            ("claire", coop.coordinator),
        ):
            account = await identity.ensure_account(uow, "console", who, who)
            account.member_id = member_id
        room = await channels.link_channel(uow, coop.coordinator, "telegram", "-1001")
        await uow.commit()
        room_id = room.id

    # A request asked in the chat, offered in the room and to Bob and Carol; Bob takes it.
    for action in ("need_help", "cat:shopping", "when:this_week", "where:home", "confirm"):
        await press(engine, "alice", action)
    async with core.uow() as uow:
        (asked,) = [r.id for r in await requests.requests_of(uow, coop.alice, active_only=True)]
    await press(engine, "bob", "requests")
    await press(engine, "bob", f"accept:{asked}")
    await press(engine, "bob", "my_tasks")
    async with core.uow() as uow:
        holder = (await requests.get_request(uow, asked)).active_assignment
        assert holder is not None
        assignment = holder.id
    await _in_a_uow(core, timed.send_reminder, asked, assignment, 24)
    await press(engine, "bob", f"done:{asked}")
    await press(engine, "bob", "hours:1.5")
    await _in_a_uow(core, timed.follow_up, asked, assignment)
    await press(engine, "alice", f"thank:{asked}")

    # A request cancelled by Alice, another nobody takes (escalated, then the coordinators).
    cancelled = await post(coop, days=4)
    await _in_a_uow(core, timed.send_digest, coop.bob)  # the soonest open near him: this one
    await press(engine, "alice", f"cancel:{cancelled}")
    await press(engine, "alice", f"cancel_yes:{cancelled}")
    escalated = await post(coop, days=5, category="gardening")
    await _in_a_uow(core, timed.escalate, escalated, timed.WHOLE_TERRITORY)
    await _in_a_uow(core, timed.escalate, escalated, timed.COORDINATORS)

    # An emergency, and a message for the coordinators.
    await say(engine, "alice", text="Je suis tombée et je ne peux pas me relever")
    await press(engine, "alice", "coordinator")
    await say(engine, "alice", text="Merci pour tout")

    # A poll, voted in the chat, reminded, and closed with its results.
    clock.advance(hours=1)
    poll = await _in_a_uow(
        core,
        polls.create_poll,
        coop.territory_id,
        "Quel jour pour la fête ?",
        ["Samedi", "Dimanche"],
        closes_at=clock.now + timedelta(days=2),
        by_id=coop.coordinator,
    )
    await press(engine, "bob", f"vote:{poll.id}:1")
    await press(engine, "carol", "polls")
    await _in_a_uow(core, timed.remind_poll, poll.id)
    clock.advance(days=2)
    await _in_a_uow(core, timed.close_poll_at_deadline, poll.id)

    # Bob blocks the bot; a message to the room fails for good.
    async with core.uow() as uow:
        bob_account = await identity.account_for(uow, "console", "bob")
        assert bob_account is not None
        await identity.mark_unreachable(uow, bob_account.id)
        await uow.commit()
    async with core.uow() as uow:
        first_post = await uow.session.scalar(
            select(Notification.id).where(Notification.channel_id == room_id).limit(1)
        )
        assert first_post is not None
        uow.publish(events.NotificationSetAside(first_post))
        await uow.commit()
    return Cast(coop, room_id, asked, cancelled, escalated, poll.id, first_post)


async def outbox_rows(core: Core) -> list[Notification]:
    async with core.uow() as uow:
        return list(
            (await uow.session.execute(select(Notification).order_by(Notification.id))).scalars()
        )


def trace(rows: list[Notification]) -> list[tuple[Any, ...]]:
    """What adapters act on, without the wording: recipient, kind, references, topic, buttons
    and the names of the parameters."""
    return [
        (
            r.member_id,
            r.account_id,
            r.channel_id,
            r.kind,
            r.request_id,
            r.poll_id,
            r.topic,
            [c["action"] for c in r.choices],
            sorted(r.params),
        )
        for r in rows
    ]


def sent(rows: list[Notification], kind: Kind) -> list[tuple[int | None, int | None, int | None]]:
    """(member, room, reference) of every message of a kind, in order."""
    return [(r.member_id, r.channel_id, r.request_id or r.poll_id) for r in rows if r.kind == kind]


async def test_each_message_says_what_it_is_and_what_it_is_about(
    core: Core, clock: FrozenClock
) -> None:
    cast = await play(core, clock)
    coop, room = cast.coop, cast.room
    rows = await outbox_rows(core)

    # The room: the posts of each request (offered, taken, closed) and the poll.
    assert [(r.kind, r.request_id or r.poll_id) for r in rows if r.channel_id == room] == [
        (Kind.REQUEST_POST, cast.asked),
        (Kind.REQUEST_TAKEN, cast.asked),
        (Kind.REQUEST_POST, cast.cancelled),
        (Kind.REQUEST_CLOSED, cast.cancelled),
        (Kind.REQUEST_POST, cast.escalated),
        (Kind.REQUEST_POST, cast.escalated),  # still looking, after nobody took it
        (Kind.POLL_OPENED, cast.poll),
        (Kind.POLL_CLOSED, cast.poll),
    ]
    # Offered privately to the best-suited volunteers, and listed to Bob with the same buttons.
    offers = sent(rows, Kind.REQUEST_POST)
    assert (coop.bob, None, cast.asked) in offers and (coop.carol, None, cast.asked) in offers
    assert offers.count((coop.bob, None, cast.asked)) == 2  # the offer, then "open requests"
    for row in rows:
        offering = any(c["action"].startswith("accept:") for c in row.choices)
        assert offering == (row.kind == Kind.REQUEST_POST), row.key
    # The contact card: on accepting, in "my tasks", in the reminder; to Bob alone.
    assert sent(rows, Kind.CONTACT_CARD) == [(coop.bob, None, cast.asked)] * 3
    # Whatever carries a requester's phone is a contact card, or an alert to a coordinator of
    # the territory (issue 13: coordinators see it to act); never a room's post.
    for row in rows:
        if row.params.get("phone", WITHHELD) != WITHHELD:
            card = row.kind == Kind.CONTACT_CARD
            alert = row.kind == Kind.ALERT and row.member_id == coop.coordinator
            assert (card or alert) and row.channel_id is None, row.key
    # The poll: to each member who may vote and to the room, then its results.
    opened = sent(rows, Kind.POLL_OPENED)
    voters = {coop.alice, coop.bob, coop.carol, coop.coordinator}
    assert sorted(m for m, _, _ in opened if m) == sorted(voters)
    assert {p for _, _, p in opened} == {cast.poll}
    closed = sent(rows, Kind.POLL_CLOSED)
    assert len(closed) == 5 and {p for _, _, p in closed} == {cast.poll}
    # Alerts, in order: the request nobody could be offered (at once; still open when the
    # search reaches the coordinators, so not twice), the emergency (its answer and the
    # coordinators), the message for them, the member they can no longer reach, the message
    # set aside.
    alerts = [r for r in rows if r.kind == Kind.ALERT]
    assert [(r.member_id, r.request_id) for r in alerts] == [
        (coop.coordinator, cast.escalated),
        (coop.alice, None),
        (coop.coordinator, None),
        (coop.coordinator, None),
        (coop.coordinator, None),
        (coop.coordinator, None),
    ]
    assert alerts[-1].topic == outbox.topic_of(notification_id=cast.set_aside)
    assert alerts[-2].topic == outbox.topic_of(member_id=coop.bob)  # Bob can't be reached
    # Every other message is a plain text; the poll's and the requests' texts name them too.
    texts = [r for r in rows if r.kind == Kind.TEXT]
    assert {r.poll_id for r in texts if r.poll_id} == {cast.poll}
    assert {r.request_id for r in texts if r.request_id} == {
        cast.asked,
        cast.cancelled,
        cast.escalated,
    }


async def test_the_topic_follows_from_the_reference_written(
    core: Core, clock: FrozenClock
) -> None:
    await play(core, clock)
    rows = await outbox_rows(core)
    assert rows
    for row in rows:
        if row.request_id is not None or row.poll_id is not None:
            expected = outbox.topic_of(request_id=row.request_id, poll_id=row.poll_id)
            assert row.topic == expected, row.key
        elif row.topic is not None:
            assert row.topic.split(":")[0] in ("member", "notification"), row.topic


async def test_a_message_is_rendered_with_its_kind_and_references(
    core: Core, clock: FrozenClock
) -> None:
    await play(core, clock)
    for row in await outbox_rows(core):
        shown = render.render(row, "fr", "Europe/Paris")
        assert (shown.kind, shown.request_id, shown.poll_id, shown.topic) == (
            row.kind,
            row.request_id,
            row.poll_id,
            row.topic,
        )
        assert isinstance(shown.kind, Kind)


@asynccontextmanager
async def another_core(backend: str, tmp_path: Path) -> AsyncIterator[tuple[Core, FrozenClock]]:
    """A second, fresh database on the same backend, with its own clock."""
    clock = FrozenClock(NOW)
    async with AsyncExitStack() as stack:
        if backend == "sqlite":
            url = f"sqlite+aiosqlite:///{tmp_path / 'reworded.sqlite3'}"
        else:
            url = await stack.enter_async_context(postgres_schema())
        instance = Core.open(make_settings(url), clock)
        stack.push_async_callback(instance.close)
        await instance.create_schema()
        yield instance, clock


async def test_rewording_every_message_changes_no_kind_reference_recipient_or_button(
    core: Core, clock: FrozenClock, tmp_path: Path
) -> None:
    await play(core, clock)
    plain = await outbox_rows(core)
    backend = "sqlite" if core.settings.database_url.startswith("sqlite") else "postgres"
    async with another_core(backend, tmp_path) as (other, other_clock):
        with reworded_catalog() as rewording:
            await play(other, other_clock)
            rows = await outbox_rows(other)
            shown = [render.render(r, reader_language(r), "Europe/Paris") for r in rows]
    assert trace(rows) == trace(plain)
    # The rewording was in effect: every stored message id and every text is another one, in
    # English (the rooms) and in French (the members), its placeholders still filled in.
    assert [r.key for r in rows] == [reword(p.key) for p in plain]
    plain_shown = [render.render(r, reader_language(r), "Europe/Paris") for r in plain]
    for row, message, before in zip(rows, shown, plain_shown, strict=True):
        template = rewording.translated(reader_language(row), row.key)
        assert template.startswith("«") and template != rewording.original(row.key)
        assert message.text.startswith("«") and "{" not in message.text, message.text
        # The same shape: a poll's results still follow its closing message, line by line.
        assert len(message.text.splitlines()) == len(before.text.splitlines()), message.text
        if row.kind == Kind.POLL_CLOSED:
            assert "- Samedi: 0\n- Dimanche: 1" in message.text


def reader_language(row: Notification) -> str:
    """French for the members, English for the rooms: both catalogs are reworded."""
    return "en" if row.channel_id is not None else "fr"


# The functions that write a message to the outbox.
WRITERS = {"write", "reply", "write_card"}


def test_no_topic_is_formatted_by_hand_and_no_marker_replaces_a_kind() -> None:
    """A writer of messages is given `topic=` only as `outbox.topic_of(...)` (a request's or a
    poll's topic follows from `request_id=`/`poll_id=`), and no message is recognised by a
    `contact_card` parameter any more."""
    offenders = []
    for path in sorted((ROOT / "core").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and _called(node) in WRITERS):
                continue
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            for keyword in node.keywords:
                if keyword.arg == "topic" and not _is_topic_of(keyword.value):
                    offenders.append(f"{where}: topic={ast.unparse(keyword.value)}")
                if keyword.arg == "contact_card":
                    offenders.append(f"{where}: contact_card=")
    assert offenders == []


def _called(call: ast.Call) -> str | None:
    function = call.func
    if isinstance(function, ast.Attribute):
        return function.attr
    return function.id if isinstance(function, ast.Name) else None


def _is_topic_of(value: ast.expr) -> bool:
    """`topic_of(...)`, or a `topic` passed on as received (`outbox.write`'s own)."""
    if isinstance(value, ast.Name):
        return value.id == "topic"
    return isinstance(value, ast.Call) and _called(value) == "topic_of"


@pytest.mark.parametrize(
    ("kind", "target", "reference"),
    [
        (Kind.REQUEST_POST, "member", {}),
        (Kind.REQUEST_TAKEN, "member", {"request_id": 1}),
        (Kind.REQUEST_CLOSED, "channel", {}),
        (Kind.CONTACT_CARD, "channel", {"request_id": 1}),
        (Kind.POLL_OPENED, "member", {}),
        (Kind.POLL_CLOSED, "member", {"request_id": 1}),
        (Kind.TEXT, "member", {"request_id": 1, "poll_id": 1}),
    ],
)
async def test_a_message_without_the_reference_or_the_recipient_its_kind_needs_is_refused(
    coop: Cooperative, kind: Kind, target: str, reference: dict[str, int]
) -> None:
    request_id = await post(coop)
    async with coop.core.uow() as uow:
        where: dict[str, Any] = {"member": await get_member(uow, coop.bob)}
        if target == "channel":
            room = await channels.link_channel(uow, coop.coordinator, "telegram", "-9")
            where = {"channel": room}
        references = {name: request_id for name in reference}
        with pytest.raises(ValueError):
            outbox.write(uow, "Anything", kind=kind, **where, **references)


async def test_a_rooms_post_is_traced_back_to_its_request_by_the_platforms_id_of_it(
    core: Core, clock: FrozenClock
) -> None:
    """What a reaction under a post (Matrix's ✋) is about, without reading any topic string:
    an edited post keeps its first id, so the original post is found whatever it says now."""
    cast = await play(core, clock)
    async with core.uow() as uow:
        posts = [
            r
            for r in (await outbox_rows(core))
            if r.channel_id == cast.room and r.request_id == cast.asked
        ]
        assert [p.kind for p in posts] == [Kind.REQUEST_POST, Kind.REQUEST_TAKEN]
        # Sent, then edited in place: both rows hold the id of the first post.
        await outbox.mark_many_done(
            uow, [outbox.Done(p.id, Outcome.SENT, "-1001:77") for p in posts]
        )
        await uow.commit()
    async with core.uow() as uow:
        found = await outbox.request_of_post(uow, channel_id=cast.room, external_ref="-1001:77")
        unknown = await outbox.request_of_post(uow, channel_id=cast.room, external_ref="-1001:78")
        elsewhere = await outbox.request_of_post(uow, channel_id=999, external_ref="-1001:77")
    assert (found, unknown, elsewhere) == (cast.asked, None, None)

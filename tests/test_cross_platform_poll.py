"""One poll across platforms (issue 6): the Telegram bot, on the local Bot API server, and the
Matrix bot, on a real Synapse, run side by side on ONE core (one SQLite file) in one event loop.

A coordinator publishes a poll: it appears at once as a native poll in the territory's Telegram
group and in its Matrix room. Members vote on either platform and each counts once: Carol, whose
Telegram and Matrix accounts were joined through the chat (`/lier`, then `!lier CODE`), votes on
Telegram then changes her mind on Matrix, and only her last vote counts. A person in the Matrix
room who is not a member is not counted. At close one combined result is announced on both.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from bots.matrix import events as matrix_events
from core.domain.vocabulary import Platform, Role
from core.services import channels, identity, polls
from nlu.interpreter import BuiltinInterpreter
from tests.matrix.botkit import (
    BotRunner,
    People,
    body_of,
    direct_chat,
    eventually,
    kind_of,
    respond,
    territory_room,
)
from tests.matrix.botkit import bot_fixture as bot_fixture
from tests.matrix.botkit import people_fixture as people_fixture
from tests.matrix.fixtures import homeserver_fixture as homeserver_fixture  # the fixtures
from tests.matrix.fixtures import matrix_client_fixture as matrix_client_fixture
from tests.telegram.bot_api import FakeBotApi
from tests.telegram.harness import member_on_telegram, running_channel
from tests.telegram.harness import ptb_timedelta as ptb_timedelta  # autouse

pytestmark = [pytest.mark.slow, pytest.mark.matrix]

QUESTION = "Quel jour pour la fête de quartier ?"
# Alice 0 (Telegram), Bob 1 (Matrix), Carol 0 on Telegram then 1 on Matrix (one member, counted
# once, for 1), Dan 0 then 1 (Telegram), Zoé 0 (Matrix, not a member): 1 and 3, four voters.
# Carol counted twice would give 2 and 3 with five voters; Zoé counted, 2 and 3 as well.
RESULT = "- Samedi: 1\n- Dimanche: 3\nNombre de votants\u00a0: 4"


@pytest.fixture
async def telegram(bot: BotRunner) -> AsyncIterator[FakeBotApi]:
    """The local Bot API server, and the Telegram bot on the Matrix bot's core, as a task."""
    api = await FakeBotApi.start(bot_username="entraide_test_bot")
    try:
        async with running_channel(api, bot.core, interpreter=BuiltinInterpreter()):
            yield api
    finally:
        await api.stop()
    assert api.server_errors == []


async def test_one_poll_on_telegram_and_matrix_counts_each_member_once_and_one_result_on_both(
    bot: BotRunner, people: People, telegram: FakeBotApi
) -> None:
    api = telegram
    # -- the cooperative: Claire coordinates (Matrix); Alice and Dan are on Telegram only, Bob
    # on Matrix only, Carol on both; Zoé is in the Matrix room but not a member.
    claire, bob = await people("claire"), await people("bob")
    carol_mx, zoe = await people("carol"), await people("zoe")
    coordinator = await bot.add_member(
        claire.user_id, "Claire Martin", roles=[Role.COORDINATOR], neighbourhood="Château"
    )
    await bot.add_member(bob.user_id, "Bob Leroy", roles=[Role.REQUESTER])
    alice = api.user(201, "Alice", started=True)
    carol_tg = api.user(202, "Carol", started=True)
    dan = api.user(203, "Dan", started=True)
    for user in (alice, carol_tg, dan):
        await member_on_telegram(
            bot.core,
            await bot.territory(),
            user,
            roles=[Role.REQUESTER],
            neighbourhood="Trentemoult",
        )

    # -- the territory's public rooms: the Telegram group and the Matrix room.
    group = api.group(title="Entraide Rezé")
    api.add_bot_to_group(group, alice)
    for user in (carol_tg, dan):  # members of the group too, where they vote: no private copy
        api.set_member_status(group, user, "member")
    async with bot.core.uow() as uow:
        await channels.link_channel(uow, coordinator, Platform.TELEGRAM, str(group.id))
        await uow.commit()
    await bot.start()
    room = await territory_room(bot, claire, [bob, carol_mx, zoe])

    # -- Carol joins her two accounts through the chat: a code on Telegram, typed on Matrix.
    api.command(carol_tg, "/lier")
    await api.wait_until(lambda: any("code est" in (m.text or "") for m in api.sent(carol_tg)), 8)
    said = next(m.text or "" for m in api.sent(carol_tg) if "code est" in (m.text or ""))
    found = re.search(r"code est\W*([2-9A-Z]{6})", said)
    assert found, said
    carol_chat = await direct_chat(carol_mx, bot.user_id)
    await carol_mx.ask(carol_chat, f"!lier {found.group(1)}", contains="Relier ce compte")
    await carol_mx.ask(carol_chat, "oui", contains="reliés")  # nothing is joined before the yes
    async with bot.core.uow() as uow:
        on_telegram = await identity.account_for(uow, Platform.TELEGRAM, str(carol_tg.id))
        on_matrix = await identity.account_for(uow, Platform.MATRIX, carol_mx.user_id)
        assert on_telegram is not None and on_matrix is not None
        carol = on_telegram.member_id
        assert carol is not None and on_matrix.member_id == carol

    # -- the coordinator publishes one poll.
    territory_id = await bot.territory()
    async with bot.core.uow() as uow:
        poll = await polls.create_poll(
            uow,
            territory_id,
            QUESTION,
            ["Samedi", "Dimanche"],
            closes_at=uow.now() + timedelta(days=3),
            by_id=coordinator,
        )
        poll_id = poll.id
        await uow.commit()

    # It appears as a native poll in both rooms.
    await api.wait_until(lambda: any(m.poll_id for m in api.sent(group)), 10)
    telegram_poll = next(m for m in api.sent(group) if m.poll_id)
    assert telegram_poll.poll_id is not None
    _, start = await zoe.wait_for(
        lambda r, e: r == room and kind_of(e) == matrix_events.POLL_START
    )
    assert start.sender == bot.user_id
    block = start.source["content"][matrix_events.POLL_START]
    assert block["question"][matrix_events.TEXT] == QUESTION
    saturday, sunday = (a["id"] for a in block["answers"])
    # One copy per room: nobody is sent a private one on top.
    assert [m for m in api.sent(group) if m.poll_id] == [telegram_poll]
    for user in (alice, carol_tg, dan):
        assert not [m for m in api.sent(user) if m.poll_id]

    async def choice_of(member_id: int) -> list[int] | None:
        async with bot.core.uow() as uow:
            return await polls.current_choice(uow, member_id, poll_id)

    # -- the votes, from both platforms.
    api.answer_poll(alice, telegram_poll.poll_id, [0])
    api.answer_poll(carol_tg, telegram_poll.poll_id, [0])
    api.answer_poll(dan, telegram_poll.poll_id, [0])
    api.answer_poll(dan, telegram_poll.poll_id, [1])  # changed his mind
    await api.wait_confirmed(10)  # the bot confirms a batch once it has handled it
    assert await choice_of(carol) == [0]
    await respond(bob, room, start.event_id, [sunday])
    await respond(carol_mx, room, start.event_id, [sunday])  # Carol again, from Matrix: it wins
    mark = len(zoe.seen())
    await respond(zoe, room, start.event_id, [saturday])  # not a member

    # Zoé's response, the last one, is answered privately: she is invited to join.
    await zoe.wait_for(
        lambda r, e: r != room and e.sender == bot.user_id and "Welcome" in body_of(e),
        after=mark,
    )

    async def tallied() -> dict[str, Any]:
        async with bot.core.uow() as uow:
            return await polls.tally(uow, await polls.get_poll(uow, poll_id))

    async def counted() -> dict[str, Any] | None:
        result = await tallied()
        return result if result["voters"] == 4 and result["counts"] == [1, 3] else None

    await eventually(counted, timeout=10)
    assert await choice_of(carol) == [1]
    # Telegram itself still shows Carol's first vote: only the bot's result combines them.
    assert api.poll_of(telegram_poll).counts() == [2, 1]

    # -- the close: one combined result, announced in both rooms.
    async with bot.core.uow() as uow:
        closed = await polls.close_poll(uow, poll_id, by_id=coordinator)
        await uow.commit()
    assert (closed["counts"], closed["voters"]) == ([1, 3], 4)

    await api.wait_requests("stopPoll")
    await api.wait_until(
        lambda: any("Sondage terminé" in (m.text or "") for m in api.sent(group)), 10
    )
    telegram_result = next(
        m.text or "" for m in api.sent(group) if "Sondage terminé" in (m.text or "")
    )
    assert QUESTION in telegram_result and RESULT in telegram_result
    assert api.poll_of(telegram_poll).is_closed

    _, end = await bob.wait_for(lambda r, e: r == room and kind_of(e) == matrix_events.POLL_END)
    assert end.sender == bot.user_id
    assert end.source["content"]["m.relates_to"]["event_id"] == start.event_id
    matrix_result = end.source["content"][matrix_events.TEXT]
    assert QUESTION in matrix_result and RESULT in matrix_result

    async with bot.core.uow() as uow:
        stored = (await polls.get_poll(uow, poll_id)).result
    assert stored is not None and (stored["counts"], stored["voters"]) == ([1, 3], 4)
    bot.check_alive()

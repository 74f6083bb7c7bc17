"""Finding 11: a member not known to be in the territory's group gets the poll privately.

A territory's group gets the native poll; a member gets no private copy only when the bot
knows they are in that group (on Telegram it asks getChatMember; on Matrix the room's joined
members are known through sync). Before, every member was skipped as soon as a group existed,
and their notice was marked delivered although nothing was sent.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bots.matrix import events
from core.domain.model import Notification
from core.domain.vocabulary import Outcome, Role
from core.services import polls
from tests.conftest import NOW, Cooperative
from tests.integration._support import outbox_settled
from tests.matrix.botkit import BotRunner, People, eventually, territory_room
from tests.matrix.botkit import bot_fixture as bot_fixture
from tests.matrix.botkit import people_fixture as people_fixture
from tests.matrix.fixtures import homeserver_fixture as homeserver_fixture  # the fixtures
from tests.matrix.fixtures import matrix_client_fixture as matrix_client_fixture
from tests.matrix.homeserver import Homeserver
from tests.telegram.harness import ptb_timedelta as ptb_timedelta  # autouse

from .telegram_scene import telegram_scene

pytestmark = pytest.mark.slow


async def test_members_not_in_the_group_get_the_poll_privately_and_members_in_it_do_not(
    coop: Cooperative,
) -> None:
    async with telegram_scene(coop) as scene:
        api = scene.api
        api.set_member_status(scene.group, scene.bob, "member")
        api.set_member_status(scene.group, scene.carol, "left")  # she left it
        await outbox_settled(scene.coop.core)
        async with coop.core.uow() as uow:
            await polls.create_poll(
                uow,
                coop.territory_id,
                "Quel jour pour la fête des voisins ?",
                ["Samedi", "Dimanche"],
                closes_at=NOW + timedelta(days=3),
                by_id=coop.coordinator,
            )
            await uow.commit()
        rows = await outbox_settled(scene.coop.core)
    sent_polls = {int(r.params["chat_id"]) for r in api.requests("sendPoll")}
    # Claire (who added the bot) and Bob are in the group: the group's poll is theirs.
    assert sent_polls == {scene.group.id, scene.alice.id, scene.carol.id}
    notices = {r.member_id: r for r in rows if r.topic and r.topic.startswith("poll:")}
    assert notices[coop.bob].outcome == Outcome.SKIPPED
    assert notices[coop.coordinator].outcome == Outcome.SKIPPED
    assert notices[coop.carol].outcome == Outcome.SENT
    assert notices[coop.alice].outcome == Outcome.SENT
    for member_id in (coop.alice, coop.carol):
        assert notices[member_id].external_ref is not None


@pytest.mark.matrix
async def test_on_matrix_a_member_who_has_not_joined_the_room_gets_the_poll_privately(
    homeserver: Homeserver, bot: BotRunner, people: People
) -> None:
    claire, bob, carol = await people("claire"), await people("bob"), await people("carol")
    coordinator = await bot.add_member(
        claire.user_id, "Claire Martin", roles=[Role.COORDINATOR], neighbourhood="Château"
    )
    bob_id = await bot.add_member(bob.user_id, "Bob Leroy", roles=[Role.REQUESTER])
    carol_id = await bot.add_member(carol.user_id, "Carol Petit", roles=[Role.REQUESTER])
    await bot.start()
    room = await territory_room(bot, claire, [bob])  # Carol is not in the territory's room
    async with bot.core.uow() as uow:
        await polls.create_poll(
            uow,
            await bot.territory(),
            "Quel jour pour la fête de quartier ?",
            ["Samedi", "Dimanche"],
            closes_at=uow.now() + timedelta(days=3),
            by_id=coordinator,
        )
        await uow.commit()

    private_room, _start = await carol.wait_for(
        lambda r, e: r != room and e.source.get("type") == events.POLL_START
    )

    async def outcomes() -> dict[int | None, str | None] | None:
        async with bot.core.uow() as uow:
            rows = (
                await uow.session.execute(
                    select(Notification).where(Notification.topic.like("poll:%"))
                )
            ).scalars()
            found = {r.member_id: r.outcome for r in rows if r.member_id is not None}
        return found if all(found.values()) and len(found) == 3 else None

    done = await eventually(outcomes)
    assert done[carol_id] == Outcome.SENT
    assert done[bob_id] == Outcome.SKIPPED  # he sees the room's poll
    assert not [
        e for r, e in bob.seen() if r != room and e.source.get("type") == events.POLL_START
    ]
    assert private_room != room

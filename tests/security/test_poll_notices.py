"""Finding 11: a member not known to be in the territory's group gets the poll privately.

A territory's group gets the native poll; a member gets no private copy only when the bot
knows they are in that group (on Telegram it asks getChatMember; on Matrix the room's joined
members are known through sync). Before, every member was skipped as soon as a group existed,
and their notice was marked delivered although nothing was sent.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.domain.vocabulary import Outcome
from core.services import polls
from tests.conftest import NOW, Cooperative

from .telegram_scene import outbox_settled, telegram_scene

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


async def test_members_not_in_the_group_get_the_poll_privately_and_members_in_it_do_not(
    coop: Cooperative,
) -> None:
    async with telegram_scene(coop) as scene:
        api = scene.api
        api.set_member_status(scene.group, scene.bob, "member")
        api.set_member_status(scene.group, scene.carol, "left")  # she left it
        await outbox_settled(scene)
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
        rows = await outbox_settled(scene)
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

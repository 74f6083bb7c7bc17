"""Telegram handles requests and polls by their kind, never by their wording.

Every message of the catalog is reworded (`tests/reworded.py`), then a request is posted in the
group and accepted from the group post, and a poll is published natively, voted on and closed:
the post is edited (not reposted), only the volunteer who won gets the contact card, the poll is
a native one whose votes are counted and which is stopped at the close. Before the adapters
dispatched on kinds, rewording "New poll" or "Poll closed" broke all of this.
"""

from __future__ import annotations

from datetime import timedelta

from core.services import polls
from core.services.unit_of_work import UnitOfWork
from tests.conftest import Cooperative
from tests.integration._support import outbox_settled
from tests.integration._support import post as post_request
from tests.reworded import Rewording
from tests.reworded import reworded as reworded  # the fixture
from tests.security.telegram_scene import telegram_scene

PHONE = "06 12 34 56 78"


async def _alice_s_phone(uow: UnitOfWork, coop: Cooperative) -> None:
    from core.domain.model import Member

    alice = await uow.session.get(Member, coop.alice)
    assert alice is not None
    alice.phone = PHONE


async def test_a_request_and_a_poll_work_with_every_message_reworded(
    coop: Cooperative, reworded: Rewording
) -> None:
    async with telegram_scene(coop) as scene:
        api = scene.api
        async with coop.core.uow() as uow:
            await _alice_s_phone(uow, coop)
            await uow.commit()
        request_id = await post_request(coop)
        await api.wait_until(lambda: any(m.callback_data for m in api.sent(scene.group.id)), 10)
        post = next(m for m in api.sent(scene.group.id) if m.callback_data)
        assert post.text and post.text.startswith("«")  # the reworded catalog is in use
        api.press(scene.bob, post, post.callback_data[0])
        await api.wait_until(lambda: any(PHONE in (m.text or "") for m in api.sent(200)), 10)
        await api.wait_until(lambda: bool(post.history), 10)  # edited to "taken", not reposted
        assert not any(PHONE in (m.text or "") for m in api.sent(201))
        assert not any(PHONE in (m.text or "") for m in api.sent(scene.group.id))

        async with coop.core.uow() as uow:
            poll = await polls.create_poll(
                uow,
                coop.territory_id,
                "Quel jour ?",
                ["Samedi", "Dimanche"],
                closes_at=uow.now() + timedelta(days=2),
                by_id=None,
            )
            await uow.commit()
        await api.wait_until(lambda: any(m.poll_id for m in api.sent(scene.group.id)), 10)
        native = next(m for m in api.sent(scene.group.id) if m.poll_id)
        api.answer_poll(scene.carol, native.poll_id, [1])
        await api.wait_confirmed()
        async with coop.core.uow() as uow:
            await polls.close_poll(uow, poll.id, by_id=None)
            await uow.commit()
        await api.wait_requests("stopPoll")
        await outbox_settled(scene.coop.core)
        async with coop.core.uow() as uow:
            closed = await polls.get_poll(uow, poll.id)
            assert closed.result is not None and closed.result["counts"] == [0, 1]
    assert request_id

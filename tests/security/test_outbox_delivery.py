"""Finding 10 and 16c: delivery outcomes are typed, attempts are bounded, contact cards arrive.

An outbox row records how its delivery ended in `outcome`; `external_ref` holds a platform
message id only when the message was sent, so an error is never read back as a message id.
A row that keeps failing is set aside after `max_delivery_attempts` claims and reported once.
A contact card whose send timed out is followed by a short "here are the details again".
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.domain.model import Member, Notification
from core.domain.vocabulary import MessageKind, Outcome
from core.services import outbox, requests
from tests.conftest import Cooperative
from tests.integration._support import accept, outbox_settled
from tests.integration._support import post as post_request
from tests.telegram.harness import ptb_timedelta as ptb_timedelta  # autouse
from tests.telegram.harness import telegram_account

from .telegram_scene import TelegramScene, telegram_scene

pytestmark = pytest.mark.slow

PHONE, ADDRESS = "06 12 34 56 78", "3 rue des Pêcheurs"
TELEGRAM_REF = re.compile(r"^-?\d+:\d+$")


async def cancel(coop: Cooperative, request_id: int) -> None:
    async with coop.core.uow() as uow:
        await requests.cancel(uow, coop.alice, request_id)
        await uow.commit()


def make_fail(scene: TelegramScene, failure: str, chat_id: int, method: str) -> None:
    """The next `method` about `chat_id` is refused (400), or its answer never comes in time."""
    if failure == "refused":
        scene.api.fail_next(
            method, status=400, description="Bad Request: can't parse entities", chat_id=chat_id
        )
    else:  # done by Telegram, but the answer comes after the client gave up
        scene.api.delay_next(method, 3.0, before_processing=False, chat_id=chat_id)


def assert_references_are_message_ids(rows: list[Notification]) -> None:
    for row in rows:
        if row.external_ref is not None:
            assert row.outcome == Outcome.SENT, (row.id, row.outcome, row.external_ref)
            assert TELEGRAM_REF.match(row.external_ref), row.external_ref


def accept_buttons(scene: TelegramScene) -> list[str]:
    return [
        data
        for message in scene.api.sent(scene.group)
        for data in message.callback_data
        if data.startswith("accept:")
    ]


@pytest.mark.parametrize("failure", ["refused", "timed out"])
async def test_a_request_whose_group_post_failed_is_cancelled_in_a_new_group_message(
    coop: Cooperative, failure: str
) -> None:
    async with telegram_scene(coop, read_timeout=1.0) as scene:
        make_fail(scene, failure, scene.group.id, "sendMessage")
        request_id = await post_request(coop)
        rows = await outbox_settled(scene.coop.core)
        [post] = [r for r in rows if r.channel_id is not None]
        expected = Outcome.REFUSED if failure == "refused" else Outcome.UNCERTAIN
        assert (post.outcome, post.external_ref) == (expected, None)
        assert post.last_error

        await cancel(coop, request_id)
        rows = await outbox_settled(scene.coop.core)
        await scene.api.wait_until(
            lambda: any("annulée" in (m.text or "") for m in scene.api.sent(scene.group)), 5
        )
    cancelled = [m for m in scene.api.sent(scene.group) if "annulée" in (m.text or "")]
    assert len(cancelled) == 1 and not cancelled[0].history, "a new message, not an edit"
    assert not cancelled[0].buttons
    assert all(r.sent_at is not None and r.set_aside_at is None for r in rows)
    assert max(r.attempts for r in rows) == 1, "nothing was tried twice"
    assert_references_are_message_ids(rows)


@pytest.mark.parametrize("failure", ["refused", "timed out"])
async def test_a_cancelled_request_no_longer_shows_i_ll_help_in_the_group(
    coop: Cooperative, failure: str
) -> None:
    async with telegram_scene(coop, read_timeout=1.0) as scene:
        request_id = await post_request(coop)
        await outbox_settled(scene.coop.core)
        [original] = scene.api.sent(scene.group)
        assert accept_buttons(scene)
        # "Taken": the edit of the post is refused, and so is (or times out) the new message.
        scene.api.fail_next(
            "editMessageText",
            status=400,
            description="Bad Request: message can't be edited",
            chat_id=scene.group.id,
        )
        make_fail(scene, failure, scene.group.id, "sendMessage")
        await accept(coop, coop.bob, request_id)
        await outbox_settled(scene.coop.core)
        await cancel(coop, request_id)
        rows = await outbox_settled(scene.coop.core)
        await scene.api.wait_until(lambda: "annulée" in (original.text or ""), 5)
    assert not accept_buttons(scene), "the post of a cancelled request offers no help button"
    taken = [r for r in rows if r.channel_id is not None and r.key.startswith("Taken")]
    assert [r.outcome for r in taken] == [
        Outcome.REFUSED if failure == "refused" else Outcome.UNCERTAIN
    ]
    assert all(r.sent_at is not None for r in rows)
    assert_references_are_message_ids(rows)


async def test_a_group_post_that_cannot_be_edited_loses_its_help_button_on_cancellation(
    coop: Cooperative,
) -> None:
    async with telegram_scene(coop) as scene:
        request_id = await post_request(coop)
        await outbox_settled(scene.coop.core)
        [original] = scene.api.sent(scene.group)
        scene.api.fail_next(
            "editMessageText",
            status=400,
            description="Bad Request: message can't be edited",
            chat_id=scene.group.id,
        )
        await cancel(coop, request_id)
        await outbox_settled(scene.coop.core)
        await scene.api.wait_until(
            lambda: any("annulée" in (m.text or "") for m in scene.api.sent(scene.group)), 5
        )
    assert "annulée" not in (original.text or "")  # not edited: a new message says it
    assert not accept_buttons(scene)


async def test_a_message_that_keeps_failing_is_set_aside_and_reported_once_without_its_content(
    coop: Cooperative, caplog: pytest.LogCaptureFixture
) -> None:
    core = coop.core
    limit = core.settings.max_delivery_attempts
    async with core.uow() as uow:
        earlier = set((await uow.session.execute(select(Notification.id))).scalars())
        await telegram_account(uow, 200, member_id=coop.bob)
        bob = await uow.session.get(Member, coop.bob)
        row = outbox.write(uow, "Private words for Bob: {secret}", member=bob, secret="4 rue X")
        await uow.commit()
        poisoned = row.id

    caplog.set_level(logging.DEBUG)
    claims = 0
    for _ in range(limit + 5):
        async with core.uow() as uow:
            claimed = await outbox.claim(uow, "telegram")
            for delivery in claimed:
                if delivery.notification.id in earlier:  # Bob's welcome: delivered
                    delivery.notification.sent_at = uow.now()
                    continue
                assert delivery.notification.id == poisoned
                claims += 1
                outbox.release(uow, delivery.notification, "NetworkError: boom", timedelta(0))
            await uow.commit()
        coop.core.clock.advance(seconds=1)  # type: ignore[attr-defined]
    assert claims == limit

    async with core.uow() as uow:
        row = await uow.session.get(Notification, poisoned)
        assert row is not None
        assert row.set_aside_at is not None and row.outcome == Outcome.SET_ASIDE
        assert row.sent_at is None and row.external_ref is None
        assert row.attempts == limit
        reports = list(
            (
                await uow.session.execute(
                    select(Notification).where(
                        Notification.id != poisoned, Notification.id.not_in(earlier)
                    )
                )
            ).scalars()
        )
    assert [r.member_id for r in reports] == [coop.coordinator], "one report, to the coordinator"
    report = reports[0]
    assert "4 rue X" not in f"{report.key} {report.params}"
    assert "Private words" not in f"{report.key} {report.params}"
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and str(poisoned) in errors[0].getMessage()
    assert "4 rue X" not in caplog.text and "Private words" not in caplog.text


async def test_a_volunteer_whose_contact_card_timed_out_gets_the_details_again(
    coop: Cooperative,
) -> None:
    async with telegram_scene(coop, read_timeout=1.0) as scene:
        request_id = await post_request(coop)
        await outbox_settled(scene.coop.core)
        # Bob's next message is the contact card, Alice's is "Bob will help you": both time out.
        scene.api.delay_next("sendMessage", 3.0, before_processing=False, chat_id=scene.bob.id)
        scene.api.delay_next("sendMessage", 3.0, before_processing=False, chat_id=scene.alice.id)
        before_bob = len(scene.api.sent(scene.bob))
        before_alice = len(scene.api.sent(scene.alice))
        await accept(coop, coop.bob, request_id)
        await outbox_settled(scene.coop.core)
        await scene.api.wait_until(lambda: len(scene.api.sent(scene.bob)) >= before_bob + 2, 10)
        rows = await outbox_settled(scene.coop.core)
    to_bob = [m.text or "" for m in scene.api.sent(scene.bob)[before_bob:]]
    assert len(to_bob) == 2
    assert PHONE in to_bob[0] and ADDRESS in to_bob[0]  # the card, which did arrive
    again = to_bob[1]
    assert "à nouveau" in again and PHONE in again and ADDRESS in again
    # Alice's message is not repeated: it may have arrived, and it carries no details. (Her
    # other message is the safety word the volunteer will say at her door, sent once.)
    to_alice = [m.text or "" for m in scene.api.sent(scene.alice)[before_alice:]]
    assert len(to_alice) == 2 and len(set(to_alice)) == 2
    assert not any(PHONE in text or ADDRESS in text for text in to_alice)
    card = next(r for r in rows if r.kind == MessageKind.CONTACT_CARD)
    assert (card.outcome, card.external_ref) == (Outcome.UNCERTAIN, None)
    uncertain = [r for r in rows if r.outcome == Outcome.UNCERTAIN]
    assert len(uncertain) == 2
    assert_references_are_message_ids(rows)


async def test_no_details_again_for_a_volunteer_who_no_longer_holds_the_task(
    coop: Cooperative,
) -> None:
    from core.dialogue.engine import ConversationEngine
    from core.dialogue.messages import failed_as
    from core.dialogue.port import ChannelPort

    engine, port = ConversationEngine(coop.core), ChannelPort(coop.core)
    async with coop.core.uow() as uow:
        for member_id, user_id in ((coop.bob, "200"), (coop.alice, "300")):
            await telegram_account(uow, user_id, member_id=member_id)
        await uow.commit()
    request_id = await post_request(coop)
    await engine.mark_delivered(await port.pending("telegram"))
    await accept(coop, coop.bob, request_id)
    pending = await port.pending("telegram")
    [card] = [m for m in pending if m.kind == MessageKind.CONTACT_CARD]
    async with coop.core.uow() as uow:
        await requests.withdraw(uow, coop.bob, request_id)
        await uow.commit()
    await engine.mark_delivered([failed_as(card, Outcome.UNCERTAIN, "Timed out")])
    async with coop.core.uow() as uow:
        rows = list((await uow.session.execute(select(Notification))).scalars())
    assert not [r for r in rows if "again" in r.key]

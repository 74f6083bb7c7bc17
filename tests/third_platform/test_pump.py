"""The outbox pump's rules, the same for every platform: what a failed send becomes.

A channel only says what its error means (`bots.failures`); the pump gives the message back
to retry later, records it as uncertain (never sent twice), refused, or unreachable (the
account is not written to again), and counts every try. On SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from bots.failures import Refused, RetryLater, Uncertain, Unreachable
from core.app import Core
from core.dialogue.engine import ConversationEngine
from core.dialogue.messages import Outgoing
from core.dialogue.port import ChannelPort
from core.domain.model import Notification, PlatformAccount
from core.domain.vocabulary import Outcome, Role
from core.services import identity, members, outbox
from tests.conftest import FrozenClock

from .memory_channel import MemoryChannel


class FailingChannel(MemoryChannel):
    """Every send fails with `error`, as a platform's error classified by the channel."""

    def __init__(self, core: Core, error: Exception) -> None:
        super().__init__(ConversationEngine(core), ChannelPort(core))
        self.error = error

    async def send(self, message: Outgoing) -> str:
        raise self.error


async def a_message_for_dora(core: Core) -> tuple[int, int]:
    """One outbox row for Dora, on the memory channel's platform: (its id, her account's)."""
    async with core.uow() as uow:
        territory = await members.add_territory(uow, "Rezé")
        account = await identity.ensure_account(uow, MemoryChannel.platform, "dora", "dora")
        member = await members.onboard_member(
            uow, territory.id, "Dora", roles=[Role.REQUESTER], account=account
        )
        row = outbox.write(uow, "What would you like to do?", member=member)
        await uow.commit()
        return row.id, account.id


async def after_one_round(core: Core, error: Exception) -> tuple[Notification, PlatformAccount]:
    row_id, account_id = await a_message_for_dora(core)
    channel = FailingChannel(core, error)
    assert await channel.pump.round() == 1
    async with core.uow() as uow:
        row = await uow.session.get(Notification, row_id)
        account = await uow.session.get(PlatformAccount, account_id)
        assert row is not None and account is not None
        return row, account


async def test_a_send_to_retry_goes_back_to_the_outbox_for_later(
    core: Core, clock: FrozenClock
) -> None:
    row, account = await after_one_round(core, RetryLater("BadGateway", timedelta(seconds=30)))
    assert row.sent_at is None and row.outcome is None and row.attempts == 1
    assert row.claimed_until is not None
    assert row.claimed_until.replace(tzinfo=clock.now.tzinfo) == clock.now + timedelta(seconds=30)
    assert row.last_error == "BadGateway" and account.reachable


@pytest.mark.parametrize(
    ("failure", "outcome"),
    [(Uncertain("TimedOut"), Outcome.UNCERTAIN), (Refused("BadRequest"), Outcome.REFUSED)],
)
async def test_a_send_that_may_have_arrived_or_was_refused_is_never_tried_again(
    core: Core, failure: Exception, outcome: Outcome
) -> None:
    row, account = await after_one_round(core, failure)
    assert row.sent_at is not None and row.outcome == outcome and row.external_ref is None
    assert row.last_error == str(failure) and account.reachable


async def test_a_person_who_blocked_the_bot_is_not_written_to_again(core: Core) -> None:
    row, account = await after_one_round(core, Unreachable("Forbidden: bot was blocked"))
    assert row.sent_at is not None and row.outcome == Outcome.UNREACHABLE
    assert not account.reachable


async def test_an_unexpected_error_is_tried_again_later(core: Core) -> None:
    row, _ = await after_one_round(core, ZeroDivisionError("a bug"))
    assert row.sent_at is None and row.claimed_until is not None
    assert row.last_error == "ZeroDivisionError: a bug"

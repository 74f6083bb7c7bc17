"""`OutboxPump`: the outbox delivered through one channel, the same loop for every platform.

Claim the messages waiting for the platform (a lease), send each through the channel (as its
kind says: `bots.outbound`), and record how it ended: sent, or a failure classified by the
channel (`bots.failures`): given back to retry later, uncertain (never sent twice), refused,
or unreachable. Each try counts: past `max_delivery_attempts` the outbox sets a message aside.

The replies the engine returns for an inbound message (written in its transaction, leased to
this process) take the same path: `deliver(replies)`.

At most `concurrency` sends are ever in flight, sent but not yet recorded: what a crash could
send twice (the platform accepted them; the killed process had not recorded it yet).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

from bots.channel import Sender
from bots.failures import (
    DeliveryFailure,
    Refused,
    RetryLater,
    Uncertain,
    Unreachable,
    described,
)
from bots.outbound import show
from core.dialogue.messages import Outgoing, failed_as, sent_as
from core.dialogue.port import ChannelPort
from core.domain.vocabulary import Outcome

log = logging.getLogger("entraide.pump")

# Messages sent at once (network waits, not CPU): also the most a crash can send twice.
CONCURRENT_SENDS = 8
DELIVERY_INTERVAL = 0.3


class Recorder(Protocol):
    """Records how sends ended (`ConversationEngine.mark_delivered`: batched with the
    messages being handled)."""

    async def mark_delivered(self, sent: list[Outgoing]) -> None: ...


class OutboxPump:
    """Claims, sends, classifies and records the outbox of one platform."""

    def __init__(
        self,
        channel: Sender,
        port: ChannelPort,
        recorder: Recorder,
        *,
        interval: float = DELIVERY_INTERVAL,
        member_ids: set[int] | None = None,
        concurrency: int = CONCURRENT_SENDS,
    ) -> None:
        """`member_ids`: only these members' messages (a console speaks for one member)."""
        self.channel = channel
        self.port = port
        self.recorder = recorder
        self.interval = interval
        self.member_ids = member_ids
        self._slots = asyncio.Semaphore(concurrency)
        self._wake = asyncio.Event()

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver what waits in the outbox, round after round, until `stop` is set."""
        while not stop.is_set():
            self._wake.clear()
            if self.channel.connected:
                try:
                    await self.round()
                except Exception:  # a delivery round must never stop the loop
                    log.exception("%s: outbox delivery round failed", self.channel.platform)
            await _first_of(stop, self._wake, timeout=self.interval)

    def wake(self) -> None:
        """Start the next round now: a change may have written messages for other people."""
        self._wake.set()

    async def round(self) -> int:
        """Claim and deliver the messages waiting now; how many were claimed."""
        pending = await self.port.pending(self.channel.platform, member_ids=self.member_ids)
        await self.deliver(pending)
        return len(pending)

    async def deliver(self, messages: list[Outgoing], *, in_place_of: str | None = None) -> None:
        """Send these messages in order, recording each.

        `in_place_of`: the bot's message whose button was just pressed; the first reply to it
        is shown there instead (the message with the buttons becomes the answer) if the
        platform can edit it.
        """
        if not messages:
            return
        async with self._slots:
            for message in messages:
                if in_place_of is not None and message.is_reply:
                    target, in_place_of = in_place_of, None
                    if await self._answer_in_place(message, target):
                        continue
                await self._deliver(message)

    async def record(self, sent: list[Outgoing]) -> None:
        """Record sends. Awaited, so that at most `concurrency` messages are ever sent but not
        recorded; the engine batches the records of many sends in one statement."""
        await self.recorder.mark_delivered(sent)

    async def _answer_in_place(self, message: Outgoing, ref: str) -> bool:
        try:
            edited = await self.channel.edit(message, ref)
        except Exception as error:  # sent as a new message instead
            log.info("could not edit %s (%s): sending a new message", ref, error)
            return False
        if edited:
            await self.record([sent_as(message, ref)])
        return edited

    async def _deliver(self, message: Outgoing) -> None:
        """Send one message and record how it ended; failures go back to the outbox or not."""
        try:
            done = await show(self.channel, self.port, message)
        except Exception as error:  # this message only: the others still go out
            failure = _classified(self.channel, error, message)
            if isinstance(failure, RetryLater):
                await self.port.release(message, str(failure), failure.after)
                return
            if isinstance(failure, Unreachable):
                await self.port.unreachable(message, str(failure))
                return
            if isinstance(failure, Uncertain):
                # It may have arrived: not sent twice. A contact card is followed by the
                # details again (see core.dialogue.delivery.record_sends).
                log.warning(
                    "no answer sending notification %s: not retried", message.notification_id
                )
                done = failed_as(message, Outcome.UNCERTAIN, str(failure))
            else:
                log.error("refused notification %s: %s", message.notification_id, failure)
                done = failed_as(message, Outcome.REFUSED, str(failure))
        await self.record([done])


def _classified(channel: Sender, error: Exception, message: Outgoing) -> DeliveryFailure:
    """What an error of the channel means; an unexpected one is logged and tried again."""
    failure = error if isinstance(error, DeliveryFailure) else channel.classify(error)
    if failure is None:
        log.error("notification %s could not be sent", message.notification_id, exc_info=error)
        return RetryLater(described(error))
    if not isinstance(failure, RetryLater | Uncertain | Refused | Unreachable):
        return RetryLater(str(failure))
    return failure


async def _first_of(*events: asyncio.Event, timeout: float) -> None:
    """Wait until one of `events` is set, or `timeout` seconds."""
    waits = [asyncio.create_task(event.wait()) for event in events]
    try:
        await asyncio.wait(waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for wait in waits:
            wait.cancel()

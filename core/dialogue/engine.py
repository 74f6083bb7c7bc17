"""The conversation engine: `handle(Inbound)` -> messages to send, the same for every platform.

One inbound message is one transaction: the receipt that deduplicates it, the change it causes,
the conversation's new step and every message it writes (to the outbox) commit together. The
engine is the pipeline around a turn: receipts, senders, batching, flood control; what a turn
does is `dispatch`'s and the flows' (through `routing`); what it answers, `answers`'.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.app import Core
from core.dialogue import answers, choosing
from core.dialogue.arguments import STALE
from core.dialogue.batching import GroupCommit
from core.dialogue.danger_words import looks_like_emergency
from core.dialogue.delivery import record_sends
from core.dialogue.dispatch import dispatch
from core.dialogue.flood import SLOW_DOWN, FloodGate, SlowDown, Verdict
from core.dialogue.messages import Inbound, Outgoing
from core.dialogue.speakers import SenderKey, Speaker, begin, speakers
from core.dialogue.turn import Interpreter, Turn
from core.domain.errors import DomainError, InvalidInput
from core.domain.model import InboundReceipt, Notification
from core.domain.vocabulary import LANGUAGES
from core.i18n import translator_for
from core.services import dead_letters
from core.services.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

# Messages handled in one transaction at most (a full Telegram getUpdates batch).
MAX_BATCH = 100


@dataclass(frozen=True)
class Sends:
    """Messages a channel has sent, to record: they join the batch like a message."""

    messages: list[Outgoing]


Work = Inbound | Sends
# A turn taken, with the outbox rows its transaction wrote (see `answers`).
Taken = tuple[Turn, list[Notification]]


class ConversationEngine:
    """Turns inbound messages into core calls and replies; channels deliver through it."""

    def __init__(
        self, core: Core, interpreter: Interpreter | None = None, flood: FloodGate | None = None
    ) -> None:
        self.core = core
        self.interpreter = interpreter
        # The catalogs are compiled here, at start-up: at first use they held the event loop
        # about 30 ms in the middle of someone's first message.
        for language in LANGUAGES:
            translator_for(language)
        self.lease = timedelta(seconds=core.settings.outbox_lease_seconds)
        settings = core.settings
        if flood is None:
            flood = FloodGate(settings.flood_burst, settings.flood_per_minute)
        self.flood = flood
        # Records of sends are one statement for all, and a channel waits for them before it
        # sends more: they never wait behind a full batch.
        self._together: GroupCommit[Work, list[Outgoing]] = GroupCommit(
            self._handle_batch, max_batch=MAX_BATCH, light=lambda item: isinstance(item, Sends)
        )

    async def handle(self, inbound: Inbound) -> list[Outgoing]:
        """Process one message or button press; return every message it wrote for this
        platform, to send now: the replies in the sender's chat first, then the others (the
        contact card of an accepted task, the requester's notice...), each with its chat.

        Messages of other people that arrive meanwhile are handled together with this one, in
        one transaction (see `batching`): under load each costs a fraction of a transaction.
        A sender over their rate (see `flood`) is dropped here, before any database work:
        told kindly once a minute, and always answered when it is an emergency.
        """
        verdict = self.flood.admit(
            (inbound.platform, inbound.user_ref), urgent=lambda: self._is_urgent(inbound)
        )
        if verdict is Verdict.DROP:
            return []
        if verdict is Verdict.WARN:
            inbound = SlowDown.of(inbound)
        return await self._together.submit(inbound)

    def _is_urgent(self, inbound: Inbound) -> bool:
        """The keyword net of `dispatch`, on a message of a sender over their rate."""
        text = inbound.text
        if text is None or inbound.action is not None:
            return False
        return looks_like_emergency(text[: self.core.settings.max_message_chars])

    async def mark_delivered(self, sent: list[Outgoing]) -> None:
        """Record the sends (in the transaction of the messages being handled, if any)."""
        if sent:
            await self._together.submit(Sends(sent))

    async def finish(self) -> None:
        """Wait for the messages being handled (before closing the database)."""
        await self._together.wait_idle()

    async def set_aside(
        self, source: str, ref: str, payload: str, error: str, attempts: int
    ) -> None:
        """Keep an update that failed repeatedly as a dead letter; the coordinators are told."""
        async with self.core.uow() as uow:
            await dead_letters.set_aside(
                uow,
                source,
                ref,
                payload=payload,
                error=error,
                attempts=attempts,
                territory_name=self.core.settings.default_territory,
            )
            await uow.commit()

    async def _handle_batch(self, items: list[Work]) -> list[list[Outgoing] | BaseException]:
        if len(items) == 1:
            try:
                return list(await self._run(items, alone=True))
            except Exception as error:  # given to that item's caller only
                return [error]
        try:
            return list(await self._run(items, alone=False))
        except Exception as error:  # the halves are handled apart
            # A refusal (DomainError), a conflict or a fault in one message undoes the batch:
            # handled again in halves, down to that message alone, so that only its sender
            # is refused and one bad message costs a few transactions, not one per message.
            log.debug("batch of %d handled again in halves: %r", len(items), error)
        half = len(items) // 2
        return [*await self._handle_batch(items[:half]), *await self._handle_batch(items[half:])]

    async def _run(self, items: list[Work], *, alone: bool) -> list[list[Outgoing]]:
        """One transaction: each message's receipt, change, conversation step and messages."""
        inbounds = [item for item in items if isinstance(item, Inbound)]
        sent = [message for item in items if isinstance(item, Sends) for message in item.messages]
        conflict: IntegrityError | None = None
        async with self.core.uow() as uow:
            if sent:  # first: they were on screen before any message of this batch was read
                await record_sends(uow, sent)
                await uow.handle_events()  # what they cause belongs to no turn's answer
            handled = await self._already_handled(uow, inbounds)
            known = await speakers(uow, inbounds)
            taken: list[Taken | None] = []
            for item in items:
                turn = None
                if isinstance(item, Inbound) and (
                    item.message_ref is None or (item.platform, item.message_ref) not in handled
                ):
                    handled.add((item.platform, item.message_ref))
                    turn = await self._take_turn(uow, item, known, alone=alone)
                # else sends (recorded above) or a redelivery (already answered)
                taken.append(turn)
            try:
                await uow.session.flush()  # ids for the rendered messages
                settings = self.core.settings
                out = [
                    await answers.answers(turn, written, lease=self.lease, settings=settings)
                    if turn
                    else []
                    for turn, written in (t or (None, []) for t in taken)
                ]
                await uow.commit()
            except IntegrityError as error:
                if not alone:
                    raise
                conflict = error
            else:
                return out
        # Rolled back (its connection is free again): the same update arrived twice at once
        # and the other copy answered it, or a real constraint violation that must surface.
        if await self._is_redelivery(inbounds):
            return [[]]
        assert conflict is not None
        raise conflict

    async def _is_redelivery(self, inbounds: list[Inbound]) -> bool:
        """Whether this lone message's receipt exists (read in a fresh transaction): then
        another copy of the update was handled meanwhile, and the conflict was about it."""
        if len(inbounds) != 1 or inbounds[0].message_ref is None:
            return False
        inbound = inbounds[0]
        async with self.core.uow() as fresh:
            receipt = await fresh.session.get(
                InboundReceipt, (inbound.platform, inbound.message_ref)
            )
            return receipt is not None

    async def _take_turn(
        self,
        uow: UnitOfWork,
        inbound: Inbound,
        known: dict[SenderKey, Speaker],
        *,
        alone: bool,
    ) -> Taken:
        settings = self.core.settings
        turn = await begin(uow, inbound, known, settings)
        written = answers.watch(uow)
        try:
            if isinstance(inbound, SlowDown):
                turn.reply(SLOW_DOWN)
            else:
                await dispatch(turn, self.interpreter, max_chars=settings.max_message_chars)
        except DomainError as error:
            if not alone:
                raise
            # The change is undone; the kind explanation and the receipt are kept.
            await uow.rollback()
            turn = await begin(uow, inbound, {}, settings)
            written = answers.watch(uow)
            if isinstance(error, InvalidInput) and error.key != STALE:
                # An answer that fits nothing: said kindly, with the list again.
                choosing.ask_again(turn, error.key, **error.params)
            else:
                turn.reply(error.key, **error.params)
        # The events' handlers write now what others are told (the contact card of an
        # accepted task...): in this turn's messages, sent with its replies.
        await uow.handle_events()
        answers.stop_watching(uow)
        if inbound.message_ref is not None:
            uow.session.add(
                InboundReceipt(
                    platform=inbound.platform,
                    message_ref=inbound.message_ref,
                    received_at=uow.now(),
                )
            )
        return turn, written

    async def _already_handled(
        self, uow: UnitOfWork, inbounds: list[Inbound]
    ) -> set[tuple[str, str | None]]:
        """The receipts among these messages: one query for the batch."""
        handled: set[tuple[str, str | None]] = set()
        for platform in {i.platform for i in inbounds}:
            refs = {i.message_ref for i in inbounds if i.platform == platform and i.message_ref}
            if refs:
                rows = await uow.session.execute(
                    select(InboundReceipt.message_ref).where(
                        InboundReceipt.platform == platform, InboundReceipt.message_ref.in_(refs)
                    )
                )
                handled.update((platform, ref) for ref in rows.scalars())
        return handled


# The same object under the name of the design ("the dialogue"): adapters may use either.
Dialogue = ConversationEngine

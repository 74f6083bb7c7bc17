"""Recording how deliveries ended, in the transaction of the messages being handled.

The engine batches the records of sends with the messages it handles (`mark_delivered`): it
calls `record_sends` in that transaction. Everything else channels need from the core is in
`core.dialogue.port.ChannelPort`.
"""

from __future__ import annotations

from core.dialogue import shown_choices
from core.dialogue.messages import Outgoing
from core.domain import events
from core.domain.vocabulary import MessageKind, Outcome
from core.services import outbox
from core.services.unit_of_work import UnitOfWork


def _done(message: Outgoing) -> outbox.Done:
    outcome = Outcome(message.outcome) if message.outcome else Outcome.SENT
    return outbox.Done(
        message.notification_id, outcome, message.external_ref, message.error, key=message.key
    )


async def record_sends(uow: UnitOfWork, sent: list[Outgoing]) -> None:
    """Record how deliveries ended, and remember the buttons of the last one shown in each chat.

    A contact card that may not have arrived (no answer in time) is followed by a short
    message with the details again: the volunteer who accepted must get them.
    """
    done = [_done(m) for m in sent]
    await outbox.mark_many_done(uow, done)
    for message, result in zip(sent, done, strict=True):
        if result.outcome == Outcome.UNCERTAIN and message.kind == MessageKind.CONTACT_CARD:
            uow.publish(events.ContactCardUncertain(message.notification_id))
    # Replies to a message already set the chat's last buttons when they were written. Buttons
    # of a message that was not shown (refused, skipped...) are not the chat's last buttons.
    seen = (Outcome.SENT, Outcome.UNCERTAIN)
    shown = {
        m.account_id: m
        for m, result in zip(sent, done, strict=True)
        if m.account_id is not None and m.buttons and not m.is_reply and result.outcome in seen
    }
    await shown_choices.remember_in_chats(uow, shown)

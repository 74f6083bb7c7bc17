"""What a turn answers with: its replies, and every message its transaction wrote for the
inbound's platform, rendered and leased to the caller, who sends them at once.

So a volunteer who accepts gets the contact card in the answer to their press, not from the
outbox's next round. Messages for another platform (or for a member reached on another) stay in
the outbox for their own delivery.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event
from sqlalchemy.orm import Session

from core.config import Settings
from core.dialogue import render as rendering
from core.dialogue import shown_choices
from core.dialogue.messages import Outgoing
from core.dialogue.turn import Turn
from core.domain.model import Notification
from core.domain.vocabulary import Platform
from core.services import outbox
from core.services.unit_of_work import UnitOfWork

# Where a session notes the outbox rows written while a turn is watched.
WRITTEN = "entraide.written"
# Messages for other chats sent at once, at most: a larger fan-out (a poll for a whole
# territory) is left to the outbox's delivery, which paces it and leases as it sends.
MAX_AT_ONCE = 20
# Platforms where a process is one person's own terminal (`entraide chat`): it shows only that
# person's messages; the others' wait in the outbox for their own terminal.
PERSONAL_PLATFORMS = frozenset({Platform.CONSOLE})


@event.listens_for(Session, "transient_to_pending")
def _note_written(session: Session, instance: object) -> None:
    """Every outbox row added to a watched session (by a flow or an event's handler)."""
    written = session.info.get(WRITTEN)
    if written is not None and isinstance(instance, Notification):
        written.append(instance)


@event.listens_for(Session, "pending_to_transient")
def _note_taken_back(session: Session, instance: object) -> None:
    """An outbox row taken back before it was written (`Turn.take_back_replies`)."""
    written = session.info.get(WRITTEN)
    if written is not None and isinstance(instance, Notification):
        written[:] = [row for row in written if row is not instance]


def watch(uow: UnitOfWork) -> list[Notification]:
    """From now on, the outbox rows written in this transaction are noted in the list returned."""
    written: list[Notification] = []
    uow.session.info[WRITTEN] = written
    return written


def stop_watching(uow: UnitOfWork) -> None:
    uow.session.info.pop(WRITTEN, None)


def _for_sender(turn: Turn, row: Notification) -> bool:
    """Whether a row goes to the sender: their chat, or them wherever they are reached."""
    if row.account_id is not None:
        return row.account_id == turn.account.id
    return row.channel_id is None and turn.member is not None and row.member_id == turn.member.id


async def answers(
    turn: Turn, written: list[Notification], *, lease: timedelta, settings: Settings
) -> list[Outgoing]:
    """The turn's replies, then its other messages for this platform: the sender's first.

    Called once the rows have ids (after a flush), in the turn's transaction.
    """
    uow = turn.uow
    until = uow.now() + lease
    for row in turn.replies:
        # Leased to this caller, who sends them now; if it dies, the lease expires and the
        # outbox delivers them later.
        row.claimed_until = until
        row.attempts = 1
    replies = [_render_reply(turn, row) for row in turn.replies]
    with_buttons = [message for message in replies if message.buttons]
    if with_buttons:
        shown_choices.remember(turn.conversation, with_buttons[-1])
    own = {id(row) for row in turn.replies}
    others = [row for row in written if id(row) not in own]
    platform = turn.inbound.platform
    mine = await outbox.claim_written(
        uow, [r for r in others if _for_sender(turn, r)], platform, limit=MAX_AT_ONCE, lease=lease
    )
    theirs: list[outbox.Delivery] = []
    # Other people's messages only after one in the sender's chat: an adapter may answer a
    # press by editing the pressed message into the first answer (Telegram does).
    if (replies or mine) and platform not in PERSONAL_PLATFORMS:
        rest = [r for r in others if not _for_sender(turn, r)]
        limit = MAX_AT_ONCE - len(mine)
        theirs = await outbox.claim_written(uow, rest, platform, limit=limit, lease=lease)
    language, timezone = settings.default_language, settings.default_timezone
    return replies + [rendering.render_delivery(d, language, timezone) for d in mine + theirs]


def _render_reply(turn: Turn, row: Notification) -> Outgoing:
    return rendering.render_reply(
        row,
        turn.language,
        turn.territory.timezone,
        turn.account.chat_ref or turn.account.external_id,
        account_id=turn.account.id,
    )

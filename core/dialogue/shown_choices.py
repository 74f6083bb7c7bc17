"""The buttons of the last message shown in a chat: what a typed "2" or "Oui" stands for.

One owner for them: the engine remembers the buttons of its replies when it writes them, and
`record_sends` those of any other message once a channel has shown it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from core.dialogue.messages import Outgoing
from core.domain.model import Conversation
from core.services.unit_of_work import UnitOfWork

# Where they are kept, in the conversation's data (kept across flows: see `turn`).
LAST_CHOICES = "last_choices"


def buttons_of(message: Outgoing) -> list[list[str]]:
    """The buttons of a message as stored for numbered answers: [[label, action], ...]."""
    return [[b.label, b.action] for b in message.buttons]


def remember(conversation: Conversation, message: Outgoing) -> None:
    """`message` is the last one with buttons shown in this chat."""
    conversation.data = {**conversation.data, LAST_CHOICES: buttons_of(message)}


async def remember_in_chats(uow: UnitOfWork, shown: dict[int, Outgoing]) -> None:
    """For each account id, `shown[account]` is the last message with buttons shown there.

    A chat that never wrote to the bot has no conversation yet (a coordinator who only ever
    received alerts): one is made, so that her typed "1" means the alert's first button. Made
    with "insert or nothing": a message she sends at this very moment may make it first, and
    recording a delivery must never fail (it would be sent again)."""
    if not shown:
        return
    await _ensure_conversations(uow, set(shown))
    rows = await uow.session.execute(
        select(Conversation).where(Conversation.account_id.in_(shown))
    )
    for conversation in rows.scalars():
        remember(conversation, shown[conversation.account_id])


async def _ensure_conversations(uow: UnitOfWork, account_ids: set[int]) -> None:
    known = await uow.session.execute(
        select(Conversation.account_id).where(Conversation.account_id.in_(account_ids))
    )
    missing = sorted(account_ids - set(known.scalars()))
    if not missing:
        return
    rows = [{"account_id": a, "data": {}, "updated_at": uow.now()} for a in missing]
    insert = (
        postgresql.insert if uow.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    )
    await uow.session.execute(insert(Conversation).values(rows).on_conflict_do_nothing())


def last_shown(conversation: Conversation) -> list[tuple[str, str]]:
    """The (label, action) of the last buttons shown in this chat, oldest first."""
    stored: Any = conversation.data.get(LAST_CHOICES) or []
    return [(str(label), str(action)) for label, action in stored]

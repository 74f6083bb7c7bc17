"""The buttons of the last message shown in a chat: what a typed "2" or "Oui" stands for.

One owner for them: the engine remembers the buttons of its replies when it writes them, and
`record_sends` those of any other message once a channel has shown it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

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
    """For each account id, `shown[account]` is the last message with buttons shown there."""
    if not shown:
        return
    rows = await uow.session.execute(
        select(Conversation).where(Conversation.account_id.in_(shown))
    )
    for conversation in rows.scalars():
        remember(conversation, shown[conversation.account_id])


def last_shown(conversation: Conversation) -> list[tuple[str, str]]:
    """The (label, action) of the last buttons shown in this chat, oldest first."""
    stored: Any = conversation.data.get(LAST_CHOICES) or []
    return [(str(label), str(action)) for label, action in stored]

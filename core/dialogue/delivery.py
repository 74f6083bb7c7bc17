"""What channels need to deliver the outbox: claim, render, record, retry, and platform facts.

`ConversationEngine` inherits these, so an adapter talks to one object.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.app import Core
from core.dialogue import render as rendering
from core.dialogue.messages import Outgoing
from core.domain.model import Conversation, Notification, TerritoryChannel
from core.i18n import translate
from core.services import identity, outbox, publications
from core.services.unit_of_work import UnitOfWork


def buttons_of(message: Outgoing) -> list[list[str]]:
    """The buttons of a message as stored for numbered answers: [[label, action], ...]."""
    return [[b.label, b.action] for b in message.buttons]


async def record_sends(uow: UnitOfWork, sent: list[Outgoing]) -> None:
    """Mark messages sent, and remember the buttons of the last one shown in each chat."""
    await outbox.mark_many_sent(uow, [(m.notification_id, m.external_ref) for m in sent])
    # Replies to a message already set the chat's last buttons when they were written.
    shown = {
        m.account_id: m for m in sent if m.account_id is not None and m.buttons and not m.is_reply
    }
    if shown:
        rows = await uow.session.execute(
            select(Conversation).where(Conversation.account_id.in_(shown))
        )
        for conversation in rows.scalars():
            conversation.data = {
                **conversation.data,
                "last_choices": buttons_of(shown[conversation.account_id]),
            }


class DeliveryDesk:
    core: Core

    async def pending(
        self, platform: str, *, member_ids: set[int] | None = None, limit: int = 100
    ) -> list[Outgoing]:
        """Claim undelivered messages for a platform and render each for its reader."""
        async with self.core.uow() as uow:
            lease = timedelta(seconds=self.core.settings.outbox_lease_seconds)
            deliveries = await outbox.claim(
                uow, platform, member_ids=member_ids, limit=limit, lease=lease
            )
            rendered = [
                rendering.render(
                    d.notification,
                    d.language or self.core.settings.default_language,
                    d.timezone or self.core.settings.default_timezone,
                    d.chat_ref,
                    account_id=d.account.id if d.account else None,
                    channel_id=d.channel.id if d.channel else None,
                )
                for d in deliveries
            ]
            await uow.commit()
        return rendered

    async def release(self, message: Outgoing, error: str, retry_in: timedelta) -> None:
        """A send failed in a way worth retrying: the outbox takes it again after `retry_in`."""
        async with self.core.uow() as uow:
            row = await uow.session.get(Notification, message.notification_id)
            if row is not None and row.sent_at is None:
                outbox.release(uow, row, error, retry_in)
                await uow.commit()

    async def unreachable(self, message: Outgoing, error: str) -> None:
        """The person blocked the bot: stop writing there and tell the coordinators."""
        async with self.core.uow() as uow:
            row = await uow.session.get(Notification, message.notification_id)
            if row is not None:
                outbox.mark_sent(uow, row, f"unreachable:{error}"[:200])
            if message.account_id is not None:
                await identity.mark_unreachable(uow, message.account_id)
            await uow.commit()

    async def has_private_chat(self, platform: str, user_ref: str) -> bool:
        """Whether this person has opened a private chat with the bot (bots cannot write first)."""
        async with self.core.uow() as uow:
            account = await identity.account_for(uow, platform, user_ref)
            return account is not None and account.chat_ref is not None and account.reachable

    async def last_channel_message(self, channel_id: int, topic: str) -> str | None:
        """The platform id of the last message posted in a public room about `topic`."""
        async with self.core.uow() as uow:
            return await outbox.last_external_ref(uow, channel_id=channel_id, topic=topic)

    async def publish_poll(
        self, poll_id: int, platform: str, chat_ref: str, message_ref: str, external_id: str
    ) -> None:
        """Remember a native poll sent for one of our polls, to map its votes back."""
        async with self.core.uow() as uow:
            await publications.record(uow, poll_id, platform, chat_ref, message_ref, external_id)
            await uow.commit()

    async def poll_for_publication(self, platform: str, external_id: str) -> int | None:
        async with self.core.uow() as uow:
            return await publications.poll_of(uow, platform, external_id)

    async def poll_messages(
        self, poll_id: int, platform: str, chat_ref: str
    ) -> list[tuple[str, str]]:
        """Native poll messages of `poll_id` in one chat (to stop them when it closes)."""
        async with self.core.uow() as uow:
            return await publications.messages_of(uow, poll_id, platform, chat_ref)

    async def skip_private_poll(self, message: Outgoing, platform: str) -> bool:
        """A member is not sent a private copy of a poll already published in their group."""
        if message.account_id is None:
            return False
        async with self.core.uow() as uow:
            row = await uow.session.get(Notification, message.notification_id)
            if row is None or row.territory_id is None:
                return False
            group = await uow.session.execute(
                select(TerritoryChannel.id).where(
                    TerritoryChannel.territory_id == row.territory_id,
                    TerritoryChannel.platform == platform,
                )
            )
            return group.first() is not None

    def translate(self, language: str, key: str) -> str:
        return translate(language, key)

"""What channels need to deliver the outbox: claim, render, record, retry, and platform facts.

`ConversationEngine` inherits these, so an adapter talks to one object.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from sqlalchemy import select

from core.app import Core
from core.dialogue import render as rendering
from core.dialogue import shown_choices
from core.dialogue.messages import Outgoing
from core.domain import events
from core.domain.model import Notification, PlatformAccount, TerritoryChannel
from core.domain.vocabulary import MessageKind, Outcome
from core.i18n import translate
from core.services import identity, outbox, publications
from core.services.unit_of_work import UnitOfWork

# Asks the platform whether a user (their id there) is in a group (its chat_ref there).
GroupMembership = Callable[[str, str], Awaitable[bool]]


def _done(message: Outgoing) -> outbox.Done:
    outcome = Outcome(message.outcome) if message.outcome else Outcome.SENT
    return outbox.Done(message.notification_id, outcome, message.external_ref, message.error)


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
        """A send failed in a way worth retrying: the outbox takes it again after `retry_in`
        (each try counts: past `max_delivery_attempts` the message is set aside)."""
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
                done = outbox.Done(message.notification_id, Outcome.UNREACHABLE, error=error)
                outbox.mark_done(uow, row, done)
            if message.account_id is not None:
                await identity.mark_unreachable(uow, message.account_id)
            await uow.commit()

    async def has_private_chat(self, platform: str, user_ref: str) -> bool:
        """Whether this person has opened a private chat with the bot (bots cannot write first)."""
        async with self.core.uow() as uow:
            account = await identity.account_for(uow, platform, user_ref)
            return account is not None and account.chat_ref is not None and account.reachable

    async def last_channel_message(self, channel_id: int, topic: str) -> str | None:
        """The platform id of the last message posted in a public room about `topic` (only a
        message that was sent has one: a refused or uncertain post is never edited)."""
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

    async def skip_private_poll(
        self, message: Outgoing, platform: str, *, in_group: GroupMembership
    ) -> bool:
        """Whether a member's private copy of a poll is left out: only for a member known to
        be in their territory's group on this platform, where the poll is published.

        `in_group(group chat_ref, user id)` is the platform's answer (Telegram: getChatMember;
        Matrix: the room's joined members). A member it does not know is sent the poll.
        """
        if message.account_id is None:
            return False
        async with self.core.uow() as uow:
            row = await uow.session.get(Notification, message.notification_id)
            account = await uow.session.get(PlatformAccount, message.account_id)
            if row is None or row.territory_id is None or account is None:
                return False
            user_ref = account.external_id
            groups = list(
                (
                    await uow.session.execute(
                        select(TerritoryChannel.chat_ref).where(
                            TerritoryChannel.territory_id == row.territory_id,
                            TerritoryChannel.platform == platform,
                        )
                    )
                ).scalars()
            )
        # Asked outside the transaction: the platform may take a while to answer.
        for chat_ref in groups:
            if await in_group(chat_ref, user_ref):
                return True
        return False

    def translate(self, language: str, key: str) -> str:
        return translate(language, key)

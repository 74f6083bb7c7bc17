"""`ChannelPort`: everything a chat adapter needs from the core, apart from the conversation.

The conversation itself goes through `ConversationEngine.handle` (one inbound message, one
transaction). Everything else an adapter asks the core goes through this port, each call one
short transaction of its own: the outbox (claim, give back, unreachable), the public posts and
native polls it published, the rooms and private chats it knows, its saved session, and the
translation of the few words it writes itself. Adapters never open a unit of work.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from core.app import Core
from core.config import Settings
from core.dialogue import render as rendering
from core.dialogue.messages import Outgoing
from core.domain.model import Notification, PlatformAccount
from core.domain.vocabulary import Outcome
from core.i18n import translate
from core.services import channel_sessions, channels, identity, members, outbox, publications
from core.services.channel_sessions import Room

__all__ = ["Audience", "ChannelPort", "Room", "Session"]


@dataclass
class Session:
    """What a bot identity keeps between runs (see `core.services.channel_sessions`)."""

    device_id: str | None
    access_token: str | None
    sync_token: str | None
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def txn_prefix(self) -> str:
        """A random prefix of this bot's transaction ids (a new database starts a new one)."""
        return str(self.data.get("txn_prefix", "entraide"))


@dataclass(frozen=True)
class Audience:
    """Where a member's private copy of a territory message could also be seen: their id on
    the platform, and the chats of their territory's public rooms there."""

    user_ref: str
    groups: list[str]


class ChannelPort:
    """The core as chat adapters see it (outbox, posts, polls, rooms, sessions, words)."""

    def __init__(self, core: Core) -> None:
        self._core = core

    @property
    def settings(self) -> Settings:
        return self._core.settings

    def translate(self, language: str, key: str) -> str:
        """A message id in the reader's language (for the few texts an adapter writes)."""
        return translate(language, key)

    # --- the outbox ----------------------------------------------------------------------------

    async def pending(
        self, platform: str, *, member_ids: set[int] | None = None, limit: int = 100
    ) -> list[Outgoing]:
        """Claim undelivered messages for a platform and render each for its reader."""
        settings = self.settings
        async with self._core.uow() as uow:
            lease = timedelta(seconds=settings.outbox_lease_seconds)
            deliveries = await outbox.claim(
                uow, platform, member_ids=member_ids, limit=limit, lease=lease
            )
            rendered = [
                rendering.render(
                    d.notification,
                    d.language or settings.default_language,
                    d.timezone or settings.default_timezone,
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
        async with self._core.uow() as uow:
            row = await uow.session.get(Notification, message.notification_id)
            if row is not None and row.sent_at is None:
                outbox.release(uow, row, error, retry_in)
                await uow.commit()

    async def unreachable(self, message: Outgoing, error: str) -> None:
        """The person blocked the bot (or the room shut it out): stop writing there and tell
        the coordinators."""
        async with self._core.uow() as uow:
            row = await uow.session.get(Notification, message.notification_id)
            if row is not None:
                done = outbox.Done(message.notification_id, Outcome.UNREACHABLE, error=error)
                outbox.mark_done(uow, row, done)
            if message.account_id is not None:
                await identity.mark_unreachable(uow, message.account_id)
            await uow.commit()

    # --- public posts --------------------------------------------------------------------------

    async def last_post(self, channel_id: int, request_id: int) -> str | None:
        """The platform id of the last post sent to a public room about a request (only a post
        that was sent has one: a refused or uncertain post is never edited)."""
        async with self._core.uow() as uow:
            return await outbox.last_external_ref(
                uow, channel_id=channel_id, topic=outbox.topic_of(request_id=request_id)
            )

    async def request_of_post(self, channel_id: int, external_ref: str) -> int | None:
        """The request a public room's post (by its platform id) is about, if it is one."""
        async with self._core.uow() as uow:
            return await outbox.request_of_post(
                uow, channel_id=channel_id, external_ref=external_ref
            )

    # --- native polls --------------------------------------------------------------------------

    async def publish_poll(
        self, poll_id: int, platform: str, chat_ref: str, message_ref: str, external_id: str
    ) -> None:
        """Remember a native poll sent for one of our polls, to map its votes back."""
        async with self._core.uow() as uow:
            await publications.record(uow, poll_id, platform, chat_ref, message_ref, external_id)
            await uow.commit()

    async def poll_for_publication(self, platform: str, external_id: str) -> int | None:
        """Our poll behind a platform's native poll, or None for one we did not publish."""
        async with self._core.uow() as uow:
            return await publications.poll_of(uow, platform, external_id)

    async def poll_messages(
        self, poll_id: int, platform: str, chat_ref: str
    ) -> list[tuple[str, str]]:
        """Native poll messages of `poll_id` in one chat (to stop them when it closes)."""
        async with self._core.uow() as uow:
            return await publications.messages_of(uow, poll_id, platform, chat_ref)

    async def audience(self, message: Outgoing, platform: str) -> Audience | None:
        """For a member's private copy of a territory message: who they are on the platform
        and the public rooms of their territory there (None if it is not such a copy)."""
        if message.account_id is None:
            return None
        async with self._core.uow() as uow:
            row = await uow.session.get(Notification, message.notification_id)
            account = await uow.session.get(PlatformAccount, message.account_id)
            if row is None or row.territory_id is None or account is None:
                return None
            rooms = await channels.channels_of(uow, row.territory_id, platform)
            return Audience(account.external_id, [room.chat_ref for room in rooms])

    # --- people, rooms and private chats -------------------------------------------------------

    async def has_private_chat(self, platform: str, user_ref: str) -> bool:
        """Whether this person has opened a private chat with the bot (bots cannot write first
        on every platform)."""
        async with self._core.uow() as uow:
            account = await identity.account_for(uow, platform, user_ref)
            return account is not None and account.chat_ref is not None and account.reachable

    async def may_bring_bot(self, platform: str, user_ref: str) -> bool:
        """Whether this person may bring the bot into a room (an active coordinator: decided
        by `core.services.authorization`)."""
        async with self._core.uow() as uow:
            return await channel_sessions.is_coordinator(uow, platform, user_ref)

    async def room(self, platform: str, chat_ref: str) -> Room | None:
        """The territory room behind a platform's room, or None for any other room."""
        async with self._core.uow() as uow:
            return await channel_sessions.room_of(uow, platform, chat_ref)

    async def private_chat_of(self, platform: str, user_ref: str) -> str | None:
        """The private chat the bot writes to this person in, if any."""
        async with self._core.uow() as uow:
            return await channel_sessions.private_chat_of(uow, platform, user_ref)

    async def private_chat_opened(self, platform: str, user_ref: str, chat_ref: str) -> None:
        """A private chat with this person exists now (they opened it, or the bot did)."""
        async with self._core.uow() as uow:
            await channel_sessions.private_chat_opened(uow, platform, user_ref, chat_ref)
            await uow.commit()

    async def private_chat_closed(self, platform: str, user_ref: str, chat_ref: str) -> None:
        """The person left their private chat: stop writing there (coordinators are told)."""
        async with self._core.uow() as uow:
            await channel_sessions.private_chat_closed(uow, platform, user_ref, chat_ref)
            await uow.commit()

    async def member_named(
        self, platform: str, user_ref: str, name: str, territory: str | None
    ) -> int | None:
        """The member this account speaks as: the account's member, else the one member
        called `name` (in `territory`), whose account it becomes. For the console, which
        trusts whoever runs it; None while nobody (or more than one) has that name."""
        async with self._core.uow() as uow:
            account = await identity.ensure_account(uow, platform, user_ref, user_ref)
            if account.member_id is None:
                place = await members.territory_named(uow, territory) if territory else None
                found = await members.find_members(uow, name, place.id if place else None)
                if len(found) == 1:
                    account.member_id = found[0].id
                    if found[0].preferred_platform is None:
                        found[0].preferred_platform = platform
            member_id = account.member_id
            await uow.commit()
        return member_id

    # --- a bot's session -----------------------------------------------------------------------

    async def session(self, platform: str, account: str) -> Session:
        """The saved session of this bot identity (created empty on first use)."""
        async with self._core.uow() as uow:
            row = await channel_sessions.load_session(uow, platform, account)
            found = Session(row.device_id, row.access_token, row.sync_token, dict(row.data))
            await uow.commit()
        return found

    async def save_session(self, platform: str, account: str, **values: Any) -> None:
        """Update some fields of the session (`device_id`, `access_token`, `sync_token`)."""
        async with self._core.uow() as uow:
            await channel_sessions.save_session(uow, platform, account, **values)
            await uow.commit()

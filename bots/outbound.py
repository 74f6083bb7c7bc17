"""What one outbox message becomes on a platform, decided from its kind, for every platform.

- A message about a request in a public room (`channel_id` and `request_id`) edits the room's
  last post about that request; if that post cannot be edited, it at least stops offering
  help once the request is no longer open, and the message is sent as a new post.
- A poll (`POLL_OPENED`) the platform shows natively is published as its own poll, and
  remembered so that its votes come back to ours; a member's private copy is left out when
  they are in their territory's group on that platform, where the poll is.
- A poll's results (`POLL_CLOSED`) first stop its native polls in that chat.

The platform provides the primitives (`bots.channel.Sender`); nothing here knows a platform.
"""

from __future__ import annotations

from dataclasses import replace

from bots.channel import Sender
from core.dialogue.messages import Outgoing, failed_as, sent_as
from core.dialogue.port import ChannelPort
from core.domain.vocabulary import MessageKind, Outcome


async def show(channel: Sender, port: ChannelPort, message: Outgoing) -> Outgoing:
    """Send (or edit) one message; the message with how it ended (sent, or skipped)."""
    poll = message.kind == MessageKind.POLL_OPENED and message.poll_id is not None
    if poll and channel.shows_natively(message):
        return await _open_poll(channel, port, message)
    chat = await channel.chat_for(message)
    if chat is None:
        return failed_as(message, Outcome.SKIPPED, "no chat to write in")
    message = replace(message, chat_ref=chat)
    if message.kind == MessageKind.POLL_CLOSED and message.poll_id is not None:
        published = await port.poll_messages(message.poll_id, channel.platform, chat)
        if published:
            shown = await channel.close_polls(message, [ref for _, ref in published])
            if shown is not None:
                return sent_as(message, shown)
    if message.channel_id is not None and message.request_id is not None:
        # The room's post about this request is edited ("taken", "cancelled"): the last one
        # that was sent, whatever happened to the posts after it.
        previous = await port.last_post(message.channel_id, message.request_id)
        if previous is not None:
            if await channel.edit(message, previous):
                return sent_as(message, previous)
            if message.kind != MessageKind.REQUEST_POST:
                await channel.remove_buttons(message, previous)  # no more offers to help
    return sent_as(message, await channel.send(message))


async def _open_poll(channel: Sender, port: ChannelPort, message: Outgoing) -> Outgoing:
    assert message.poll_id is not None
    if await _sees_it_in_group(channel, port, message):
        return failed_as(message, Outcome.SKIPPED, "in the group, where the poll is")
    chat = await channel.chat_for(message)
    if chat is None:
        return failed_as(message, Outcome.SKIPPED, "no chat to write in")
    published = await channel.open_poll(replace(message, chat_ref=chat))
    await port.publish_poll(
        message.poll_id,
        channel.platform,
        published.chat_ref,
        published.message_ref,
        published.poll_ref,
    )
    return sent_as(message, published.ref)


async def _sees_it_in_group(channel: Sender, port: ChannelPort, message: Outgoing) -> bool:
    """Whether a member's private copy of a poll is left out: only for a member the platform
    says is in their territory's group, where the poll is published. A member it does not
    know is sent the poll (twice is better than never)."""
    audience = await port.audience(message, channel.platform)
    if audience is None:
        return False
    # Asked outside any transaction: the platform may take a while to answer.
    for group in audience.groups:
        if await channel.in_group(group, audience.user_ref):
            return True
    return False

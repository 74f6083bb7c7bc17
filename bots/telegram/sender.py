"""Telegram's side of the outbox: the `Sender` primitives over PTB's `Bot`, and what its
errors mean (`classify`). What to send when is decided in `bots.outbound`.

A message's id here is `"<chat id>:<message id>"`: Telegram numbers messages per chat.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram import Bot
from telegram.constants import ChatMemberStatus, ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bots.channel import Published
from bots.failures import DeliveryFailure, Refused, RetryLater, Uncertain, Unreachable, described
from bots.telegram import render
from core.dialogue.messages import Outgoing
from core.domain.vocabulary import MessageKind, Platform

log = logging.getLogger("entraide.telegram")

# Who is in a group, for getChatMember (a private poll is skipped only for them).
IN_GROUP = frozenset(
    {ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.MEMBER}
)
MAX_QUESTION = 300
MAX_OPTION = 100


class TelegramSender:
    """Sends, edits and polls through one PTB `Bot`: the pump's `Sender`."""

    platform = Platform.TELEGRAM
    connected = True  # sends are tried whenever; a failure says when to try again

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def chat_for(self, message: Outgoing) -> str | None:
        return message.chat_ref  # a bot cannot open a private chat on Telegram

    def classify(self, error: Exception) -> DeliveryFailure | None:
        return classify(error)

    async def send(self, message: Outgoing) -> str:
        """The text in parts that fit Telegram, the buttons under the last one (a member's
        voice message first, when the message forwards one: `FORWARDED_AUDIO`)."""
        assert message.chat_ref is not None
        if message.kind == MessageKind.FORWARDED_AUDIO:
            await self._forward_audio(message)
        parts = render.html_parts(message)
        sent = None
        for index, part in enumerate(parts):
            markup = render.keyboard(message) if index == len(parts) - 1 else None
            sent = await self.bot.send_message(
                message.chat_ref, part, parse_mode=ParseMode.HTML, reply_markup=markup
            )
        assert sent is not None
        return ref_of(sent.chat_id, sent.message_id)

    async def _forward_audio(self, message: Outgoing) -> None:
        """The member's voice (or audio file) itself, by the file id Telegram gave the bot:
        nothing is downloaded. Audio from another platform cannot be sent here: the text says
        whom to call back. A file id Telegram refuses leaves the text to be sent alone."""
        if message.params.get("audio_platform") != Platform.TELEGRAM:
            return
        kind, _, file_id = str(message.params.get("audio_ref", "")).partition(":")
        if not file_id or kind not in ("voice", "audio"):
            return
        assert message.chat_ref is not None
        try:
            if kind == "voice":
                await self.bot.send_voice(message.chat_ref, voice=file_id)
            else:
                await self.bot.send_audio(message.chat_ref, audio=file_id)
        except BadRequest as exc:
            log.warning("could not forward a voice message to %s: %s", message.chat_ref, exc)

    async def edit(self, message: Outgoing, ref: str) -> bool:
        """Replace the text and the buttons of one of the bot's messages (one part only)."""
        target = parse_ref(ref)
        parts = render.html_parts(message)
        if target is None or len(parts) != 1:
            return False
        chat_id, message_id = target
        try:
            await self.bot.edit_message_text(
                parts[0],
                chat_id=chat_id,
                message_id=message_id,
                parse_mode=ParseMode.HTML,
                reply_markup=render.keyboard(message),
            )
        except BadRequest as exc:
            if "not modified" in str(exc).lower():
                return True
            log.info("could not edit %s (%s): sending a new message", ref, exc)
            return False
        return True

    async def remove_buttons(self, message: Outgoing, ref: str) -> None:
        """Take the buttons off a message (best effort: it may be gone or too old)."""
        target = parse_ref(ref)
        if target is None:
            return
        try:
            await self.bot.edit_message_reply_markup(*target, reply_markup=None)
        except TelegramError as exc:  # the new message is what matters: it is sent all the same
            log.info("could not take the buttons off %s (%s)", ref, exc)

    def shows_natively(self, message: Outgoing) -> bool:
        """Open ballots become native Telegram polls; secret ballots stay private buttons."""
        return message.kind == MessageKind.POLL_OPENED and not message.params.get("secret")

    async def open_poll(self, message: Outgoing) -> Published:
        assert message.chat_ref is not None
        sent = await self.bot.send_poll(
            message.chat_ref,
            str(message.params.get("question", ""))[:MAX_QUESTION],
            [button.label[:MAX_OPTION] for button in message.buttons],
            is_anonymous=False,
            allows_multiple_answers=message.params.get("kind") == "multiple",
        )
        assert sent.poll is not None
        return Published(
            str(sent.chat_id),
            str(sent.message_id),
            sent.poll.id,
            ref_of(sent.chat_id, sent.message_id),
        )

    async def close_polls(self, message: Outgoing, refs: list[str]) -> str | None:
        """Stop the native polls; the results follow as a message of their own."""
        assert message.chat_ref is not None
        for message_id in refs:
            try:
                await self.bot.stop_poll(int(message.chat_ref), int(message_id))
            except BadRequest as exc:  # already stopped, or deleted by a member
                log.info("stopPoll %s:%s: %s", message.chat_ref, message_id, exc)
        return None

    async def in_group(self, group_ref: str, user_ref: str) -> bool:
        """Whether Telegram says this user is in this group now.

        The Bot API cannot list a group's members, but getChatMember answers for one user in a
        group the bot is in: one call per member and poll. When it cannot answer, the member
        is taken as not in the group and gets the poll privately (twice is better than never).
        """
        try:
            member = await self.bot.get_chat_member(int(group_ref), int(user_ref))
        except (TelegramError, ValueError) as exc:
            log.info("getChatMember %s in %s: %s", user_ref, group_ref, exc)
            return False
        # A restricted member may not see or vote in everything: they get the private copy.
        return member.status in IN_GROUP


def classify(error: Exception) -> DeliveryFailure | None:
    """What a Bot API error means for the outbox."""
    if isinstance(error, RetryAfter):
        wait = seconds(error.retry_after)
        return RetryLater(f"RetryAfter {wait}", timedelta(seconds=wait))
    if isinstance(error, TimedOut):  # sent, perhaps received: the answer did not come
        return Uncertain(described(error))
    if isinstance(error, Forbidden):  # the person blocked the bot
        return Unreachable(str(error))
    if isinstance(error, BadRequest):  # before NetworkError, of which PTB makes it a subclass
        return Refused(described(error))
    if isinstance(error, NetworkError):  # includes BadGateway and dropped connections
        return RetryLater(described(error))
    return None


def ref_of(chat_id: int, message_id: int) -> str:
    return f"{chat_id}:{message_id}"


def parse_ref(reference: str) -> tuple[int, int] | None:
    """The chat and message ids of a reference made by `ref_of`; None for anything else."""
    chat, _, message_id = reference.partition(":")
    try:
        return int(chat), int(message_id)
    except ValueError:
        log.warning("not a Telegram message reference: %r", reference[:60])
        return None


def seconds(period: int | float | timedelta) -> float:
    """PTB gives `retry_after` as seconds or, with PTB_TIMEDELTA, as a timedelta."""
    return period.total_seconds() if isinstance(period, timedelta) else float(period)

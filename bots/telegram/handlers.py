"""PTB handlers: each Telegram update becomes an `Inbound`, handed to the inlet.

Commands become the engine's actions (`bots.commands`), buttons their callback data, native
poll answers a `vote_set`. Nothing here parses a word again or keeps conversation state.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import Forbidden, NetworkError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    PollAnswerHandler,
    filters,
)

from bots.commands import LINK_ROOM, PRIVATE_ACTIONS, private_action
from bots.inlet import Inlet
from bots.telegram import render
from bots.telegram.links import open_chat_link, start_action
from bots.telegram.sender import ref_of
from core.dialogue.messages import Inbound
from core.dialogue.port import ChannelPort
from core.domain.vocabulary import Platform

# Seconds a vote waits for the record of the native poll it answers (see `on_poll_answer`).
PUBLICATION_WAIT = 10.0

log = logging.getLogger("entraide.telegram")


class TelegramHandlers:
    """Translate updates into `Inbound` messages for the engine (through the inlet)."""

    def __init__(self, inlet: Inlet, port: ChannelPort) -> None:
        self.inlet = inlet
        self.port = port
        self.username: str | None = None  # the bot's, once known (for the deep links)

    def register(self, app: Application) -> None:  # type: ignore[type-arg]
        app.add_handler(CommandHandler("start", self.on_start))
        app.add_handler(CommandHandler(list(LINK_ROOM.names), self.on_link_group))
        app.add_handler(CommandHandler(sorted(PRIVATE_ACTIONS), self.on_command))
        app.add_handler(CallbackQueryHandler(self.on_button))
        app.add_handler(PollAnswerHandler(self.on_poll_answer))
        private = filters.ChatType.PRIVATE
        app.add_handler(MessageHandler(private & filters.TEXT & ~filters.COMMAND, self.on_text))
        app.add_handler(
            MessageHandler(
                private & (filters.VOICE | filters.AUDIO | filters.VIDEO_NOTE), self.on_voice
            )
        )
        app.add_handler(MessageHandler(private & ~filters.TEXT & ~filters.COMMAND, self.on_other))

    def _inbound(self, update: Update, **fields: Any) -> Inbound:
        user = update.effective_user
        chat = update.effective_chat
        assert user is not None
        private = chat is not None and chat.type == ChatType.PRIVATE
        return Inbound(
            platform=Platform.TELEGRAM,
            user_ref=str(user.id),
            chat_ref=str(chat.id) if private and chat is not None else None,
            display_name=user.first_name,
            language=user.language_code,
            message_ref=f"update:{update.update_id}",
            **fields,
        )

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A private message in the member's own words."""
        message = update.effective_message
        assert message is not None
        await self.inlet.take(self._inbound(update, text=message.text))

    async def on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """`/aide`, `/demande`... (English aliases too) in a private chat."""
        message = update.effective_message
        assert message is not None and message.text is not None
        if message.chat.type != ChatType.PRIVATE:
            return  # in groups only /lier_groupe speaks; members talk to the bot privately
        name = message.text.split()[0].lstrip("/").split("@")[0]
        action = private_action(name, list(context.args or []))
        await self.inlet.take(self._inbound(update, action=action))

    async def on_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """`/start` opens the conversation. A deep link's payload: `join_<code>` (an invitation
        to a territory, see `entraide territory invite`), or a link code (joins a Matrix
        account)."""
        message = update.effective_message
        assert message is not None
        if message.chat.type != ChatType.PRIVATE:
            return
        await self.inlet.take(self._inbound(update, action=start_action(context.args)))

    async def on_link_group(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """`/lier_groupe` by a coordinator makes this group the territory's public room."""
        chat = update.effective_chat
        assert chat is not None
        if chat.type == ChatType.PRIVATE:
            await self.inlet.take(self._inbound(update, action="link_group_private"))
            return
        await self.inlet.take(self._inbound(update, action=f"link_group:{chat.id}"))

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A button press: answered at once, then handled like a chosen action."""
        query = update.callback_query
        assert query is not None and update.effective_user is not None
        chat = update.effective_chat
        in_group = chat is not None and chat.type != ChatType.PRIVATE
        if in_group and not await self.port.has_private_chat(
            Platform.TELEGRAM, str(update.effective_user.id)
        ):
            text = self.port.translate(
                _language(update),
                "Please open a private chat with me first: I send the details there.",
            )
            await query.answer(text, show_alert=True)
            await self._send_deep_link(chat.id if chat else None, update)
            return
        await query.answer()
        # After a choice in a private chat, the message with the buttons becomes the answer.
        pressed = query.message if not in_group else None
        await self.inlet.take(
            self._inbound(update, action=query.data or ""),
            in_place_of=ref_of(pressed.chat_id, pressed.message_id) if pressed else None,
        )

    async def on_poll_answer(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A vote in a native poll (changed votes and retractions included)."""
        answer = update.poll_answer
        if answer is None or answer.user is None:
            return  # a vote cast as a channel or chat: not a member
        # Telegram tells votes on the bot's own polls only: one not recorded yet is being
        # recorded now (the vote came before sendPoll's answer was stored), so wait for it.
        poll_id = await self.port.poll_for_publication(
            Platform.TELEGRAM, answer.poll_id, wait=PUBLICATION_WAIT
        )
        if poll_id is None:
            return
        choice = ",".join(str(i) for i in answer.option_ids)
        await self.inlet.take(self._inbound(update, action=f"vote_set:{poll_id}:{choice}"))

    async def on_voice(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A voice message (or an audio file): the coordinators listen and call back. Its file
        id goes with it (`voice:<id>`, `audio:<id>`): the coordinators' chats get the audio
        itself. A round video message has no audio to forward: the alert goes without it."""
        message = update.effective_message
        media = None
        if message is not None and message.voice is not None:
            media = f"voice:{message.voice.file_id}"
        elif message is not None and message.audio is not None:
            media = f"audio:{message.audio.file_id}"
        await self.inlet.take(self._inbound(update, action="voice", media_ref=media))

    async def on_other(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Photos, stickers, files: the bot only reads text."""
        await self.inlet.take(self._inbound(update, action="not_text"))

    async def _send_deep_link(self, chat_id: int | None, update: Update) -> None:
        """In a group, to someone who never opened a private chat: a button that opens it."""
        if chat_id is None or self.username is None:
            return
        language = _language(update)
        button = InlineKeyboardButton(
            self.port.translate(language, "Open the chat"), url=open_chat_link(self.username)
        )
        text = self.port.translate(language, "To help, first open a private chat with me:")
        try:
            await update.get_bot().send_message(
                chat_id,
                render.to_html(text),
                parse_mode=ParseMode.HTML,
                reply_markup=InlineKeyboardMarkup([[button]]),
            )
        except (NetworkError, Forbidden) as exc:
            log.info("could not post the deep link in %s: %s", chat_id, exc)


def _language(update: Update) -> str:
    """The language of the person's app (for the few words said outside the conversation)."""
    user = update.effective_user
    return (user.language_code or "fr")[:2] if user is not None else "fr"

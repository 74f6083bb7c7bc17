"""The bot's messages: sendMessage, editMessageText, editMessageReplyMarkup, and
answerCallbackQuery (the answer to a button press).

Faithful details (each is what Telegram does):
- parse_mode text is parsed: `FakeMessage.text` is the text as Telegram shows it (tags removed),
  with `entities`; the text as sent is `source_text`. 1-4096 characters after parsing.
- Inline buttons carry 1-64 bytes of callback_data (else 400 BUTTON_DATA_INVALID).
- editMessageText and editMessageReplyMarkup without reply_markup remove the inline keyboard;
  identical content gives 400 "message is not modified...".
- Only inline keyboards appear in returned Messages; reply keyboards are kept in `other_markup`.
"""

from __future__ import annotations

import re
from typing import Any

from ..formatting import FormattingError, parse_entities
from .chats import Chats
from .objects import CallbackAnswer, FakeChat, FakeMessage
from .protocol import JSON, Params, api_method, bad_request

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER_LENGTH = 200
_BUTTON_ACTIONS = (
    "callback_data",
    "url",
    "login_url",
    "web_app",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_URL = re.compile(r"^(https?|tg)://\S+$")
_BAD_BUTTON = "can't parse inline keyboard button: "


class Messages(Chats):
    """Sending and editing text messages with their inline keyboards."""

    @api_method("sendMessage")
    async def _send_message(self, p: Params) -> JSON:
        """A text message from the bot, formatted by parse_mode, with its keyboard."""
        chat = self._sendable_chat(p)
        source = p.str("text") or ""
        parse_mode = p.str("parse_mode")
        plain, entities = self._format(source, parse_mode, p.json("entities"))
        self._check_text(plain)
        inline, other = self._markup(p)
        reply_to = self._reply_target(chat, p)
        msg = self._new_message(
            chat,
            date=self._now(),
            from_bot=True,
            sender=self._bot_json(),
            text=plain,
            entities=entities,
            source_text=source,
            parse_mode=parse_mode,
            reply_markup=inline,
            other_markup=other,
            reply_to=reply_to,
        )
        return self._message_json(msg)

    @api_method("editMessageText")
    async def _edit_message_text(self, p: Params) -> JSON:
        """New text (and keyboard: none if not given) for one of the bot's text messages."""
        msg = self._editable(p)
        if msg.poll_id is not None or msg.text is None:
            raise bad_request("there is no text in the message to edit")
        source = p.str("text") or ""
        parse_mode = p.str("parse_mode")
        plain, entities = self._format(source, parse_mode, p.json("entities"))
        self._check_text(plain)
        inline, _ = self._markup(p)
        if plain == msg.text and entities == msg.entities and inline == msg.reply_markup:
            raise bad_request(NOT_MODIFIED)
        msg.history.append(msg.version())
        msg.text, msg.entities, msg.source_text, msg.parse_mode = (
            plain,
            entities,
            source,
            parse_mode,
        )
        msg.reply_markup = inline
        msg.edit_date = self._now()
        return self._message_json(msg)

    @api_method("editMessageReplyMarkup")
    async def _edit_message_reply_markup(self, p: Params) -> JSON:
        """A new inline keyboard for one of the bot's messages; none given: removed."""
        msg = self._editable(p)
        inline, _ = self._markup(p)
        if inline == msg.reply_markup:
            raise bad_request(NOT_MODIFIED)
        msg.history.append(msg.version())
        msg.reply_markup = inline
        msg.edit_date = self._now()
        return self._message_json(msg)

    @api_method("answerCallbackQuery")
    async def _answer_callback_query(self, p: Params) -> bool:
        """The answer to a button press, once: a notification of 0-200 characters or none."""
        query_id = p.str("callback_query_id") or ""
        query = self.callback_queries.get(query_id)
        answered = {a.callback_query_id for a in self.callback_answers}
        if query is None or query_id in answered:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        text = p.str("text")
        if text is not None and len(text) > MAX_CALLBACK_ANSWER_LENGTH:
            raise bad_request("MESSAGE_TOO_LONG")
        self.callback_answers.append(
            CallbackAnswer(
                callback_query_id=query_id,
                user_id=query["from"]["id"],
                data=query.get("data"),
                text=text,
                show_alert=p.bool("show_alert"),
                url=p.str("url"),
                cache_time=p.int("cache_time", 0) or 0,
            )
        )
        return True

    # --- validation ----------------------------------------------------------------------------

    def _format(self, text: str, parse_mode: str | None, entities: Any) -> tuple[str, list[JSON]]:
        """(text as shown, entities) from the text as sent, by parse_mode or given entities."""
        try:
            plain, found = parse_entities(text, parse_mode)
        except FormattingError as error:
            raise bad_request(f"can't parse entities: {error}") from None
        except ValueError:
            raise bad_request("unsupported parse_mode") from None
        if not parse_mode and isinstance(entities, list):
            found = entities
        for entity in found:
            if entity["type"] == "text_mention":
                person = self.users.get(entity["user"]["id"])
                if person is None:
                    entity["type"] = "text_link"
                    entity["url"] = f"tg://user?id={entity.pop('user')['id']}"
                else:
                    entity["user"] = person.to_json()
        return plain, found

    def _check_text(self, plain: str) -> None:
        if not plain.strip():
            raise bad_request("message text is empty")
        if len(plain) > self.MAX_TEXT_LENGTH:
            raise bad_request("message is too long")

    def _markup(self, params: Params) -> tuple[JSON | None, JSON | None]:
        """(inline keyboard, other markup) from reply_markup, validated."""
        markup = params.json("reply_markup")
        if markup is None:
            return None, None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise bad_request(f"{_BAD_BUTTON}InlineKeyboardButton must be an Object")
            for row in rows:
                for button in row:
                    _check_button(button)
            return {"inline_keyboard": rows}, None
        if "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise bad_request("can't parse keyboard button: KeyboardButton must be an Object")
            return None, markup
        if markup.get("remove_keyboard") or markup.get("force_reply"):
            return None, markup
        raise bad_request("can't parse reply keyboard markup JSON object")

    def _reply_target(self, chat: FakeChat, params: Params) -> FakeMessage | None:
        """The message replied to (reply_parameters, or the older reply_to_message_id)."""
        reply = params.json("reply_parameters")
        message_id = params.int("reply_to_message_id")
        allow_missing = params.bool("allow_sending_without_reply")
        if isinstance(reply, dict):
            message_id = int(reply.get("message_id", 0))
            allow_missing = bool(reply.get("allow_sending_without_reply", allow_missing))
        if message_id is None:
            return None
        target = self._find(chat.id, message_id)
        if target is None and not allow_missing:
            raise bad_request("message to be replied not found")
        return target

    def _editable(self, params: Params) -> FakeMessage:
        """The bot's message that an edit* call names (inline messages are not modelled)."""
        if params.has("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")
        chat = self._target_chat(params)
        msg = self._find(chat.id, params.int("message_id"))
        if msg is None:
            raise bad_request("message to edit not found")
        if not msg.from_bot:
            raise bad_request("message can't be edited")
        return msg


def _check_button(button: Any) -> None:
    """Telegram's checks of one inline keyboard button."""
    if not isinstance(button, dict):
        raise bad_request(f"{_BAD_BUTTON}InlineKeyboardButton must be an Object")
    if not isinstance(button.get("text"), str) or not button["text"]:
        raise bad_request(f'{_BAD_BUTTON}Field "text" must be of type String')
    if not any(action in button for action in _BUTTON_ACTIONS):
        raise bad_request(f"{_BAD_BUTTON}Text buttons are unallowed in the inline keyboard")
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button and not _URL.match(str(button["url"])):
        raise bad_request(
            f"inline keyboard button URL '{button['url']}' is invalid: Wrong HTTP URL"
        )

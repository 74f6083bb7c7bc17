"""A local Telegram Bot API server for tests: the real JSON of the official Bot API, on loopback.

There is no Telegram server on the test machines: the real `telegram.ext.Application` (PTB 22.8)
talks to this aiohttp server instead, through `ApplicationBuilder().base_url(api.base_url)`.
The test plays the people (who write, press buttons, vote, block the bot) and reads what the
bot sent. Everything runs in the test's event loop, on 127.0.0.1.

    api = await FakeBotApi.start()
    app = (ApplicationBuilder().token(api.token).base_url(api.base_url)
           .base_file_url(api.base_file_url).build())
    alice = api.user(1001, "Alice")
    api.private_text(alice, "bonjour")
    [reply] = await api.wait_sent(alice, 1)
    await api.stop()

Behaviour follows core.telegram.org/bots/api (Bot API 10.0, as PTB 22.8 expects it): answers
are {"ok": true, "result": ...}, errors exactly {"ok": false, "error_code": N, "description":
"..."} (plus "parameters" for 429 and group migration). Requests may be JSON, form-encoded or
multipart; form values that are not plain strings arrive JSON-encoded and are decoded. Method
names are case-insensitive, as on Telegram.

Faithful details worth knowing (each is what Telegram does):
- A private chat can be written to only once its user has talked to the bot (any helper that
  sends from the user does; or `user(..., started=True)`), else 403 "bot can't initiate
  conversation with a user"; after `block(user)`: 403 "bot was blocked by the user".
- Groups: the bot must be added (`add_bot_to_group`) before it can write or receive. In privacy
  mode (getMe can_read_all_group_messages false, the default) the bot receives from groups only
  commands, replies to its own messages, mentions of it and service messages: `group_text`
  returns None for what the bot would not see.
- parse_mode text is parsed: `FakeMessage.text` is the text as Telegram shows it (tags removed),
  with `entities`; the text as sent is `source_text`.
- editMessageText and editMessageReplyMarkup without reply_markup remove the inline keyboard;
  identical content gives 400 "message is not modified...".
- Only inline keyboards appear in returned Messages; reply keyboards are kept in `other_markup`.
- getUpdates: `offset` confirms (drops) older updates; without offset unconfirmed updates come
  again; `timeout` long-polls; `allowed_updates` is remembered and applies to updates created
  afterwards (default: all but chat_member, message_reaction, message_reaction_count); a second
  getUpdates ends a pending one with 409 "Conflict: terminated by other getUpdates request...";
  getUpdates while a webhook is set gives 409 too (updates are never POSTed to the webhook).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiohttp import ClientError, ClientSession, ClientTimeout, web

from .formatting import FormattingError, parse_entities, utf16_len

JSON = dict[str, Any]

_DEFAULT_EXCLUDED_UPDATES = frozenset(
    {"chat_member", "message_reaction", "message_reaction_count"}
)
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
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
# Parameters that are plain strings: never JSON-decoded even when they look like JSON ("123").
_STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "question",
        "explanation",
        "description",
        "short_description",
        "name",
        "title",
        "callback_query_id",
        "inline_message_id",
        "url",
        "secret_token",
        "ip_address",
        "parse_mode",
        "question_parse_mode",
        "explanation_parse_mode",
        "description_parse_mode",
        "text_parse_mode",
        "language_code",
        "action",
        "type",
        "business_connection_id",
        "message_effect_id",
        "emoji",
        "file_id",
        "sticker",
        "voice",
        "photo",
        "document",
        "audio",
        "video",
        "animation",
        "first_name",
        "last_name",
        "phone_number",
        "address",
        "query",
        "custom_title",
        "invite_link",
    }
)
_SERVICE_FIELDS = frozenset(
    {
        "new_chat_members",
        "left_chat_member",
        "new_chat_title",
        "group_chat_created",
        "supergroup_chat_created",
        "migrate_to_chat_id",
        "migrate_from_chat_id",
        "pinned_message",
    }
)
_COMMAND_RE = re.compile(r"(?:(?<=\s)|^)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")
_BOT_COMMAND_NAME_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_URL_RE = re.compile(r"^(https?|tg)://\S+$")
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)


class ApiError(Exception):
    """An error answer of the Bot API."""

    def __init__(self, code: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def body(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(description: str, parameters: JSON | None = None) -> ApiError:
    return ApiError(400, f"Bad Request: {description}", parameters)


def forbidden(description: str) -> ApiError:
    return ApiError(403, f"Forbidden: {description}")


# --- what the test plays with ----------------------------------------------------------------


@dataclass
class FakeUser:
    """A person on Telegram; `id` is also their private chat's id."""

    id: int
    first_name: str
    language_code: str | None = "fr"
    username: str | None = None
    last_name: str | None = None
    is_bot: bool = False

    def to_json(self) -> JSON:
        data: JSON = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data


@dataclass
class FakeChat:
    """A chat: private (id = the user's id), group, supergroup or channel."""

    id: int
    type: str
    title: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    username: str | None = None
    # The bot's status in the chat: "member", "administrator", "left", "kicked" (private: the
    # user blocked the bot).
    bot_status: str = "member"
    started: bool = False  # private chats: the user has talked to the bot
    deactivated: bool = False  # private chats: the user deleted their account
    migrated_to: int | None = None
    members: dict[int, str] = field(default_factory=dict)  # user id -> status
    next_message_id: int = 1

    @property
    def is_private(self) -> bool:
        return self.type == "private"

    def to_json(self) -> JSON:
        data: JSON = {"id": self.id, "type": self.type}
        if self.is_private:
            data["first_name"] = self.first_name
            if self.last_name:
                data["last_name"] = self.last_name
        else:
            data["title"] = self.title
        if self.username:
            data["username"] = self.username
        return data


@dataclass
class FakeMessage:
    """A message in a chat, sent by the bot (`from_bot`) or by a person."""

    chat_id: int
    message_id: int
    date: int
    from_bot: bool
    sender: JSON  # the User object of `from`
    text: str | None = None  # as Telegram shows it (markup parsed away)
    entities: list[JSON] = field(default_factory=list)
    source_text: str | None = None  # as sent, with its markup
    parse_mode: str | None = None
    reply_markup: JSON | None = None  # inline keyboard only
    other_markup: JSON | None = None  # reply keyboard, keyboard removal, force reply
    poll_id: str | None = None
    reply_to: FakeMessage | None = None
    extra: JSON = field(default_factory=dict)  # other Message fields (voice, new_chat_members...)
    edit_date: int | None = None
    deleted: bool = False
    # Earlier versions, oldest first: {"text", "entities", "reply_markup", "date"}.
    history: list[JSON] = field(default_factory=list)

    @property
    def buttons(self) -> list[JSON]:
        """The inline keyboard's buttons, row after row."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [button for row in rows for button in row]

    @property
    def callback_data(self) -> list[str]:
        return [b["callback_data"] for b in self.buttons if "callback_data" in b]

    def button(self, text: str) -> JSON:
        """The inline button labelled `text` (KeyError if there is none)."""
        for candidate in self.buttons:
            if candidate["text"] == text:
                return candidate
        raise KeyError(f"no button {text!r} in {[b['text'] for b in self.buttons]}")

    @property
    def texts(self) -> list[str | None]:
        """Every version of the text, oldest first, the current one last."""
        return [version["text"] for version in self.history] + [self.text]


@dataclass
class FakePoll:
    id: str
    question: str
    options: list[JSON]  # {"persistent_id", "text", "voter_count"} (voter_count computed)
    is_anonymous: bool
    type: str
    allows_multiple_answers: bool
    allows_revoting: bool
    members_only: bool
    chat_id: int
    message_id: int
    is_closed: bool = False
    correct_option_ids: list[int] = field(default_factory=list)
    explanation: str | None = None
    question_entities: list[JSON] = field(default_factory=list)
    open_period: int | None = None
    close_date: int | None = None
    votes: dict[int, list[int]] = field(default_factory=dict)  # user id -> option ids
    # Counts set by `poll_update(voter_counts=...)`, replacing the ones computed from votes.
    override_counts: list[int] | None = None

    def counts(self) -> list[int]:
        if self.override_counts is not None:
            return list(self.override_counts)
        counts = [0] * len(self.options)
        for chosen in self.votes.values():
            for option in chosen:
                counts[option] += 1
        return counts

    @property
    def total_voter_count(self) -> int:
        if self.override_counts is not None:
            return (
                max(self.override_counts, default=0)
                if self.allows_multiple_answers
                else sum(self.override_counts)
            )
        return sum(1 for chosen in self.votes.values() if chosen)

    def to_json(self) -> JSON:
        counts = self.counts()
        data: JSON = {
            "id": self.id,
            "question": self.question,
            "options": [
                {
                    "persistent_id": option["persistent_id"],
                    "text": option["text"],
                    "voter_count": counts[index],
                }
                for index, option in enumerate(self.options)
            ],
            "total_voter_count": self.total_voter_count,
            "is_closed": self.is_closed,
            "is_anonymous": self.is_anonymous,
            "type": self.type,
            "allows_multiple_answers": self.allows_multiple_answers,
            "allows_revoting": self.allows_revoting,
            "members_only": self.members_only,
        }
        if self.question_entities:
            data["question_entities"] = self.question_entities
        if self.type == "quiz" and self.correct_option_ids:
            data["correct_option_ids"] = self.correct_option_ids
        if self.explanation:
            data["explanation"] = self.explanation
        if self.open_period:
            data["open_period"] = self.open_period
        if self.close_date:
            data["close_date"] = self.close_date
        return data


@dataclass
class RecordedRequest:
    method: str  # canonical spelling when known ("sendMessage"), else as requested
    params: JSON  # decoded
    time: float  # time.monotonic() on arrival
    http_method: str = "POST"
    status: int | None = None  # HTTP status answered; 0: connection dropped; None: pending
    response: JSON | None = None  # the JSON answered (also when dropped after processing)
    files: JSON = field(default_factory=dict)  # multipart files: name -> {filename, size...}


@dataclass
class CallbackAnswer:
    callback_query_id: str
    user_id: int
    data: str | None
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int


@dataclass
class _Fault:
    kind: str  # "fail", "drop", "delay", "malformed"
    method: str  # lower case, "*" for any
    count: int
    status: int = 429
    retry_after: int = 2
    description: str | None = None
    before_processing: bool = True
    seconds: float = 0.0
    chat_id: int | None = None  # only calls about this chat (None: any)


@dataclass
class _Queued:
    update: JSON
    forced: bool = False  # a duplicate: survives the offset until delivered once
    delivered: bool = False


class _Params:
    """Decoded request parameters with Telegram's coercions."""

    def __init__(self, raw: JSON, request: web.Request | None = None) -> None:
        self.raw = raw
        self.request = request

    def client_gone(self) -> bool:
        transport = self.request.transport if self.request is not None else None
        return self.request is not None and (transport is None or transport.is_closing())

    def has(self, name: str) -> bool:
        return self.raw.get(name) is not None

    def str(self, name: str, default: str | None = None) -> str | None:
        value = self.raw.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return "true" if value else "false"
        return value if isinstance(value, str) else json.dumps(value)

    def int(self, name: str, default: int | None = None) -> int | None:
        value = self.raw.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return int(value)
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def bool(self, name: str, default: bool = False) -> bool:
        value = self.raw.get(name)
        if value is None:
            return default
        if isinstance(value, str):
            return value.strip().lower() in ("true", "1", "yes", "on")
        return bool(value)

    def json(self, name: str, default: Any = None) -> Any:
        value = self.raw.get(name)
        if value is None:
            return default
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                if name == "reply_markup":
                    raise bad_request("can't parse reply keyboard markup JSON object") from None
                raise bad_request(f"can't parse {name} JSON object") from None
        return value


# --- the server ------------------------------------------------------------------------------


class FakeBotApi:
    """The Bot API server, the people around the bot, and what the bot did."""

    # Bot API 10.0 (PTB 22.8's PollLimit): 1 to 12 options. Subclass or set to be stricter.
    POLL_MIN_OPTIONS = 1
    POLL_MAX_OPTIONS = 12
    MAX_TEXT_LENGTH = 4096

    def __init__(
        self,
        token: str = "123:ABC",
        *,
        bot_username: str = "entraide_test_bot",
        bot_first_name: str = "Entraide",
        can_join_groups: bool = True,
        can_read_all_group_messages: bool = False,
        supports_inline_queries: bool = False,
        clock: Callable[[], float | datetime] | None = None,
    ) -> None:
        self.token = token
        head = token.split(":", 1)[0]
        self.bot_id = int(head) if head.isdigit() else 123
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.can_join_groups = can_join_groups
        self.can_read_all_group_messages = can_read_all_group_messages
        self.supports_inline_queries = supports_inline_queries
        self._clock = clock or time.time

        self.base_url = ""  # set by start(): "http://127.0.0.1:PORT/bot"
        self.base_file_url = ""  # "http://127.0.0.1:PORT/file/bot"
        self.port = 0

        self.users: dict[int, FakeUser] = {}
        self.chats: dict[int, FakeChat] = {}
        self._messages: dict[int, list[FakeMessage]] = {}
        self.polls: dict[str, FakePoll] = {}
        self.all_requests: list[RecordedRequest] = []
        self.callback_answers: list[CallbackAnswer] = []
        self.callback_queries: dict[str, JSON] = {}  # id -> CallbackQuery sent to the bot
        self.chat_actions: list[tuple[int, str]] = []
        # (scope as canonical JSON, language_code) -> [{"command", "description"}].
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        self.bot_texts: dict[tuple[str, str], str] = {}  # (name|description|..., lang) -> text
        self.menu_buttons: dict[int | None, JSON] = {}
        self.webhook_url = ""
        self.webhook: JSON = {}
        # Telegram posts updates to the https URL given to setWebhook; on loopback there is no
        # TLS, so a test says where the front proxy would forward them (`deliver_webhooks_to`).
        self.webhook_target: str | None = None
        self.webhook_calls: list[tuple[int, int]] = []  # (update_id, HTTP status; 0: no answer)
        self.webhook_retry_delay = 0.2
        self._webhook_task: asyncio.Task[None] | None = None

        self.updates: list[JSON] = []  # every update enqueued, in order
        self.filtered_updates: list[JSON] = []  # not delivered: excluded by allowed_updates
        self.privacy_filtered: list[JSON] = []  # not delivered: privacy mode in a group
        self.allowed_updates: set[str] | None = None  # None: Telegram's default
        self._pending: list[_Queued] = []
        self._delivered_ids: set[int] = set()
        self._next_update_id = 700_000_001
        self._next_callback_id = 4_382_938_470_000_000_001
        self._next_poll_id = 5_379_893_429_383_381_001
        self._next_group_id = 4_000_000_001
        self._next_file = 1
        self.files: dict[str, tuple[JSON, bytes]] = {}  # file_id -> (File, content)
        self._faults: list[_Fault] = []
        self.server_errors: list[Exception] = []  # exceptions raised by this server's code
        self._poll_generation = 0
        self._changed = asyncio.Event()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._methods: dict[str, tuple[str, Callable[[_Params], Any]]] = {}
        for name in (
            "getMe",
            "logOut",
            "close",
            "setWebhook",
            "deleteWebhook",
            "getWebhookInfo",
            "getUpdates",
            "sendMessage",
            "editMessageText",
            "editMessageReplyMarkup",
            "deleteMessage",
            "deleteMessages",
            "answerCallbackQuery",
            "sendPoll",
            "stopPoll",
            "setMyCommands",
            "getMyCommands",
            "deleteMyCommands",
            "setMyName",
            "getMyName",
            "setMyDescription",
            "getMyDescription",
            "setMyShortDescription",
            "getMyShortDescription",
            "setChatMenuButton",
            "getChatMenuButton",
            "getChat",
            "getChatMember",
            "getChatMemberCount",
            "getChatAdministrators",
            "sendChatAction",
            "leaveChat",
            "getFile",
        ):
            self._methods[name.lower()] = (name, getattr(self, f"_m_{name}"))

    # --- life cycle ---------------------------------------------------------------------

    @classmethod
    async def start(
        cls, token: str = "123:ABC", host: str = "127.0.0.1", port: int = 0, **options: Any
    ) -> FakeBotApi:
        """Start a server; `options` are the constructor's (bot_username, clock...)."""
        api = cls(token, **options)
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", api._handle)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", api._handle_file)
        runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        api._runner = runner
        api.port = runner.addresses[0][1]
        root = f"http://{host}:{api.port}"
        api.base_url = f"{root}/bot"
        api.base_file_url = f"{root}/file/bot"
        return api

    async def stop(self) -> None:
        """Wake pending long polls and stop serving."""
        self._closing = True
        self._notify()
        if self._webhook_task is not None:
            await asyncio.gather(self._webhook_task, return_exceptions=True)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotApi:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # --- the people ---------------------------------------------------------------------

    def user(
        self,
        id: int,
        first_name: str,
        language_code: str | None = "fr",
        username: str | None = None,
        *,
        last_name: str | None = None,
        started: bool = False,
    ) -> FakeUser:
        """A person; `started`: as if they had already talked to the bot."""
        person = FakeUser(id, first_name, language_code, username, last_name)
        self.users[id] = person
        chat = self.chats.get(id)
        if chat is None:
            chat = FakeChat(
                id, "private", first_name=first_name, last_name=last_name, username=username
            )
            self.chats[id] = chat
            self._messages[id] = []
        chat.started = chat.started or started
        return person

    def group(
        self,
        id: int | None = None,
        title: str = "Entraide du quartier",
        type: str = "group",
        *,
        username: str | None = None,
    ) -> FakeChat:
        """A group ("group", "supergroup" or "channel"); the bot is not in it yet."""
        if id is None:
            number = self._next_group_id
            self._next_group_id += 1
            id = -number if type == "group" else -(1_000_000_000_000 + number)
        chat = FakeChat(id, type, title=title, username=username, bot_status="left")
        self.chats[id] = chat
        self._messages[id] = []
        return chat

    def private_text(
        self, user: FakeUser, text: str, *, reply_to: FakeMessage | JSON | None = None
    ) -> JSON:
        """The user writes `text` to the bot in private; returns the update."""
        return self._user_message(user, self._private(user), {"text": text}, reply_to)

    def command(
        self,
        user: FakeUser,
        command: str,
        args: str | None = None,
        *,
        chat: FakeChat | None = None,
        mention: bool = False,
    ) -> JSON | None:
        """`/start CODE` from the user (in private, or in `chat`), with its bot_command entity.

        `mention`: written "/start@bot_username", as Telegram clients do in groups."""
        name = command if command.startswith("/") else f"/{command}"
        if mention:
            name = f"{name}@{self.bot_username}"
        text = name if args is None else f"{name} {args}"
        if chat is None or chat.is_private:
            return self._user_message(user, self._private(user), {"text": text}, None)
        return self.group_text(chat, user, text)

    def group_text(
        self,
        chat: FakeChat | int,
        user: FakeUser,
        text: str,
        *,
        reply_to: FakeMessage | JSON | None = None,
    ) -> JSON | None:
        """`user` writes in a group; None when privacy mode hides it from the bot."""
        group = self._group_with_bot(chat, user)
        return self._user_message(user, group, {"text": text}, reply_to)

    def edit_text(self, user: FakeUser, message: FakeMessage | JSON, text: str) -> JSON:
        """The user edits one of their messages: an edited_message update."""
        msg = self._lookup(message)
        if msg.from_bot or msg.sender["id"] != user.id:
            raise ValueError("people can only edit their own messages")
        msg.history.append(self._version(msg))
        msg.text, msg.source_text = text, text
        msg.entities = _detect_entities(text)
        msg.edit_date = self._now()
        return self._enqueue({"edited_message": self._message_json(msg)})

    def voice(
        self,
        user: FakeUser,
        *,
        duration: int = 3,
        chat: FakeChat | None = None,
        content: bytes = b"OggS\x00fake voice",
    ) -> JSON | None:
        """A voice message from the user (private, or in `chat`); getFile can fetch it."""
        number = self._next_file
        self._next_file += 1
        file_id = f"AwACAgQAAxkBAAI{number:08d}voice"
        unique = f"AgAD{number:06d}"
        voice = {
            "file_id": file_id,
            "file_unique_id": unique,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": len(content),
        }
        self.files[file_id] = (
            {
                "file_id": file_id,
                "file_unique_id": unique,
                "file_size": len(content),
                "file_path": f"voice/file_{number}.oga",
            },
            content,
        )
        target = self._private(user) if chat is None else self._group_with_bot(chat, user)
        return self._user_message(user, target, {"voice": voice}, None)

    def press(
        self,
        user: FakeUser,
        message: FakeMessage | JSON | tuple[int, int],
        callback_data: str,
        *,
        check: bool = True,
    ) -> JSON:
        """`user` presses the inline button carrying `callback_data` under a bot's message.

        `check`: refuse (ValueError) a button that the message does not show (any more)."""
        msg = self._lookup(message)
        if msg.deleted:
            raise ValueError("the message was deleted")
        if check and callback_data not in msg.callback_data:
            raise ValueError(f"no button with data {callback_data!r}: {msg.callback_data}")
        chat = self.chats[msg.chat_id]
        if chat.is_private:
            chat.started = True
        else:
            chat.members.setdefault(user.id, "member")
        query_id = str(self._next_callback_id)
        self._next_callback_id += 1
        query = {
            "id": query_id,
            "from": user.to_json(),
            "message": self._message_json(msg),
            "chat_instance": str((msg.chat_id * 2_654_435_761) % 10**19),
            "data": callback_data,
        }
        self.callback_queries[query_id] = query
        return self._enqueue({"callback_query": query})

    def answer_poll(
        self,
        user: FakeUser,
        poll: FakePoll | FakeMessage | str,
        option_ids: Iterable[int],
        *,
        poll_update: bool = False,
    ) -> JSON | None:
        """`user` votes (empty list: retracts). A poll_answer update for non-anonymous polls;
        None for anonymous ones (their counts reach the bot by `poll_update`).
        `poll_update`: also send the poll's new state, as Telegram does for the bot's polls."""
        state = self._poll(poll)
        chosen = sorted(set(option_ids))
        if state.is_closed:
            raise ValueError("the poll is closed")
        if any(not 0 <= option < len(state.options) for option in chosen):
            raise ValueError(f"no such option in {chosen}")
        if len(chosen) > 1 and not state.allows_multiple_answers:
            raise ValueError("this poll allows a single answer")
        if state.votes.get(user.id) and not state.allows_revoting:
            raise ValueError("this poll does not allow changing one's vote")
        if chosen:
            state.votes[user.id] = chosen
        else:
            state.votes.pop(user.id, None)
        state.override_counts = None
        update = None
        if not state.is_anonymous:
            update = self._enqueue(
                {
                    "poll_answer": {
                        "poll_id": state.id,
                        "user": user.to_json(),
                        "option_ids": chosen,
                        "option_persistent_ids": [
                            state.options[i]["persistent_id"] for i in chosen
                        ],
                    }
                }
            )
        if poll_update:
            self.poll_update(state)
        return update

    def poll_update(
        self, poll: FakePoll | FakeMessage | str, *, voter_counts: list[int] | None = None
    ) -> JSON:
        """A `poll` update with the poll's current state; `voter_counts` sets the counts."""
        state = self._poll(poll)
        if voter_counts is not None:
            if len(voter_counts) != len(state.options):
                raise ValueError("one count per option")
            state.override_counts = list(voter_counts)
        return self._enqueue({"poll": state.to_json()})

    def block(self, user: FakeUser, *, notify: bool = True) -> JSON | None:
        """The user blocks the bot: sending to them gives 403; my_chat_member "kicked"."""
        chat = self._private(user, start=False)
        old = chat.bot_status
        chat.bot_status = "kicked"
        if notify:
            return self._my_chat_member(chat, user, old, "kicked")
        return None

    def unblock(self, user: FakeUser, *, notify: bool = True) -> JSON | None:
        chat = self._private(user, start=False)
        old = chat.bot_status
        chat.bot_status = "member"
        if notify:
            return self._my_chat_member(chat, user, old, "member")
        return None

    def deactivate(self, user: FakeUser) -> None:
        """The user deletes their account: 403 "user is deactivated"."""
        self._private(user, start=False).deactivated = True

    def add_bot_to_group(
        self,
        chat: FakeChat | int,
        by_user: FakeUser,
        *,
        status: str = "member",
        service_message: bool = True,
    ) -> JSON:
        """`by_user` adds the bot: a my_chat_member update (returned), then, like Telegram,
        a message with new_chat_members (unless `service_message` is false)."""
        group = self._chat(chat)
        old = group.bot_status
        group.bot_status = status
        group.members.setdefault(by_user.id, "member")
        update = self._my_chat_member(group, by_user, old, status)
        if service_message:
            bot = self._bot_json()
            self._user_message(
                by_user,
                group,
                {"new_chat_members": [bot]},
                None,
            )
        return update

    def remove_bot_from_group(self, chat: FakeChat | int, by_user: FakeUser) -> JSON:
        group = self._chat(chat)
        old = group.bot_status
        group.bot_status = "kicked"
        return self._my_chat_member(group, by_user, old, "kicked")

    def set_member_status(self, chat: FakeChat | int, user: FakeUser, status: str) -> None:
        """For getChatMember: "creator", "administrator", "member", "restricted", "left",
        "kicked"."""
        self._chat(chat).members[user.id] = status

    def migrate_to_supergroup(self, chat: FakeChat | int) -> FakeChat:
        """The group becomes a supergroup: the old id answers 400 with migrate_to_chat_id."""
        old = self._chat(chat)
        new = self.group(title=old.title or "", type="supergroup", username=old.username)
        new.bot_status, new.members = old.bot_status, dict(old.members)
        old.migrated_to = new.id
        self._service(old, {"migrate_to_chat_id": new.id})
        self._service(new, {"migrate_from_chat_id": old.id})
        return new

    def inject(self, update: JSON) -> JSON:
        """Enqueue any update (a dict without update_id, or whose update_id is replaced)."""
        payload = {k: v for k, v in update.items() if k != "update_id"}
        return self._enqueue(payload)

    def duplicate_last_update(self) -> JSON:
        """Send again the last update, same update_id, even if the bot confirmed it."""
        if not self.updates:
            raise ValueError("no update yet")
        update = self.updates[-1]
        self._pending.append(_Queued(update, forced=True))
        self._notify()
        return update

    # --- what the bot did ---------------------------------------------------------------

    def sent(self, chat: int | FakeUser | FakeChat) -> list[FakeMessage]:
        """The bot's messages in a chat, oldest first (deleted ones too: see `.deleted`)."""
        return [m for m in self._messages.get(self._chat_id(chat), []) if m.from_bot]

    def last_sent(self, chat: int | FakeUser | FakeChat) -> FakeMessage | None:
        alive = [m for m in self.sent(chat) if not m.deleted]
        return alive[-1] if alive else None

    def messages(self, chat: int | FakeUser | FakeChat) -> list[FakeMessage]:
        """Every message in a chat, both ways."""
        return list(self._messages.get(self._chat_id(chat), []))

    def requests(self, method: str) -> list[RecordedRequest]:
        key = method.lower()
        return [r for r in self.all_requests if r.method.lower() == key]

    @property
    def unanswered_callbacks(self) -> list[str]:
        answered = {a.callback_query_id for a in self.callback_answers}
        return [q for q in self.callback_queries if q not in answered]

    def command_names(self, scope: JSON | None = None, language_code: str = "") -> set[str]:
        key = (_scope_key(scope or {"type": "default"}), language_code)
        return {c["command"] for c in self.commands.get(key, [])}

    def poll_of(self, message: FakeMessage | JSON) -> FakePoll:
        msg = self._lookup(message)
        if msg.poll_id is None:
            raise ValueError("not a poll")
        return self.polls[msg.poll_id]

    @property
    def pending_updates(self) -> list[JSON]:
        """Updates not confirmed yet by the bot."""
        return [q.update for q in self._pending]

    # --- waiting ------------------------------------------------------------------------

    async def wait_until(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        """Wait until `predicate()` is truthy; return its value (TimeoutError after `timeout`)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            value = predicate()
            if value:
                return value
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"condition not met within {timeout} s")
            # Re-checked after each request, and every 50 ms for conditions outside the server.
            await self._wait_change(min(remaining, 0.05))

    async def wait_sent(
        self, chat: int | FakeUser | FakeChat, count: int = 1, timeout: float = 5.0
    ) -> list[FakeMessage]:
        """The bot's messages in `chat` once there are at least `count`."""
        await self.wait_until(lambda: len(self.sent(chat)) >= count, timeout)
        return self.sent(chat)

    async def wait_requests(
        self, method: str, count: int = 1, timeout: float = 5.0
    ) -> list[RecordedRequest]:
        """Answered requests of `method` once there are at least `count`."""

        def done() -> list[RecordedRequest]:
            return [r for r in self.requests(method) if r.status is not None]

        await self.wait_until(lambda: len(done()) >= count, timeout)
        return done()

    async def wait_delivered(self, timeout: float = 5.0) -> None:
        """Until getUpdates has handed out every update enqueued so far."""
        wanted = {q.update["update_id"] for q in self._pending}
        await self.wait_until(lambda: wanted <= self._delivered_ids, timeout)

    async def wait_confirmed(self, timeout: float = 5.0) -> None:
        """Until the bot has confirmed (by offset) every update enqueued so far."""
        await self.wait_until(lambda: not self._pending, timeout)

    # --- faults -------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        status: int = 429,
        retry_after: int = 2,
        count: int = 1,
        description: str | None = None,
        *,
        chat_id: int | None = None,
    ) -> None:
        """The next `count` calls of `method` ("*": any) fail without effect: 429 with
        retry_after, 502 as an HTML page from the front proxy, or any other status with
        `description`. With `chat_id`, only calls about that chat fail."""
        self._faults.append(
            _Fault(
                "fail", method.lower(), count, status, retry_after, description, chat_id=chat_id
            )
        )

    def drop_next(
        self,
        method: str,
        count: int = 1,
        before_processing: bool = True,
        *,
        chat_id: int | None = None,
    ) -> None:
        """Close the connection without answering: before processing (nothing happened) or
        after (done, e.g. the message delivered, but the client never hears)."""
        self._faults.append(
            _Fault(
                "drop", method.lower(), count, before_processing=before_processing, chat_id=chat_id
            )
        )

    def delay_next(
        self,
        method: str,
        seconds: float,
        count: int = 1,
        before_processing: bool = True,
        *,
        chat_id: int | None = None,
    ) -> None:
        """Answer late (to make the client time out). The call is processed all the same,
        after the delay (`before_processing`) or at once with a late answer."""
        self._faults.append(
            _Fault(
                "delay",
                method.lower(),
                count,
                before_processing=before_processing,
                seconds=seconds,
                chat_id=chat_id,
            )
        )

    def malformed_next(self, method: str, count: int = 1, *, chat_id: int | None = None) -> None:
        """Answer with bytes that are not HTTP (a broken proxy), without effect: the client
        fails to parse the answer (aiohttp's error then quotes the URL, token included)."""
        self._faults.append(_Fault("malformed", method.lower(), count, chat_id=chat_id))

    def clear_faults(self) -> None:
        self._faults.clear()

    # --- HTTP ---------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.json_response(ApiError(401, "Unauthorized").body(), status=401)
        requested = request.match_info["method"]
        key = requested.lower()
        known = self._methods.get(key)
        record = RecordedRequest(
            method=known[0] if known else requested,
            params={},
            time=time.monotonic(),
            http_method=request.method,
        )
        self.all_requests.append(record)
        try:
            try:
                record.params, record.files = await _read_params(request)
            except ApiError as error:
                return self._answer(record, error.body(), error.code)
            fault = self._take_fault(key, record.params)
            if fault and fault.kind == "fail":
                return self._fail(record, fault)
            if fault and fault.kind == "malformed":
                return self._malformed(request, record)
            if fault and fault.before_processing:
                if fault.kind == "drop":
                    return self._drop(request, record)
                await asyncio.sleep(fault.seconds)
            if known is None:
                error = ApiError(404, "Not Found: method not found")
                body, status = error.body(), error.code
            else:
                try:
                    result = await known[1](_Params(record.params, request))
                    body, status = {"ok": True, "result": result}, 200
                except ApiError as error:
                    body, status = error.body(), error.code
                except Exception as exc:  # a bug here: answer 500 and keep it for the test
                    self.server_errors.append(exc)
                    error = ApiError(500, f"Internal Server Error: {exc!r}")
                    body, status = error.body(), error.code
            if fault and not fault.before_processing:
                if fault.kind == "drop":
                    record.response = body
                    return self._drop(request, record)
                await asyncio.sleep(fault.seconds)
            return self._answer(record, body, status)
        finally:
            self._notify()

    def _answer(self, record: RecordedRequest, body: JSON, status: int) -> web.Response:
        record.status, record.response = status, body
        return web.json_response(body, status=status)

    def _fail(self, record: RecordedRequest, fault: _Fault) -> web.Response:
        if fault.status == 502:
            record.status = 502
            html = (
                "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
                "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0"
                "</center>\r\n</body>\r\n</html>\r\n"
            )
            return web.Response(text=html, status=502, content_type="text/html")
        if fault.status == 429:
            error = ApiError(
                429,
                fault.description or f"Too Many Requests: retry after {fault.retry_after}",
                {"retry_after": fault.retry_after},
            )
        else:
            error = ApiError(fault.status, fault.description or _default_description(fault.status))
        return self._answer(record, error.body(), error.code)

    @staticmethod
    def _drop(request: web.Request, record: RecordedRequest) -> web.Response:
        record.status = 0
        if request.transport is not None:
            request.transport.abort()
        return web.Response(status=204)

    @staticmethod
    def _malformed(request: web.Request, record: RecordedRequest) -> web.Response:
        record.status = 0
        if request.transport is not None:
            request.transport.write(b"not http at all\r\n\r\n")
            request.transport.close()
        return web.Response(status=204)

    def _take_fault(self, key: str, params: JSON | None = None) -> _Fault | None:
        for fault in self._faults:
            if fault.chat_id is not None and str((params or {}).get("chat_id")) != str(
                fault.chat_id
            ):
                continue
            if fault.method in (key, "*"):
                fault.count -= 1
                if fault.count <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.json_response(ApiError(401, "Unauthorized").body(), status=401)
        path = request.match_info["path"]
        for info, content in self.files.values():
            if info["file_path"] == path:
                return web.Response(body=content, content_type="application/octet-stream")
        return web.json_response(ApiError(404, "Not Found").body(), status=404)

    # --- internals: chats, messages, updates --------------------------------------------

    def _now(self) -> int:
        value = self._clock()
        return int(value.timestamp() if isinstance(value, datetime) else value)

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait_change(self, timeout: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), timeout)

    def _bot_json(self) -> JSON:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    @staticmethod
    def _chat_id(chat: int | FakeUser | FakeChat) -> int:
        return chat if isinstance(chat, int) else chat.id

    def _chat(self, chat: int | FakeChat) -> FakeChat:
        found = self.chats.get(self._chat_id(chat))
        if found is None:
            raise ValueError(f"unknown chat {chat!r}")
        return found

    def _private(self, user: FakeUser, *, start: bool = True) -> FakeChat:
        if user.id not in self.users:
            self.user(user.id, user.first_name, user.language_code, user.username)
        chat = self.chats[user.id]
        if start:
            chat.started = True
        return chat

    def _group_with_bot(self, chat: FakeChat | int, user: FakeUser) -> FakeChat:
        group = self._chat(chat)
        if group.bot_status not in ("member", "administrator"):
            raise ValueError(f"the bot is not in {group.title!r}: add_bot_to_group first")
        group.members.setdefault(user.id, "member")
        return group

    def _lookup(self, ref: Any) -> FakeMessage:
        """A FakeMessage from itself, a Message dict, an update, (chat_id, message_id) or a
        PTB Message."""
        if isinstance(ref, FakeMessage):
            return ref
        if hasattr(ref, "message_id") and hasattr(ref, "chat"):
            ref = (ref.chat.id, ref.message_id)
        if isinstance(ref, tuple):
            chat_id, message_id = ref
        else:
            body = ref.get("message", ref) if "update_id" in ref else ref
            chat_id, message_id = body["chat"]["id"], body["message_id"]
        found = self._find(chat_id, message_id)
        if found is None:
            raise ValueError(f"no message {message_id} in chat {chat_id}")
        return found

    def _find(self, chat_id: int, message_id: int | None) -> FakeMessage | None:
        for msg in self._messages.get(chat_id, []):
            if msg.message_id == message_id:
                return msg
        return None

    def _poll(self, poll: FakePoll | FakeMessage | str) -> FakePoll:
        if isinstance(poll, FakePoll):
            return poll
        if isinstance(poll, FakeMessage):
            return self.poll_of(poll)
        if poll not in self.polls:
            raise ValueError(f"unknown poll {poll!r}")
        return self.polls[poll]

    def _new_message(self, chat: FakeChat, **fields: Any) -> FakeMessage:
        msg = FakeMessage(chat_id=chat.id, message_id=chat.next_message_id, **fields)
        chat.next_message_id += 1
        self._messages.setdefault(chat.id, []).append(msg)
        return msg

    def _message_json(self, msg: FakeMessage, *, nested: bool = False) -> JSON:
        data: JSON = {
            "message_id": msg.message_id,
            "from": msg.sender,
            "chat": self.chats[msg.chat_id].to_json(),
            "date": msg.date,
        }
        if msg.edit_date is not None:
            data["edit_date"] = msg.edit_date
        if msg.reply_to is not None and not nested:
            data["reply_to_message"] = self._message_json(msg.reply_to, nested=True)
        if msg.text is not None:
            data["text"] = msg.text
            if msg.entities:
                data["entities"] = msg.entities
        if msg.poll_id is not None:
            data["poll"] = self.polls[msg.poll_id].to_json()
        data.update(msg.extra)
        if msg.reply_markup is not None:
            data["reply_markup"] = msg.reply_markup
        return data

    @staticmethod
    def _version(msg: FakeMessage) -> JSON:
        return {
            "text": msg.text,
            "entities": msg.entities,
            "reply_markup": msg.reply_markup,
            "date": msg.edit_date or msg.date,
        }

    def _user_message(
        self,
        user: FakeUser,
        chat: FakeChat,
        content: JSON,
        reply_to: FakeMessage | JSON | None,
    ) -> JSON | None:
        text = content.get("text")
        if text is not None and not 1 <= len(text) <= self.MAX_TEXT_LENGTH:
            raise ValueError("Telegram clients send 1 to 4096 characters")
        target = self._lookup(reply_to) if reply_to is not None else None
        msg = self._new_message(
            chat,
            date=self._now(),
            from_bot=False,
            sender=user.to_json(),
            text=text,
            source_text=text,
            entities=_detect_entities(text) if text else [],
            reply_to=target,
            extra={k: v for k, v in content.items() if k != "text"},
        )
        if not chat.is_private and not self._bot_sees(msg):
            payload = {"message": self._message_json(msg)}
            self.privacy_filtered.append(payload)
            return None
        return self._enqueue({"message": self._message_json(msg)})

    def _bot_sees(self, msg: FakeMessage) -> bool:
        """Privacy mode: what a bot receives from a group."""
        if self.can_read_all_group_messages or _SERVICE_FIELDS & msg.extra.keys():
            return True
        if msg.reply_to is not None and msg.reply_to.from_bot:
            return True
        if msg.text is None:
            return False
        if f"@{self.bot_username}".lower() in msg.text.lower():
            return True
        match = _COMMAND_RE.match(msg.text)
        if match:
            _, _, target = match.group(0).partition("@")
            return not target or target.lower() == self.bot_username.lower()
        return False

    def _service(self, chat: FakeChat, fields: JSON) -> None:
        msg = self._new_message(
            chat, date=self._now(), from_bot=False, sender=self._bot_json(), extra=fields
        )
        self._enqueue({"message": self._message_json(msg)})

    def _my_chat_member(self, chat: FakeChat, by: FakeUser | None, old: str, new: str) -> JSON:
        bot = self._bot_json()
        return self._enqueue(
            {
                "my_chat_member": {
                    "chat": chat.to_json(),
                    "from": by.to_json() if by else bot,
                    "date": self._now(),
                    "old_chat_member": _chat_member(bot, old),
                    "new_chat_member": _chat_member(bot, new),
                }
            }
        )

    def _enqueue(self, payload: JSON) -> JSON:
        update = {"update_id": self._next_update_id, **payload}
        self._next_update_id += 1
        kind = next(k for k in payload if k != "update_id")
        allowed = (
            kind not in _DEFAULT_EXCLUDED_UPDATES
            if self.allowed_updates is None
            else kind in self.allowed_updates
        )
        if not allowed:
            self.filtered_updates.append(update)
            return update
        self.updates.append(update)
        self._pending.append(_Queued(update))
        self._notify()
        return update

    def _confirm(self, offset: int) -> None:
        if offset < 0:
            keep = self._pending[offset:] if -offset < len(self._pending) else self._pending
            self._pending = list(keep)
            return
        if offset:
            self._pending = [
                q
                for q in self._pending
                if q.update["update_id"] >= offset or (q.forced and not q.delivered)
            ]

    def _sendable_chat(self, params: _Params) -> FakeChat:
        """The chat a send* method targets, with Telegram's refusals."""
        chat = self._target_chat(params)
        if chat.migrated_to is not None:
            raise bad_request(
                "group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )
        if chat.is_private:
            if chat.deactivated:
                raise forbidden("user is deactivated")
            if chat.bot_status == "kicked":
                raise forbidden("bot was blocked by the user")
            if not chat.started:
                raise forbidden("bot can't initiate conversation with a user")
        elif chat.bot_status == "kicked":
            raise forbidden(f"bot was kicked from the {chat.type} chat")
        elif chat.bot_status == "left":
            raise forbidden(f"bot is not a member of the {chat.type} chat")
        return chat

    def _target_chat(self, params: _Params) -> FakeChat:
        value = params.raw.get("chat_id")
        if value is None or value == "":
            raise bad_request("chat_id is empty")
        chat: FakeChat | None = None
        if isinstance(value, str) and value.startswith("@"):
            wanted = value[1:].lower()
            chat = next(
                (c for c in self.chats.values() if (c.username or "").lower() == wanted), None
            )
        else:
            try:
                chat = self.chats.get(int(value))
            except (TypeError, ValueError):
                chat = None
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def _format(self, text: str, parse_mode: str | None, entities: Any) -> tuple[str, list[JSON]]:
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

    def _markup(self, params: _Params) -> tuple[JSON | None, JSON | None]:
        """(inline keyboard, other markup) from reply_markup, validated."""
        markup = params.json("reply_markup")
        if markup is None:
            return None, None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise bad_request(
                    "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
                )
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

    def _reply_target(self, chat: FakeChat, params: _Params) -> FakeMessage | None:
        reply = params.json("reply_parameters")
        message_id = params.int("reply_to_message_id")
        allow_missing = params.bool("allow_sending_without_reply")
        if isinstance(reply, dict):
            message_id = int(reply.get("message_id", 0))
            allow_missing = bool(reply.get("allow_sending_without_reply", allow_missing))
        if message_id is None:
            return None
        target = self._find(chat.id, message_id)
        if (target is None or target.deleted) and not allow_missing:
            raise bad_request("message to be replied not found")
        return target if target is not None and not target.deleted else None

    def _editable(self, params: _Params, missing: str) -> FakeMessage:
        if params.has("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")
        chat = self._target_chat(params)
        msg = self._find(chat.id, params.int("message_id"))
        if msg is None or msg.deleted:
            raise bad_request(missing)
        if not msg.from_bot:
            raise bad_request("message can't be edited")
        return msg

    # --- methods ------------------------------------------------------------------------

    async def _m_getMe(self, p: _Params) -> JSON:
        return {
            **self._bot_json(),
            "can_join_groups": self.can_join_groups,
            "can_read_all_group_messages": self.can_read_all_group_messages,
            "supports_inline_queries": self.supports_inline_queries,
            "can_connect_to_business": False,
            "has_main_web_app": False,
            "has_topics_enabled": False,
            "allows_users_to_create_topics": False,
        }

    async def _m_logOut(self, p: _Params) -> bool:
        return True

    async def _m_close(self, p: _Params) -> bool:
        return True

    async def _m_setWebhook(self, p: _Params) -> bool:
        url = p.str("url") or ""
        if url and not url.startswith("https://"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = p.str("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise bad_request("bad webhook: secret token contains unallowed characters")
        connections = p.int("max_connections", 40) or 40
        if not 1 <= connections <= 100:
            raise bad_request("bad webhook: max_connections must be between 1 and 100")
        if p.bool("drop_pending_updates"):
            self._pending.clear()
        self.webhook_url = url
        self.webhook = {
            "url": url,
            "allowed_updates": p.json("allowed_updates"),
            "secret_token": secret,
            "max_connections": connections,
        }
        if p.json("allowed_updates") is not None:
            self.allowed_updates = set(p.json("allowed_updates")) or None
        self._start_webhook_delivery()
        return True

    async def _m_deleteWebhook(self, p: _Params) -> bool:
        if p.bool("drop_pending_updates"):
            self._pending.clear()
        self.webhook_url = ""
        self.webhook = {}
        self._notify()
        return True

    # --- webhook delivery -----------------------------------------------------------------

    def deliver_webhooks_to(self, target: str) -> None:
        """Post webhook updates to `target` (http on loopback) instead of the https URL."""
        self.webhook_target = target
        self._start_webhook_delivery()

    def _start_webhook_delivery(self) -> None:
        if (
            self.webhook_url
            and self.webhook_target
            and (self._webhook_task is None or self._webhook_task.done())
        ):
            self._webhook_task = asyncio.create_task(self._deliver_webhooks())

    async def _deliver_webhooks(self) -> None:
        """Each pending update is posted until the bot answers 2xx, then it is confirmed.

        As Telegram does: at most `max_connections` at once, the secret token in the
        X-Telegram-Bot-Api-Secret-Token header, and a failed call repeated later.
        """
        in_flight: set[int] = set()
        resting: dict[int, float] = {}  # update_id -> time before which it is not retried
        loop = asyncio.get_running_loop()
        async with ClientSession(timeout=ClientTimeout(total=30)) as session:

            async def post(queued: _Queued) -> None:
                update_id = queued.update["update_id"]
                headers = {}
                if self.webhook.get("secret_token"):
                    headers["X-Telegram-Bot-Api-Secret-Token"] = self.webhook["secret_token"]
                status = 0
                try:
                    assert self.webhook_target is not None
                    async with session.post(
                        self.webhook_target, json=queued.update, headers=headers
                    ) as response:
                        status = response.status
                except (ClientError, TimeoutError):
                    pass
                self.webhook_calls.append((update_id, status))
                if 200 <= status < 300:
                    self._pending = [q for q in self._pending if q is not queued]
                    self._delivered_ids.add(update_id)
                else:
                    resting[update_id] = loop.time() + self.webhook_retry_delay
                in_flight.discard(update_id)
                self._notify()

            tasks: set[asyncio.Task[None]] = set()
            while self.webhook_url and self.webhook_target and not self._closing:
                now = loop.time()
                room = int(self.webhook.get("max_connections", 40)) - len(in_flight)
                for queued in list(self._pending):
                    update_id = queued.update["update_id"]
                    if room <= 0:
                        break
                    if update_id in in_flight or resting.get(update_id, 0) > now:
                        continue
                    in_flight.add(update_id)
                    resting.pop(update_id, None)
                    room -= 1
                    task = asyncio.create_task(post(queued))
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)
                wake = min((t for t in resting.values() if t > now), default=now + 1.0) - now
                await self._wait_change(max(min(wake, 1.0), 0.01))
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _m_getWebhookInfo(self, p: _Params) -> JSON:
        info: JSON = {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        if self.webhook_url and self.allowed_updates is not None:
            info["allowed_updates"] = sorted(self.allowed_updates)
        return info

    async def _m_getUpdates(self, p: _Params) -> list[JSON]:
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )
        offset = p.int("offset", 0) or 0
        limit = min(max(p.int("limit", 100) or 100, 1), 100)
        try:
            timeout = max(float(p.raw.get("timeout") or 0), 0.0)
        except (TypeError, ValueError):
            raise bad_request("invalid timeout specified") from None
        allowed = p.json("allowed_updates")
        if allowed is not None:
            # An empty list means Telegram's default set.
            self.allowed_updates = set(allowed) if allowed else None
        self._confirm(offset)
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()  # an older pending getUpdates ends with 409
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            batch = self._pending[:limit]
            if p.client_gone():
                return []  # the client gave up (e.g. PTB stopping): hand nothing out
            if batch or self._closing or loop.time() >= deadline:
                break
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only "
                    "one bot instance is running",
                )
            await self._wait_change(deadline - loop.time())
        for queued in batch:
            queued.delivered = True
            self._delivered_ids.add(queued.update["update_id"])
        return [queued.update for queued in batch]

    async def _m_sendMessage(self, p: _Params) -> JSON:
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

    async def _m_editMessageText(self, p: _Params) -> JSON:
        msg = self._editable(p, "message to edit not found")
        if msg.poll_id is not None or msg.text is None:
            raise bad_request("there is no text in the message to edit")
        source = p.str("text") or ""
        parse_mode = p.str("parse_mode")
        plain, entities = self._format(source, parse_mode, p.json("entities"))
        self._check_text(plain)
        inline, _ = self._markup(p)
        if plain == msg.text and entities == msg.entities and inline == msg.reply_markup:
            raise bad_request(_NOT_MODIFIED)
        msg.history.append(self._version(msg))
        msg.text, msg.entities, msg.source_text, msg.parse_mode = (
            plain,
            entities,
            source,
            parse_mode,
        )
        msg.reply_markup = inline
        msg.edit_date = self._now()
        return self._message_json(msg)

    async def _m_editMessageReplyMarkup(self, p: _Params) -> JSON:
        msg = self._editable(p, "message to edit not found")
        inline, _ = self._markup(p)
        if inline == msg.reply_markup:
            raise bad_request(_NOT_MODIFIED)
        msg.history.append(self._version(msg))
        msg.reply_markup = inline
        msg.edit_date = self._now()
        return self._message_json(msg)

    async def _m_deleteMessage(self, p: _Params) -> bool:
        chat = self._target_chat(p)
        msg = self._find(chat.id, p.int("message_id"))
        if msg is None or msg.deleted:
            raise bad_request("message to delete not found")
        if not msg.from_bot and not chat.is_private and chat.bot_status != "administrator":
            raise bad_request("message can't be deleted")
        msg.deleted = True
        return True

    async def _m_deleteMessages(self, p: _Params) -> bool:
        chat = self._target_chat(p)
        for message_id in p.json("message_ids", []):
            msg = self._find(chat.id, int(message_id))
            if msg is not None:
                msg.deleted = True
        return True

    async def _m_answerCallbackQuery(self, p: _Params) -> bool:
        query_id = p.str("callback_query_id") or ""
        query = self.callback_queries.get(query_id)
        answered = {a.callback_query_id for a in self.callback_answers}
        if query is None or query_id in answered:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        self.callback_answers.append(
            CallbackAnswer(
                callback_query_id=query_id,
                user_id=query["from"]["id"],
                data=query.get("data"),
                text=p.str("text"),
                show_alert=p.bool("show_alert"),
                url=p.str("url"),
                cache_time=p.int("cache_time", 0) or 0,
            )
        )
        return True

    async def _m_sendPoll(self, p: _Params) -> JSON:
        chat = self._sendable_chat(p)
        question, question_entities = self._format(
            p.str("question") or "", p.str("question_parse_mode"), p.json("question_entities")
        )
        if not question.strip():
            raise bad_request("poll question must be non-empty")
        if len(question) > 300:
            raise bad_request("poll question length must not exceed 300")
        raw_options = p.json("options")
        if not isinstance(raw_options, list):
            raise bad_request("can't parse options JSON object")
        texts = []
        for option in raw_options:
            text = option.get("text") if isinstance(option, dict) else option
            if not isinstance(text, str) or not text.strip():
                raise bad_request("poll options must be non-empty")
            if len(text) > 100:
                raise bad_request("poll options length must not exceed 100")
            texts.append(text)
        if len(texts) < self.POLL_MIN_OPTIONS:
            raise bad_request(f"poll must have at least {self.POLL_MIN_OPTIONS} option")
        if len(texts) > self.POLL_MAX_OPTIONS:
            raise bad_request(f"poll can't have more than {self.POLL_MAX_OPTIONS} options")
        if len(set(texts)) != len(texts):
            raise bad_request("POLL_OPTION_DUPLICATE")
        poll_type = p.str("type") or "regular"
        if poll_type not in ("regular", "quiz"):
            raise bad_request("poll type is invalid")
        is_anonymous = p.bool("is_anonymous", True)
        if chat.type == "channel" and not is_anonymous:
            raise bad_request("non-anonymous polls can't be sent to channel chats")
        correct = p.json("correct_option_ids")
        if correct is None and p.has("correct_option_id"):
            correct = [p.int("correct_option_id")]
        if poll_type == "quiz" and not correct:
            raise bad_request("quiz poll must have correct option")
        inline, other = self._markup(p)
        poll_id = str(self._next_poll_id)
        self._next_poll_id += 1
        msg = self._new_message(
            chat,
            date=self._now(),
            from_bot=True,
            sender=self._bot_json(),
            poll_id=poll_id,
            reply_markup=inline,
            other_markup=other,
            reply_to=self._reply_target(chat, p),
        )
        self.polls[poll_id] = FakePoll(
            id=poll_id,
            question=question,
            question_entities=question_entities,
            options=[
                {"persistent_id": f"{poll_id[-6:]}o{i}", "text": text}
                for i, text in enumerate(texts)
            ],
            is_anonymous=is_anonymous,
            type=poll_type,
            allows_multiple_answers=p.bool("allows_multiple_answers"),
            allows_revoting=p.bool("allows_revoting", poll_type == "regular"),
            members_only=p.bool("members_only"),
            chat_id=chat.id,
            message_id=msg.message_id,
            is_closed=p.bool("is_closed"),
            correct_option_ids=[int(c) for c in correct or []],
            explanation=p.str("explanation"),
            open_period=p.int("open_period"),
            close_date=p.int("close_date"),
        )
        return self._message_json(msg)

    async def _m_stopPoll(self, p: _Params) -> JSON:
        chat = self._target_chat(p)
        msg = self._find(chat.id, p.int("message_id"))
        if msg is None or msg.deleted or msg.poll_id is None:
            raise bad_request("message with poll to stop not found")
        if not msg.from_bot:
            raise bad_request("poll can't be stopped")
        poll = self.polls[msg.poll_id]
        if poll.is_closed:
            raise bad_request("poll has already been closed")
        inline, _ = self._markup(p)
        if p.has("reply_markup"):
            msg.reply_markup = inline
        poll.is_closed = True
        return poll.to_json()

    def _commands_key(self, p: _Params) -> tuple[str, str]:
        scope = p.json("scope") or {"type": "default"}
        valid = {
            "default",
            "all_private_chats",
            "all_group_chats",
            "all_chat_administrators",
            "chat",
            "chat_administrators",
            "chat_member",
        }
        if not isinstance(scope, dict) or scope.get("type") not in valid:
            raise bad_request("can't parse BotCommandScope JSON object")
        if scope["type"].startswith("chat"):
            self._target_chat(_Params({"chat_id": scope.get("chat_id")}))
        language = p.str("language_code") or ""
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise bad_request("invalid language code specified")
        return _scope_key(scope), language

    async def _m_setMyCommands(self, p: _Params) -> bool:
        commands = p.json("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad_request("too many commands specified")
        cleaned = []
        for item in commands:
            name = str(item.get("command", "")) if isinstance(item, dict) else ""
            description = str(item.get("description", "")) if isinstance(item, dict) else ""
            if not _BOT_COMMAND_NAME_RE.match(name):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": name, "description": description})
        key = self._commands_key(p)
        if cleaned:
            self.commands[key] = cleaned
        else:
            self.commands.pop(key, None)
        return True

    async def _m_getMyCommands(self, p: _Params) -> list[JSON]:
        return list(self.commands.get(self._commands_key(p), []))

    async def _m_deleteMyCommands(self, p: _Params) -> bool:
        self.commands.pop(self._commands_key(p), None)
        return True

    def _set_text(self, p: _Params, kind: str, limit: int) -> bool:
        text = p.str(kind) or ""
        if len(text) > limit:
            raise bad_request(f"{kind} is too long")
        self.bot_texts[(kind, p.str("language_code") or "")] = text
        return True

    def _get_text(self, p: _Params, kind: str) -> JSON:
        language = p.str("language_code") or ""
        text = self.bot_texts.get((kind, language), self.bot_texts.get((kind, ""), ""))
        if kind == "name" and not text:
            text = self.bot_first_name
        return {kind: text}

    async def _m_setMyName(self, p: _Params) -> bool:
        return self._set_text(p, "name", 64)

    async def _m_getMyName(self, p: _Params) -> JSON:
        return self._get_text(p, "name")

    async def _m_setMyDescription(self, p: _Params) -> bool:
        return self._set_text(p, "description", 512)

    async def _m_getMyDescription(self, p: _Params) -> JSON:
        return self._get_text(p, "description")

    async def _m_setMyShortDescription(self, p: _Params) -> bool:
        return self._set_text(p, "short_description", 120)

    async def _m_getMyShortDescription(self, p: _Params) -> JSON:
        return self._get_text(p, "short_description")

    async def _m_setChatMenuButton(self, p: _Params) -> bool:
        chat_id = self._target_chat(p).id if p.has("chat_id") else None
        self.menu_buttons[chat_id] = p.json("menu_button") or {"type": "default"}
        return True

    async def _m_getChatMenuButton(self, p: _Params) -> JSON:
        chat_id = self._target_chat(p).id if p.has("chat_id") else None
        return self.menu_buttons.get(chat_id, self.menu_buttons.get(None, {"type": "commands"}))

    async def _m_getChat(self, p: _Params) -> JSON:
        chat = self._target_chat(p)
        return {
            **chat.to_json(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    async def _m_getChatMember(self, p: _Params) -> JSON:
        chat = self._target_chat(p)
        user_id = p.int("user_id")
        if user_id == self.bot_id:
            status = "member" if chat.is_private else chat.bot_status
            return _chat_member(self._bot_json(), status)
        person = self.users.get(user_id or 0)
        if person is None:
            raise bad_request("user not found")
        if chat.is_private:
            if chat.id != person.id:
                raise bad_request("user not found")
            return _chat_member(person.to_json(), "member")
        return _chat_member(person.to_json(), chat.members.get(person.id, "left"))

    async def _m_getChatMemberCount(self, p: _Params) -> int:
        chat = self._target_chat(p)
        if chat.is_private:
            return 2
        present = [s for s in chat.members.values() if s not in ("left", "kicked")]
        return len(present) + (1 if chat.bot_status in ("member", "administrator") else 0)

    async def _m_getChatAdministrators(self, p: _Params) -> list[JSON]:
        chat = self._target_chat(p)
        if chat.is_private:
            raise bad_request("there are no administrators in the private chat")
        admins = [
            _chat_member(self.users[uid].to_json(), status)
            for uid, status in chat.members.items()
            if status in ("creator", "administrator") and uid in self.users
        ]
        if chat.bot_status == "administrator":
            admins.append(_chat_member(self._bot_json(), "administrator"))
        return admins

    async def _m_sendChatAction(self, p: _Params) -> bool:
        chat = self._sendable_chat(p)
        action = p.str("action") or ""
        if action not in _CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self.chat_actions.append((chat.id, action))
        return True

    async def _m_leaveChat(self, p: _Params) -> bool:
        chat = self._target_chat(p)
        if chat.is_private:
            raise bad_request("chat member status can't be changed in private chats")
        if chat.bot_status in ("left", "kicked"):
            raise forbidden(f"bot is not a member of the {chat.type} chat")
        old = chat.bot_status
        chat.bot_status = "left"
        self._my_chat_member(chat, None, old, "left")
        return True

    async def _m_getFile(self, p: _Params) -> JSON:
        found = self.files.get(p.str("file_id") or "")
        if found is None:
            raise bad_request("wrong file_id or the file is temporarily unavailable")
        return dict(found[0])


# --- helpers ---------------------------------------------------------------------------------


async def _read_params(request: web.Request) -> tuple[JSON, JSON]:
    """Query string and body (JSON, form or multipart), JSON-encoded values decoded."""
    raw: JSON = dict(request.query)
    files: JSON = {}
    if request.can_read_body:
        ctype = request.content_type
        if ctype == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise bad_request("can't parse JSON encoded request") from None
            if not isinstance(body, dict):
                raise bad_request("request body must be a JSON object")
            raw.update(body)
        elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for name, value in form.items():
                if isinstance(value, web.FileField):
                    content = value.file.read()
                    files[name] = {
                        "filename": value.filename,
                        "content_type": value.content_type,
                        "size": len(content),
                    }
                else:
                    raw[name] = value
        else:
            await request.read()
    params = {name: _decode(name, value) for name, value in raw.items()}
    return params, files


def _decode(name: str, value: Any) -> Any:
    if not isinstance(value, str) or name in _STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _detect_entities(text: str) -> list[JSON]:
    """The bot_command entities Telegram adds to what people write."""
    return [
        {
            "type": "bot_command",
            "offset": utf16_len(text[: m.start()]),
            "length": utf16_len(m.group(0)),
        }
        for m in _COMMAND_RE.finditer(text)
    ]


def _check_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise bad_request(
            "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
        )
    if not isinstance(button.get("text"), str) or not button["text"]:
        raise bad_request(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    if not any(action in button for action in _BUTTON_ACTIONS):
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode()) <= 64:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button and not _URL_RE.match(str(button["url"])):
        raise bad_request(
            f"inline keyboard button URL '{button['url']}' is invalid: Wrong HTTP URL"
        )


def _scope_key(scope: JSON) -> str:
    return json.dumps(scope, sort_keys=True, separators=(",", ":"))


def _chat_member(user: JSON, status: str) -> JSON:
    """A ChatMember object with the fields its status requires."""
    member: JSON = {"status": status, "user": user}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member.update(
            can_be_edited=False,
            is_anonymous=False,
            can_manage_chat=True,
            can_delete_messages=True,
            can_manage_video_chats=True,
            can_restrict_members=True,
            can_promote_members=False,
            can_change_info=True,
            can_invite_users=True,
            can_post_stories=False,
            can_edit_stories=False,
            can_delete_stories=False,
            can_pin_messages=True,
            can_manage_topics=False,
        )
    elif status == "restricted":
        member.update(
            is_member=True,
            can_send_messages=False,
            can_send_audios=False,
            can_send_documents=False,
            can_send_photos=False,
            can_send_videos=False,
            can_send_video_notes=False,
            can_send_voice_notes=False,
            can_send_polls=False,
            can_send_other_messages=False,
            can_add_web_page_previews=False,
            can_react_to_messages=False,
            can_change_info=False,
            can_invite_users=False,
            can_pin_messages=False,
            can_manage_topics=False,
            can_edit_tag=False,
            until_date=0,
        )
    elif status == "kicked":
        member["until_date"] = 0
    return member


def _default_description(status: int) -> str:
    return {
        400: "Bad Request",
        401: "Unauthorized",
        403: "Forbidden",
        404: "Not Found",
        409: "Conflict",
        500: "Internal Server Error",
    }.get(status, "Error")

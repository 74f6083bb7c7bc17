"""The recorded world: the bot, the people and chats, every message, and what the bot called.

`World` holds the state every part of the server shares, finds things in it, renders messages
as the Bot API's JSON, and lets a test read what the bot did and wait for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from .objects import CallbackAnswer, FakeChat, FakeMessage, FakePoll, FakeUser, RecordedRequest
from .protocol import JSON

ChatRef = int | FakeUser | FakeChat


class World:
    """The state of the server, shared by the mixins that implement the Bot API."""

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

        self.users: dict[int, FakeUser] = {}
        self.chats: dict[int, FakeChat] = {}
        self._messages: dict[int, list[FakeMessage]] = {}
        self.polls: dict[str, FakePoll] = {}
        self.all_requests: list[RecordedRequest] = []
        self.callback_answers: list[CallbackAnswer] = []
        self.callback_queries: dict[str, JSON] = {}  # id -> CallbackQuery sent to the bot
        self.server_errors: list[Exception] = []  # exceptions raised by this server's code
        self._changed = asyncio.Event()
        self._closing = False

    # --- what the bot did ----------------------------------------------------------------------

    def sent(self, chat: ChatRef) -> list[FakeMessage]:
        """The bot's messages in a chat, oldest first."""
        return [m for m in self._messages.get(self._chat_id(chat), []) if m.from_bot]

    def last_sent(self, chat: ChatRef) -> FakeMessage | None:
        """The bot's latest message in a chat."""
        sent = self.sent(chat)
        return sent[-1] if sent else None

    def requests(self, method: str) -> list[RecordedRequest]:
        """The bot's calls of `method` (any spelling), oldest first."""
        key = method.lower()
        return [r for r in self.all_requests if r.method.lower() == key]

    @property
    def unanswered_callbacks(self) -> list[str]:
        """Ids of button presses the bot has not answered (answerCallbackQuery)."""
        answered = {a.callback_query_id for a in self.callback_answers}
        return [q for q in self.callback_queries if q not in answered]

    def poll_of(self, message: FakeMessage | JSON) -> FakePoll:
        """The poll shown by a message of the bot."""
        msg = self._lookup(message)
        if msg.poll_id is None:
            raise ValueError("not a poll")
        return self.polls[msg.poll_id]

    # --- waiting -------------------------------------------------------------------------------

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
        self, chat: ChatRef, count: int = 1, timeout: float = 5.0
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

    def _notify(self) -> None:
        """Wake whoever waits for a change (a request answered, an update enqueued...)."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait_change(self, timeout: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), timeout)

    # --- finding things ------------------------------------------------------------------------

    def _now(self) -> int:
        value = self._clock()
        return int(value.timestamp() if isinstance(value, datetime) else value)

    def _bot_json(self) -> JSON:
        """The bot as a User object."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    @staticmethod
    def _chat_id(chat: ChatRef) -> int:
        return chat if isinstance(chat, int) else chat.id

    def _chat(self, chat: int | FakeChat) -> FakeChat:
        found = self.chats.get(self._chat_id(chat))
        if found is None:
            raise ValueError(f"unknown chat {chat!r}")
        return found

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

    # --- messages ------------------------------------------------------------------------------

    def _new_message(self, chat: FakeChat, **fields: Any) -> FakeMessage:
        """A message in `chat`, with the chat's next message id."""
        msg = FakeMessage(chat_id=chat.id, message_id=chat.next_message_id, **fields)
        chat.next_message_id += 1
        self._messages.setdefault(chat.id, []).append(msg)
        return msg

    def _message_json(self, msg: FakeMessage, *, nested: bool = False) -> JSON:
        """The Message object (a replied-to message is nested one level only, as Telegram)."""
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

"""The people around the bot, played by the test: they write, press buttons, block the bot,
add it to groups. Each action becomes the update Telegram would send the bot.

Faithful details (each is what Telegram does):
- Any helper that sends from a user starts their private chat (the bot may then write to
  them); `user(..., started=True)` does it at once.
- Groups: the bot must be added (`add_bot_to_group`) before it can write or receive. In privacy
  mode (the default) the bot receives from groups only commands, replies to its own messages,
  mentions of it and service messages: `group_text` returns None for what the bot would not see.
"""

from __future__ import annotations

import re
from typing import Any

from ..formatting import utf16_len
from .objects import FakeChat, FakeMessage, FakeUser, chat_member
from .protocol import JSON
from .updates import UpdateQueue

_COMMAND = re.compile(r"(?:(?<=\s)|^)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")
# Service messages, which a bot in privacy mode receives all the same.
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


class People(UpdateQueue):
    """The test's side: people and groups, and what they do."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._next_callback_id = 4_382_938_470_000_000_001
        self._next_group_id = 4_000_000_001
        self._next_file = 1
        # Every file a person sent: the bot may send it again by its id (`media.py`).
        self.files: dict[str, tuple[str, JSON]] = {}

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
        update = self._user_message(user, self._private(user), {"text": text}, reply_to)
        assert update is not None  # the bot sees everything in private
        return update

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

    def voice(
        self,
        user: FakeUser,
        *,
        duration: int = 3,
        chat: FakeChat | None = None,
        content: bytes = b"OggS\x00fake voice",
    ) -> JSON | None:
        """A voice message from the user (private, or in `chat`) of `content`'s size.

        The bot downloads no file: the server serves none (no getFile)."""
        number = self._next_file
        self._next_file += 1
        voice = {
            "file_id": f"AwACAgQAAxkBAAI{number:08d}voice",
            "file_unique_id": f"AgAD{number:06d}",
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": len(content),
        }
        self.files[voice["file_id"]] = ("voice", voice)
        target = self._private(user) if chat is None else self._group_with_bot(chat, user)
        return self._user_message(user, target, {"voice": voice}, None)

    def audio(
        self,
        user: FakeUser,
        *,
        duration: int = 30,
        title: str = "memo",
        content: bytes = b"ID3\x04fake audio",
    ) -> JSON | None:
        """An audio file (a memo recorded by another app) from the user, privately."""
        number = self._next_file
        self._next_file += 1
        audio = {
            "file_id": f"CQACAgQAAxkBAAI{number:08d}audio",
            "file_unique_id": f"AgAD{number:06d}",
            "duration": duration,
            "title": title,
            "mime_type": "audio/mpeg",
            "file_size": len(content),
        }
        self.files[audio["file_id"]] = ("audio", audio)
        return self._user_message(user, self._private(user), {"audio": audio}, None)

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

    def block(self, user: FakeUser, *, notify: bool = True) -> JSON | None:
        """The user blocks the bot: sending to them gives 403; my_chat_member "kicked"."""
        chat = self._private(user, start=False)
        old = chat.bot_status
        chat.bot_status = "kicked"
        if notify:
            return self._my_chat_member(chat, user, old, "kicked")
        return None

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
            self._user_message(by_user, group, {"new_chat_members": [self._bot_json()]}, None)
        return update

    def set_member_status(self, chat: FakeChat | int, user: FakeUser, status: str) -> None:
        """For getChatMember: "creator", "administrator", "member", "restricted", "left",
        "kicked"."""
        self._chat(chat).members[user.id] = status

    # --- internals -----------------------------------------------------------------------------

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

    def _user_message(
        self, user: FakeUser, chat: FakeChat, content: JSON, reply_to: FakeMessage | JSON | None
    ) -> JSON | None:
        """A message from `user` in `chat`: its update, or None if privacy mode hides it."""
        text = content.get("text")
        if text is not None and not 1 <= len(text) <= self.MAX_TEXT_LENGTH:
            raise ValueError("Telegram clients send 1 to 4096 characters")
        msg = self._new_message(
            chat,
            date=self._now(),
            from_bot=False,
            sender=user.to_json(),
            text=text,
            source_text=text,
            entities=_detect_entities(text) if text else [],
            reply_to=self._lookup(reply_to) if reply_to is not None else None,
            extra={k: v for k, v in content.items() if k != "text"},
        )
        if not chat.is_private and not self._bot_sees(msg):
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
        match = _COMMAND.match(msg.text)
        if match:
            _, _, target = match.group(0).partition("@")
            return not target or target.lower() == self.bot_username.lower()
        return False

    def _my_chat_member(self, chat: FakeChat, by: FakeUser, old: str, new: str) -> JSON:
        """The update telling the bot its status in `chat` changed."""
        bot = self._bot_json()
        change = {
            "chat": chat.to_json(),
            "from": by.to_json(),
            "date": self._now(),
            "old_chat_member": chat_member(bot, old),
            "new_chat_member": chat_member(bot, new),
        }
        return self._enqueue({"my_chat_member": change})


def _detect_entities(text: str) -> list[JSON]:
    """The bot_command entities Telegram adds to what people write."""
    return [
        {
            "type": "bot_command",
            "offset": utf16_len(text[: m.start()]),
            "length": utf16_len(m.group(0)),
        }
        for m in _COMMAND.finditer(text)
    ]

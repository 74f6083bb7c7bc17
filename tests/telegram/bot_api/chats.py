"""Chats as the bot addresses them: which chat a call means, who may be written to, and
getChatMember.

Faithful details (each is what Telegram does): a private chat can be written to only once its
user has talked to the bot, else 403 "bot can't initiate conversation with a user"; after the
user blocked the bot, 403 "bot was blocked by the user"; in a group the bot must be a member.
"""

from __future__ import annotations

from .objects import FakeChat, chat_member
from .protocol import JSON, Params, api_method, bad_request, forbidden
from .state import World


class Chats(World):
    """Resolving `chat_id`, Telegram's refusals to write, and getChatMember."""

    def _target_chat(self, params: Params) -> FakeChat:
        """The chat named by `chat_id` (an id, or "@username" of a public chat)."""
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

    def _sendable_chat(self, params: Params) -> FakeChat:
        """The chat a send* method targets, with Telegram's refusals."""
        chat = self._target_chat(params)
        if chat.is_private:
            if chat.bot_status == "kicked":
                raise forbidden("bot was blocked by the user")
            if not chat.started:
                raise forbidden("bot can't initiate conversation with a user")
        elif chat.bot_status == "kicked":
            raise forbidden(f"bot was kicked from the {chat.type} chat")
        elif chat.bot_status == "left":
            raise forbidden(f"bot is not a member of the {chat.type} chat")
        return chat

    @api_method("getChatMember")
    async def _get_chat_member(self, p: Params) -> JSON:
        """A user's membership of a chat: their status there (set by `set_member_status`)."""
        chat = self._target_chat(p)
        user_id = p.int("user_id")
        if user_id == self.bot_id:
            status = "member" if chat.is_private else chat.bot_status
            return chat_member(self._bot_json(), status)
        person = self.users.get(user_id or 0)
        if person is None:
            raise bad_request("user not found")
        if chat.is_private:
            if chat.id != person.id:
                raise bad_request("user not found")
            return chat_member(person.to_json(), "member")
        return chat_member(person.to_json(), chat.members.get(person.id, "left"))

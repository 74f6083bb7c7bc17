"""The bot's own profile: getMe, and the command menu (setMyCommands).

In privacy mode (getMe's can_read_all_group_messages false, the default) the bot receives from
groups only what is meant for it (see people.py).
"""

from __future__ import annotations

import json
import re
from typing import Any

from .chats import Chats
from .protocol import JSON, Params, api_method, bad_request

_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")
_LANGUAGE_CODE = re.compile(r"[a-z]{2}")
_SCOPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)


def scope_key(scope: JSON) -> str:
    """A BotCommandScope as a canonical string (the key of a command menu)."""
    return json.dumps(scope, sort_keys=True, separators=(",", ":"))


class Profile(Chats):
    """What getMe says about the bot, and its command menus per scope and language."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # (scope as canonical JSON, language_code) -> [{"command", "description"}].
        self.commands: dict[tuple[str, str], list[JSON]] = {}

    def command_names(self, scope: JSON | None = None, language_code: str = "") -> set[str]:
        """The commands of the menu set for `scope` (default scope) and `language_code`."""
        key = (scope_key(scope or {"type": "default"}), language_code)
        return {c["command"] for c in self.commands.get(key, [])}

    @api_method("getMe")
    async def _get_me(self, p: Params) -> JSON:
        """The bot as a User, with the fields only getMe returns."""
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

    @api_method("setMyCommands")
    async def _set_my_commands(self, p: Params) -> bool:
        """Set the menu of a scope and language; an empty list removes it.

        At most 100 commands; names of 1-32 lower-case letters, digits and underscores;
        descriptions of 1-256 characters."""
        commands = p.json("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad_request("too many commands specified")
        cleaned = []
        for item in commands:
            name = str(item.get("command", "")) if isinstance(item, dict) else ""
            description = str(item.get("description", "")) if isinstance(item, dict) else ""
            if not _COMMAND_NAME.match(name):
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

    def _commands_key(self, p: Params) -> tuple[str, str]:
        scope = p.json("scope") or {"type": "default"}
        if not isinstance(scope, dict) or scope.get("type") not in _SCOPES:
            raise bad_request("can't parse BotCommandScope JSON object")
        if scope["type"].startswith("chat"):
            self._target_chat(Params({"chat_id": scope.get("chat_id")}))
        language = p.str("language_code") or ""
        if language and not _LANGUAGE_CODE.fullmatch(language):
            raise bad_request("invalid language code specified")
        return scope_key(scope), language

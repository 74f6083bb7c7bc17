"""What the world is made of: people, chats, messages, polls, and the bot's recorded calls.

Each object renders itself as the Bot API's JSON (`to_json`), with the fields Telegram sends.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .protocol import JSON


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

    def version(self) -> JSON:
        """The current version, as kept in `history` when the message is edited."""
        return {
            "text": self.text,
            "entities": self.entities,
            "reply_markup": self.reply_markup,
            "date": self.edit_date or self.date,
        }


@dataclass
class FakePoll:
    """A poll the bot sent, with everyone's votes."""

    id: str
    question: str
    options: list[JSON]  # {"persistent_id", "text"} (voter_count computed)
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
        """Voters per option."""
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
    """One call of the bot, as received and as answered."""

    method: str  # canonical spelling when known ("sendMessage"), else as requested
    params: JSON  # decoded
    time: float  # time.monotonic() on arrival
    http_method: str = "POST"
    status: int | None = None  # HTTP status answered; 0: connection dropped; None: pending
    response: JSON | None = None  # the JSON answered (also when dropped after processing)
    files: JSON = field(default_factory=dict)  # multipart files: name -> {filename, size...}


@dataclass
class CallbackAnswer:
    """The bot's answerCallbackQuery to a button press."""

    callback_query_id: str
    user_id: int
    data: str | None
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int


def chat_member(user: JSON, status: str) -> JSON:
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

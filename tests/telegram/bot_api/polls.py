"""Native polls: sendPoll and stopPoll, and the people who vote in them.

A vote in a non-anonymous poll reaches the bot as a poll_answer update; the poll's new state (a
`poll` update) comes when the test says so (`poll_update`), as Telegram sends it to the bot that
sent the poll.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .messages import Messages
from .objects import FakeMessage, FakePoll, FakeUser
from .protocol import JSON, Params, api_method, bad_request
from .updates import UpdateQueue


class Polls(Messages, UpdateQueue):
    """The polls the bot sent, and votes."""

    # Bot API 10.0 (PTB 22.8's PollLimit): 1 to 12 options. Subclass or set to be stricter.
    POLL_MIN_OPTIONS = 1
    POLL_MAX_OPTIONS = 12
    MAX_QUESTION_LENGTH = 300
    MAX_OPTION_LENGTH = 100

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._next_poll_id = 5_379_893_429_383_381_001

    # --- the people ----------------------------------------------------------------------------

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
            persistent_ids = [state.options[i]["persistent_id"] for i in chosen]
            answer = {
                "poll_id": state.id,
                "user": user.to_json(),
                "option_ids": chosen,
                "option_persistent_ids": persistent_ids,
            }
            update = self._enqueue({"poll_answer": answer})
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

    # --- the Bot API ---------------------------------------------------------------------------

    @api_method("sendPoll")
    async def _send_poll(self, p: Params) -> JSON:
        """A poll: a question of 1-300 characters, 1-12 distinct options of 1-100 each."""
        chat = self._sendable_chat(p)
        question, question_entities = self._format(
            p.str("question") or "", p.str("question_parse_mode"), p.json("question_entities")
        )
        if not question.strip():
            raise bad_request("poll question must be non-empty")
        if len(question) > self.MAX_QUESTION_LENGTH:
            raise bad_request(f"poll question length must not exceed {self.MAX_QUESTION_LENGTH}")
        texts = self._option_texts(p)
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

    @api_method("stopPoll")
    async def _stop_poll(self, p: Params) -> JSON:
        """Close one of the bot's polls; returns the final Poll."""
        chat = self._target_chat(p)
        msg = self._find(chat.id, p.int("message_id"))
        if msg is None or msg.poll_id is None:
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

    def _option_texts(self, p: Params) -> list[str]:
        """The options' texts (InputPollOption objects or, as older clients send, strings)."""
        raw_options = p.json("options")
        if not isinstance(raw_options, list):
            raise bad_request("can't parse options JSON object")
        texts = []
        for option in raw_options:
            text = option.get("text") if isinstance(option, dict) else option
            if not isinstance(text, str) or not text.strip():
                raise bad_request("poll options must be non-empty")
            if len(text) > self.MAX_OPTION_LENGTH:
                raise bad_request(f"poll options length must not exceed {self.MAX_OPTION_LENGTH}")
            texts.append(text)
        if len(texts) < self.POLL_MIN_OPTIONS:
            raise bad_request(f"poll must have at least {self.POLL_MIN_OPTIONS} option")
        if len(texts) > self.POLL_MAX_OPTIONS:
            raise bad_request(f"poll can't have more than {self.POLL_MAX_OPTIONS} options")
        if len(set(texts)) != len(texts):
            raise bad_request("POLL_OPTION_DUPLICATE")
        return texts

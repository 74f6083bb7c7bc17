"""Reading Matrix events: the event types of polls, and what a message or a vote says.

Polls follow MSC3381: read in the unstable form Element sends and in the stable form. Every
body is cut before anything looks at it (an event may hold 64 KB).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

POLL_START = "org.matrix.msc3381.poll.start"
POLL_RESPONSE = "org.matrix.msc3381.poll.response"
POLL_END = "org.matrix.msc3381.poll.end"
POLL_DISCLOSED = "org.matrix.msc3381.poll.disclosed"
TEXT = "org.matrix.msc1767.text"
STABLE_POLL_RESPONSE = "m.poll.response"
POLL_RESPONSE_TYPES = (POLL_RESPONSE, STABLE_POLL_RESPONSE)
MAX_POLL_ANSWERS = 20
# The longest body read when the caller gives no limit (the default `max_message_chars`).
MAX_BODY_CHARS = 4000

# The reaction that accepts a request in a territory room (with any skin tone).
HAND = "✋"
_HAND_VARIANTS = re.compile("^✋[\ufe0f\U0001f3fb-\U0001f3ff]*$")


def is_hand(key: str) -> bool:
    return bool(_HAND_VARIANTS.match(key))


def answer_id(position: int) -> str:
    return f"answer-{position}"


@dataclass(frozen=True)
class PollAnswers:
    """What a poll start offers: answer ids in order, and how many one may choose."""

    ids: list[str]
    max_selections: int

    @classmethod
    def from_content(cls, content: dict[str, Any]) -> PollAnswers | None:
        block = content.get(POLL_START) or content.get("m.poll")
        if not isinstance(block, dict):
            return None
        answers = block.get("answers")
        if not isinstance(answers, list):
            return None
        ids = []
        for answer in answers[:MAX_POLL_ANSWERS]:
            if isinstance(answer, dict):
                found = answer.get("id", answer.get("m.id"))
                if isinstance(found, str):
                    ids.append(found)
        maximum = block.get("max_selections", 1)
        if not isinstance(maximum, int) or maximum < 1:
            maximum = 1
        return cls(ids, min(maximum, len(ids) or 1))


@dataclass(frozen=True)
class PollResponse:
    """A vote in a poll: the poll's start event and the answer ids chosen (maybe none)."""

    start_event_id: str
    selections: list[str]


def poll_response(event_type: str, content: dict[str, Any]) -> PollResponse | None:
    """Read a poll response in the unstable or the stable form; None if it is not one."""
    if event_type not in POLL_RESPONSE_TYPES:
        return None
    relation = content.get("m.relates_to")
    if not isinstance(relation, dict) or relation.get("rel_type") != "m.reference":
        return None
    start = relation.get("event_id")
    if not isinstance(start, str):
        return None
    block = content.get(POLL_RESPONSE)
    unstable = block.get("answers") if isinstance(block, dict) else None
    stable = content.get("m.selections")
    # Each form first; an event of one type carrying the other's block is read too.
    first, second = (unstable, stable) if event_type == POLL_RESPONSE else (stable, unstable)
    selections = first if first is not None else second
    if not isinstance(selections, list) or not all(isinstance(s, str) for s in selections):
        return None
    return PollResponse(start, list(selections))


def chosen_positions(response: PollResponse, answers: PollAnswers) -> list[int]:
    """The positions a response chooses, per MSC3381: truncated to `max_selections`, each
    answer once; an unknown answer id spoils the response (as if nothing were chosen)."""
    kept = list(dict.fromkeys(response.selections[: answers.max_selections]))
    if any(selection not in answers.ids for selection in kept):
        return []
    return [answers.ids.index(selection) for selection in kept]


def plain_body(content: dict[str, Any], *, limit: int | None = MAX_BODY_CHARS) -> str:
    """The body of a text message without the quoted fallback of a reply.

    The body is cut before anything looks at it (an event may hold 64 KB): at twice `limit`,
    the longest message the bot reads, room for a reply's quote of the message it answers and
    the answer itself. Longer than `limit` after that, the engine refuses it, kindly.
    """
    body = str(content.get("body") or "")
    if limit is not None:
        body = body[: 2 * limit]
    relates = content.get("m.relates_to")
    if isinstance(relates, dict) and "m.in_reply_to" in relates:
        body = strip_reply_fallback(body)
    return body.strip()


def strip_reply_fallback(body: str) -> str:
    """Drop the quoted fallback clients put at the top of a reply: the lines starting with
    `>` at the start of the body, when an empty line follows them.

    One pass over the lines (a regex with a nested quantifier, tried at every line, took
    45 s of CPU on 64 KB of `>` lines, on the loop that serves every member).
    """
    position = 0
    while body.startswith(">", position):
        end = body.find("\n", position)
        if end < 0:
            return body  # quoted to the end: no empty line closes a fallback
        position = end + 1
    if position and body.startswith("\n", position):
        return body[position + 1 :]
    return body


def is_edit(content: dict[str, Any]) -> bool:
    relates = content.get("m.relates_to")
    return isinstance(relates, dict) and relates.get("rel_type") == "m.replace"

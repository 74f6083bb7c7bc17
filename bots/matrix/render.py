"""Turn the engine's `Outgoing` messages into Matrix event contents, and read poll events back.

Every text a member or the core wrote is escaped: no markup ever comes from user text. Bots
send `m.notice` (clients do not notify for them as loudly, and other bots do not answer them)
with a plain `body` and an HTML `formatted_body`. Choices become a numbered list, answered by
number (the engine remembers the last choices shown in each chat).

Polls follow MSC3381 in the unstable form Element sends and renders; responses are read in the
unstable and the stable forms.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

HTML_FORMAT = "org.matrix.custom.html"
NOTICE = "m.notice"
REACTION = "m.reaction"

POLL_START = "org.matrix.msc3381.poll.start"
POLL_RESPONSE = "org.matrix.msc3381.poll.response"
POLL_END = "org.matrix.msc3381.poll.end"
POLL_DISCLOSED = "org.matrix.msc3381.poll.disclosed"
TEXT = "org.matrix.msc1767.text"
STABLE_POLL_START = "m.poll.start"
STABLE_POLL_RESPONSE = "m.poll.response"
STABLE_POLL_END = "m.poll.end"
POLL_RESPONSE_TYPES = (POLL_RESPONSE, STABLE_POLL_RESPONSE)
MAX_POLL_ANSWERS = 20
# The longest body read when the caller gives no limit (the default `max_message_chars`).
MAX_BODY_CHARS = 4000

# The reaction that accepts a request in a territory room (with any skin tone).
HAND = "✋"
_HAND_VARIANTS = re.compile("^✋[\ufe0f\U0001f3fb-\U0001f3ff]*$")


def to_html(text: str) -> str:
    """Escaped HTML of a plain text, its line breaks kept."""
    return html.escape(text, quote=False).replace("\n", "<br/>")


def notice(text: str, choices: list[str] | None = None) -> dict[str, Any]:
    """An `m.notice`; `choices` become a numbered list ("1. ...") answered by number."""
    body, formatted = text, to_html(text)
    if choices:
        body += "\n" + "\n".join(f"{n}. {label}" for n, label in enumerate(choices, start=1))
        formatted += "<ol>" + "".join(f"<li>{to_html(label)}</li>" for label in choices)
        formatted += "</ol>"
    return {"msgtype": NOTICE, "body": body, "format": HTML_FORMAT, "formatted_body": formatted}


def replacement(original_event_id: str, content: dict[str, Any]) -> dict[str, Any]:
    """An edit (`m.replace`) of one of the bot's messages with new content."""
    return {
        "msgtype": content["msgtype"],
        "body": "* " + content["body"],
        "format": HTML_FORMAT,
        "formatted_body": "* " + content["formatted_body"],
        "m.new_content": content,
        "m.relates_to": {"rel_type": "m.replace", "event_id": original_event_id},
    }


def reaction(event_id: str, key: str = HAND) -> dict[str, Any]:
    return {"m.relates_to": {"rel_type": "m.annotation", "event_id": event_id, "key": key}}


def is_hand(key: str) -> bool:
    return bool(_HAND_VARIANTS.match(key))


def answer_id(position: int) -> str:
    return f"answer-{position}"


def poll_start(question: str, labels: list[str], intro: str) -> dict[str, Any]:
    """An MSC3381 poll start (unstable types), one selection, results shown while it is open.

    `intro` is the full text of our message (question and deadline), used as the fallback for
    clients that do not show polls.
    """
    labels = labels[:MAX_POLL_ANSWERS]
    lines = "\n".join(f"{n}. {label}" for n, label in enumerate(labels, start=1))
    return {
        TEXT: f"{intro}\n{lines}",
        "body": f"{intro}\n{lines}",
        POLL_START: {
            "kind": POLL_DISCLOSED,
            "max_selections": 1,
            "question": {TEXT: question, "body": question},
            "answers": [
                {"id": answer_id(position), TEXT: label} for position, label in enumerate(labels)
            ],
        },
    }


def poll_end(start_event_id: str, text: str) -> dict[str, Any]:
    """The end of one of our polls; its text (our results) is the authoritative outcome."""
    return {
        "m.relates_to": {"rel_type": "m.reference", "event_id": start_event_id},
        TEXT: text,
        "body": text,
        POLL_END: {},
    }


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

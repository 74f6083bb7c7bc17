"""Turn the engine's `Outgoing` messages into Matrix event contents.

Every text a member or the core wrote is escaped: no markup ever comes from user text. Bots
send `m.notice` (clients do not notify for them as loudly, and other bots do not answer them)
with a plain `body` and an HTML `formatted_body`. Choices become a numbered list, answered by
number (the engine remembers the last choices shown in each chat).

Polls are sent in the unstable MSC3381 form Element renders (reading them: `events`).
"""

from __future__ import annotations

import html
from typing import Any

from bots.matrix.events import (
    HAND,
    MAX_POLL_ANSWERS,
    POLL_DISCLOSED,
    POLL_END,
    POLL_START,
    TEXT,
    answer_id,
)

HTML_FORMAT = "org.matrix.custom.html"
NOTICE = "m.notice"


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

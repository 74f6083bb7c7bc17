"""Turn domain events into outbox messages, in the transaction that published them.

One module per subject: `members` (joining, approval, linked accounts), `requests` (a
request's life), `changes` (a request changed), `cards` (the contact card), `door` (the safety
word), `reminders` (the scheduler's messages about requests), `polls`, `coordinators` (alerts
raised), `alert_notices` (alerts in the coordinators' chats), `proxies` (who acts for whom);
`requester` routes what concerns a requester to whoever reads it for her. Each message says
what it is (`kind`) and what it is about (`request_id`, `poll_id`), where it is written:
adapters dispatch on these.

Privacy: the requester's phone and address come only from `core.services.contact` (the one place
that builds them, for whom `authorization` allows now: the approved volunteer holding the task);
public rooms get a first name and a neighbourhood.
"""

from __future__ import annotations

from core.domain import events
from core.services import delivery_notices
from core.services.notifications import (
    alert_notices,
    cards,
    changes,
    coordinators,
    door,
    members,
    polls,
    proxies,
    reminders,
    requests,
)
from core.services.notifications.common import (
    DEFAULT_NEW_MEMBER_DAYS,
    is_new_member,
    offer_choices,
    request_summary,
    task_choices,
)
from core.services.notifications.polls import poll_choices
from core.services.unit_of_work import EventHandler

__all__ = [
    "DEFAULT_NEW_MEMBER_DAYS",
    "HANDLERS",
    "is_new_member",
    "offer_choices",
    "poll_choices",
    "request_summary",
    "task_choices",
]

Handlers = dict[type[events.Event], list[EventHandler]]


def _merged(*tables: Handlers) -> Handlers:
    """One table of every module's handlers (an event may have handlers in several)."""
    merged: Handlers = {}
    for table in tables:
        for event, handlers in table.items():
            merged.setdefault(event, []).extend(handlers)
    return merged


HANDLERS = _merged(
    members.HANDLERS,
    requests.HANDLERS,
    door.HANDLERS,  # after `requests`: the requester hears who comes, then the word
    cards.HANDLERS,
    changes.HANDLERS,
    reminders.HANDLERS,
    polls.HANDLERS,
    coordinators.HANDLERS,
    proxies.HANDLERS,
    alert_notices.HANDLERS,
    delivery_notices.HANDLERS,
)

"""What needs a coordinator now (`/bureau`, `!bureau`, "bureau"), and a login link to the web
console (`/console`).

Actions: desk_now (open alerts with their buttons, requests still open after
`desk_waiting_hours`, volunteers waiting for approval, polls closing soon), console_link (a
one-time link, in a private chat only). Both are for the territory's coordinators, decided in
`authorization` through the services they call.
"""

from __future__ import annotations

from datetime import timedelta

from core.dialogue.flows.alerts import coordinator_of_turn
from core.dialogue.flows.common import menu_choices
from core.dialogue.routing import action
from core.dialogue.turn import Turn
from core.domain.errors import NotAllowed
from core.i18n import N_
from core.services import outbox_secrets, web_access
from core.services.desk import desk_of, waiting_since
from core.services.notifications.alert_notices import write_alert
from core.services.notifications.common import request_summary
from core.services.outbox import Choice

# How many of each list the chat shows (the console shows them all).
SHOWN = 10


@action("desk_now")
async def show_desk(turn: Turn) -> None:
    """The desk in the chat: a summary, then each thing to act on with its buttons."""
    me = coordinator_of_turn(turn)
    desk = await desk_of(turn.uow, me.territory_id, by_id=me.id)
    hours = float(getattr(turn.uow.settings, "desk_waiting_hours", 2.0))
    since = desk.now - timedelta(hours=hours)
    waiting = [r for r in desk.open_requests if r.created_at <= since]
    waiting_count = len(waiting)
    if waiting and len(waiting) == len(desk.open_requests) < desk.open_count:
        # The desk lists the oldest open requests only: all of them wait, so count them all.
        waiting_count = await waiting_since(turn.uow, me.territory_id, since)
    turn.goto(None)
    if not (desk.alerts or waiting or desk.approvals or desk.polls_closing):
        turn.reply("Nothing needs you now. Thank you!", choices=menu_choices(turn))
        return
    turn.reply(
        "What needs you now:\nAlerts to handle: {alerts}\n"
        "Requests waiting for more than {hours} hours: {requests}\n"
        "Volunteers waiting for approval: {approvals}\nPolls closing soon: {polls}",
        alerts=desk.alerts_count,
        hours=hours,
        requests=waiting_count,
        approvals=desk.approvals_count,
        polls=len(desk.polls_closing),
    )
    for alert in desk.alerts[:SHOWN]:
        await write_alert(turn.uow, alert, me, account=turn.account)
    for request in waiting[:SHOWN]:
        turn.reply(
            "Still waiting for a volunteer since {raised_at}: {category}, {when}, "
            "in {neighbourhood}, for {first_name}.",
            request_id=request.id,
            raised_at=request.created_at.isoformat(),
            choices=[Choice("Offer to…", f"request_offer:{request.id}")],
            **request_summary(request),
        )
    for member in desk.approvals[:SHOWN]:
        turn.reply(
            "{name} ({neighbourhood}) is waiting for approval as a volunteer.",
            name=member.display_name,
            neighbourhood=member.neighbourhood or "-",
            choices=[Choice("Approve", f"approve:{member.id}")],
        )
    for poll in desk.polls_closing[:SHOWN]:
        turn.reply(
            "This poll closes {closes_at}: {question}",
            poll_id=poll.id,
            closes_at=poll.closes_at.isoformat(),
            question=poll.question,
            choices=[Choice("Polls", "polls")],
        )


CONSOLE_LINK = outbox_secrets.keep_secret(
    N_("Your link to the console. It works once, for {minutes} minutes:\n{link}"), "link"
)


@action("console_link")
async def send_console_link(turn: Turn) -> None:
    """A one-time login link to the web console, only in a private chat with the bot."""
    me = coordinator_of_turn(turn)
    if turn.inbound.chat_ref is None:
        raise NotAllowed("I send this link only in a private chat with me.")
    token = await web_access.issue_login(turn.uow, me.id, by_id=me.id)
    turn.goto(None)
    turn.reply(
        CONSOLE_LINK,
        minutes=web_access.LINK_MINUTES,
        link=web_access.login_link(turn.uow.settings, token),
    )

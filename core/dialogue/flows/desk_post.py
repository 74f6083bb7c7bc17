"""A coordinator posts a request for a member who phoned (the "coordinator intake").

Action post_for (/poster). Steps of the flow desk_post: who (part of a name typed, then a
member's button), what (a category's button), when (a preset or a day and time typed), where
(at their home, or a place typed), confirm (yes). The request then goes through matching,
escalation and reminders like any other; the member is told in their chat if they have one.
"""

from __future__ import annotations

from datetime import datetime

from core.dialogue.dates import parse_window, preset_when
from core.dialogue.flows.asking import category_choices, when_choices
from core.dialogue.flows.desk_members import CANCEL, PICK, desk_choices, pick_member, require_desk
from core.dialogue.offload import off_loop
from core.dialogue.request_pieces import is_home
from core.dialogue.routing import Answer, action, step
from core.dialogue.turn import Turn
from core.domain.errors import InvalidInput
from core.domain.vocabulary import Category
from core.i18n import N_, translate
from core.services import desk_work, matching
from core.services.lookup import get_member
from core.services.outbox import Choice
from core.services.text import clean_text

FLOW = "desk_post"
WHEN_QUESTION = N_("When? Choose, or write a day and a time (for example: Thursday 10am).")
AT_THEIR_HOME = N_("at their home")


@action("post_for")
async def start(turn: Turn) -> None:
    """/poster: who phoned?"""
    require_desk(turn)
    turn.goto(FLOW, "who")
    turn.reply(
        "Who phoned? Write part of their name. Only members who ask for help are listed.",
        choices=[CANCEL],
    )


@step(FLOW, "who", buttons=(PICK,), text=True)
async def on_who(turn: Turn, answer: Answer) -> None:
    """The member who phoned: then what they need."""
    member = await pick_member(turn, answer, requesters_only=True)
    if member is None:
        return
    if not member.is_requester:
        raise InvalidInput("This member is not registered as asking for help.")
    turn.goto(FLOW, "what", member=member.id)
    turn.reply(
        "What does {name} need?", name=member.display_name, choices=[*category_choices(), CANCEL]
    )


@step(FLOW, "what", buttons=("cat",))
async def on_what(turn: Turn, answer: Answer) -> None:
    """The kind of help, pressed: then when."""
    require_desk(turn)
    if answer.value not in {c.value for c in Category}:
        raise InvalidInput("Please choose one of the buttons.")
    turn.goto(FLOW, "when", category=answer.value)
    turn.reply(WHEN_QUESTION, choices=[*when_choices(), CANCEL])


@step(FLOW, "when", buttons=("when",), text=True)
async def on_when(turn: Turn, answer: Answer) -> None:
    """A preset, or a day and a time typed (in the territory's time zone): then where."""
    require_desk(turn)
    zone, now = turn.territory.timezone, turn.uow.now()
    window = (
        preset_when(answer.value, now=now, timezone=zone)
        if answer.pressed
        else await off_loop(
            parse_window, answer.given, now=now, timezone=zone, language=turn.language
        )
    )
    if window is None or (window.end or window.start) < now:
        turn.reply(
            "I did not understand the date, or it is already past. Please choose, or "
            "write a day and a time.",
            choices=[*when_choices(), CANCEL],
        )
        return
    start_at, end_at = window.start, window.end
    turn.goto(
        FLOW,
        "where",
        when_start=start_at.isoformat(),
        when_end=end_at.isoformat() if end_at else None,
        when_kind=str(window.kind),  # as said: a window is never shown with an invented hour
    )
    turn.reply(
        "Where? Choose, or write the place (for example: the pharmacy).",
        choices=[Choice("At their home", "where:home"), CANCEL],
    )


@step(FLOW, "where", buttons=("where",), text=True)
async def on_where(turn: Turn, answer: Answer) -> None:
    """At their home, or the place typed: then the summary to confirm."""
    require_desk(turn)
    if answer.pressed and answer.value != "home":
        raise InvalidInput("Please choose one of the buttons.")
    place = None if answer.pressed else clean_text(answer.given, limit=300, what="place")
    if place is not None and is_home(place):
        place = None
    member = await get_member(turn.uow, int(turn.data("member")))
    turn.goto(FLOW, "confirm", place=place)
    turn.reply(
        "Post this request for {name}?\n{category}, {when}, {place}.",
        name=member.display_name,
        category=turn.data("category"),
        when=turn.data("when_start"),
        when_end=turn.data("when_end"),
        when_kind=turn.data("when_kind"),  # shown as said ("jeudi, le matin")
        place=place or translate(turn.language, AT_THEIR_HOME),
        choices=[Choice("Yes, post it", "post_yes"), CANCEL],
    )


@step(FLOW, "confirm", buttons=("post_yes",))
async def on_confirm(turn: Turn, answer: Answer) -> None:
    """Posted for the member: offered to volunteers like any other request."""
    me = require_desk(turn)
    data = turn.conversation.data
    posted = await desk_work.post_on_behalf(
        turn.uow,
        int(data["member"]),
        by_id=me.id,
        category=str(data["category"]),
        when_start=datetime.fromisoformat(data["when_start"]),
        when_end=datetime.fromisoformat(data["when_end"]) if data.get("when_end") else None,
        when_kind=data.get("when_kind"),
        place=data.get("place"),
    )
    turn.goto(None)
    offered = await matching.already_offered(turn.uow, posted.id)
    turn.reply(
        # Nobody to offer it to: the desk's "find someone" alert follows, with "Offer to…".
        N_("Done: the request is posted (number {number}). The volunteers are told.")
        if offered
        else N_(
            "Done: the request is posted (number {number}). No volunteer could be offered it "
            "yet: the alert below lets you offer it to someone."
        ),
        number=posted.id,
        request_id=posted.id,
        choices=[Choice("Change", f"change_req:{posted.id}"), *desk_choices()],
    )

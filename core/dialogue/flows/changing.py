"""Changing a request still to come: what, when or where, shown again and confirmed (issue 15).

From "My requests", the "Change" button under an open or accepted request (hers, or of someone
she acts for) asks what to change: the kind of help, the day, the place (the buttons of the
summary's correction, `correcting.CHANGE_CHOICES`), or a sentence that says it ("plutôt
vendredi après-midi", read as at the summary: `request_pieces`). Each piece is asked as when
asking (`asking`'s choices and parsing); the request as it will be is shown, and nothing
changes before a yes (`core.services.changes`, which tells the volunteers and her readers).

Steps: change/choose, change/what, change/when, change/where, change/confirm. Action:
change_req. The volunteer's answer to a change is "Still OK" (`withdraw_no`: they keep the
task) or "I can no longer come" (`withdraw`), in `helping`.
"""

from __future__ import annotations

from datetime import datetime

from core.dialogue.flows import asking
from core.dialogue.flows.common import menu_choices
from core.dialogue.flows.correcting import CHANGE_CHOICES
from core.dialogue.request_pieces import is_home, pieces_of, sure_category
from core.dialogue.routing import Answer, RequestId, action, step
from core.dialogue.turn import Turn
from core.dialogue.words import is_no, is_yes
from core.domain.errors import InvalidInput, InvalidTransition
from core.domain.model import HelpRequest
from core.domain.vocabulary import RequestState
from core.i18n import N_, translate
from core.services import authorization, changes, requests
from core.services.authorization import Action
from core.services.outbox import Choice
from core.services.text import clean_text

FLOW = "change"
KEEP_AS_IT_IS = Choice("Keep it as it is", "menu")
# What to change: the summary's buttons, but keeping it rather than cancelling it.
PIECE_CHOICES = (*CHANGE_CHOICES[:3], KEEP_AS_IT_IS)


async def _changeable(turn: Turn, request_id: int) -> HelpRequest:
    """The request, if this member may change it now (else the kind refusal, with its state)."""
    assert turn.member is not None
    request = await requests.get_request(turn.uow, request_id)
    await authorization.require_by(turn.uow, turn.member.id, Action.CHANGE_REQUEST, request)
    if request.state not in (RequestState.OPEN, RequestState.ACCEPTED):
        raise InvalidTransition(state=request.state)
    return request


@action("change_req", arg=RequestId)
async def start(turn: Turn, request_id: int) -> None:
    """What to change in this request: a button, or a sentence that says it."""
    assert turn.member is not None
    request = await _changeable(turn, request_id)
    someone_else = request.requester_id != turn.member.id
    turn.goto(
        FLOW,
        "choose",
        request_id=request.id,
        category=request.category,
        when_start=request.when_start.isoformat(),
        when_end=request.when_end.isoformat() if request.when_end else None,
        when_kind=request.when_kind,
        place=request.place,
        for_name=request.requester.first_name if someone_else else None,
    )
    turn.reply(
        "What would you like to change? Choose, or write it (for example: Friday afternoon).",
        choices=PIECE_CHOICES,
    )


@step(FLOW, "choose", buttons=("change",), text=True)
async def on_choose(turn: Turn, answer: Answer) -> None:
    """A piece's button asks it; a sentence naming pieces changes them."""
    if answer.pressed:
        ask_piece(turn, answer.value)
        return
    await _from_sentence(turn, answer.given)


def ask_piece(turn: Turn, piece: str) -> None:
    """Ask one piece again, as when asking; its answer shows the request as it will be."""
    if piece == "what":
        turn.goto(FLOW, "what")
        turn.reply("What do you need help with?", choices=asking.category_choices())
    elif piece == "when":
        turn.goto(FLOW, "when")
        turn.reply(
            "When do you need help? Choose, or write a day and a time "
            "(for example: Thursday 10am).",
            choices=asking.when_choices(),
        )
    elif piece == "where":
        turn.goto(FLOW, "where")
        home = "At their home" if turn.data("for_name") else "At my home"
        turn.reply(
            "Where? Choose, or write the place (for example: the pharmacy).",
            choices=[Choice(home, "where:home")],
        )
    else:
        raise InvalidInput("Please choose one of the buttons.")


async def _from_sentence(turn: Turn, text: str) -> None:
    """The pieces a sentence names change; one that names none asks again."""
    said = await pieces_of(turn, text)
    if not said.any:
        turn.reply("What would you like to change?", choices=PIECE_CHOICES)
        return
    asking.keep(turn, said)
    show_summary(turn)


@step(FLOW, "what", buttons=("cat",), text=True)
async def on_what(turn: Turn, answer: Answer) -> None:
    """A kind of help: its button, or its name typed."""
    category = asking.category_from(turn, answer.given) or sure_category(turn)
    if category is None:
        turn.reply("Please choose one of the buttons.", choices=asking.category_choices())
        return
    turn.set_data(category=category)
    show_summary(turn)


@step(FLOW, "when", buttons=("when",), text=True)
async def on_when(turn: Turn, answer: Answer) -> None:
    """A preset's button, or a day and a time typed (kept as said: a window stays one)."""
    window = await asking.read_when(turn, answer.given, preset=answer.pressed)
    if window is not None:
        turn.set_data(**window)
        show_summary(turn)


@step(FLOW, "where", buttons=("where",), text=True)
async def on_where(turn: Turn, answer: Answer) -> None:
    """At home (its button), or the place typed."""
    if answer.pressed:
        if answer.value != "home":
            raise InvalidInput("Please choose one of the buttons.")
        turn.set_data(place=None)
    else:
        place = clean_text(answer.given, limit=300, what="place")
        turn.set_data(place=None if is_home(place) else place)
    show_summary(turn)


def show_summary(turn: Turn) -> None:
    """The request as it will be, to confirm: nothing is changed before a yes."""
    turn.goto(FLOW, "confirm")
    for_name = turn.data("for_name")
    home = "at their home" if for_name else "at your home"
    turn.reply(
        N_(
            "Here is the request for {name}, changed:\n{category}, {when}, {place}.\n"
            "Shall I change it?"
        )
        if for_name
        else N_(
            "Here is your request, changed:\n{category}, {when}, {place}.\nShall I change it?"
        ),
        name=for_name or "",
        category=turn.data("category"),
        when=turn.data("when_start"),
        when_end=turn.data("when_end"),
        when_kind=turn.data("when_kind"),
        place=turn.data("place") or translate(turn.language, home),
        choices=[Choice("Yes, change it", "change_yes"), *PIECE_CHOICES],
    )


@step(FLOW, "confirm", buttons=("change_yes", "change"), text=True, otherwise=None)
async def on_confirm(turn: Turn, answer: Answer) -> None:
    """Yes changes it; a piece's button or a sentence changes the summary; no asks what."""
    if answer.button == "change_yes" or is_yes(answer.text):
        await _apply(turn)
    elif answer.button == "change":
        ask_piece(turn, answer.value)
    elif answer.text and not is_no(answer.text):
        await _from_sentence(turn, answer.text)
    else:
        turn.reply("What would you like to change?", choices=PIECE_CHOICES)


async def _apply(turn: Turn) -> None:
    """Change the request as shown (refused, with nothing changed, if it changed since)."""
    assert turn.member is not None
    data = turn.conversation.data
    request_id = int(data["request_id"])
    await changes.change(
        turn.uow,
        turn.member.id,
        request_id,
        category=data["category"],
        when_start=datetime.fromisoformat(data["when_start"]),
        when_end=datetime.fromisoformat(data["when_end"]) if data.get("when_end") else None,
        when_kind=data.get("when_kind"),
        place=data.get("place"),
    )
    request = await requests.get_request(turn.uow, request_id)
    holder = request.active_assignment
    turn.goto(None)
    turn.reply(
        N_(
            "Done, the request is changed. I told {volunteer}. "
            "If they cannot come, I will tell you."
        )
        if holder is not None
        else N_("Done, the request is changed. The volunteers see the new version."),
        volunteer=holder.volunteer.first_name if holder is not None else "",
        request_id=request.id,
        choices=menu_choices(turn),
    )

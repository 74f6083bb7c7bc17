"""The "I need help" flow: category -> when -> where -> confirm; and the requester's requests.

Steps of the ask flow: for_whom (a proxy's choice, see `proxying`), category (a button or
words), when (a preset or a day and time typed), where (at home, or a place typed), confirm
(yes). Actions: need_help, my_requests, cancel, cancel_yes, thank. A request a proxy posts is
for the member kept as `for_id`, and records the proxy as the one who posted it.
"""

from __future__ import annotations

from datetime import datetime

from core.dialogue.arguments import STALE
from core.dialogue.dates import parse_window, preset_when
from core.dialogue.flows import learning, loneliness, proxying
from core.dialogue.flows.common import menu_choices
from core.dialogue.offload import off_loop
from core.dialogue.render import CATEGORY_LABELS
from core.dialogue.request_pieces import Pieces, is_home, pieces_of, sure_category
from core.dialogue.routing import Answer, MemberId, RequestId, action, step
from core.dialogue.turn import Turn, Understanding
from core.dialogue.words import fold
from core.domain.errors import InvalidInput
from core.domain.vocabulary import Category
from core.i18n import N_, translate
from core.services import authorization, matching, members, proxies, requests
from core.services.authorization import Action
from core.services.outbox import Choice
from core.services.text import clean_text

FLOW = "ask"

WHEN_PRESETS = [
    ("Today", "today"),
    ("Tomorrow morning", "tomorrow_morning"),
    ("Tomorrow afternoon", "tomorrow_afternoon"),
    ("In the coming days", "this_week"),
]


CONFIRM_CHOICES = (Choice("Yes, send it", "confirm"), Choice("Cancel", "abort"))


def when_choices() -> list[Choice]:
    return [Choice(label, f"when:{code}") for label, code in WHEN_PRESETS]


def category_choices() -> list[Choice]:
    return [Choice(CATEGORY_LABELS[c.value], f"cat:{c.value}") for c in Category]


@action("need_help")
async def start(turn: Turn) -> None:
    """Start a request: for whom (a proxy), then what kind of help?"""
    turn.goto(FLOW, "category")
    if not await proxying.choose_for_whom(turn):
        ask_category(turn)


def ask_category(turn: Turn) -> None:
    turn.goto(FLOW, "category")
    turn.reply("What do you need help with?", choices=category_choices())


async def start_from_text(turn: Turn, understood: Understanding) -> None:
    """A request written in one message: keep every piece it says, ask only for what is
    missing, and never assume what it does not say (a weak category guess is asked)."""
    turn.goto(FLOW, "category", description=understood.text[:1000])
    said = await pieces_of(turn, understood.text)
    # What was understood, to keep for review if the member corrects the category.
    turn.set_data(guessed=learning.guess_of(understood, said.category, turn.language))
    keep(turn, said)
    if not await proxying.choose_for_whom(turn):
        await continue_request(turn)


@step(FLOW, "for_whom", buttons=("for",))
async def on_for_whom(turn: Turn, answer: Answer) -> None:
    """A person's button: the request is for her (checked again when it is posted)."""
    assert turn.member is not None
    chosen = MemberId.parse(answer.value)
    seniors = await proxies.seniors_of(turn.uow, turn.member.id)
    if chosen not in proxying.for_whom_ids(turn, seniors):
        raise InvalidInput(STALE)
    named = next((s for s in seniors if s.id == chosen), None)
    if named is not None:
        proxying.for_senior(turn, named)
    await continue_request(turn)


async def continue_request(turn: Turn) -> None:
    """What the request still needs, from its category on."""
    said = turn.data("category")
    if said is not None:
        await on_category(turn, said)
        return
    turn.goto(FLOW, "category")
    turn.reply("What do you need help with?", choices=category_choices())


def keep(turn: Turn, said: Pieces) -> None:
    """Keep the pieces a message named (a place named, or home, is a place given)."""
    if said.when_start:
        turn.set_data(when_start=said.when_start, when_end=said.when_end, when_kind=said.when_kind)
    if said.category:
        turn.set_data(category=said.category)
    if said.home:
        turn.set_data(place=None, place_given=True)
    elif said.place:
        turn.set_data(place=said.place, place_given=True)


@step(FLOW, "category", buttons=("cat",), text=True)
async def on_category_answer(turn: Turn, answer: Answer) -> None:
    """A category's button, or its name typed."""
    await on_category(turn, answer.given)


async def on_category(turn: Turn, value: str) -> None:
    category = _category_from(turn, value) or sure_category(turn)
    if category is None:
        turn.reply("Please choose one of the buttons.", choices=category_choices())
        return
    turn.set_data(category=category)
    if turn.data("when_start"):
        await _after_when(turn)
        return
    ask_when(turn)


def ask_when(turn: Turn) -> None:
    turn.goto(FLOW, "when")
    turn.reply(
        "When do you need help? Choose, or write a day and a time (for example: Thursday 10am).",
        choices=when_choices(),
    )


def _category_from(turn: Turn, value: str) -> str | None:
    if value in {c.value for c in Category}:
        return value
    folded = fold(value)
    for category, label in CATEGORY_LABELS.items():
        if folded in (fold(translate(turn.language, label)), fold(label), category):
            return category
    return None


@step(FLOW, "when", buttons=("when",), text=True)
async def on_when_answer(turn: Turn, answer: Answer) -> None:
    """A preset's button ("tomorrow morning"), or a day and a time typed."""
    if answer.pressed:
        await on_when(turn, answer.value, preset=True)
    else:
        await on_when(turn, answer.given, preset=False)


async def on_when(turn: Turn, value: str, *, preset: bool) -> None:
    zone = turn.territory.timezone
    window = (
        preset_when(value, now=turn.uow.now(), timezone=zone)
        if preset
        else await off_loop(
            parse_window, value, now=turn.uow.now(), timezone=zone, language=turn.language
        )
    )
    if window is None:
        turn.reply(
            "I did not understand the date. Please write a day and a time, "
            "for example: Thursday 10am.",
            choices=when_choices(),
        )
        return
    start_at, end_at, kind = window
    if (end_at or start_at) < turn.uow.now():
        turn.reply(
            "This time is already past. When do you need help?",
            choices=when_choices(),
        )
        return
    turn.set_data(
        when_start=start_at.isoformat(),
        when_end=end_at.isoformat() if end_at else None,
        when_kind=str(kind),
    )
    await _after_when(turn)


async def _after_when(turn: Turn) -> None:
    if turn.data("place_given"):
        await on_place(turn, turn.data("place"))
    else:
        await ask_place(turn)


async def ask_place(turn: Turn) -> None:
    turn.goto(FLOW, "where")
    home = "At their home" if turn.data("for_id") else "At my home"
    turn.reply(
        "Where? Choose, or write the place (for example: the pharmacy).",
        choices=[Choice(home, "where:home")],
    )


@step(FLOW, "where", buttons=("where",), text=True)
async def on_place_answer(turn: Turn, answer: Answer) -> None:
    """At home (its button), or the place typed."""
    if answer.pressed:
        if answer.value != "home":
            raise InvalidInput("Please choose one of the buttons.")
        await on_place(turn, None)
    else:
        place = clean_text(answer.given, limit=300, what="place")
        await on_place(turn, None if is_home(place) else place)


async def on_place(turn: Turn, place: str | None) -> None:
    """The place given (None: at home): the summary, to confirm or correct."""
    turn.set_data(place=place, place_given=True)
    show_summary(turn)


def show_summary(turn: Turn) -> None:
    """Every piece of the request as it will be sent: send it, correct it (see
    `correcting`), or cancel."""
    turn.goto(FLOW, "confirm")
    place = turn.data("place")
    for_name = turn.data("for_name")
    if for_name:
        turn.reply(
            "Here is the request for {name}:\n{category}, {when}, {place}.\n"
            "Shall I send it to the volunteers?",
            name=for_name,
            category=turn.data("category"),
            when=turn.data("when_start"),
            place=place or translate(turn.language, "at their home"),
            choices=CONFIRM_CHOICES,
        )
        return
    turn.reply(
        "Here is your request:\n{category}, {when}, {place}.\nShall I send it to the volunteers?",
        category=turn.data("category"),
        when=turn.data("when_start"),
        when_end=turn.data("when_end"),
        when_kind=turn.data("when_kind"),
        place=place or translate(turn.language, "at your home"),
        choices=CONFIRM_CHOICES,
    )


async def on_confirm(turn: Turn) -> None:
    """Post the request: the best-suited volunteers are told in the same transaction."""
    assert turn.member is not None
    data = turn.conversation.data
    request = await requests.post_request(
        turn.uow,
        int(data.get("for_id") or turn.member.id),
        by_id=turn.member.id,
        category=data["category"],
        when_start=datetime.fromisoformat(data["when_start"]),
        when_end=datetime.fromisoformat(data["when_end"]) if data.get("when_end") else None,
        when_kind=data.get("when_kind"),
        place=data.get("place"),
        description=data.get("description", ""),
    )
    offered = await matching.already_offered(turn.uow, request.id)
    await learning.keep_corrected_category(turn, data.get("guessed"), request.category)
    turn.goto(None)
    turn.reply(
        await _posted_message(turn, len(offered)),
        count=len(offered),
        choices=menu_choices(turn),
        request_id=request.id,
    )


async def _posted_message(turn: Turn, offered: int) -> str:
    """What the requester is told on posting: only what is done, or what will happen."""
    assert turn.member is not None
    if offered == 1:
        return N_(
            "Your request is sent. I told one volunteer. "
            "I will write to you as soon as someone accepts."
        )
    if offered:
        return N_(
            "Your request is sent. I told {count} volunteers. "
            "I will write to you as soon as someone accepts."
        )
    coordinators = await members.coordinators_of(turn.uow, turn.member.territory_id)
    if [c for c in coordinators if c.id != turn.member.id]:  # alerted now (NobodyToOffer)
        return N_(
            "Your request is saved. No volunteer is available for it yet. "
            "I have told the coordinators: they will look for someone."
        )
    return N_(
        "Your request is saved. No volunteer is available for it yet. "
        "I will offer it to the volunteers again later, and write to you when someone accepts."
    )


@action("my_requests")
async def show_my_requests(turn: Turn) -> None:
    """The member's requests in progress, each with its cancel button."""
    assert turn.member is not None
    mine = await requests.requests_of(turn.uow, turn.member.id, active_only=True)
    for senior in await proxies.seniors_of(turn.uow, turn.member.id):
        mine += await requests.requests_of(turn.uow, senior.id, active_only=True)
    turn.goto(None)
    if not mine:
        turn.reply("You have no request in progress.", choices=menu_choices(turn))
        return
    for request in mine:
        # A request of someone she acts for begins with "For Odette:" (see `render`).
        about = proxies.on_behalf(
            request.requester if request.requester_id != turn.member.id else None
        )
        holder = request.active_assignment
        if holder is not None:
            turn.reply(
                "{category}, {when}: {volunteer} will help you.",
                category=request.category,
                **request.when_said,
                volunteer=holder.volunteer.display_name,
                request_id=request.id,
                choices=[
                    Choice("Who is coming?", f"who_coming:{request.id}"),
                    Choice("Cancel this request", f"cancel:{request.id}"),
                ],
                **about,
            )
        else:
            turn.reply(
                "{category}, {when}: waiting for a volunteer.",
                category=request.category,
                **request.when_said,
                request_id=request.id,
                choices=[Choice("Cancel this request", f"cancel:{request.id}")],
                **about,
            )


@action("cancel", arg=RequestId)
async def ask_cancel(turn: Turn, request_id: int) -> None:
    """Ask before cancelling a request."""
    assert turn.member is not None
    request = await requests.get_request(turn.uow, request_id)
    await authorization.require_by(turn.uow, turn.member.id, Action.CANCEL_REQUEST, request)
    turn.goto(None)
    turn.reply(
        "Cancel your request: {category}, {when}?",
        category=request.category,
        **request.when_said,
        choices=[
            Choice("Yes, cancel it", f"cancel_yes:{request.id}"),
            Choice("No, keep it", "menu"),
        ],
    )


@action("cancel_yes", arg=RequestId)
async def do_cancel(turn: Turn, request_id: int) -> None:
    """Cancel the request (its volunteer, if any, is told)."""
    assert turn.member is not None
    request = await requests.cancel(turn.uow, turn.member.id, request_id)
    turn.reply(
        "Your request is cancelled: {category}, {when}.",
        category=request.category,
        **request.when_said,
        choices=menu_choices(turn),
    )


@action("thank", arg=RequestId)
async def do_thank(turn: Turn, request_id: int) -> None:
    """Send the requester's thanks to the volunteer."""
    assert turn.member is not None
    assignment = await requests.thank(turn.uow, turn.member.id, request_id)
    # Her own help just done (not a proxy's thanks for her): the moment to offer the check.
    own = assignment.requester_id == turn.member.id
    wave = await loneliness.due_after_help(turn) if own else None
    turn.reply("Your thanks have been sent.", choices=() if wave else menu_choices(turn))
    if wave is not None:
        await loneliness.offer(turn, wave)

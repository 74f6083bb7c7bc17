"""A requester's requests in progress ("My requests"): each with its buttons (who is coming,
change it, cancel it), and cancelling and thanking from those buttons.

The requests of the people she acts for (a proxy) are listed too, each saying for whom.
"""

from __future__ import annotations

from core.dialogue.flows import loneliness
from core.dialogue.flows.common import menu_choices
from core.dialogue.routing import RequestId, action
from core.dialogue.turn import Turn
from core.services import authorization, proxies, requests
from core.services.authorization import Action
from core.services.outbox import Choice


@action("my_requests")
async def show_my_requests(turn: Turn) -> None:
    """The member's requests in progress (and those of whom she acts for), each with its
    buttons: change it (see `changing`), cancel it."""
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
                    Choice("Change", f"change_req:{request.id}"),
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
                choices=[
                    Choice("Change", f"change_req:{request.id}"),
                    Choice("Cancel this request", f"cancel:{request.id}"),
                ],
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

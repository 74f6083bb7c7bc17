"""The volunteer's side: open requests, accept, decline, my tasks, done with hours, withdraw.

Step: done/hours (the hours a task took). Actions: requests, accept, decline, my_tasks, done,
withdraw, withdraw_yes, approve (a coordinator approves a volunteer), digest_off, digest_on.
"""

from __future__ import annotations

from core.dialogue.durations import format_hours, parse_hours
from core.dialogue.flows.common import menu_choices
from core.dialogue.routing import Answer, MemberId, RequestId, action, step
from core.dialogue.turn import Turn
from core.domain.errors import AlreadyTaken, InvalidTransition
from core.domain.vocabulary import MessageKind, RequestState
from core.services import authorization, changes, contact, members, requests, timed
from core.services.authorization import Action
from core.services.notifications import offer_choices, request_summary, task_choices
from core.services.notifications.requests import withhold_taken_notice
from core.services.outbox import Choice

HOURS_CHOICES = ["0.5", "1", "1.5", "2", "3"]


@action("requests")
async def show_open_requests(turn: Turn) -> None:
    """The open requests this volunteer can take, each with its buttons."""
    assert turn.member is not None
    found = await requests.open_requests_for(turn.uow, turn.member.id, limit=5)
    turn.goto(None)
    if not found:
        turn.reply(
            "There is no open request right now. Thank you for checking!",
            choices=menu_choices(turn),
        )
        return
    for request in found:
        turn.reply(
            "{category}, {when}, in {neighbourhood}, for {first_name}.",
            choices=offer_choices(request.id),
            kind=MessageKind.REQUEST_POST,
            request_id=request.id,
            **request_summary(request),
        )


@action("accept", arg=RequestId)
async def do_accept(turn: Turn, request_id: int) -> None:
    """Take the task (the first volunteer wins; the others are told it is taken)."""
    assert turn.member is not None
    request = await requests.get_request(turn.uow, request_id)
    authorization.require(turn.member, Action.ACCEPT_REQUEST, request)
    holder = request.active_assignment
    if holder is not None and holder.volunteer_id != turn.member.id:
        # Too late: answered here, so the notice that it is taken is not sent as well.
        await withhold_taken_notice(turn.uow, turn.member.id, request.id)
        turn.goto(None)
        turn.reply(AlreadyTaken.key, request_id=request.id, choices=menu_choices(turn))
        return
    await requests.accept(turn.uow, turn.member.id, request_id)
    turn.goto(None)
    # The details come in the contact card written by the RequestAccepted handler, in this
    # transaction: the engine answers with it at once.


@action("decline", arg=RequestId)
async def do_decline(turn: Turn, request_id: int) -> None:
    """Not for me: this request is not offered to this volunteer again."""
    assert turn.member is not None
    await requests.decline(turn.uow, turn.member.id, request_id)
    turn.reply("No problem. Thank you for answering.", choices=menu_choices(turn))


@action("my_tasks")
async def show_my_tasks(turn: Turn) -> None:
    """The volunteer's tasks, each with the contact card they may see (see `contact`)."""
    assert turn.member is not None
    tasks = await requests.tasks_of(turn.uow, turn.member.id)
    turn.goto(None)
    if not tasks:
        turn.reply("You have no task in progress.", choices=menu_choices(turn))
        return
    for request in tasks:
        turn.reply(
            "{category}, {when}, for {requester}.\nPhone: {phone}\nAddress: {address}",
            category=request.category,
            kind=MessageKind.CONTACT_CARD,
            **request.when_said,
            request_id=request.id,
            choices=task_choices(request.id),
            **contact.card(turn.member, request),
        )


@action("done", arg=RequestId)
async def ask_hours(turn: Turn, request_id: int) -> None:
    """The task is done: how many hours did it take?"""
    assert turn.member is not None
    request = await requests.get_request(turn.uow, request_id)
    authorization.require(turn.member, Action.COMPLETE_TASK, request)
    if request.state != RequestState.ACCEPTED:
        raise InvalidTransition(state=request.state)
    turn.goto("done", "hours", request_id=request.id)
    turn.reply("Thank you! How many hours did it take?", choices=hours_choices(turn))


def hours_choices(turn: Turn) -> list[Choice]:
    """The usual durations, written as the reader writes numbers ("1,5" in French)."""
    return [
        Choice(format_hours(float(h), turn.language), f"hours:{h}", {"translate": False})
        for h in HOURS_CHOICES
    ]


@step(
    "done",
    "hours",
    buttons=("hours",),
    text=True,
    otherwise="Please give the hours as a number between 0.25 and 24.",
    typed_choices=False,  # a typed "2" is two hours, not the second button
)
async def on_hours_answer(turn: Turn, answer: Answer) -> None:
    """Hours pressed ("1.5") or typed ("1h30", "90 min")."""
    await on_hours(turn, answer.given)


async def on_hours(turn: Turn, value: str) -> None:
    """Record the hours, read in full ("1h30" is 1.5 hours); otherwise ask again, with the
    buttons."""
    assert turn.member is not None
    hours = parse_hours(value)
    if hours is None:
        turn.reply(
            "Please give the hours as a number between 0.25 and 24.", choices=hours_choices(turn)
        )
        return
    request_id = int(turn.data("request_id"))
    await requests.complete(turn.uow, turn.member.id, request_id, hours)
    turn.goto(None)
    turn.reply("Recorded. Thank you for your help!", choices=menu_choices(turn))


@action("withdraw", arg=RequestId)
async def ask_withdraw(turn: Turn, request_id: int) -> None:
    """Ask before giving a task back."""
    assert turn.member is not None
    request = await requests.get_request(turn.uow, request_id)
    authorization.require(turn.member, Action.WITHDRAW_FROM_TASK, request)
    turn.reply(
        "You can no longer come? The request will be offered to other volunteers.",
        choices=[
            Choice("Yes, I cannot come", f"withdraw_yes:{request.id}"),
            Choice("No, I will come", f"withdraw_no:{request.id}"),
        ],
    )


@action("withdraw_no", arg=RequestId)
async def keep_task(turn: Turn, request_id: int) -> None:
    """The volunteer will come after all: nothing changes, said kindly, with the menu."""
    assert turn.member is not None
    request = await requests.get_request(turn.uow, request_id)
    authorization.require(turn.member, Action.WITHDRAW_FROM_TASK, request)
    turn.goto(None)
    turn.reply(
        "Thank you. You keep this task: {category}, {when}.",
        request_id=request.id,
        choices=menu_choices(turn),
        **request_summary(request),
    )


@action("change_ok", arg=RequestId)
async def keep_changed_task(turn: Turn, request_id: int) -> None:
    """After a change, the volunteer will still come: she who asked is told so, once."""
    assert turn.member is not None
    request = await requests.get_request(turn.uow, request_id)
    authorization.require(turn.member, Action.WITHDRAW_FROM_TASK, request)  # its holder only
    await changes.confirm(turn.uow, turn.member.id, request_id)
    await keep_task(turn, request_id)


@action("withdraw_yes", arg=RequestId)
async def do_withdraw(turn: Turn, request_id: int) -> None:
    """Give the task back: it is offered to other volunteers."""
    assert turn.member is not None
    await requests.withdraw(turn.uow, turn.member.id, request_id)
    turn.reply(
        "Understood. We will look for someone else. Thank you for telling us.",
        choices=menu_choices(turn),
    )


@action("approve", arg=MemberId)
async def do_approve(turn: Turn, member_id: int) -> None:
    """A coordinator approves a new volunteer."""
    assert turn.member is not None
    member = await members.approve_member(turn.uow, member_id, by_id=turn.member.id)
    turn.reply("{name} is now an approved volunteer.", name=member.display_name)


@action("digest_off")
async def stop_digest(turn: Turn) -> None:
    """The volunteer no longer wants the weekly digest (they can ask a coordinator back)."""
    assert turn.member is not None
    await timed.set_weekly_digest(turn.uow, turn.member.id, False, by_id=turn.member.id)
    turn.reply(
        "Done: you will no longer receive the weekly list of open requests.",
        choices=menu_choices(turn),
    )


@action("digest_on")
async def start_digest(turn: Turn) -> None:
    """The volunteer wants the weekly digest again."""
    assert turn.member is not None
    await timed.set_weekly_digest(turn.uow, turn.member.id, True, by_id=turn.member.id)
    turn.reply(
        "Done: you will receive the open requests near you once a week.",
        choices=menu_choices(turn),
    )

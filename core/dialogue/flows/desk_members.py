"""The coordinators' desk in the chat: its menu, volunteers to approve or refuse, suspending
a member with a reason.

Actions: desk_menu (the desk's buttons), desk_approvals (the volunteers waiting, each with
their answers and Approve / Refuse), desk_refuse:<member>, suspend (/suspendre). Steps:
desk_refuse/reason (typed, or "Without a reason"), desk_suspend/who (part of a name typed, then
a member's button), desk_suspend/reason (typed), desk_suspend/confirm (yes). Every action is
refused to anyone but a coordinator of the territory, by `core/services/authorization.py`.
"""

from __future__ import annotations

from core.dialogue.arguments import parse_id
from core.dialogue.render import CATEGORY_LABELS
from core.dialogue.routing import Answer, MemberId, action, step
from core.dialogue.turn import Turn
from core.domain.availability import PRESETS
from core.domain.errors import InvalidInput, NotAllowed
from core.domain.model import Member
from core.i18n import translate
from core.services import authorization, desk_work, members
from core.services.authorization import COORDINATORS_ONLY, Action
from core.services.lookup import get_member
from core.services.outbox import Choice

REFUSE_FLOW = "desk_refuse"
SUSPEND_FLOW = "desk_suspend"
PICK = "desk_pick"
AVAILABILITY_LABELS = {
    "anytime": "Any time",
    "weekday_mornings": "Weekday mornings",
    "weekday_afternoons": "Weekday afternoons",
    "weekday_evenings": "Weekday evenings",
    "weekends": "Weekends",
}
CANCEL = Choice("Cancel", "abort")


def require_desk(turn: Turn) -> Member:
    """The coordinator at the desk; anyone else gets the kind refusal."""
    if turn.member is None:
        raise NotAllowed(COORDINATORS_ONLY)
    authorization.require(turn.member, Action.COORDINATE, turn.member.territory)
    return turn.member


def desk_choices() -> list[Choice]:
    return [
        Choice("Volunteers to approve", "desk_approvals"),
        Choice("Post a request for someone", "post_for"),
        Choice("Suspend a member", "suspend"),
        Choice("Polls and results", "polls"),
        Choice("Create a poll", "new_poll"),
        Choice("Back to the menu", "menu"),
    ]


@action("desk_menu")
async def show_desk(turn: Turn) -> None:
    """The coordinator's desk: what she can do from the chat."""
    require_desk(turn)
    turn.goto(None)
    turn.reply("Coordination: what would you like to do?", choices=desk_choices())


def name_choice(member: Member, action_name: str) -> Choice:
    """A member's button: their name and neighbourhood, shown as written."""
    label = f"{member.display_name} ({member.neighbourhood})" if member.neighbourhood else None
    return Choice(label or member.display_name, f"{action_name}:{member.id}", {"translate": False})


def _answers_of(turn: Turn, member: Member) -> tuple[str, str]:
    """A volunteer's onboarding answers, in the coordinator's words: skills, availability."""
    skills = ", ".join(
        translate(turn.language, CATEGORY_LABELS[s.category])
        for s in sorted(member.skills, key=lambda s: s.category)
        if s.category in CATEGORY_LABELS
    )
    mask = member.availability
    times = [c for c, bits in PRESETS.items() if bits and mask & bits == bits]
    if "anytime" in times:
        times = ["anytime"]
    hours = ", ".join(translate(turn.language, AVAILABILITY_LABELS[c]) for c in times)
    return skills or "-", hours or "-"


@action("desk_approvals")
async def show_approvals(turn: Turn) -> None:
    """The volunteers waiting for approval, each with their answers and two buttons."""
    me = require_desk(turn)
    waiting = await desk_work.pending_volunteers(turn.uow, me.territory_id, by_id=me.id)
    turn.goto(None)
    if not waiting:
        turn.reply("No volunteer is waiting for approval.", choices=desk_choices())
        return
    for member in waiting:
        skills, hours = _answers_of(turn, member)
        turn.reply(
            "{name} ({neighbourhood}) wants to help.\nSkills: {skills}\nAvailable: {hours}",
            name=member.display_name,
            neighbourhood=member.neighbourhood or "-",
            skills=skills,
            hours=hours,
            choices=[
                Choice("Approve", f"approve:{member.id}"),
                Choice("Refuse", f"desk_refuse:{member.id}"),
            ],
        )


@action("desk_refuse", arg=MemberId)
async def ask_refusal_reason(turn: Turn, member_id: int) -> None:
    """Refusing a volunteer: ask an optional reason, which the volunteer will read."""
    me = require_desk(turn)
    member = await get_member(turn.uow, member_id)
    authorization.require(me, Action.COORDINATE, member)
    if not member.is_volunteer or member.status != "pending":
        raise InvalidInput("This member is not waiting for approval.")
    turn.goto(REFUSE_FLOW, "reason", member=member.id)
    turn.reply(
        "Why do you refuse {name}? They will read your reason. Write it, or press "
        '"Without a reason".',
        name=member.display_name,
        choices=[Choice("Without a reason", "no_reason"), CANCEL],
    )


@step(REFUSE_FLOW, "reason", buttons=("no_reason",), text=True, typed_choices=False)
async def on_refusal_reason(turn: Turn, answer: Answer) -> None:
    """The reason typed (or none): the volunteer is refused and told."""
    me = require_desk(turn)
    reason = "" if answer.pressed else answer.given
    member = await members.refuse_volunteer(
        turn.uow, int(turn.data("member")), by_id=me.id, reason=reason
    )
    turn.goto(None)
    turn.reply("Done: {name} is told.", name=member.display_name, choices=desk_choices())


@action("suspend")
async def start_suspension(turn: Turn) -> None:
    """/suspendre: who? (part of their name, then their button)."""
    require_desk(turn)
    turn.goto(SUSPEND_FLOW, "who")
    turn.reply("Who do you want to suspend? Write part of their name.", choices=[CANCEL])


async def pick_member(
    turn: Turn, answer: Answer, *, requesters_only: bool = False
) -> Member | None:
    """Part of a name typed: the members found, as buttons (None: asked again). A member's
    button pressed: that member, once checked to be of the coordinator's territory."""
    me = require_desk(turn)
    if answer.pressed:
        member = await get_member(turn.uow, parse_id(answer.value))
        authorization.require(me, Action.COORDINATE, member)
        return member
    found = await desk_work.find_by_part(
        turn.uow,
        me.territory_id,
        answer.given,
        by_id=me.id,
        requesters_only=requesters_only,
        exclude_suspended=not requesters_only,
    )
    if not found:
        turn.reply("I found nobody with that name. Write another part of it.", choices=[CANCEL])
    elif len(found) > desk_work.FOUND_AT_MOST:
        turn.reply("Too many names. Please write more of the name.", choices=[CANCEL])
    else:
        turn.reply("Which one?", choices=[*(name_choice(m, PICK) for m in found), CANCEL])
    return None


@step(SUSPEND_FLOW, "who", buttons=(PICK,), text=True)
async def on_suspend_who(turn: Turn, answer: Answer) -> None:
    """The member to suspend: then why."""
    member = await pick_member(turn, answer)
    if member is None:
        return
    turn.goto(SUSPEND_FLOW, "reason", member=member.id)
    turn.reply(
        "Why suspend {name}? The reason stays in the log of the coordination.",
        name=member.display_name,
        choices=[CANCEL],
    )


@step(SUSPEND_FLOW, "reason", text=True, typed_choices=False, otherwise="Please write the reason.")
async def on_suspend_reason(turn: Turn, answer: Answer) -> None:
    """The reason, typed: then confirm."""
    require_desk(turn)
    reason = answer.given.strip()
    if not reason:
        raise InvalidInput("Please write the reason.")
    if len(reason) > 300:
        raise InvalidInput("The reason is too long: 300 characters at most.")
    member = await get_member(turn.uow, int(turn.data("member")))
    turn.goto(SUSPEND_FLOW, "confirm", reason=reason)
    turn.reply(
        "Suspend {name}?\nReason: {reason}\nThey will be told kindly, without the reason.",
        name=member.display_name,
        reason=reason,
        choices=[Choice("Yes, suspend", "suspend_yes"), CANCEL],
    )


@step(SUSPEND_FLOW, "confirm", buttons=("suspend_yes",))
async def on_suspend_confirm(turn: Turn, answer: Answer) -> None:
    """Suspended now, the reason in the audit log, the member told kindly."""
    me = require_desk(turn)
    member = await members.suspend_member(
        turn.uow, int(turn.data("member")), by_id=me.id, reason=str(turn.data("reason"))
    )
    turn.goto(None)
    turn.reply("Done: {name} is suspended.", name=member.display_name, choices=desk_choices())

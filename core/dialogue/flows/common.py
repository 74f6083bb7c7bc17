"""Menu, help, language, talking to a coordinator, linking accounts, emergencies."""

from __future__ import annotations

from core.dialogue.turn import Turn
from core.domain import events
from core.domain.errors import CodeInvalid
from core.domain.vocabulary import MemberStatus
from core.services import identity, members
from core.services.outbox import Choice
from core.services.text import clean_text


def menu_choices(turn: Turn) -> list[Choice]:
    member = turn.member
    choices: list[Choice] = []
    if member is not None and member.status == MemberStatus.SUSPENDED:
        # All a suspended member may still do (see the engine's `SUSPENDED_MAY`).
        return [Choice("Talk to a coordinator", "coordinator"), Choice("Help", "help")]
    if member is not None and member.is_requester:
        choices += [Choice("I need help", "need_help"), Choice("My requests", "my_requests")]
    if member is not None and member.is_volunteer:
        choices += [Choice("Open requests", "requests"), Choice("My tasks", "my_tasks")]
    choices += [
        Choice("Polls", "polls"),
        Choice("Talk to a coordinator", "coordinator"),
        Choice("Help", "help"),
    ]
    return choices


async def show_menu(turn: Turn, _arg: str = "") -> None:
    turn.goto(None)
    turn.reply("What would you like to do?", choices=menu_choices(turn))


async def show_help(turn: Turn, _arg: str = "") -> None:
    turn.goto(None)
    turn.reply(
        "I connect the members of the cooperative who help each other.\n"
        "Press a button, or write what you need in your own words.\n"
        'Write "menu" at any time to come back here, or "coordinator" to reach a person.',
        choices=menu_choices(turn),
    )


async def ask_language(turn: Turn, _arg: str = "") -> None:
    turn.goto("language", "choose")
    turn.reply(
        "Which language do you prefer?",
        choices=[
            Choice("Français", "lang:fr", {"translate": False}),
            Choice("English", "lang:en", {"translate": False}),
        ],
    )


async def set_language(turn: Turn, language: str) -> None:
    if turn.member is None:
        turn.set_data(language=language)
        return
    await members.update_profile(turn.uow, turn.member.id, language=language)
    turn.goto(None)
    turn.reply("Done. I will write to you in English.", choices=menu_choices(turn))


async def ask_coordinator_message(turn: Turn, _arg: str = "") -> None:
    turn.goto("coordinator", "message")
    turn.reply(
        "Write your message for the coordinators. A person will answer you.",
        choices=[Choice("Back to the menu", "menu")],
    )


async def forward_to_coordinators(turn: Turn, text: str) -> None:
    assert turn.member is not None
    text = clean_text(text, what="message")
    coordinators = await members.coordinators_of(turn.uow, turn.member.territory_id)
    turn.goto(None)
    if not [c for c in coordinators if c.id != turn.member.id]:
        turn.reply(
            "There is no coordinator for your territory yet. Please try again later.",
            choices=menu_choices(turn),
        )
        return
    turn.uow.publish(events.CoordinatorContacted(turn.member.id, text))
    turn.uow.audit(turn.member.id, "coordinator.contact", f"member:{turn.member.id}")
    turn.reply(
        "Your message has been sent to the coordinators. Someone will contact you soon.",
        choices=menu_choices(turn),
    )


async def answer_emergency(turn: Turn, text: str) -> None:
    """Emergency numbers first, at once; then the coordinators are alerted."""
    numbers = "\n".join(f"{n['number']} : {n['label']}" for n in turn.territory.emergency_numbers)
    turn.reply(
        "If this is an emergency, call now:\n{numbers}\nI am also alerting the coordinators.",
        numbers=numbers,
    )
    if turn.member is not None:
        turn.uow.publish(events.EmergencyRaised(turn.member.id, text[:1000]))
        turn.uow.audit(turn.member.id, "emergency", f"member:{turn.member.id}")


async def give_link_code(turn: Turn, code: str = "") -> None:
    """Without a code: give one to type on the other app. With one: join this account."""
    assert turn.member is not None
    if code:
        await redeem_link_code(turn, code)
        return
    code = await identity.issue_link_code(turn.uow, turn.member.id)
    turn.goto(None)
    turn.reply(
        "Your code is {code}. On your other app, write: lier {code}\n"
        "It works once, for {minutes} minutes.",
        code=code.code,
        minutes=turn.uow.settings.link_code_minutes if turn.uow.settings else 10,
    )


async def follow_invitation(turn: Turn, territory_id: str) -> None:
    """A member opened a territory's invitation link (`/start join_<id>` on Telegram)."""
    if str(turn.territory.id) == territory_id:
        await show_menu(turn)
        return
    turn.goto(None)
    turn.reply(
        "You are already a member of {territory}. To move to another territory, please talk "
        "to a coordinator.",
        territory=turn.territory.name,
        choices=menu_choices(turn),
    )


async def redeem_link_code(turn: Turn, code: str) -> None:
    try:
        member = await identity.redeem_link_code(turn.uow, turn.account, code)
    except CodeInvalid:
        turn.reply(CodeInvalid.key)
        return
    turn.member = member
    turn.goto(None)
    turn.reply(
        "Your accounts are now joined, {name}.", name=member.first_name, choices=menu_choices(turn)
    )

"""Menu, help, language, talking to a coordinator, linking accounts, emergencies."""

from __future__ import annotations

from core.dialogue.turn import Turn
from core.domain import events
from core.domain.errors import CodeInvalid, DomainError
from core.domain.vocabulary import MemberStatus, MessageKind
from core.services import identity, invitations, members
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
    turn.reply(
        "If this is an emergency, call now:\n{numbers}\nI am also alerting the coordinators.",
        kind=MessageKind.ALERT,
        numbers=list(turn.territory.emergency_numbers),  # labels shown in the reader's words
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
    code = await identity.issue_link_code(turn.uow, turn.member.id, account_id=turn.account.id)
    turn.goto(None)
    turn.reply(
        "Your code is {code}. On your other app, write: lier {code}\n"
        "It works once, for {minutes} minutes.",
        code=code.code,
        minutes=turn.uow.settings.link_code_minutes if turn.uow.settings else 10,
    )


async def follow_invitation(turn: Turn, code: str) -> None:
    """A member opened an invitation link (`/start join_<code>` on Telegram).

    Nothing is used up: a member stays in their territory; the menu if the invitation is to it.
    """
    invitation = await invitations.valid_invitation(turn.uow, code)
    if invitation is None or invitation.territory_id == turn.territory.id:
        await show_menu(turn)
        return
    turn.goto(None)
    turn.reply(
        "You are already a member of {territory}. To move to another territory, please talk "
        "to a coordinator.",
        territory=turn.territory.name,
        choices=menu_choices(turn),
    )


LINK_CHOICES = (Choice("Yes, link them", "link_yes"), Choice("No", "link_no"))


async def redeem_link_code(turn: Turn, code: str) -> None:
    """A code typed (`lier CODE`) or tapped (a deep link): ask before anything is joined."""
    try:
        proposal = await identity.propose_link(turn.uow, turn.account, code)
    except DomainError as refusal:
        # Answered, not raised: raising would roll back the failed attempt just recorded,
        # and the limit on wrong codes would never be reached.
        turn.reply(refusal.key, **refusal.params)
        return
    # The code waits here, in this account's conversation: the buttons carry none.
    turn.goto("link", "confirm", link_code=proposal.code)
    name = proposal.target.display_name
    if proposal.former is None:
        turn.reply(
            "Link this account to the {platform} account of {name}? You will see {name}'s "
            "requests and tasks here. Only say yes if {name} is you.",
            name=name,
            platform=proposal.platform,
            choices=LINK_CHOICES,
        )
    else:
        turn.reply(
            "Link this account to the {platform} account of {name}? {former}'s requests and "
            "tasks will move to {name}. Only say yes if both are you.",
            name=name,
            platform=proposal.platform,
            former=proposal.former.display_name,
            choices=LINK_CHOICES,
        )


async def confirm_link(turn: Turn) -> None:
    """The person said yes to the link waiting in their conversation."""
    code = str(turn.data("link_code") or "")
    turn.goto(None)
    try:
        member = await identity.confirm_link(turn.uow, turn.account, code)
    except CodeInvalid:  # used, replaced or expired meanwhile: checked before any change
        turn.reply(CodeInvalid.key)
        return
    turn.member, turn.territory = member, member.territory
    turn.reply(
        "Your accounts are now joined, {name}.", name=member.first_name, choices=menu_choices(turn)
    )


async def refuse_link(turn: Turn) -> None:
    """The person said no: nothing is joined, the code is spent, its owner is told."""
    await identity.refuse_link(turn.uow, turn.account, str(turn.data("link_code") or ""))
    turn.goto(None)
    turn.reply("Nothing was linked.", choices=menu_choices(turn) if turn.member else ())

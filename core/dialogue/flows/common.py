"""Menu, help, leaving a flow, language, talking to a coordinator (emergencies: `emergency`).

Steps: language/choose (a language button); coordinator/message (the message, typed: only the
words to move about are commands there). Actions: menu, help, abort, language, coordinator,
not_text (a voice message: `alerts`).
"""

from __future__ import annotations

from core.dialogue.routing import Answer, action, press, step
from core.dialogue.turn import Turn
from core.domain import events
from core.domain.vocabulary import MemberStatus
from core.services import invitations, members, threads
from core.services.outbox import Choice
from core.services.text import clean_text

COORDINATOR_FLOW = "coordinator"
# While talking to a coordinator, the only typed words that are not sent: they move about.
MOVING_ABOUT = frozenset({"abort", "menu", "coordinator"})


def menu_choices(turn: Turn) -> list[Choice]:
    member = turn.member
    choices: list[Choice] = []
    if member is not None and member.status == MemberStatus.SUSPENDED:
        # All a suspended member may still do (see `dispatch.SUSPENDED_MAY`).
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
    if member is not None and member.is_coordinator and member.status == MemberStatus.APPROVED:
        # Last, so that the numbers of the buttons above stay the same for everyone.
        choices.append(Choice("Coordination", "desk_menu"))
    return choices


@action("menu")
async def show_menu(turn: Turn) -> None:
    """The menu: what this member can do."""
    turn.goto(None)
    turn.reply("What would you like to do?", choices=menu_choices(turn))


@action("help")
async def show_help(turn: Turn) -> None:
    """How the bot works, in three lines, with the menu."""
    turn.goto(None)
    turn.reply(
        "I connect the members of the cooperative who help each other.\n"
        "Press a button, or write what you need in your own words.\n"
        'Write "menu" at any time to come back here, or "coordinator" to reach a person.',
        choices=[*menu_choices(turn), *_learning_choice(turn), *_age_choice(turn)],
    )


def _learning_choice(turn: Turn) -> list[Choice]:
    """Members may let the bot keep its unclear messages to learn (`flows/learning.py`)."""
    if turn.member is None or turn.member.status == MemberStatus.SUSPENDED:
        return []
    return [Choice("Help the bot learn", "learning")]


def _age_choice(turn: Turn) -> list[Choice]:
    """Members may give, change or remove their age band (`flows/generations.py`)."""
    if turn.member is None or turn.member.status == MemberStatus.SUSPENDED:
        return []
    return [Choice("My age", "my_age")]


@action("abort")
async def abort(turn: Turn) -> None:
    """Leave the flow in progress ("annuler", "stop"): nothing it was preparing is sent.

    Outside any flow, "cancel" is about a request: the member's requests, each with its button.
    """
    if turn.conversation.flow is None and turn.member is not None:
        await press(turn, "my_requests")
        return
    turn.goto(None)
    turn.reply("Stopped. Nothing was sent.", choices=menu_choices(turn) if turn.member else ())


@action("language")
async def ask_language(turn: Turn) -> None:
    """Ask which language the member prefers."""
    turn.goto("language", "choose")
    turn.reply(
        "Which language do you prefer?",
        choices=[
            Choice("Français", "lang:fr", {"translate": False}),
            Choice("English", "lang:en", {"translate": False}),
        ],
    )


@step("language", "choose", buttons=("lang",), otherwise=None)
async def on_language(turn: Turn, answer: Answer) -> None:
    """A language's button sets it; anything else asks again."""
    if answer.button == "lang" and answer.value in ("fr", "en"):
        await set_language(turn, answer.value)
        return
    await ask_language(turn)


async def set_language(turn: Turn, language: str) -> None:
    if turn.member is None:
        turn.set_data(language=language)
        return
    await members.update_profile(turn.uow, turn.member.id, language=language)
    turn.goto(None)
    turn.reply("Done. I will write to you in English.", choices=menu_choices(turn))


@action("coordinator")
async def ask_coordinator_message(turn: Turn) -> None:
    """Ask for the message to send to the territory's coordinators."""
    turn.goto(COORDINATOR_FLOW, "message")
    turn.reply(
        "Write your message for the coordinators. A person will answer you.",
        choices=[Choice("Back to the menu", "menu")],
    )


@step(
    COORDINATOR_FLOW,
    "message",
    text=True,
    otherwise="Please write your message.",
    # Every typed text is the message ("mes missions", "1", "lier CODE" run nothing), but the
    # words to move about.
    commands=MOVING_ABOUT,
    typed_choices=False,
)
async def forward_to_coordinators(turn: Turn, answer: Answer) -> None:
    """Send the member's message to their territory's coordinators."""
    assert turn.member is not None
    text = clean_text(answer.given, what="message")
    thread = await threads.open_thread_of(turn.uow, turn.member.id)
    if thread is not None:  # a coordinator answers them already: to her, not to all
        await threads.write(turn.uow, thread.id, text, by_id=turn.member.id)
        turn.goto(None)
        turn.reply("Sent to the coordination.", choices=menu_choices(turn))
        return
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


@action("not_text")
async def on_not_text(turn: Turn) -> None:
    """A photo, a sticker, a file: only written messages are read."""
    turn.reply(
        "I can only read written messages. Please write, or press a button.",
        choices=menu_choices(turn),
    )

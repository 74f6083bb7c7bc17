"""What to do with a free-text message the NLU understood, outside of any flow.

Low confidence never guesses: the two or three likeliest meanings are offered as buttons. What
the NLU understood ends in the same `press()` as a button: its argument checked the same way.
"""

from __future__ import annotations

from core.dialogue import faq
from core.dialogue.choosing import shown_again
from core.dialogue.flows import asking, common, helping, learning, my_requests, scams, voting
from core.dialogue.request_pieces import sure_category
from core.dialogue.routing import is_action, press
from core.dialogue.shown_choices import last_shown
from core.dialogue.turn import Turn, Understanding
from core.services import requests
from core.services.outbox import Choice

EMERGENCY = "emergency"
OUT_OF_SCOPE = "out_of_scope"
LOW_CONFIDENCE = 0.45
# Meanings whose handler uses the words themselves (what, when, where of a request): never
# reduced to pressing the button of that meaning, which would ask again what was said.
USES_THE_WORDS = frozenset({"request_help"})
FAQ_WORDS = 8
# The button offered for each meaning when the message was unclear.
MEANINGS: dict[str, Choice] = {
    "request_help": Choice("I need help", "need_help"),
    "offer_help": Choice("Open requests", "requests"),
    "list_requests": Choice("Open requests", "requests"),
    "accept_task": Choice("Open requests", "requests"),
    "my_status": Choice("My requests", "my_requests"),
    "cancel_request": Choice("My requests", "my_requests"),
    "task_done": Choice("My tasks", "my_tasks"),
    "help": Choice("Help", "help"),
}


# What a reply means under the buttons of a request offered ("yes I can do it", "no sorry not
# this time") or of a task held ("i cant come anymore sorry"): the action of that button.
IN_CONTEXT: dict[str, tuple[str, ...]] = {
    "affirm": ("accept",),
    "accept_task": ("accept",),
    "offer_help": ("accept",),
    "deny": ("decline", "withdraw"),
    "cancel_request": ("withdraw", "decline"),
    "task_done": ("done",),
}
# Words that answer nothing under a request's or a task's buttons ("hmm", "bonjour"): those
# buttons are shown again rather than replaced by the menu.
SMALL_TALK = frozenset({"greet"})
# How likely a meaning must be to be taken in context (the buttons narrow the meanings down).
IN_CONTEXT_CONFIDENCE = 0.25


async def act_on(turn: Turn, understood: Understanding) -> None:
    """Route an understood message to the flow it asks for; under a request's or a task's
    buttons, a reply is about that request first. A forwarded scam is warned about and an ask
    the cooperative does not cover is said so: neither ever becomes a request."""
    if understood.entity("scam") is not None:
        await scams.warn_about_scam(turn, understood)
        return
    if await _reply_in_context(turn, understood):
        return
    if understood.intent == OUT_OF_SCOPE and not _about_something_shown(turn):
        # "How much does it cost?" may read as off-topic: a short question about the service
        # is answered; a longer message about money or trust elsewhere is not ours to answer.
        if len(understood.text.split()) <= FAQ_WORDS and _answer_question(turn, understood.text):
            return
        await scams.not_for_us(turn, understood)
        if understood.confidence < LOW_CONFIDENCE:
            await learning.keep_unsure(turn, understood, {})
        return
    if understood.confidence < LOW_CONFIDENCE or (
        understood.intent in SMALL_TALK and any(":" in c.action for c in shown_again(turn))
    ):
        await offer_meanings(turn, understood)
        return
    handler = HANDLERS.get(understood.intent, not_understood)
    await handler(turn, understood)


async def _reply_in_context(turn: Turn, understood: Understanding) -> bool:
    """Press the button shown that the reply means (accept, decline, withdraw, done), when
    exactly one such button is shown; withdrawing still asks to confirm. Only the likeliest
    meaning counts, as the NLU decided it: "hmm" (a hesitation, whatever the model's first
    guess) never accepts a task."""
    if understood.confidence < IN_CONTEXT_CONFIDENCE:
        return False
    for name in IN_CONTEXT.get(understood.intent, ()):
        offered = _offered(turn, name)
        if len(offered) == 1:
            await press(turn, f"{name}:{offered[0]}")
            return True
    return False


def _about_something_shown(turn: Turn) -> bool:
    """Whether the last buttons are about a request, a task or a poll (they stay shown)."""
    return any(":" in c.action for c in shown_again(turn))


async def offer_meanings(turn: Turn, understood: Understanding) -> None:
    """The likeliest meanings as buttons; under buttons about a request, a task or a poll,
    those buttons again (they never disappear after an unclear reply)."""
    about = [c for c in shown_again(turn) if ":" in c.action]
    if about:
        coordinator = Choice("Talk to a coordinator", "coordinator")
        turn.reply("I am not sure I understood. Did you mean:", choices=[*about, coordinator])
        await learning.keep_unsure(turn, understood, {})  # those buttons name no intent
        return
    choices: list[Choice] = []
    meanings: dict[str, str] = {}  # each button's action -> the likeliest intent it stands for
    for intent, _confidence in understood.ranking:
        choice = MEANINGS.get(intent)
        if choice is not None and choice not in choices and _allowed(turn, choice.action):
            choices.append(choice)
            meanings[choice.action] = intent
        if len(choices) == 3:
            break
    choices.append(Choice("Talk to a coordinator", "coordinator"))
    turn.reply("I am not sure I understood. Did you mean:", choices=choices)
    await learning.keep_unsure(turn, understood, meanings)


def _allowed(turn: Turn, action: str) -> bool:
    member = turn.member
    if member is None:
        return False
    if action in ("need_help", "my_requests"):
        return member.is_requester
    if action in ("requests", "my_tasks"):
        return member.is_volunteer
    return True


async def request_help(turn: Turn, understood: Understanding) -> None:
    await asking.start_from_text(turn, understood)


async def offer_help(turn: Turn, understood: Understanding) -> None:
    assert turn.member is not None
    if turn.member.is_volunteer:
        await helping.show_open_requests(turn)
        return
    turn.reply(
        "Thank you for wanting to help! A coordinator registers new volunteers: "
        "press the button to write to them.",
        choices=[Choice("Talk to a coordinator", "coordinator"), *common.menu_choices(turn)[:2]],
    )


def _offered(turn: Turn, name: str) -> list[str]:
    """The arguments of the `name:<arg>` buttons last shown in this chat."""
    prefix = name + ":"
    return [
        action.removeprefix(prefix)
        for _label, action in last_shown(turn.conversation)
        if action.startswith(prefix)
    ]


async def accept_task(turn: Turn, understood: Understanding) -> None:
    offered = _offered(turn, "accept")
    if len(offered) == 1:
        await press(turn, f"accept:{offered[0]}")
        return
    await helping.show_open_requests(turn)


async def affirm(turn: Turn, understood: Understanding) -> None:
    """A yes stands for the first of the last buttons shown: a global action (a step's button
    answers its step, not a yes said later), and never "cancel"."""
    last = last_shown(turn.conversation)
    if last and is_action(last[0][1]) and last[0][1] != "abort":
        await press(turn, last[0][1])
        return
    await common.show_menu(turn)


async def deny(turn: Turn, understood: Understanding) -> None:
    declines = _offered(turn, "decline")
    if len(declines) == 1:
        await press(turn, f"decline:{declines[0]}")
        return
    turn.reply("All right.", choices=common.menu_choices(turn))


async def task_done(turn: Turn, understood: Understanding) -> None:
    assert turn.member is not None
    tasks = await requests.tasks_of(turn.uow, turn.member.id)
    if len(tasks) == 1:
        await press(turn, f"done:{tasks[0].id}")
        return
    await helping.show_my_tasks(turn)


async def my_status(turn: Turn, understood: Understanding) -> None:
    assert turn.member is not None
    if turn.member.is_requester and await _asks_for_help_instead(turn, understood):
        # "quelqu'un pour mon chien samedi" with no request of hers: she is asking for help.
        await asking.start_from_text(turn, understood)
        return
    if turn.member.is_requester:
        await my_requests.show_my_requests(turn)
    if turn.member.is_volunteer:
        await helping.show_my_tasks(turn)
    if not (turn.member.is_requester or turn.member.is_volunteer):
        await voting.show_polls(turn)


async def _asks_for_help_instead(turn: Turn, understood: Understanding) -> bool:
    """A "someone for…?" that names a kind of help, from a requester with no request in
    progress, and that the NLU also reads as a request (among its three likeliest meanings:
    out-of-scope asks now sit between the two): there is no request to ask about."""
    assert turn.member is not None
    if "request_help" not in dict(understood.ranking[:3]) or sure_category(turn) is None:
        return False
    return not await requests.requests_of(turn.uow, turn.member.id, active_only=True)


async def list_requests(turn: Turn, understood: Understanding) -> None:
    assert turn.member is not None
    if turn.member.is_volunteer:
        await helping.show_open_requests(turn)
    else:
        await offer_help(turn, understood)


async def cancel_request(turn: Turn, understood: Understanding) -> None:
    await my_requests.show_my_requests(turn)


async def greet(turn: Turn, understood: Understanding) -> None:
    assert turn.member is not None
    turn.reply(
        "Hello {name}! What would you like to do?",
        name=turn.member.first_name,
        choices=common.menu_choices(turn),
    )


async def thanks(turn: Turn, understood: Understanding) -> None:
    # "Merci" under "Would you like to say thank you?" is the thanks she was asked for.
    offered = _offered(turn, "thank")
    if len(offered) == 1:
        await press(turn, f"thank:{offered[0]}")
        return
    turn.reply("You are welcome! Is there anything else?", choices=common.menu_choices(turn))


async def help_(turn: Turn, understood: Understanding) -> None:
    """A question about the service is answered for what it asks; else the general help."""
    if not _answer_question(turn, understood.text):
        await common.show_help(turn)


def _answer_question(turn: Turn, text: str) -> bool:
    """Answer a question about the service itself (`faq`), with the menu; False if it is none."""
    topic = faq.topic_of(text)
    if topic is None:
        return False
    turn.goto(None)
    choices = common.menu_choices(turn)
    if topic.action == "language":
        choices = [Choice("Language", "language"), *choices]
    turn.reply(topic.answer, choices=choices)
    return True


async def not_understood(turn: Turn, understood: Understanding) -> None:
    turn.reply(
        "Sorry, I can only help with mutual aid in the cooperative. Here is what I can do:",
        choices=common.menu_choices(turn),
    )


HANDLERS = {
    "request_help": request_help,
    "offer_help": offer_help,
    "accept_task": accept_task,
    "affirm": affirm,
    "deny": deny,
    "cancel_request": cancel_request,
    "task_done": task_done,
    "list_requests": list_requests,
    "my_status": my_status,
    "greet": greet,
    "thanks": thanks,
    "help": help_,
    "out_of_scope": not_understood,
}

"""First contact: language, name, role, neighbourhood, skills and availability, contact details."""

from __future__ import annotations

from core.dialogue.arguments import is_position
from core.dialogue.flows.asking import category_choices
from core.dialogue.flows.common import menu_choices
from core.dialogue.render import CATEGORY_LABELS
from core.dialogue.turn import Turn
from core.domain.availability import PRESETS
from core.domain.errors import InvalidInput
from core.domain.vocabulary import LANGUAGES, Category, Role
from core.services import members
from core.services.outbox import Choice
from core.services.text import clean_name, clean_text

ROLE_CHOICES = {
    "requester": [Role.REQUESTER],
    "volunteer": [Role.VOLUNTEER],
    "both": [Role.REQUESTER, Role.VOLUNTEER],
}
AVAILABILITY_LABELS = {
    "weekday_mornings": "Weekday mornings",
    "weekday_afternoons": "Weekday afternoons",
    "weekday_evenings": "Weekday evenings",
    "weekends": "Weekends",
    "anytime": "Any time",
}


async def start(turn: Turn) -> None:
    """Greet a newcomer; skip the language question when the platform told us theirs."""
    hint = (turn.inbound.language or "")[:2].lower()
    turn.goto("onboarding", "language", name=_platform_name(turn.inbound.display_name))
    if hint in LANGUAGES:
        turn.set_data(language=hint)
        turn.reply("Hello and welcome to {territory}'s mutual aid!", territory=turn.territory.name)
        await _ask_name_or_role(turn)
        return
    turn.reply(
        # French typography in its French half: a no-break space before "!" and "?".
        "Bonjour\u00a0! Welcome! Quelle langue préférez-vous\u00a0? Which language do you prefer?",
        choices=[
            Choice("Français", "lang:fr", {"translate": False}),
            Choice("English", "lang:en", {"translate": False}),
        ],
    )


def _platform_name(display_name: str | None) -> str | None:
    """The name the platform gives, if it passes the rules of names; else it is asked for."""
    if display_name is None:
        return None
    try:
        return clean_name(display_name[:200])
    except InvalidInput:
        return None


async def on_language(turn: Turn, language: str) -> None:
    if language not in LANGUAGES:
        raise InvalidInput("Please choose one of the buttons.")
    turn.set_data(language=language)
    await _ask_name_or_role(turn)


async def _ask_name_or_role(turn: Turn) -> None:
    if turn.data("name"):
        await _ask_role(turn)
        return
    turn.conversation.step = "name"
    turn.reply("What is your first name?")


async def on_name(turn: Turn, text: str) -> None:
    turn.set_data(name=clean_name(text))
    await _ask_role(turn)


async def _ask_role(turn: Turn) -> None:
    turn.conversation.step = "role"
    turn.reply(
        "Nice to meet you, {name}. What brings you here?",
        name=turn.data("name"),
        choices=[
            Choice("I would like some help", "role:requester"),
            Choice("I want to help others", "role:volunteer"),
            Choice("Both", "role:both"),
        ],
    )


async def on_role(turn: Turn, role: str) -> None:
    if role not in ROLE_CHOICES:
        raise InvalidInput("Please choose one of the buttons.")
    turn.set_data(roles=[str(r) for r in ROLE_CHOICES[role]])
    turn.conversation.step = "neighbourhood"
    choices = [
        Choice(n, f"nb:{i}", {"translate": False})
        for i, n in enumerate(turn.territory.neighbourhoods)
    ]
    turn.reply(
        "Which neighbourhood do you live in? Choose, or write it.",
        choices=[*choices, Choice("I prefer not to say", "nb:none")],
    )


async def on_neighbourhood(turn: Turn, value: str, *, from_button: bool) -> None:
    neighbourhoods = turn.territory.neighbourhoods
    if from_button:
        if value == "none":
            chosen = None
        elif is_position(value) and int(value) < len(neighbourhoods):
            chosen = neighbourhoods[int(value)]
        else:
            raise InvalidInput("Please choose one of the buttons.")
    else:
        typed = clean_text(value, limit=80, what="neighbourhood")
        chosen = next((n for n in neighbourhoods if n.casefold() == typed.casefold()), typed)
    turn.set_data(neighbourhood=chosen)
    if "volunteer" in turn.data("roles", []):
        turn.conversation.step = "skills"
        turn.set_data(skills=[])
        _ask_skills(turn)
    else:
        _ask_phone(turn)


def _ask_skills(turn: Turn) -> None:
    chosen = turn.data("skills", [])
    turn.reply(
        'How would you like to help? Press every kind that suits you, then "That\'s all".',
        choices=[
            *(_skill_choice(c, c.value in chosen) for c in Category),
            Choice("That's all", "skills_done"),
        ],
    )


def _skill_choice(category: Category, selected: bool) -> Choice:
    label = CATEGORY_LABELS[category.value]
    return Choice(label, f"skill:{category.value}", {"selected": selected})


async def on_skill(turn: Turn, value: str) -> None:
    if value not in {c.value for c in Category}:
        raise InvalidInput("Please choose one of the buttons.")
    skills = set(turn.data("skills", [])) ^ {value}
    turn.set_data(skills=sorted(skills))
    _ask_skills(turn)


async def on_skills_done(turn: Turn) -> None:
    if not turn.data("skills"):
        turn.reply("Please choose at least one kind of help.", choices=category_choices())
        return
    turn.conversation.step = "availability"
    turn.reply(
        "When are you usually available?",
        choices=[Choice(label, f"avail:{code}") for code, label in AVAILABILITY_LABELS.items()],
    )


async def on_availability(turn: Turn, value: str) -> None:
    if value not in PRESETS:
        raise InvalidInput("Please choose one of the buttons.")
    turn.set_data(availability=PRESETS[value])
    _ask_phone(turn)


def _ask_phone(turn: Turn) -> None:
    turn.conversation.step = "phone"
    turn.reply(
        "What is your phone number? Only the volunteer who helps you will see it.",
        choices=[Choice("Skip", "skip")],
    )


async def on_phone(turn: Turn, value: str | None) -> None:
    if value is not None:
        members._phone(value)  # validate now, so the person can correct it at once
    turn.set_data(phone=value)
    if "requester" in turn.data("roles", []):
        turn.conversation.step = "address"
        turn.reply(
            "What is your address? Only the volunteer who comes will see it.",
            choices=[Choice("Skip", "skip")],
        )
        return
    await finish(turn)


async def on_address(turn: Turn, value: str | None) -> None:
    if value is not None:
        clean_text(value, limit=300, what="address")
    turn.set_data(address=value)
    await finish(turn)


async def finish(turn: Turn) -> None:
    data = turn.conversation.data
    member = await members.onboard_member(
        turn.uow,
        turn.territory.id,
        data["name"],
        roles=data["roles"],
        language=data.get("language") or turn.territory.language,
        neighbourhood=data.get("neighbourhood"),
        skills=data.get("skills", []),
        availability=data.get("availability", 0),
        phone=data.get("phone"),
        address=data.get("address"),
        account=turn.account,
    )
    turn.member = member
    turn.goto(None)
    if member.is_volunteer and member.status != "approved":
        turn.reply(
            "Welcome, {name}! A coordinator will confirm your registration as a volunteer; "
            "I will tell you when it is done.",
            name=member.first_name,
            choices=menu_choices(turn),
        )
    else:
        turn.reply(
            "Welcome, {name}! You can now ask for help whenever you need it.",
            name=member.first_name,
            choices=menu_choices(turn),
        )

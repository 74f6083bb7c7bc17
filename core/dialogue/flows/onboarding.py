"""First contact: language, name, role, neighbourhood, skills and availability, contact details.

Steps of the onboarding flow, in order: language -> name -> role -> neighbourhood -> (skills ->
availability, for volunteers: several of each, pressed on and off, then "That's all") -> phone ->
(address, for those who ask for help) -> age band (optional: "I prefer not to say" in one tap,
see `generations`). Action: join (an invitation link: a newcomer joins its territory).
"""

from __future__ import annotations

from core.dialogue.arguments import MAX_ACTION_CHARS, is_position
from core.dialogue.flows import common, generations
from core.dialogue.flows.common import menu_choices
from core.dialogue.render import CATEGORY_LABELS
from core.dialogue.routing import Answer, Code, action, step
from core.dialogue.turn import Turn
from core.dialogue.words import fold
from core.domain.availability import PRESETS
from core.domain.errors import InvalidInput
from core.domain.model import Territory
from core.domain.vocabulary import LANGUAGES, Category, Role
from core.services import age_bands, invitations, members
from core.services.outbox import Choice
from core.services.text import clean_name, clean_text

FLOW = "onboarding"
WRITE_OR_SKIP = 'Please write it, or press "Skip".'

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
    turn.goto(FLOW, "language", name=_platform_name(turn.inbound.display_name))
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


@step(FLOW, "language", buttons=("lang",), text=True, otherwise=None)
async def on_language_answer(turn: Turn, answer: Answer) -> None:
    """A language's button, or its name typed; anything else greets again."""
    if answer.pressed:
        await on_language(turn, answer.value)
        return
    folded = fold(answer.text or "")
    language = (
        "fr"
        if folded.startswith(("fr", "francais"))
        else "en"
        if folded.startswith(("en", "anglais"))
        else None
    )
    if language is None:
        await start(turn)
        return
    await on_language(turn, language)


async def on_language(turn: Turn, language: str) -> None:
    if language not in LANGUAGES:
        raise InvalidInput("Please choose one of the buttons.")
    turn.set_data(language=language)
    await _ask_name_or_role(turn)


async def _ask_name_or_role(turn: Turn) -> None:
    if turn.data("name"):
        await _ask_role(turn)
        return
    turn.goto(FLOW, "name")
    turn.reply("What is your first name?")


@step(FLOW, "name", text=True, otherwise="What is your first name?")
async def on_name(turn: Turn, answer: Answer) -> None:
    """The first name, checked by the rules of names."""
    turn.set_data(name=clean_name(answer.given))
    await _ask_role(turn)


async def _ask_role(turn: Turn) -> None:
    turn.goto(FLOW, "role")
    turn.reply(
        "Nice to meet you, {name}. What brings you here?",
        name=turn.data("name"),
        choices=[
            Choice("I would like some help", "role:requester"),
            Choice("I want to help others", "role:volunteer"),
            Choice("Both", "role:both"),
        ],
    )


@step(FLOW, "role", buttons=("role",))
async def on_role(turn: Turn, answer: Answer) -> None:
    """Asking for help, helping, or both."""
    role = answer.value
    if role not in ROLE_CHOICES:
        raise InvalidInput("Please choose one of the buttons.")
    turn.set_data(roles=[str(r) for r in ROLE_CHOICES[role]])
    turn.goto(FLOW, "neighbourhood")
    choices = [
        Choice(n, f"nb:{i}", {"translate": False})
        for i, n in enumerate(turn.territory.neighbourhoods)
    ]
    turn.reply(
        "Which neighbourhood do you live in? Choose, or write it.",
        choices=[*choices, Choice("I prefer not to say", "nb:none")],
    )


@step(FLOW, "neighbourhood", buttons=("nb",), text=True)
async def on_neighbourhood(turn: Turn, answer: Answer) -> None:
    """One of the territory's neighbourhoods (its button, or its name typed), or none."""
    neighbourhoods = turn.territory.neighbourhoods
    value = answer.given
    if answer.pressed:
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
        turn.goto(FLOW, "skills", skills=[])
        _ask_skills(turn)
    else:
        _ask_phone(turn)


def _ask_skills(turn: Turn) -> None:
    turn.reply(
        'How would you like to help? Press every kind that suits you, then "That\'s all".',
        choices=_skill_choices(turn),
    )


def _skill_choices(turn: Turn) -> list[Choice]:
    chosen = turn.data("skills", [])
    return [
        *(_skill_choice(c, c.value in chosen) for c in Category),
        Choice("That's all", "skills_done"),
    ]


def _skill_choice(category: Category, selected: bool) -> Choice:
    label = CATEGORY_LABELS[category.value]
    return Choice(label, f"skill:{category.value}", {"selected": selected})


@step(FLOW, "skills", buttons=("skill", "skills_done"), several="skill")
async def on_skills_answer(turn: Turn, answer: Answer) -> None:
    """Each kind of help pressed is chosen (or no longer), until "That's all"."""
    if answer.button == "skills_done":
        await on_skills_done(turn)
    else:
        await on_skill(turn, answer.value)


async def on_skill(turn: Turn, value: str) -> None:
    if value not in {c.value for c in Category}:
        raise InvalidInput("Please choose one of the buttons.")
    skills = set(turn.data("skills", [])) ^ {value}
    turn.set_data(skills=sorted(skills))
    _ask_skills(turn)


async def on_skills_done(turn: Turn) -> None:
    if not turn.data("skills"):
        # The skills' buttons again (the categories of a request would not answer this step).
        turn.reply("Please choose at least one kind of help.", choices=_skill_choices(turn))
        return
    turn.goto(FLOW, "availability", slots=[])
    _ask_availability(turn)


def _ask_availability(turn: Turn) -> None:
    turn.reply(
        'When are you usually available? Press every time that suits you, then "That\'s all".',
        choices=_availability_choices(turn),
    )


def _availability_choices(turn: Turn) -> list[Choice]:
    chosen = turn.data("slots", [])
    return [
        *(
            Choice(label, f"avail:{code}", {"selected": code in chosen})
            for code, label in AVAILABILITY_LABELS.items()
        ),
        Choice("That's all", "avail_done"),
    ]


@step(FLOW, "availability", buttons=("avail", "avail_done"), several="avail")
async def on_availability(turn: Turn, answer: Answer) -> None:
    """Each time pressed is chosen (or no longer), until "Done": the volunteer's slots are
    all of them (matching offers requests at any of these times)."""
    if answer.button == "avail_done":
        chosen = turn.data("slots", [])
        if not chosen:
            turn.reply("Please choose at least one time.", choices=_availability_choices(turn))
            return
        mask = 0
        for code in chosen:
            mask |= PRESETS[code]
        turn.set_data(availability=mask)
        _ask_phone(turn)
        return
    if answer.value not in PRESETS:
        raise InvalidInput("Please choose one of the buttons.")
    turn.set_data(slots=sorted(set(turn.data("slots", [])) ^ {answer.value}))
    _ask_availability(turn)


def _ask_phone(turn: Turn) -> None:
    turn.goto(FLOW, "phone")
    turn.reply(
        "What is your phone number? Only the volunteer who helps you will see it.",
        choices=_skip_choices(),
    )


def _skip_choices() -> list[Choice]:
    return [Choice("Skip", "skip")]


def _write_or_skip(turn: Turn) -> None:
    """Neither written nor skipped (another button): ask again, with the "Skip" it names."""
    turn.reply(WRITE_OR_SKIP, choices=_skip_choices())


@step(FLOW, "phone", buttons=("skip",), text=True, otherwise=None)
async def on_phone(turn: Turn, answer: Answer) -> None:
    """The phone number, checked now so that it can be corrected at once; or skipped."""
    if not answer.pressed and not answer.text:
        _write_or_skip(turn)
        return
    value = None if answer.pressed else answer.text
    if value is not None:
        members._phone(value)  # validate now, so the person can correct it at once
    turn.set_data(phone=value)
    if "requester" in turn.data("roles", []):
        turn.goto(FLOW, "address")
        turn.reply(
            "What is your address? Only the volunteer who comes will see it.",
            choices=_skip_choices(),
        )
        return
    _ask_age_band(turn)


@step(FLOW, "address", buttons=("skip",), text=True, otherwise=None)
async def on_address(turn: Turn, answer: Answer) -> None:
    """The address (shown only to the volunteer who comes), or skipped; then welcome."""
    if not answer.pressed and not answer.text:
        _write_or_skip(turn)
        return
    value = None if answer.pressed else answer.text
    if value is not None:
        clean_text(value, limit=300, what="address")
    turn.set_data(address=value)
    _ask_age_band(turn)


def _ask_age_band(turn: Turn) -> None:
    turn.goto(FLOW, "age_band")
    generations.ask_at_onboarding(turn)


@step(FLOW, "age_band", buttons=("band",), text=True)
async def on_age_band(turn: Turn, answer: Answer) -> None:
    """An age band, or "I prefer not to say" (nothing is stored), or the age typed ("82");
    then welcome."""
    if answer.pressed:
        turn.set_data(age_band=generations.chosen_band(answer.value))
    else:
        turn.set_data(age_band=generations.band_of_age(answer.given))
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
    if data.get("age_band"):  # given by the member herself, with a button: her consent
        await age_bands.set_band(turn.uow, member.id, data["age_band"])
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


@action("join", arg=Code(MAX_ACTION_CHARS))
async def follow_invitation(turn: Turn, code: str) -> None:
    """An invitation link: a newcomer joins its territory if it still holds.

    A code that is unknown, revoked, expired or used up (or an old link carrying a territory's
    id) leads to the default territory, with a kind word. A member stays in their territory.
    """
    if turn.member is not None:
        await common.follow_invitation(turn, code)
        return
    if turn.data("invitation") == code and turn.data("territory_id") is not None:
        await start(turn)  # the same link opened again: not a second use
        return
    invited = await invitations.redeem(turn.uow, code)
    if invited is not None:
        turn.territory = invited
        turn.set_data(territory_id=invited.id, invitation=code)
    else:
        turn.set_data(territory_id=None, invitation=None)
        turn.territory = await default_territory(turn)
        turn.reply(
            "This invitation is no longer valid: you are joining {territory}. "
            "A coordinator can send you a new one.",
            territory=turn.territory.name,
        )
    await start(turn)


async def default_territory(turn: Turn) -> Territory:
    """The territory of newcomers who came without a valid invitation."""
    settings = turn.uow.settings
    return await members.ensure_territory(
        turn.uow, settings.default_territory, settings.default_timezone, settings.default_language
    )

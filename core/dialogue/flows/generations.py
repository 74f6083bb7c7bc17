"""The member's age band in the chat: asked once at onboarding, changed or removed at any time.

It is optional and consented: the member gives it herself, with a button, after a plain word on
why (the cooperative counts the help between generations; nobody else sees it). "I prefer not
to say" stores nothing. It feeds one figure, the share of tasks between generations
(`core/services/age_bands.py`).

The onboarding's step is `onboarding/age_band` (`flows/onboarding.py`), with this module's
question and buttons (the age may also be typed there, in years). Actions: my_age (the band
given, the buttons to change or remove it), band (a band's button: given or changed;
`band:none` removes it).
"""

from __future__ import annotations

import re

from core.dialogue.arguments import MAX_ACTION_CHARS
from core.dialogue.flows.common import menu_choices
from core.dialogue.routing import Code, action
from core.dialogue.turn import Turn
from core.dialogue.words import fold
from core.domain.errors import InvalidInput
from core.domain.observatory_tables import AgeBand
from core.i18n import N_
from core.observatory.wording import BAND_LABELS
from core.services import age_bands
from core.services.outbox import Choice

# The buttons of the four bands, in order (their labels are also those of the observatory).
BAND_BUTTONS = {
    AgeBand.UNDER_30.value: N_("Under 30"),
    AgeBand.FROM_30_TO_59.value: N_("30 to 59"),
    AgeBand.FROM_60_TO_74.value: N_("60 to 74"),
    AgeBand.FROM_75.value: N_("75 and over"),
}
NOT_SAID = "none"
# An age typed instead of a button, in years: "82", "82 ans", "82 years old".
TYPED_AGE = re.compile(r"(\d{2,3}) ?(ans|an|years old|years|yo)?")
MIN_AGE, MAX_AGE = 15, 120
# The last age of each band but the last, which has no end.
LAST_AGE = {
    AgeBand.UNDER_30.value: 29,
    AgeBand.FROM_30_TO_59.value: 59,
    AgeBand.FROM_60_TO_74.value: 74,
}


def band_choices() -> list[Choice]:
    return [Choice(label, f"band:{band}") for band, label in BAND_BUTTONS.items()]


def ask_at_onboarding(turn: Turn) -> None:
    """The last question of the onboarding: the age band, or "I prefer not to say"."""
    turn.reply(
        "One last question, if you like: how old are you? "
        "The cooperative counts the help between generations. Nobody else sees your answer.",
        choices=[*band_choices(), Choice("I prefer not to say", f"band:{NOT_SAID}")],
    )


def band_of_age(text: str) -> str:
    """The band of an age typed in years ("82", "82 ans"); anything else is refused kindly."""
    found = TYPED_AGE.fullmatch(fold(text).rstrip(" .!"))
    age = int(found.group(1)) if found else 0
    if not MIN_AGE <= age <= MAX_AGE:
        raise InvalidInput("Please choose one of the buttons.")
    for band, last in LAST_AGE.items():
        if age <= last:
            return band
    return AgeBand.FROM_75.value


def chosen_band(value: str) -> str | None:
    """The band a button names; None for "I prefer not to say"; a forgery is refused."""
    if value == NOT_SAID:
        return None
    if value not in BAND_BUTTONS:
        raise InvalidInput("Please choose one of the buttons.")
    return value


@action("my_age")
async def show_band(turn: Turn) -> None:
    """The age band the member gave (or that none is given), with the buttons to change it."""
    assert turn.member is not None
    given = await age_bands.band_of(turn.uow, turn.member.id)
    turn.goto(None)
    back = Choice("Back to the menu", "menu")
    if given is None:
        turn.reply(
            "You have not given your age. The cooperative counts the help between generations. "
            "Nobody else sees your answer. You can give it here:",
            choices=[*band_choices(), back],
        )
        return
    turn.reply(
        "Your age, as you gave it: {what}. Nobody else sees it. You can change it, or remove it.",
        what=BAND_LABELS[given],
        choices=[*band_choices(), Choice("Remove my age", f"band:{NOT_SAID}"), back],
    )


@action("band", arg=Code(MAX_ACTION_CHARS))
async def set_band(turn: Turn, value: str) -> None:
    """A band's button gives or changes it; `band:none` removes it (nothing of it is kept)."""
    assert turn.member is not None
    band = chosen_band(value)
    turn.goto(None)
    if band is None:
        if await age_bands.band_of(turn.uow, turn.member.id) is not None:
            await age_bands.remove_band(turn.uow, turn.member.id)
        turn.reply("Done: your age is removed.", choices=menu_choices(turn))
        return
    await age_bands.set_band(turn.uow, turn.member.id, band)
    turn.reply(
        "Thank you. Your age is saved: {what}.", what=BAND_LABELS[band], choices=menu_choices(turn)
    )

"""The plain-language sentences of the report and the Impact page, each number in a sentence.

Message ids are English (`N_` marks them for `python -m core.i18n.extract`); the French is in
the catalog. A count has two ids, one for 1 and one for more, chosen in code (the catalog has
no plural forms).
"""

from __future__ import annotations

from typing import Any

from babel.numbers import format_decimal

from core.i18n import N_, translate
from core.observatory.sql import Figure

LABELS = {
    "posted": N_("Requests posted"),
    "accepted": N_("Requests accepted"),
    "done": N_("Requests done"),
    "cancelled": N_("Requests cancelled"),
    "expired": N_("Requests expired"),
    "fulfilled_share": N_("Share fulfilled"),
    "acceptance_median_s": N_("Time to acceptance, median"),
    "acceptance_p90_s": N_("Time to acceptance, 9 in 10"),
    "hours_given": N_("Hours given"),
    "active_volunteers": N_("Active volunteers"),
    "active_requesters": N_("People helped"),
    "new_members": N_("New members"),
    "first_help_median_s": N_("From joining to first help, median"),
    "pairs_met_again": N_("Pairs who met again"),
    "unmet_by_category": N_("Unmet requests by category"),
    "unmet_by_neighbourhood": N_("Unmet requests by neighbourhood"),
    "escalations": N_("Requests passed to the coordinators"),
    "emergencies": N_("Emergencies"),
    "poll_participation": N_("Poll participation"),
    "alerts_handled": N_("Alerts handled"),
    "handling_median_s": N_("Time to handle an alert, median"),
    "handling_p90_s": N_("Time to handle an alert, 9 in 10"),
    "intergenerational_share": N_("Tasks between generations"),
    "age_bands": N_("Age bands of active members"),
    "loneliness_mean": N_("Loneliness score (3 to 9)"),
}

# (figure, message for 1, message for more): the count is `{n}`.
COUNT_SENTENCES = (
    ("posted", N_("One request for help was posted."), N_("{n} requests for help were posted.")),
    ("done", N_("One request was done."), N_("{n} requests were done.")),
    ("expired", N_("One request found nobody in time."), N_("{n} requests found nobody in time.")),
    ("active_volunteers", N_("One volunteer helped."), N_("{n} volunteers helped.")),
    ("active_requesters", N_("One person was helped."), N_("{n} people were helped.")),
    (
        "new_members",
        N_("One person joined the cooperative."),
        N_("{n} people joined the cooperative."),
    ),
    ("pairs_met_again", N_("One pair of people met again."), N_("{n} pairs of people met again.")),
    (
        "escalations",
        N_("One request was passed to the coordinators."),
        N_("{n} requests were passed to the coordinators."),
    ),
    (
        "emergencies",
        N_("The desk received one emergency message."),
        N_("The desk received {n} emergency messages."),
    ),
    (
        "alerts_handled",
        N_("The coordinators handled one alert."),
        N_("The coordinators handled {n} alerts."),
    ),
)
OTHER_SENTENCES = {
    "fulfilled_share": N_("Of the requests that ended, {share} were done."),
    "acceptance_median_s": N_("Half of the requests found a volunteer within {duration}."),
    "acceptance_p90_s": N_("Nine requests in ten found a volunteer within {duration}."),
    "hours_given": N_("Volunteers gave {hours} hours of help."),
    "first_help_median_s": N_("Half of the newcomers gave or got help within {duration}."),
    "handling_median_s": N_("Half of the alerts were handled within {duration}."),
    "poll_participation": N_("In the polls, {share} of the possible votes were cast."),
    "intergenerational_share": N_("{share} of the tasks linked two generations."),
    "loneliness_mean": N_("The loneliness score was {score}, from 3 (rarely) to 9 (often)."),
}
NOTHING = N_("Nothing to count yet.")
BAND_LABELS = {
    "under_30": N_("under 30"),
    "30_59": N_("30 to 59"),
    "60_74": N_("60 to 74"),
    "75_plus": N_("75 and over"),
}


def say(language: str, message: str, **params: Any) -> str:
    return translate(language, message).format(**params)


def number_text(language: str, value: float) -> str:
    """A number as the language writes it, to one decimal at most: "7,5" in French, "7.5" in
    English, "1" rather than "1.0", thousands grouped ("1 234")."""
    locale = "fr_FR" if language == "fr" else "en_GB"
    return format_decimal(round(value, 1), format="#,##0.#", locale=locale)


def share_text(value: float, language: str = "fr") -> str:
    """A share in percent: "57 %" in French (the space never breaks), "57%" in English."""
    return f"{round(value * 100)}\u00a0%" if language == "fr" else f"{round(value * 100)}%"


def _one(language: str, n: float) -> bool:
    """Whether `n` takes the singular: below 2 in French ("1,5 heure"), 1 in English."""
    return n < 2 if language == "fr" else n == 1


def duration_text(language: str, seconds: float) -> str:
    """A duration in the unit a person would use: minutes, hours or days."""
    if seconds < 3600:
        n = max(1, round(seconds / 60))
        return say(language, N_("{n} minute") if _one(language, n) else N_("{n} minutes"), n=n)
    if seconds < 48 * 3600:
        hours = round(seconds / 3600, 1)
        one = _one(language, hours)
        return say(
            language, N_("{n} hour") if one else N_("{n} hours"), n=number_text(language, hours)
        )
    days = round(seconds / 86400, 1)
    one = _one(language, days)
    return say(language, N_("{n} day") if one else N_("{n} days"), n=number_text(language, days))


def sentences(language: str, figures: dict[str, Figure]) -> list[str]:
    """The report's text: one sentence per figure that has a value."""
    said: list[str] = []
    for name, one, many in COUNT_SENTENCES:
        n = figures[name].value
        if isinstance(n, int) and n > 0:
            said.append(say(language, one if n == 1 else many, n=n))
    for name, message in OTHER_SENTENCES.items():
        value = figures[name].value
        if not isinstance(value, int | float):
            continue
        if name == "hours_given" and _one(language, round(value, 1)):
            message = N_("Volunteers gave {hours} hour of help.")
        said.append(
            say(
                language,
                message,
                share=share_text(value, language),
                duration=duration_text(language, value),
                hours=number_text(language, value),
                score=number_text(language, value),
            )
        )
    return said or [translate(language, NOTHING)]


def value_text(language: str, name: str, value: Any) -> str:
    """A figure's value as the console and the report show it."""
    if value is None:
        return "—"
    if name.endswith("_share") or name == "poll_participation":
        return share_text(value, language)
    if name.endswith("_s"):
        return duration_text(language, value)
    if isinstance(value, dict):
        return ", ".join(f"{k or '?'}: {n}" for k, n in sorted(value.items()))
    if isinstance(value, int | float) and not isinstance(value, bool):
        return number_text(language, value)
    return str(value)

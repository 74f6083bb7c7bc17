"""Small helpers the templates use: local times, waiting times, labels in the reader's language."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale

from core.dialogue.render import CATEGORY_LABELS, STATE_LABELS
from core.domain.model import Territory
from core.i18n import N_, translate

KIND_LABELS = {
    "emergency": N_("Emergency"),
    "request_unanswered": N_("Nobody took a request"),
    "nobody_to_offer": N_("No volunteer to offer a request to"),
    "member_unreachable": N_("Member unreachable"),
    "coordinator_contacted": N_("Message for the coordinators"),
    "scam": N_("Possible scam"),
    "voice_message": N_("Voice message"),  # listen (in the chat) and call back
}
STATUS_LABELS = {
    "pending": N_("waiting for approval"),
    "approved": N_("approved"),
    "suspended": N_("suspended"),
    "unreachable": N_("the bot cannot reach them"),
}
ROLE_LABELS = {
    "requester": N_("asks for help"),
    "volunteer": N_("volunteer"),
    "coordinator": N_("coordinator"),
}
POLL_KIND_LABELS = {
    "single": N_("one choice"),
    "multiple": N_("several choices"),
    "proposal": N_("proposal (yes, no, abstain)"),
}


@cache
def _months(language: str) -> tuple[str, ...]:
    """The abbreviated month names of `language` (babel's "MMM"), looked up once: babel's
    `format_datetime` parses its pattern and the locale again for every date of a page."""
    names = Locale.parse(language).months["format"]["abbreviated"]
    return tuple(names[month] for month in range(1, 13))


def helpers(
    language: str, territory: Territory | None, now: datetime
) -> dict[str, Callable[..., Any]]:
    """Functions given to every template."""
    zone = ZoneInfo(territory.timezone if territory is not None else "Europe/Paris")

    def label(table: dict[str, str]) -> Callable[[str], str]:
        return lambda value: translate(language, table[value]) if value in table else value

    months = _months(language)
    hours_text = translate(language, N_("{hours} h"))
    days_text = translate(language, N_("{days} days"))

    def when(moment: datetime | None) -> str:
        """ "d MMM yyyy HH:mm" in the territory's time zone: "3 févr. 2026 09:30"."""
        if moment is None:
            return "-"
        local = moment.astimezone(zone)
        return f"{local.day} {months[local.month - 1]} {local.year} {local:%H:%M}"

    def waited(moment: datetime) -> str:
        hours = max(0, int((now - moment).total_seconds() // 3600))
        if hours < 48:
            return hours_text.format(hours=hours)
        return days_text.format(days=hours // 24)

    return {
        "when": when,
        "waited": waited,
        "category": label(CATEGORY_LABELS),
        "state": label(STATE_LABELS),
        "alert_kind": label(KIND_LABELS),
        "status": label(STATUS_LABELS),
        "role": label(ROLE_LABELS),
        "roles": lambda member: ", ".join(label(ROLE_LABELS)(r) for r in member.roles),
        "poll_kind": label(POLL_KIND_LABELS),
    }

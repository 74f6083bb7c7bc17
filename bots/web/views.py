"""Small helpers the templates use: local times, waiting times, labels in the reader's language."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime

from core.dialogue.render import CATEGORY_LABELS, STATE_LABELS
from core.domain.model import Territory
from core.i18n import N_, translate

KIND_LABELS = {
    "emergency": N_("Emergency"),
    "request_unanswered": N_("Nobody took a request"),
    "member_unreachable": N_("Member unreachable"),
    "coordinator_contacted": N_("Message for the coordinators"),
    "voice_message": N_("Voice message"),  # listen (in the chat) and call back
}
STATUS_LABELS = {
    "pending": N_("waiting for approval"),
    "approved": N_("approved"),
    "suspended": N_("suspended"),
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
def _locale(language: str) -> Locale:
    """Parsed once: babel would parse the locale again for every date of a page."""
    return Locale.parse(language)


def helpers(
    language: str, territory: Territory | None, now: datetime
) -> dict[str, Callable[..., Any]]:
    """Functions given to every template."""
    zone = ZoneInfo(territory.timezone if territory is not None else "Europe/Paris")

    def label(table: dict[str, str]) -> Callable[[str], str]:
        return lambda value: translate(language, table[value]) if value in table else value

    def when(moment: datetime | None) -> str:
        if moment is None:
            return "-"
        return format_datetime(
            moment.astimezone(zone), "d MMM yyyy HH:mm", locale=_locale(language)
        )

    def waited(moment: datetime) -> str:
        hours = max(0, int((now - moment).total_seconds() // 3600))
        if hours < 48:
            return translate(language, N_("{hours} h")).format(hours=hours)
        return translate(language, N_("{days} days")).format(days=hours // 24)

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

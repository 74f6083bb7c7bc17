"""Turn an outbox message (key + params + choices) into text in the reader's language and zone."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.numbers import format_decimal

from core.dialogue.messages import Button, Outgoing
from core.domain.model import Notification
from core.domain.vocabulary import MessageKind, WhenKind
from core.i18n import N_, translate
from core.i18n.french import elide
from core.services.contact import ANY_TIME, AT_HOME
from core.services.outbox import Delivery
from core.services.proxies import FOR_NAME

CATEGORY_LABELS = {
    "shopping": N_("shopping"),
    "transport": N_("a lift or accompaniment"),
    "paperwork": N_("paperwork"),
    "digital": N_("computer or phone help"),
    "diy": N_("small repairs"),
    "gardening": N_("gardening"),
    "company": N_("a visit or a walk"),
    "meals": N_("meals"),
    "pets": N_("pets"),
    "other": N_("something else"),
}
STATE_LABELS = {
    "open": N_("waiting for a volunteer"),
    "accepted": N_("accepted"),
    "done": N_("done"),
    "cancelled": N_("cancelled"),
    "expired": N_("expired"),
    "changed": N_("changed"),
}
NEW_MEMBER = N_("(new member)")
# What begins a message written to someone for the member it concerns (her proxy).
ON_BEHALF = N_("For {name}:")
# Parameters whose values are message ids themselves.
TRANSLATED_PARAMS = {"what"}
DATETIME_PARAMS = {"when", "closes_at", "when_end", "raised_at"}


# A window said without an hour, shown as said (`WhenKind`): "jeudi 3 décembre, le matin".
WINDOW_WORDS = {
    WhenKind.MORNING: N_("{day}, in the morning"),
    WhenKind.NOON: N_("{day}, around noon"),
    WhenKind.AFTERNOON: N_("{day}, in the afternoon"),
    WhenKind.EVENING: N_("{day}, in the evening"),
    WhenKind.DAYS: N_("between {day} and {last_day}"),
}


def format_when(value: str, language: str, timezone: str) -> str:
    """A moment with its hour: "jeudi 3 décembre à 10:00"."""
    moment = datetime.fromisoformat(value).astimezone(ZoneInfo(timezone or "Europe/Paris"))
    hour = "'à' HH:mm" if language == "fr" else "'at' HH:mm"
    return format_datetime(
        moment, f"{_day_pattern(moment, language)} {hour}", locale=language or "fr"
    )


def _day_pattern(moment: datetime, language: str) -> str:
    # French writes the first day of a month as an ordinal: "lundi 1er décembre".
    return "EEEE d'er' MMMM" if language == "fr" and moment.day == 1 else "EEEE d MMMM"


def format_day(value: str, language: str, timezone: str) -> str:
    """A day without an hour: "jeudi 3 décembre"."""
    moment = datetime.fromisoformat(value).astimezone(ZoneInfo(timezone or "Europe/Paris"))
    return format_datetime(moment, _day_pattern(moment, language), locale=language or "fr")


def format_said(
    start: str, end: str | None, kind: str | None, language: str, timezone: str
) -> str:
    """The time of a request as it was said: an hour only when one was given."""
    try:
        window = WhenKind(kind) if kind else WhenKind.AT
    except ValueError:
        window = WhenKind.AT
    if window == WhenKind.AT or (window == WhenKind.DAYS and not end):
        return format_when(start, language, timezone)
    if window == WhenKind.DAY:
        return format_day(start, language, timezone)
    # The end of a window is exclusive at its hour, but a window of days ends on its last day.
    last_day = format_day(end, language, timezone) if end else ""
    return translate(language, WINDOW_WORDS[window]).format(
        day=format_day(start, language, timezone), last_day=last_day
    )


def render_params(params: dict[str, Any], language: str, timezone: str) -> dict[str, Any]:
    shown: dict[str, Any] = {}
    for name, value in params.items():
        if name == "category" and value in CATEGORY_LABELS:
            shown[name] = translate(language, CATEGORY_LABELS[value])
        elif name == "state" and value in STATE_LABELS:
            shown[name] = translate(language, STATE_LABELS[value])
        elif name == "when" and isinstance(value, str) and params.get("when_kind"):
            shown[name] = format_said(
                value, params.get("when_end"), params["when_kind"], language, timezone
            )
        elif name in DATETIME_PARAMS and isinstance(value, str):
            shown[name] = format_when(value, language, timezone)
        elif (name, value) in (("place", AT_HOME), ("call_times", ANY_TIME)) or (
            name in TRANSLATED_PARAMS and isinstance(value, str)
        ):
            shown[name] = translate(language, value)
        elif name == "numbers" and isinstance(value, list):
            shown[name] = emergency_lines(value, language)
        elif name == "hours" and isinstance(value, int | float):
            shown[name] = format_decimal(value, locale=language or "fr")
        elif name == "first_name" and params.get("new_member") is True:
            # Volunteers are told when a request comes from someone who joined recently.
            shown[name] = f"{value} {translate(language, NEW_MEMBER)}"
        else:
            shown[name] = value
    return shown


def emergency_lines(numbers: list[Any], language: str) -> str:
    """ "15 : SAMU…" one per line, labels in the reader's language (French: a no-break space
    before the colon)."""
    colon = "\u00a0:" if language == "fr" else ":"
    return "\n".join(
        f"{entry.get('number', '')}{colon} {translate(language, str(entry.get('label', '')))}"
        for entry in numbers
        if isinstance(entry, dict)
    )


def render_text(
    key: str,
    params: dict[str, Any],
    language: str,
    timezone: str,
    kind: str = MessageKind.TEXT,
) -> str:
    """Translate `key` and fill in its parameters; a missing parameter never breaks a message.

    A poll's results (`POLL_CLOSED`) are followed by the count of each answer.
    """
    template = translate(language, key)
    values = render_params(params, language, timezone)
    if language == "fr":
        template = elide(template, values)  # "de {name}" reads "d'Alice"
    try:
        text = template.format(**values)
    except (KeyError, IndexError, ValueError):
        text = template
    if isinstance(params.get(FOR_NAME), str):
        text = translate(language, ON_BEHALF).format(name=params[FOR_NAME]) + " " + text
    if kind == MessageKind.POLL_CLOSED and isinstance(params.get("result"), dict):
        text += "\n" + poll_result_lines(
            params["result"], params.get("kind") == "proposal", language
        )
    return text


def poll_result_lines(result: dict[str, Any], translate_labels: bool, language: str) -> str:
    lines = []
    for label, count in zip(result.get("labels", []), result.get("counts", []), strict=False):
        shown = translate(language, label) if translate_labels else label
        lines.append(f"- {shown}: {count}")
    lines.append(translate(language, "Voters: {voters}").format(voters=result.get("voters", 0)))
    if result.get("quorum"):
        key = "Quorum reached." if result.get("quorum_reached") else "Quorum not reached."
        lines.append(translate(language, key))
    return "\n".join(lines)


def render(
    notification: Notification,
    language: str,
    timezone: str,
    chat_ref: str | None = None,
    *,
    account_id: int | None = None,
    channel_id: int | None = None,
) -> Outgoing:
    """Render one outbox row for a reader."""
    buttons = []
    for choice in notification.choices:
        label = choice["label"]
        params = choice.get("params") or {}
        if params.get("translate", True):
            label = translate(language, label)
        if params.get("selected"):
            label = f"✓ {label}"
        buttons.append(Button(label, choice["action"]))
    kind = MessageKind(notification.kind or MessageKind.TEXT)
    return Outgoing(
        notification_id=notification.id,
        text=render_text(notification.key, notification.params, language, timezone, kind),
        buttons=buttons,
        topic=notification.topic,
        chat_ref=chat_ref,
        language=language,
        kind=kind,
        request_id=notification.request_id,
        poll_id=notification.poll_id,
        key=notification.key,
        params=dict(notification.params),
        account_id=account_id,
        channel_id=channel_id,
    )


def render_delivery(delivery: Delivery, language: str, timezone: str) -> Outgoing:
    """Render a claimed message for its reader (`language`, `timezone`: where it knows none)."""
    return render(
        delivery.notification,
        delivery.language or language,
        delivery.timezone or timezone,
        delivery.chat_ref,
        account_id=delivery.account.id if delivery.account else None,
        channel_id=delivery.channel.id if delivery.channel else None,
    )


def render_reply(
    notification: Notification,
    language: str,
    timezone: str,
    chat_ref: str | None = None,
    *,
    account_id: int | None = None,
) -> Outgoing:
    """Render an answer to the member's own message (see `Outgoing.is_reply`)."""
    from dataclasses import replace

    return replace(
        render(notification, language, timezone, chat_ref, account_id=account_id), is_reply=True
    )

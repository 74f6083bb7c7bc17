"""Turn an outbox message (key + params + choices) into text in the reader's language and zone."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.numbers import format_decimal

from core.dialogue.messages import Button, Outgoing
from core.domain.model import Notification
from core.domain.vocabulary import MessageKind
from core.i18n import N_, translate
from core.i18n.french import elide
from core.services.contact import AT_HOME
from core.services.outbox import Delivery

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
# Parameters whose values are message ids themselves.
TRANSLATED_PARAMS = {"what"}
DATETIME_PARAMS = {"when", "closes_at", "when_end", "raised_at"}


def format_when(value: str, language: str, timezone: str) -> str:
    moment = datetime.fromisoformat(value).astimezone(ZoneInfo(timezone or "Europe/Paris"))
    if language == "fr":
        # French writes the first day of a month as an ordinal: "lundi 1er décembre".
        day = "d'er'" if moment.day == 1 else "d"
        pattern = f"EEEE {day} MMMM 'à' HH:mm"
    else:
        pattern = "EEEE d MMMM 'at' HH:mm"
    return format_datetime(moment, pattern, locale=language or "fr")


def render_params(params: dict[str, Any], language: str, timezone: str) -> dict[str, Any]:
    shown: dict[str, Any] = {}
    for name, value in params.items():
        if name == "category" and value in CATEGORY_LABELS:
            shown[name] = translate(language, CATEGORY_LABELS[value])
        elif name == "state" and value in STATE_LABELS:
            shown[name] = translate(language, STATE_LABELS[value])
        elif name in DATETIME_PARAMS and isinstance(value, str):
            shown[name] = format_when(value, language, timezone)
        elif name == "place" and value == AT_HOME:
            shown[name] = translate(language, AT_HOME)
        elif name in TRANSLATED_PARAMS and isinstance(value, str):
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

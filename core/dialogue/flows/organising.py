"""Coordinators' tools in the chat: link a public room, create a poll step by step."""

from __future__ import annotations

import re
from datetime import timedelta

from core.dialogue.flows.common import menu_choices
from core.dialogue.turn import Turn
from core.domain.errors import InvalidInput, NotAllowed
from core.domain.vocabulary import PollKind
from core.i18n import N_
from core.services import authorization, channels, polls
from core.services.authorization import Action
from core.services.outbox import Choice
from core.services.text import clean_text

DURATIONS = {
    "1d": (N_("1 day"), 1),
    "3d": (N_("3 days"), 3),
    "7d": (N_("1 week"), 7),
    "14d": (N_("2 weeks"), 14),
}


def _require_coordinator(turn: Turn, action: Action = Action.COORDINATE) -> None:
    if turn.member is None:
        raise NotAllowed(authorization.COORDINATORS_ONLY)
    authorization.require(turn.member, action, turn.member.territory)


async def link_room(turn: Turn, chat_ref: str) -> None:
    """`link_group:<chat>`: this room becomes the territory's public room."""
    _require_coordinator(turn, Action.LINK_ROOM)
    assert turn.member is not None
    channel = await channels.link_channel(
        turn.uow, turn.member.id, turn.inbound.platform, chat_ref
    )
    turn.reply(
        "This room is now the public room of {territory}. New requests will be posted "
        "here without phone numbers or addresses.",
        territory=turn.territory.name,
    )
    turn.uow.audit(turn.member.id, "channel.welcome", f"channel:{channel.id}")


async def explain_room_linking(turn: Turn, _arg: str = "") -> None:
    turn.reply("Write this command in the group you want to link to your territory.")


async def start_poll(turn: Turn, _arg: str = "") -> None:
    _require_coordinator(turn)
    turn.goto("poll", "question")
    turn.reply("What is the question of the poll?", choices=[Choice("Cancel", "abort")])


async def on_question(turn: Turn, text: str) -> None:
    turn.set_data(question=clean_text(text, limit=300, what="question"))
    turn.conversation.step = "options"
    turn.reply(
        'Write the answers, one per line (2 to 10). Or press "Yes / No / Abstain".',
        choices=[Choice("Yes / No / Abstain", "poll_kind:proposal"), Choice("Cancel", "abort")],
    )


async def on_options(turn: Turn, text: str | None, kind: str = PollKind.SINGLE) -> None:
    if text is None:
        options: list[str] = []
    else:
        options = [o.strip(" -•*\t") for o in re.split(r"[\n;]", text) if o.strip(" -•*\t")]
        if not 2 <= len(options) <= 10:
            raise InvalidInput("A poll needs between 2 and 10 options.")
    turn.set_data(options=options, kind=str(kind))
    turn.conversation.step = "duration"
    turn.reply(
        "How long can members vote?",
        choices=[Choice(label, f"poll_days:{code}") for code, (label, _d) in DURATIONS.items()],
    )


async def on_duration(turn: Turn, code: str) -> None:
    if code not in DURATIONS:
        raise InvalidInput("Please choose one of the buttons.")
    turn.set_data(days=DURATIONS[code][1])
    turn.conversation.step = "ballot"
    turn.reply(
        "Open vote (everyone sees the votes) or secret ballot?",
        choices=[
            Choice("Open vote", "poll_ballot:open"),
            Choice("Secret ballot", "poll_ballot:secret"),
        ],
    )


async def on_ballot(turn: Turn, ballot: str) -> None:
    assert turn.member is not None
    if ballot not in ("open", "secret"):
        raise InvalidInput("Please choose one of the buttons.")
    data = turn.conversation.data
    poll = await polls.create_poll(
        turn.uow,
        turn.member.territory_id,
        data["question"],
        data.get("options", []),
        kind=data.get("kind", PollKind.SINGLE),
        secret=ballot == "secret",
        closes_at=turn.uow.now() + timedelta(days=int(data["days"])),
        by_id=turn.member.id,
    )
    turn.goto(None)
    turn.reply(
        "The poll is open until {closes_at}. Members are told now.",
        closes_at=poll.closes_at.isoformat(),
        choices=menu_choices(turn),
    )


async def on_voice(turn: Turn, _arg: str = "") -> None:
    turn.reply(
        "I cannot listen to voice messages yet. Please write your message, or press a button.",
        choices=menu_choices(turn),
    )


async def on_not_text(turn: Turn, _arg: str = "") -> None:
    turn.reply(
        "I can only read written messages. Please write, or press a button.",
        choices=menu_choices(turn),
    )

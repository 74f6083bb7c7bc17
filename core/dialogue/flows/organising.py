"""Coordinators' tools in the chat: link a public room, create a poll step by step.

Steps of the poll flow: question (typed) -> options (typed, or "Yes / No / Abstain") ->
duration -> ballot (open or secret). Actions: new_poll, link_group, link_group_private.
"""

from __future__ import annotations

import re
from datetime import timedelta

from core.dialogue.arguments import MAX_ACTION_CHARS
from core.dialogue.flows.common import menu_choices
from core.dialogue.routing import Answer, Code, action, step
from core.dialogue.turn import Turn
from core.domain.errors import InvalidInput, NotAllowed
from core.domain.vocabulary import PollKind
from core.i18n import N_
from core.services import authorization, channels, polls
from core.services.authorization import Action
from core.services.outbox import Choice
from core.services.text import clean_text

FLOW = "poll"
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


@action("link_group", arg=Code(MAX_ACTION_CHARS))
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


@action("link_group_private")
async def explain_room_linking(turn: Turn) -> None:
    """`/lier_groupe` written in a private chat: it belongs in the group."""
    turn.reply("Write this command in the group you want to link to your territory.")


@action("new_poll")
async def start_poll(turn: Turn) -> None:
    """A coordinator opens a poll: what is the question?"""
    _require_coordinator(turn)
    turn.goto(FLOW, "question")
    turn.reply("What is the question of the poll?", choices=[Choice("Cancel", "abort")])


@step(FLOW, "question", text=True, otherwise="What is the question of the poll?")
async def on_question(turn: Turn, answer: Answer) -> None:
    """The poll's question, typed."""
    turn.set_data(question=clean_text(answer.given, limit=300, what="question"))
    turn.goto(FLOW, "options")
    turn.reply(
        'Write the answers, one per line (2 to 10). Or press "Yes / No / Abstain".',
        choices=[Choice("Yes / No / Abstain", "poll_kind:proposal"), Choice("Cancel", "abort")],
    )


@step(
    FLOW,
    "options",
    buttons=("poll_kind",),
    text=True,
    otherwise="Write the answers, one per line.",
)
async def on_options_answer(turn: Turn, answer: Answer) -> None:
    """The answers typed one per line, or the button for a yes / no / abstain proposal."""
    if not answer.pressed:
        await on_options(turn, answer.text)
    elif answer.value == "proposal":
        await on_options(turn, None, kind=PollKind.PROPOSAL)
    else:
        raise InvalidInput("Write the answers, one per line.")


async def on_options(turn: Turn, text: str | None, kind: str = PollKind.SINGLE) -> None:
    if text is None:
        options: list[str] = []
    else:
        options = [o.strip(" -•*\t") for o in re.split(r"[\n;]", text) if o.strip(" -•*\t")]
        if not 2 <= len(options) <= 10:
            raise InvalidInput("A poll needs between 2 and 10 options.")
    turn.set_data(options=options, kind=str(kind))
    turn.goto(FLOW, "duration")
    turn.reply(
        "How long can members vote?",
        choices=[Choice(label, f"poll_days:{code}") for code, (label, _d) in DURATIONS.items()],
    )


@step(FLOW, "duration", buttons=("poll_days",))
async def on_duration(turn: Turn, answer: Answer) -> None:
    """How long members can vote."""
    code = answer.value
    if code not in DURATIONS:
        raise InvalidInput("Please choose one of the buttons.")
    turn.set_data(days=DURATIONS[code][1])
    turn.goto(FLOW, "ballot")
    turn.reply(
        "Open vote (everyone sees the votes) or secret ballot?",
        choices=[
            Choice("Open vote", "poll_ballot:open"),
            Choice("Secret ballot", "poll_ballot:secret"),
        ],
    )


@step(FLOW, "ballot", buttons=("poll_ballot",))
async def on_ballot(turn: Turn, answer: Answer) -> None:
    """Open vote or secret ballot: then the poll opens and the voters are told."""
    assert turn.member is not None
    ballot = answer.value
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

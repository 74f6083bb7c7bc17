"""Polls in the conversation: list the open ones, vote by pressing a choice.

A secret multiple-choice ballot is cast in one message ("1 3"): the choice never waits in the
conversation's state or in a message, where it would sit next to the member.
"""

from __future__ import annotations

import re

from core.dialogue.flows.common import menu_choices
from core.dialogue.turn import Turn
from core.domain.errors import DomainError, InvalidInput
from core.services import polls
from core.services.notifications import poll_choices
from core.services.outbox import Choice


async def show_polls(turn: Turn, _arg: str = "") -> None:
    assert turn.member is not None
    open_polls = await polls.open_polls_for(turn.uow, turn.member.id)
    turn.goto(None)
    if not open_polls:
        turn.reply("There is no poll open right now.", choices=menu_choices(turn))
        return
    for poll in open_polls:
        turn.reply(
            "Poll: {question}\nVote before {closes_at}.",
            question=poll.question,
            closes_at=poll.closes_at.isoformat(),
            poll_id=poll.id,
            secret=poll.secret,
            choices=poll_choices(poll),
        )


async def do_vote(turn: Turn, arg: str) -> None:
    """`arg` is "poll_id:position"; multiple-choice polls toggle, then "send" records them."""
    assert turn.member is not None
    poll_id, _, position = arg.partition(":")
    poll = await polls.poll_to_vote_in(turn.uow, turn.member.id, int(poll_id))
    if poll.kind == "multiple" and poll.secret:
        await ask_ballot(turn, str(poll.id))  # an older message's option button
        return
    if poll.kind == "multiple":
        await _toggle(turn, poll, int(position))
        return
    await polls.vote(turn.uow, turn.member.id, poll.id, [int(position)])
    _confirm_vote(turn, poll, [int(position)])


async def _toggle(turn: Turn, poll: polls.Poll, position: int) -> None:
    poll.validate_choice([position])
    key = f"poll_{poll.id}"
    selected = set(turn.data(key, []))
    selected ^= {position}
    turn.set_data(**{key: sorted(selected)})
    labels = ", ".join(poll.options[p].label for p in sorted(selected)) or "-"
    turn.reply(
        "Selected: {labels}. Press other answers, then send your vote.",
        labels=labels,
        choices=[*poll_choices(poll), Choice("Send my vote", f"vote_send:{poll.id}")],
        poll_id=poll.id,
    )


async def send_multiple(turn: Turn, arg: str) -> None:
    assert turn.member is not None
    poll = await polls.poll_to_vote_in(turn.uow, turn.member.id, int(arg))
    if poll.secret:
        await ask_ballot(turn, arg)
        return
    selected = list(turn.data(f"poll_{poll.id}", []))
    await polls.vote(turn.uow, turn.member.id, poll.id, selected)
    _confirm_vote(turn, poll, selected)


async def ask_ballot(turn: Turn, arg: str) -> None:
    """A secret multiple-choice ballot: list the options, ask for all the numbers at once."""
    assert turn.member is not None
    poll = await polls.require_ballot(turn.uow, turn.member.id, int(arg))
    options = "\n".join(f"{o.position + 1}. {o.label}" for o in poll.options)
    turn.goto("ballot", "numbers", poll_id=poll.id)
    turn.reply(
        "Secret ballot: {question}\n{options}\n"
        "Write the numbers of all your choices in one message, for example: 1 3",
        question=poll.question,
        options=options,
        choices=[Choice("Cancel", "abort")],
        poll_id=poll.id,
    )


async def on_ballot_numbers(turn: Turn, text: str) -> None:
    """The numbers of a secret multiple-choice ballot, cast at once; nothing kept if wrong."""
    assert turn.member is not None
    try:
        poll = await polls.require_ballot(turn.uow, turn.member.id, int(turn.data("poll_id")))
    except DomainError as refusal:  # closed meanwhile...: say so once, and leave the ballot
        turn.goto(None)
        turn.reply(refusal.key, choices=menu_choices(turn), **refusal.params)
        return
    count = len(poll.options)
    words = [w for w in re.split(r"[\s,;.+/&-]+|\bet\b|\band\b", text.strip()) if w]
    if not words or not all(w.isdigit() and len(w) <= 2 and 1 <= int(w) <= count for w in words):
        raise InvalidInput("Please write numbers from 1 to {count}, for example: 1 3", count=count)
    positions = sorted({int(w) - 1 for w in words})
    await polls.vote(turn.uow, turn.member.id, poll.id, positions)
    turn.goto(None)
    _confirm_vote(turn, poll, positions)


async def retract(turn: Turn, arg: str) -> None:
    assert turn.member is not None
    await polls.vote(turn.uow, turn.member.id, int(arg), [])
    turn.reply("Your vote is withdrawn.", choices=menu_choices(turn))


def _confirm_vote(turn: Turn, poll: polls.Poll, positions: list[int]) -> None:
    from core.i18n import translate

    labels = [poll.options[p].label for p in positions]
    if poll.kind == "proposal":
        labels = [translate(turn.language, label) for label in labels]
    if poll.secret:
        turn.reply("Your secret vote is recorded. Thank you!", choices=menu_choices(turn))
        return
    turn.reply(
        "Your vote is recorded: {labels}. You can change it until {closes_at}.",
        labels=", ".join(labels) or "-",
        closes_at=poll.closes_at.isoformat(),
        choices=[Choice("Withdraw my vote", f"vote_retract:{poll.id}"), *menu_choices(turn)],
    )


async def set_choice(turn: Turn, arg: str) -> None:
    """A native poll's vote: the whole choice at once ("poll:0,2"; empty withdraws it).

    The platform shows the vote itself, so success needs no message; refusals are explained.
    """
    assert turn.member is not None
    poll_id, _, positions = arg.partition(":")
    choice = [int(p) for p in positions.split(",")] if positions else []
    await polls.vote(turn.uow, turn.member.id, int(poll_id), choice)

"""Polls in the conversation: list the open ones, vote by pressing a choice.

A secret multiple-choice ballot is cast in one message ("1 3"): the choice never waits in the
conversation's state or in a message, where it would sit next to the member.

Step: ballot/numbers (the numbers of a secret ballot's choices, typed: "1 3" are not buttons'
numbers there). Actions: polls, vote, vote_send, vote_retract, vote_set (a native poll's
vote), ballot.
"""

from __future__ import annotations

import re

from core.dialogue.flows import desk_polls
from core.dialogue.flows.common import menu_choices
from core.dialogue.routing import Answer, PollId, Vote, VoteChoices, action, step
from core.dialogue.turn import Turn
from core.domain.errors import DomainError, InvalidInput
from core.services import authorization, polls
from core.services.authorization import Action
from core.services.notifications import poll_choices
from core.services.outbox import Choice


@action("polls")
async def show_polls(turn: Turn) -> None:
    """The polls open to this member, each with its answers; for a coordinator, first the
    territory's open and recent polls with participation and results (`desk_polls`)."""
    assert turn.member is not None
    turn.goto(None)
    coordinating = authorization.may(turn.member, Action.COORDINATE, turn.member.territory)
    if coordinating:
        await desk_polls.show_overview(turn)
    open_polls = await polls.open_polls_for(turn.uow, turn.member.id)
    if not open_polls and coordinating:
        return  # the overview said so already, with its "Create a poll" button
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


@action("vote", arg=Vote)
async def do_vote(turn: Turn, pressed: tuple[int, list[int]]) -> None:
    """An answer pressed ("vote:poll:position"); multiple-choice polls toggle, then "send"
    records them."""
    assert turn.member is not None
    poll_id, [position] = pressed
    poll = await polls.poll_to_vote_in(turn.uow, turn.member.id, poll_id)
    if poll.kind == "multiple" and poll.secret:
        await ask_ballot(turn, poll.id)  # an older message's option button
        return
    if poll.kind == "multiple":
        await _toggle(turn, poll, position)
        return
    await polls.vote(turn.uow, turn.member.id, poll.id, [position])
    _confirm_vote(turn, poll, [position])


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


def vote_for_all(actions: list[str]) -> str | None:
    """The one action for several answers typed at once ("1 et 5"): all of them answers of
    the same poll (`vote:poll:position`), else None."""
    votes = [a.split(":") for a in actions]
    if not all(len(v) == 3 and v[0] == "vote" for v in votes) or len({v[1] for v in votes}) > 1:
        return None
    return f"vote_all:{votes[0][1]}:{','.join(v[2] for v in votes)}"


@action("vote_all", arg=VoteChoices)
async def vote_all(turn: Turn, vote: tuple[int, list[int]]) -> None:
    """Several answers typed at once ("1 et 5", "1, 3"): the vote of a multiple-choice poll;
    a poll that takes one answer asks again, with its answers."""
    assert turn.member is not None
    poll_id, positions = vote
    poll = await polls.poll_to_vote_in(turn.uow, turn.member.id, poll_id)
    positions = poll.validate_choice(positions)  # one answer only: refused, with the list
    if not positions:
        raise InvalidInput("This choice is not part of the poll.")
    if poll.secret:
        await ask_ballot(turn, poll.id)
        return
    await polls.vote(turn.uow, turn.member.id, poll.id, positions)
    turn.set_data(**{f"poll_{poll.id}": positions})
    _confirm_vote(turn, poll, positions)


@action("vote_send", arg=PollId)
async def send_multiple(turn: Turn, poll_id: int) -> None:
    """Record the answers toggled in a multiple-choice poll."""
    assert turn.member is not None
    poll = await polls.poll_to_vote_in(turn.uow, turn.member.id, poll_id)
    if poll.secret:
        await ask_ballot(turn, poll_id)
        return
    selected = list(turn.data(f"poll_{poll.id}", []))
    await polls.vote(turn.uow, turn.member.id, poll.id, selected)
    _confirm_vote(turn, poll, selected)


@action("ballot", arg=PollId)
async def ask_ballot(turn: Turn, poll_id: int) -> None:
    """A secret multiple-choice ballot: list the options, ask for all the numbers at once."""
    assert turn.member is not None
    poll = await polls.require_ballot(turn.uow, turn.member.id, poll_id)
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


@step(
    "ballot",
    "numbers",
    text=True,
    otherwise="Please write the numbers of your choices, for example: 1 3",
    typed_choices=False,  # "1 3" or "2" are the numbers of the ballot's options
)
async def on_ballot_numbers(turn: Turn, answer: Answer) -> None:
    """The numbers of a secret multiple-choice ballot, cast at once; nothing kept if wrong."""
    assert turn.member is not None
    text = answer.given
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


@action("vote_retract", arg=PollId)
async def retract(turn: Turn, poll_id: int) -> None:
    """Withdraw the member's vote."""
    assert turn.member is not None
    await polls.vote(turn.uow, turn.member.id, poll_id, [])
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


@action("vote_set", arg=VoteChoices)
async def set_choice(turn: Turn, vote: tuple[int, list[int]]) -> None:
    """A native poll's vote: the whole choice at once ("poll:0,2"; empty withdraws it).

    The platform shows the vote itself, so success needs no message; refusals are explained.
    """
    assert turn.member is not None
    poll_id, choice = vote
    await polls.vote(turn.uow, turn.member.id, poll_id, choice)

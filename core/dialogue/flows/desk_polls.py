"""Polls from the coordinators' desk: the list with participation and results, and creating
one step by step.

`/sondages` (action polls, `flows/voting.py`) shows a coordinator the open and recent polls
first (`show_overview`), each with how many voted out of how many may, and "Results"
(`poll_results:<poll>`): a secret ballot's results only once it is closed. `/sondage`
(new_poll) creates one; steps of the flow poll: question (typed) -> kind (one choice, several
choices, yes / no / abstain, secret ballot) -> options (typed one by one, then "That's all";
none for yes / no / abstain) -> closes (a preset) -> voters (everyone or one role) -> confirm.
"""

from __future__ import annotations

from datetime import timedelta

from core.dialogue.flows.desk_members import CANCEL, desk_choices, require_desk
from core.dialogue.render import poll_result_lines
from core.dialogue.routing import Answer, PollId, action, step
from core.dialogue.turn import Turn
from core.domain.errors import InvalidInput
from core.domain.vocabulary import PollKind, PollState
from core.i18n import N_, translate
from core.services import authorization, desk_work, polls
from core.services.authorization import Action
from core.services.outbox import Choice
from core.services.text import clean_text

FLOW = "poll"
KINDS = {
    "single": N_("One choice"),
    "multiple": N_("Several choices"),
    "proposal": N_("Yes / No / Abstain"),
    "secret": N_("Secret ballot"),
}
DURATIONS = {
    "1d": (N_("1 day"), 1),
    "3d": (N_("3 days"), 3),
    "7d": (N_("1 week"), 7),
    "14d": (N_("2 weeks"), 14),
}
VOTERS = {
    "all": N_("All the members"),
    "volunteer": N_("The volunteers"),
    "requester": N_("The members who ask for help"),
    "coordinator": N_("The coordinators"),
}
DONE = "options_done"


async def show_overview(turn: Turn) -> None:
    """The territory's open and recent polls, with participation and a "Results" button."""
    me = require_desk(turn)
    listed = await desk_work.polls_overview(turn.uow, me.territory_id, by_id=me.id)
    if not listed:
        turn.reply("There is no poll yet.", choices=[Choice("Create a poll", "new_poll")])
        return
    for entry in listed:
        poll = entry.poll
        key = (
            N_("Poll: {question}\nOpen until {closes_at}. {voted} of {voters} voted.")
            if poll.state == PollState.OPEN
            else N_("Poll: {question}\nClosed. {voted} of {voters} voted.")
        )
        turn.reply(
            key,
            question=poll.question,
            closes_at=poll.closes_at.isoformat(),
            voted=entry.voted,
            voters=entry.voters,
            choices=[Choice("Results", f"poll_results:{poll.id}")],
        )


@action("poll_results", arg=PollId)
async def show_results(turn: Turn, poll_id: int) -> None:
    """A poll's results; a secret ballot's only once it is closed (its count so far)."""
    me = require_desk(turn)
    poll = await polls.get_poll(turn.uow, poll_id)
    authorization.require(me, Action.COORDINATE, poll)
    if poll.state == PollState.OPEN and poll.secret:
        turn.reply(
            "This is a secret ballot: its results are shown when it closes. {voted} votes so far.",
            voted=await polls.count_votes(turn.uow, poll.id),
            choices=desk_choices(),
        )
        return
    result = poll.result if poll.result is not None else await polls.tally(turn.uow, poll)
    turn.reply(
        "Results: {question}\n{lines}",
        question=poll.question,
        lines=poll_result_lines(result, poll.kind == PollKind.PROPOSAL, turn.language),
        choices=desk_choices(),
    )


@action("new_poll")
async def start_poll(turn: Turn) -> None:
    """/sondage: what is the question?"""
    require_desk(turn)
    turn.goto(FLOW, "question")
    turn.reply("What is the question of the poll?", choices=[CANCEL])


@step(FLOW, "question", text=True, otherwise="What is the question of the poll?")
async def on_question(turn: Turn, answer: Answer) -> None:
    """The question, typed: then what kind of poll."""
    require_desk(turn)
    question = clean_text(answer.given, limit=300, what="question")
    turn.goto(FLOW, "kind", question=question, options=[])
    turn.reply(
        "What kind of poll?",
        choices=[*(Choice(label, f"poll_kind:{code}") for code, label in KINDS.items()), CANCEL],
    )


@step(FLOW, "kind", buttons=("poll_kind",))
async def on_kind(turn: Turn, answer: Answer) -> None:
    """The kind: yes / no / abstain has its answers; the others are written one by one."""
    require_desk(turn)
    if answer.value not in KINDS:
        raise InvalidInput("Please choose one of the buttons.")
    turn.set_data(kind=answer.value)
    if answer.value == "proposal":
        ask_closing(turn)
        return
    turn.goto(FLOW, "options")
    turn.reply("Write the first answer.", choices=[CANCEL])


@step(
    FLOW,
    "options",
    buttons=(DONE,),
    text=True,
    typed_choices=False,
    otherwise='Write the next answer, or press "That\'s all".',
)
async def on_option(turn: Turn, answer: Answer) -> None:
    """One answer typed (added), or "That's all" once there are two."""
    require_desk(turn)
    options: list[str] = list(turn.data("options", []))
    if answer.pressed:
        if len(options) < polls.MIN_OPTIONS:
            raise InvalidInput("A poll needs between 2 and 10 options.")
        ask_closing(turn)
        return
    option = clean_text(answer.given, limit=100, what="option")
    if option.casefold() in {o.casefold() for o in options}:
        raise InvalidInput("Two options of the poll are the same.")
    options.append(option)
    turn.set_data(options=options)
    if len(options) >= polls.MAX_OPTIONS:
        ask_closing(turn)
        return
    more = [Choice("That's all", DONE)] if len(options) >= polls.MIN_OPTIONS else []
    turn.reply("Added: {option}. Write the next answer.", option=option, choices=[*more, CANCEL])


def ask_closing(turn: Turn) -> None:
    turn.goto(FLOW, "closes")
    turn.reply(
        "How long can members vote?",
        choices=[
            *(Choice(label, f"poll_days:{code}") for code, (label, _d) in DURATIONS.items()),
            CANCEL,
        ],
    )


@step(FLOW, "closes", buttons=("poll_days",))
async def on_closing(turn: Turn, answer: Answer) -> None:
    """How long members can vote: then who votes."""
    require_desk(turn)
    if answer.value not in DURATIONS:
        raise InvalidInput("Please choose one of the buttons.")
    turn.goto(FLOW, "voters", days=DURATIONS[answer.value][1])
    turn.reply(
        "Who votes?",
        choices=[
            *(Choice(label, f"poll_voters:{code}") for code, label in VOTERS.items()),
            CANCEL,
        ],
    )


@step(FLOW, "voters", buttons=("poll_voters",))
async def on_voters(turn: Turn, answer: Answer) -> None:
    """Who votes: then the summary, to confirm."""
    require_desk(turn)
    if answer.value not in VOTERS:
        raise InvalidInput("Please choose one of the buttons.")
    turn.goto(FLOW, "confirm", voters=answer.value)
    kind = str(turn.data("kind"))
    options = (
        [translate(turn.language, o) for o in polls.PROPOSAL_OPTIONS]
        if kind == "proposal"
        else turn.data("options", [])
    )
    turn.reply(
        "Poll: {question}\nAnswers: {options}\nOpen for {days} days, to: {who}.\nOpen it now?",
        question=turn.data("question"),
        options=" / ".join(options),
        days=turn.data("days"),
        who=translate(turn.language, VOTERS[answer.value]),
        choices=[Choice("Yes, open it", "poll_open"), CANCEL],
    )


@step(FLOW, "confirm", buttons=("poll_open",))
async def on_confirm(turn: Turn, answer: Answer) -> None:
    """The poll opens: the voters are told now."""
    me = require_desk(turn)
    data = turn.conversation.data
    kind = str(data["kind"])
    voters = str(data["voters"])
    poll = await polls.create_poll(
        turn.uow,
        me.territory_id,
        str(data["question"]),
        list(data.get("options", [])),
        kind=PollKind.SINGLE if kind == "secret" else PollKind(kind),
        secret=kind == "secret",
        closes_at=turn.uow.now() + timedelta(days=int(data["days"])),
        by_id=me.id,
        voter_role=None if voters == "all" else voters,
    )
    turn.goto(None)
    turn.reply(
        "The poll is open until {closes_at}. Members are told now.",
        closes_at=poll.closes_at.isoformat(),
        choices=desk_choices(),
    )

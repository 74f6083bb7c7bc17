"""The conversation's routing table, filled by the flows themselves, next to their handlers.

A flow module declares the steps it asks and the actions it offers, as python-telegram-bot's
ConversationHandler examples keep a conversation's states in one file:

    @step("ask", "when", buttons=("when",), text=True)
    async def on_when(turn: Turn, answer: Answer) -> None: ...

    @action("accept", arg=RequestId)
    async def do_accept(turn: Turn, request_id: int) -> None: ...

`press(turn, "accept:12")` is the one way into an action: a button, a command, or what the NLU
understood. The argument is parsed and range-checked here, before any handler runs; a bad one
gets the kind `InvalidInput(STALE)`. `answer(turn, text, action)` gives the conversation's
current step what the person said or pressed. Flows move between steps with `turn.goto(...)`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from core.dialogue.arguments import MAX_ACTION_CHARS, STALE, is_vote_argument, parse_id
from core.dialogue.turn import Turn
from core.domain.errors import InvalidInput

T = TypeVar("T", covariant=True)
Handler = Callable[..., Awaitable[None]]
CHOOSE_A_BUTTON = "Please choose one of the buttons."


# --- typed arguments of actions -------------------------------------------------------------


class Argument(Protocol[T]):
    """How the text after `name:` in an action becomes the handler's argument (or is refused)."""

    def parse(self, raw: str) -> T: ...


class _NoArgument:
    """An action without argument ("menu"): anything after it is a forgery."""

    def parse(self, raw: str) -> None:
        if raw:
            raise InvalidInput(STALE)


@dataclass(frozen=True)
class RowId:
    """The id of a row (a request, a poll, a member): ASCII digits, 1 to 2**31 - 1."""

    of: str

    def parse(self, raw: str) -> int:
        return parse_id(raw)


@dataclass(frozen=True)
class RowIdPair:
    """`<id>:<id>`: two row ids (an alert or a request, then a volunteer), each range-checked."""

    of: tuple[str, str]

    def parse(self, raw: str) -> tuple[int, int]:
        first, colon, second = raw.partition(":")
        if not colon:
            raise InvalidInput(STALE)
        return parse_id(first), parse_id(second)


@dataclass(frozen=True)
class VoteArgument:
    """`poll:position` (one answer), or with `many` `poll:p1,p2` (empty: the vote withdrawn)."""

    many: bool = False

    def parse(self, raw: str) -> tuple[int, list[int]]:
        if not is_vote_argument(raw, allow_list=self.many):
            raise InvalidInput(STALE)
        poll, _, positions = raw.partition(":")
        return int(poll), [int(p) for p in positions.split(",")] if positions else []


@dataclass(frozen=True)
class Code:
    """A short code or reference (a link code, an invitation, a room's id): printable, no
    spaces, at most `max_chars`; empty only when `optional`."""

    max_chars: int
    optional: bool = False

    def parse(self, raw: str) -> str:
        if len(raw) > self.max_chars or not raw.isprintable() or any(c.isspace() for c in raw):
            raise InvalidInput(STALE)
        if not raw and not self.optional:
            raise InvalidInput(STALE)
        return raw


NoArg = _NoArgument()
RequestId = RowId("request")
PollId = RowId("poll")
MemberId = RowId("member")
Vote = VoteArgument()
VoteChoices = VoteArgument(many=True)


@dataclass(frozen=True)
class Action:
    """A global action: a button or a command that works whatever the step."""

    name: str
    handler: Handler
    arg: Argument[Any]


ACTIONS: dict[str, Action] = {}


def action(name: str, *, arg: Argument[Any] = NoArg) -> Callable[[Handler], Handler]:
    """Register the handler of the action `name` (`name:<arg>`); `arg` parses its argument.

    The handler is called as `handler(turn)` without argument, else `handler(turn, value)`.
    """

    def register(handler: Handler) -> Handler:
        if name in ACTIONS:
            raise ValueError(f"the action {name!r} is registered twice")
        ACTIONS[name] = Action(name, handler, arg)
        return handler

    return register


def is_action(pressed: str) -> bool:
    """Whether `pressed` names a registered action (its argument is not checked)."""
    return pressed.partition(":")[0] in ACTIONS


async def press(turn: Turn, pressed: str) -> None:
    """Run the action `name:arg` for this turn, once its argument is checked."""
    name, _, raw = pressed.partition(":")
    found = ACTIONS.get(name)
    if found is None or len(pressed) > MAX_ACTION_CHARS:
        raise InvalidInput(STALE)
    value = found.arg.parse(raw)  # before any handler runs: a forgery changes nothing
    if found.arg is NoArg:
        await found.handler(turn)
    else:
        await found.handler(turn, value)


# --- steps of multi-message flows -----------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """What a person answered at a step: one of its buttons, or text (or neither)."""

    text: str | None = None
    button: str | None = None  # the pressed button's name ("when" of "when:today")
    value: str = ""  # its argument ("today")

    @property
    def pressed(self) -> bool:
        return self.button is not None

    @property
    def given(self) -> str:
        """The pressed button's argument, or the text typed."""
        return self.value if self.pressed else self.text or ""


StepHandler = Callable[[Turn, Answer], Awaitable[None]]


@dataclass(frozen=True)
class Step:
    """A question a flow asked and waits an answer to."""

    flow: str
    name: str
    handler: StepHandler
    # The buttons (names before ":") that answer it, rather than run a global action.
    buttons: frozenset[str]
    # Whether typed text answers it (a name, a place, hours...).
    text: bool
    # The kind reminder when the answer fits neither; None: the handler takes every answer.
    otherwise: str | None
    # The typed commands that still work here (None: all); other words are the step's text.
    commands: frozenset[str] | None
    # Whether a typed number or label stands for one of the last buttons shown.
    typed_choices: bool
    # The button ticked on and off (a list of several answers): "1 et 3" typed presses each.
    several: str | None = None


STEPS: dict[tuple[str, str], Step] = {}


def step(
    flow: str,
    name: str,
    *,
    buttons: tuple[str, ...] = (),
    text: bool = False,
    otherwise: str | None = CHOOSE_A_BUTTON,
    commands: frozenset[str] | None = None,
    typed_choices: bool = True,
    several: str | None = None,
) -> Callable[[StepHandler], StepHandler]:
    """Register the handler of the step `name` of `flow` (see `Step` for the options)."""

    def register(handler: StepHandler) -> StepHandler:
        if (flow, name) in STEPS:
            raise ValueError(f"the step {flow}/{name} is registered twice")
        STEPS[(flow, name)] = Step(
            flow,
            name,
            handler,
            frozenset(buttons),
            text,
            otherwise,
            commands,
            typed_choices,
            several,
        )
        return handler

    return register


def current_step(turn: Turn) -> Step | None:
    """The step the conversation waits at, if it is one."""
    conversation = turn.conversation
    if conversation.flow is None or conversation.step is None:
        return None
    return STEPS.get((conversation.flow, conversation.step))


def is_step_button(turn: Turn, pressed: str) -> bool:
    """Whether `pressed` answers the current step (rather than being a global action)."""
    here = current_step(turn)
    return here is not None and pressed.partition(":")[0] in here.buttons


async def answer(turn: Turn, text: str | None, pressed: str | None) -> bool:
    """Give the current step its answer; False when the conversation waits at no step.

    When something other than one of the step's buttons was pressed, any text with it is not
    the answer (a command typed instead of a name is never taken for the name).
    """
    here = current_step(turn)
    if here is None:
        return False
    name, _, value = (pressed or "").partition(":")
    if pressed and name in here.buttons:
        given = Answer(button=name, value=value)
    elif pressed is None and text and here.text:
        given = Answer(text=text)
    elif here.otherwise is None:
        given = Answer(text=text if pressed is None else None)
    else:
        raise InvalidInput(here.otherwise)
    await here.handler(turn, given)
    return True

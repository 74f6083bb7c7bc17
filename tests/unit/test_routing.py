"""The router checks every action's argument, in one place, before any handler runs."""

from __future__ import annotations

from typing import Any

import pytest

import core.dialogue.engine  # noqa: F401  (loads every flow, which registers its routes)
from core.dialogue import routing
from core.dialogue.arguments import STALE
from core.domain.errors import InvalidInput


class Untouchable:
    """A turn no handler may reach: any use of it fails the test loudly."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"a handler ran with a forged argument (turn.{name})")


# Forged arguments for each kind of argument; each must be refused.
FORGED: dict[type, list[str]] = {
    routing.RowId: ["", "0", "-1", "abc", "1.5", "²", "2147483648", "9" * 11, "1:2"],
    routing.RowIdPair: ["", "1", "1:", ":1", "0:1", "1:0", "1:2:3", "2147483648:1", "1:²", "a:b"],
    routing.VoteArgument: ["", "x:1", "0:1", "1:x", "1:1000", "2147483648:0", "1:1,,2"],
    routing.Code: ["a b", "\n", "x" * 65],
    type(routing.NoArg): ["x", "1", " "],
}


def _forgeries() -> list[tuple[str, str]]:
    cases = []
    for name, registered in sorted(routing.ACTIONS.items()):
        for raw in FORGED[type(registered.arg)]:
            cases.append((name, raw))
    return cases


@pytest.mark.parametrize(("name", "raw"), _forgeries())
async def test_a_forged_argument_is_refused_before_any_handler_runs(name: str, raw: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        await routing.press(Untouchable(), f"{name}:{raw}")  # type: ignore[arg-type]
    assert refused.value.key == STALE


async def test_an_unknown_or_overlong_action_is_refused() -> None:
    for forged in ("drop_table:1", "accept" + ":1" * 40, "", ":"):
        with pytest.raises(InvalidInput):
            await routing.press(Untouchable(), forged)  # type: ignore[arg-type]


def test_arguments_are_parsed_into_their_types() -> None:
    assert routing.RequestId.parse("12") == 12
    assert routing.Vote.parse("3:1") == (3, [1])
    assert routing.VoteChoices.parse("3:0,2") == (3, [0, 2])
    assert routing.VoteChoices.parse("3:") == (3, [])  # a withdrawn native vote
    assert routing.VoteChoices.parse("3") == (3, [])
    assert routing.Code(16, optional=True).parse("") == ""
    assert routing.RowIdPair(("alert", "member")).parse("12:7") == (12, 7)
    assert routing.NoArg.parse("") is None
    with pytest.raises(InvalidInput):
        routing.Vote.parse("3:0,2")  # one answer only where a list is not expected
    with pytest.raises(InvalidInput):
        routing.Vote.parse("3")  # the answer is missing

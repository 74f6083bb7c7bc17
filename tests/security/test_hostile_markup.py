"""Finding 6: a hostile Matrix body must not freeze the one event loop that serves everyone.

A 64 KB reply made of `>` lines used to cost 45 s of CPU in the reply-fallback strip (a regex
with a nested quantifier, tried at every line). Bodies are now capped before any parsing and
the strip is one pass over the lines. Times are CPU times of this process: what the loop would
have lost, whatever else the machine is doing.
"""

from __future__ import annotations

import re
import time
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bots.matrix import events
from core.config import Settings

BUDGET_S = 0.050
SIXTY_FOUR_KB = 64 * 1024
# The Matrix reply fallback as the specification describes it: quoted lines at the start of
# the body, then one empty line (the reference the linear strip must agree with).
_REFERENCE = re.compile(r"\A(>[^\n]*\n)+\n")


def _reply(body: str) -> dict[str, Any]:
    relation = {"m.in_reply_to": {"event_id": "$e"}}
    return {"msgtype": "m.text", "body": body, "m.relates_to": relation}


def _cpu_seconds(content: dict[str, Any], limit: int | None) -> float:
    started = time.process_time()
    events.plain_body(content, limit=limit)
    return time.process_time() - started


def _limit() -> int:
    return Settings(_env_file=None).max_message_chars  # type: ignore[call-arg]


def test_a_64_kb_reply_of_quote_lines_is_read_in_well_under_50_ms() -> None:
    hostile = _reply(">\n" * 32_768)
    assert len(hostile["body"]) == SIXTY_FOUR_KB
    # Capped as the channel caps it, and even uncapped: the strip itself is linear.
    assert _cpu_seconds(hostile, _limit()) < BUDGET_S
    assert _cpu_seconds(hostile, None) < BUDGET_S


def test_a_body_is_capped_before_it_is_read() -> None:
    # Twice the longest message: room for a reply's quote and its answer; the engine then
    # refuses what is still too long.
    limit = _limit()
    text = events.plain_body({"msgtype": "m.text", "body": "a" * SIXTY_FOUR_KB}, limit=limit)
    assert len(text) == 2 * limit
    quoted = "> " + "b" * (limit - 10) + "\n\n" + "!prendre 4"
    assert events.plain_body(_reply(quoted), limit=limit) == "!prendre 4"


# Pieces that make backtracking regexes slow: quote marks, empty lines, long quoted lines,
# lines that almost close a fallback, carriage returns.
_PIECES = st.sampled_from(
    [">", ">\n", "> x\n", "\n", ">>>>>>>>", "> " + "a" * 200 + "\n", "\r\n", ">\r\n", " ", "a"]
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pieces=st.lists(_PIECES, min_size=1, max_size=8), tail=st.text(max_size=20))
def test_pathological_bodies_of_64_kb_are_read_in_bounded_time(
    pieces: list[str], tail: str
) -> None:
    unit = "".join(pieces)
    body = (unit * (SIXTY_FOUR_KB // len(unit) + 1))[:SIXTY_FOUR_KB] + tail
    assert _cpu_seconds(_reply(body), _limit()) < BUDGET_S
    assert _cpu_seconds(_reply(body), None) < BUDGET_S


@given(body=st.text(alphabet=st.sampled_from(">a \n"), max_size=60))
def test_the_linear_strip_removes_exactly_the_reply_fallback(body: str) -> None:
    expected = _REFERENCE.sub("", body, count=1).strip()
    assert events.plain_body(_reply(body), limit=None) == expected
    # Not a reply: nothing is stripped.
    assert events.plain_body({"body": body}, limit=None) == body.strip()

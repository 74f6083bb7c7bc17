"""Identifiers that come from outside (commands, deep links, buttons), checked before any use.

Everything a platform hands the bot is typed by someone: a forged button, a hand-written deep
link or `!prendre 99999999999` must get a kind answer, never reach the database as a number it
cannot hold (PostgreSQL's INTEGER stops at 2**31 - 1; SQLite at 2**63 - 1) nor make `int()` fail
on a digit that is not ASCII ("²".isdigit() is True).
"""

from __future__ import annotations

import re

from core.domain.errors import InvalidInput

# The largest id a row can have: PostgreSQL's INTEGER (our primary keys).
MAX_ID = 2**31 - 1
# The longest action a button or a command may carry (Telegram's callback data is 64 bytes).
MAX_ACTION_CHARS = 64
# Positions of answers in a poll, of neighbourhoods in a list: small numbers.
MAX_POSITION = 999
STALE = "This button is no longer valid. Here is the menu."

_ID = re.compile(r"[0-9]{1,10}")
_POSITION = re.compile(r"[0-9]{1,3}")


def is_id(text: str) -> bool:
    """Whether `text` is a row id: ASCII digits, 1 to 2**31 - 1."""
    return _ID.fullmatch(text) is not None and 1 <= int(text) <= MAX_ID


def parse_id(text: str) -> int:
    """The row id written in `text`; `InvalidInput` (a kind answer) for anything else."""
    if not is_id(text):
        raise InvalidInput(STALE)
    return int(text)


def is_position(text: str) -> bool:
    """Whether `text` is a position in a short list: ASCII digits, 0 to MAX_POSITION."""
    return _POSITION.fullmatch(text) is not None


def is_vote_argument(arg: str, *, allow_list: bool = False) -> bool:
    """`poll:position`, or with `allow_list` `poll:p1,p2,...` (empty: the vote is withdrawn)."""
    poll, _, positions = arg.partition(":")
    if not is_id(poll):
        return False
    if allow_list:
        if not positions:
            return True
        parts = positions.split(",")
        return len(parts) <= MAX_POSITION + 1 and all(is_position(p) for p in parts)
    return is_position(positions)

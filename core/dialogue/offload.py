"""CPU-heavy parsing (dates, intents) away from the event loop, on a bounded input.

One event loop serves Telegram, Matrix, the scheduler and the emergency answers: a message
whose dates take half a second to parse must not make everybody else wait that long. Parsing
runs in one worker thread of its own (the parsers are not known to be thread-safe, and the
GIL would give no speed-up from more threads), on the first `MAX_PARSED_CHARS` characters of
a message: what a date or a request says is at its start, and the rest costs time only.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

# Characters of a message given to the date parser and the NLU (the whole text is kept).
MAX_PARSED_CHARS = 500

P = ParamSpec("P")
R = TypeVar("R")

_WORKER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="entraide-parse")


def parsed_part(text: str) -> str:
    """The part of a message the parsers read."""
    return text[:MAX_PARSED_CHARS]


async def off_loop(function: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
    """`function(*args, **kwargs)` in the parsing thread; the loop serves others meanwhile."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_WORKER, functools.partial(function, *args, **kwargs))

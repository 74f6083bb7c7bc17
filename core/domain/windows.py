"""When help is needed, as it was said: a moment, or a window with the kind of window it is.

A request keeps its window (`when_start`, `when_end`) and its kind (`WhenKind`); messages carry
the three as parameters `when`, `when_end`, `when_kind` (see `when_params`), and rendering shows
a window as a window ("jeudi 3 décembre, le matin"), never with an hour nobody gave.
"""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from core.domain.errors import InvalidInput
from core.domain.vocabulary import WhenKind

# The parts of a day a window may be: the hours the date parser gives them.
PART_WINDOWS: dict[WhenKind, tuple[time, time]] = {
    WhenKind.MORNING: (time(9), time(12)),
    WhenKind.NOON: (time(12), time(14)),
    WhenKind.AFTERNOON: (time(14), time(17)),
    WhenKind.EVENING: (time(18), time(20)),
}


def infer_kind(start: datetime, end: datetime | None, tz: ZoneInfo) -> WhenKind:
    """The kind of a window whose kind was not recorded (requests older than the kinds).

    A moment without an end is an hour; a window within one day is a part of it when its hours
    are that part's, else the day; a window over several days is several days.
    """
    if end is None:
        return WhenKind.AT
    first, last = start.astimezone(tz), end.astimezone(tz)
    if first.date() != last.date():
        return WhenKind.DAYS
    for kind, (begin, finish) in PART_WINDOWS.items():
        if (first.time(), last.time()) == (begin, finish):
            return kind
    return WhenKind.DAY


def checked_kind(
    kind: WhenKind | str | None, start: datetime, end: datetime | None, tz: ZoneInfo
) -> WhenKind:
    """The kind of a request's time, checked: a window kind needs an end; none is inferred."""
    if not kind:
        return infer_kind(start, end, tz)
    try:
        checked = WhenKind(kind)
    except ValueError as exc:
        raise InvalidInput("Unknown kind of time: {kind}.", kind=str(kind)[:20]) from exc
    if checked != WhenKind.AT and end is None:
        raise InvalidInput("The end of the time window must come after its start.")
    return checked


def when_params(
    start: datetime, end: datetime | None, kind: str | None, tz: ZoneInfo
) -> dict[str, str | None]:
    """The parameters of a message that names this time (see the module's docstring)."""
    return {
        "when": start.isoformat(),
        "when_end": end.isoformat() if end is not None else None,
        "when_kind": str(kind or infer_kind(start, end, tz)),
    }

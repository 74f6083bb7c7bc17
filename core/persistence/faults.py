"""Which failures are worth trying again: a connection that dropped, not a wrong value.

A database that is away for a moment (a locked SQLite, PostgreSQL restarting, a network cut)
comes back: the same work then succeeds. A wrong value (an id PostgreSQL cannot hold, a
constraint violated, a bug) fails the same way every time: trying it again only stalls what
comes after it, so it is set aside at once (see `core.services.dead_letters`).
"""

from __future__ import annotations

import asyncio

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

# SQLSTATE classes of faults that pass: connection exceptions, operator intervention (a
# restart), insufficient resources, a transaction rolled back (deadlock, serialization).
_TRANSIENT_SQLSTATES = ("08", "57P", "53", "40", "55P03")


def is_transient(error: BaseException) -> bool:
    """True for a connection-level fault (retry later), False for a data error or a bug."""
    if isinstance(error, asyncio.TimeoutError | TimeoutError | ConnectionError):
        return True
    if isinstance(error, DBAPIError):
        if error.connection_invalidated:
            return True
        state = str(getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", ""))
        if state and state.startswith(_TRANSIENT_SQLSTATES):
            return True
        if isinstance(error, OperationalError | InterfaceError):
            # SQLite's "database is locked" or a lost connection; but a value the driver
            # refused (asyncpg's DataError is no ValueError of ours) is not.
            return not isinstance(error.orig, ValueError) and not state.startswith(("22", "23"))
        return _caused_by_connection(error)
    return isinstance(error, OSError)


def _caused_by_connection(error: BaseException) -> bool:
    """A driver error whose root is the network (a socket closed under the driver)."""
    seen = 0
    cause = error.__cause__ or error.__context__
    while cause is not None and seen < 8:
        if isinstance(cause, OSError | asyncio.TimeoutError | TimeoutError):
            return True
        cause = cause.__cause__ or cause.__context__
        seen += 1
    return False


def describe(error: BaseException, limit: int = 2000) -> str:
    """The error as one capped line for a dead letter: its type and message."""
    text = f"{type(error).__name__}: {error}"
    return text if len(text) <= limit else text[: limit - 1] + "…"

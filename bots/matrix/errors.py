"""What can go wrong with the homeserver, in the two kinds that matter: try again, or give up."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
from sqlalchemy.exc import DBAPIError

from core.persistence.faults import is_transient

# Failures of the network or the database: the batch is fetched again later (the engine
# skips the events it already answered), a message goes back to the outbox.
TRANSIENT = (aiohttp.ClientError, asyncio.TimeoutError, OSError, DBAPIError)


class MatrixUnavailable(RuntimeError):
    """The homeserver did not answer or answered with a server error: try again later."""


RETRIED = (*TRANSIENT, MatrixUnavailable)


class MatrixRefused(RuntimeError):
    """The homeserver refused for good (not in the room, forbidden...)."""

    def __init__(self, errcode: str, message: str) -> None:
        super().__init__(f"{errcode}: {message}")
        self.errcode = errcode


class Halted(Exception):
    """The channel was asked to stop while waiting on the homeserver."""


def passes(error: BaseException) -> bool:
    """A fault of the network, the homeserver or the database's connection: try again.

    A data error (an id PostgreSQL cannot hold, a constraint violated) or a bug is not.
    """
    network = (aiohttp.ClientError, asyncio.TimeoutError, OSError, MatrixUnavailable)
    return isinstance(error, network) or is_transient(error)


def error_of(response: Any, what: str) -> MatrixUnavailable | MatrixRefused:
    """A nio error response as one of our two kinds: try again later, or give up."""
    code = str(getattr(response, "status_code", None) or "M_UNKNOWN")
    message = str(getattr(response, "message", response))
    transport = getattr(response, "transport_response", None)
    status = getattr(transport, "status", 0) or 0
    if status >= 500 or (status == 0 and code == "M_UNKNOWN") or code == "M_LIMIT_EXCEEDED":
        return MatrixUnavailable(f"{what}: {code} {message}")
    return MatrixRefused(code, f"{what}: {message}")

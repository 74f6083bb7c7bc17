"""Injected failures: what goes wrong between the bot and Telegram, on the test's demand.

A fault applies to the next calls of one method ("*": any), optionally only to calls about one
chat: an error answer without effect (429 with retry_after, the front proxy's 502 page...), a
dropped connection (before or after the call took effect), a late answer, or bytes that are not
HTTP at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiohttp import web

from .objects import RecordedRequest
from .protocol import JSON, ApiError, default_description
from .state import World

_BAD_GATEWAY_PAGE = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0"
    "</center>\r\n</body>\r\n</html>\r\n"
)


@dataclass
class Fault:
    kind: str  # "fail", "drop", "delay", "malformed"
    method: str  # lower case, "*" for any
    count: int
    status: int = 429
    retry_after: int = 2
    description: str | None = None
    before_processing: bool = True
    seconds: float = 0.0
    chat_id: int | None = None  # only calls about this chat (None: any)


class Faults(World):
    """The faults the test asked for, taken by the calls they apply to."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._faults: list[Fault] = []

    def fail_next(
        self,
        method: str,
        status: int = 429,
        retry_after: int = 2,
        count: int = 1,
        description: str | None = None,
        *,
        chat_id: int | None = None,
    ) -> None:
        """The next `count` calls of `method` ("*": any) fail without effect: 429 with
        retry_after, 502 as an HTML page from the front proxy, or any other status with
        `description`. With `chat_id`, only calls about that chat fail."""
        self._faults.append(
            Fault("fail", method.lower(), count, status, retry_after, description, chat_id=chat_id)
        )

    def drop_next(
        self,
        method: str,
        count: int = 1,
        before_processing: bool = True,
        *,
        chat_id: int | None = None,
    ) -> None:
        """Close the connection without answering: before processing (nothing happened) or
        after (done, e.g. the message delivered, but the client never hears)."""
        self._faults.append(
            Fault(
                "drop", method.lower(), count, before_processing=before_processing, chat_id=chat_id
            )
        )

    def delay_next(
        self,
        method: str,
        seconds: float,
        count: int = 1,
        before_processing: bool = True,
        *,
        chat_id: int | None = None,
    ) -> None:
        """Answer late (to make the client time out). The call is processed all the same,
        after the delay (`before_processing`) or at once with a late answer."""
        self._faults.append(
            Fault(
                "delay",
                method.lower(),
                count,
                before_processing=before_processing,
                seconds=seconds,
                chat_id=chat_id,
            )
        )

    def malformed_next(self, method: str, count: int = 1, *, chat_id: int | None = None) -> None:
        """Answer with bytes that are not HTTP (a broken proxy), without effect: the client
        fails to parse the answer (aiohttp's error then quotes the URL, token included)."""
        self._faults.append(Fault("malformed", method.lower(), count, chat_id=chat_id))

    # --- taking and answering ------------------------------------------------------------------

    def _take_fault(self, method: str, params: JSON) -> Fault | None:
        """The first fault that applies to this call of `method` (lower case), used up once."""
        for fault in self._faults:
            if fault.chat_id is not None and str(params.get("chat_id")) != str(fault.chat_id):
                continue
            if fault.method in (method, "*"):
                fault.count -= 1
                if fault.count <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    def _fail(self, record: RecordedRequest, fault: Fault) -> web.Response:
        """The error answer of a "fail" fault."""
        if fault.status == 502:
            record.status = 502
            return web.Response(text=_BAD_GATEWAY_PAGE, status=502, content_type="text/html")
        if fault.status == 429:
            error = ApiError(
                429,
                fault.description or f"Too Many Requests: retry after {fault.retry_after}",
                {"retry_after": fault.retry_after},
            )
        else:
            error = ApiError(fault.status, fault.description or default_description(fault.status))
        record.status, record.response = error.code, error.body()
        return web.json_response(error.body(), status=error.code)

    @staticmethod
    def _drop(request: web.Request, record: RecordedRequest) -> web.Response:
        """Close the connection; the response returned is never sent."""
        record.status = 0
        if request.transport is not None:
            request.transport.abort()
        return web.Response(status=204)

    @staticmethod
    def _malformed(request: web.Request, record: RecordedRequest) -> web.Response:
        """Write bytes that are not HTTP and close; the response returned is never sent."""
        record.status = 0
        if request.transport is not None:
            request.transport.write(b"not http at all\r\n\r\n")
            request.transport.close()
        return web.Response(status=204)

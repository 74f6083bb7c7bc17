"""PTB's calls to the Bot API over aiohttp instead of httpx.

Measured with eight sends at once against our local Bot API server in another process: httpx
spends about 3 ms of CPU per call, aiohttp about 1 ms, and a busy bot is CPU-bound. aiohttp is
already the HTTP stack of matrix-nio and of our webhook receiver. PTB supports this:
`telegram.request.BaseRequest` is its interface for other HTTP libraries; it turns the Bot
API's answers into PTB's errors, and this class only moves the bytes.
"""

from __future__ import annotations

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData


class AiohttpRequest(BaseRequest):
    """One aiohttp session with a pool of `connection_pool_size` connections.

    Timeouts, in seconds: `connect_timeout` to open a connection, `pool_timeout` to get one
    from the pool (opening it included), `read_timeout` between two reads of the answer.
    aiohttp has no write timeout: `write_timeout` is accepted and ignored.

    Errors say whether the request may have reached Telegram, which decides whether a send may
    be repeated: no connection (refused, pool full, connect timed out) is a `NetworkError`,
    nothing was sent; a timeout while waiting for the answer is `TimedOut`, it may have been.
    """

    def __init__(
        self,
        connection_pool_size: int = 256,
        *,
        read_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 10.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=_chosen(pool_timeout, self._pool_timeout),
            sock_connect=_chosen(connect_timeout, self._connect_timeout),
            sock_read=_chosen(read_timeout, self._read_timeout),
        )
        try:
            async with self._session.request(
                method, url, data=_body(request_data), timeout=timeout
            ) as response:
                return response.status, await response.read()
        except aiohttp.ConnectionTimeoutError as error:  # before anything was sent
            raise NetworkError(f"No connection to the Bot API in time: {error}") from error
        except TimeoutError as error:  # sent, perhaps received: the answer did not come
            # (asyncio.TimeoutError is this same class since Python 3.11)
            raise TimedOut() from error
        except aiohttp.ClientConnectorError as error:  # refused, unreachable: nothing sent
            raise NetworkError(f"Cannot connect to the Bot API: {error}") from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error


def _chosen(value: ODVInput[float], default: float | None) -> float | None:
    """A timeout given for this call, else the request's own (PTB's DEFAULT_NONE)."""
    return default if isinstance(value, DefaultValue) else value


def _body(request_data: RequestData | None) -> aiohttp.FormData | None:
    """Parameters form-encoded, as the Bot API takes them; multipart when files go along."""
    if request_data is None:
        return None
    files = request_data.multipart_data
    if not files:
        return aiohttp.FormData(request_data.json_parameters)
    form = aiohttp.FormData(request_data.json_parameters)
    for name, (filename, content, mime_type) in files.items():
        form.add_field(name, content, filename=filename, content_type=mime_type)
    return form

"""The HTTP side: the aiohttp application, the token check, routing to the implemented methods,
the injected faults, and the recording of every call.

Method names are case-insensitive, as on Telegram; an unknown one gives 404 "Not Found: method
not found", a wrong token 401 "Unauthorized". A bug in this server answers 500 and is kept in
`server_errors` for the test to assert on.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from aiohttp import web

from .faults import Faults
from .media import Media
from .objects import RecordedRequest
from .people import People
from .polls import Polls
from .profile import Profile
from .protocol import JSON, ApiError, Params, implemented_methods, read_params
from .webhook import Webhook


class FakeBotApi(People, Polls, Media, Profile, Webhook, Faults):
    """The Bot API server, the people around the bot, and what the bot did."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.base_url = ""  # set by start(): "http://127.0.0.1:PORT/bot"
        # Where PTB would download files from ("http://127.0.0.1:PORT/file/bot"); the bot
        # downloads none, so nothing is served there.
        self.base_file_url = ""
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._methods = implemented_methods(self)

    @classmethod
    async def start(
        cls, token: str = "123:ABC", host: str = "127.0.0.1", port: int = 0, **options: Any
    ) -> FakeBotApi:
        """Start a server; `options` are the constructor's (bot_username, clock...)."""
        api = cls(token, **options)
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", api._handle)
        runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        api._runner = runner
        api.port = runner.addresses[0][1]
        root = f"http://{host}:{api.port}"
        api.base_url = f"{root}/bot"
        api.base_file_url = f"{root}/file/bot"
        return api

    async def stop(self) -> None:
        """Wake pending long polls and stop serving."""
        self._closing = True
        self._notify()
        await self._stop_webhook_delivery()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotApi:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        """One call of the bot: recorded, faulted if the test asked so, then answered."""
        if request.match_info["token"] != self.token:
            return web.json_response(ApiError(401, "Unauthorized").body(), status=401)
        requested = request.match_info["method"]
        key = requested.lower()
        known = self._methods.get(key)
        record = RecordedRequest(
            method=known[0] if known else requested,
            params={},
            time=time.monotonic(),
            http_method=request.method,
        )
        self.all_requests.append(record)
        try:
            try:
                record.params, record.files = await read_params(request)
            except ApiError as error:
                return self._answer(record, error.body(), error.code)
            fault = self._take_fault(key, record.params)
            if fault and fault.kind == "fail":
                return self._fail(record, fault)
            if fault and fault.kind == "malformed":
                return self._malformed(request, record)
            if fault and fault.before_processing:
                if fault.kind == "drop":
                    return self._drop(request, record)
                await asyncio.sleep(fault.seconds)
            if known is None:
                error = ApiError(404, "Not Found: method not found")
                body, status = error.body(), error.code
            else:
                body, status = await self._call(known[1], Params(record.params, request))
            if fault and not fault.before_processing:
                if fault.kind == "drop":
                    record.response = body
                    return self._drop(request, record)
                await asyncio.sleep(fault.seconds)
            return self._answer(record, body, status)
        finally:
            self._notify()

    async def _call(self, handler: Any, params: Params) -> tuple[JSON, int]:
        """(answer, HTTP status) of an implemented method."""
        try:
            return {"ok": True, "result": await handler(params)}, 200
        except ApiError as error:
            return error.body(), error.code
        except Exception as exc:  # a bug here: answer 500 and keep it for the test
            self.server_errors.append(exc)
            error = ApiError(500, f"Internal Server Error: {exc!r}")
            return error.body(), error.code

    @staticmethod
    def _answer(record: RecordedRequest, body: JSON, status: int) -> web.Response:
        record.status, record.response = status, body
        return web.json_response(body, status=status)

"""The aiohttp transport under PTB: what reaches the server, and what each failure means.

A `NetworkError` says nothing was sent (the outbox may send again); `TimedOut` says the
request may have arrived (the outbox must not send it twice).
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bots.telegram.transport import AiohttpRequest


@pytest.fixture
async def server() -> AsyncIterator[str]:
    """/echo answers the form it got; /slow answers after 2 s."""

    async def echo(request: web.Request) -> web.Response:
        return web.json_response({"ok": True, "result": dict(await request.post())})

    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(2)
        return web.json_response({"ok": True, "result": True})

    app = web.Application()
    app.router.add_post("/echo", echo)
    app.router.add_post("/slow", slow)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    await runner.cleanup()


def params(**values: object) -> RequestData:
    return RequestData(
        [RequestParameter.from_input(name, value) for name, value in values.items()]
    )


async def test_the_parameters_arrive_form_encoded_as_the_bot_api_takes_them(server: str) -> None:
    async with AiohttpRequest() as request:
        status, body = await request.do_request(
            f"{server}/echo", "POST", params(chat_id=42, text="Bonjour", reply_markup={"a": 1})
        )
    assert status == 200
    assert b'"chat_id": "42"' in body and b'"text": "Bonjour"' in body
    assert b'"reply_markup": "{\\"a\\": 1}"' in body


async def test_a_refused_connection_is_a_network_error_nothing_was_sent() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nobody listens there
    async with AiohttpRequest() as request:
        with pytest.raises(NetworkError) as raised:
            await request.do_request(f"http://127.0.0.1:{port}/echo", "POST", params(a=1))
    assert not isinstance(raised.value, TimedOut)


async def test_an_answer_that_does_not_come_in_time_is_timed_out(server: str) -> None:
    async with AiohttpRequest(read_timeout=0.2) as request:
        with pytest.raises(TimedOut):
            await request.do_request(f"{server}/slow", "POST", params(a=1))


async def test_a_call_given_its_own_read_timeout_waits_that_long(server: str) -> None:
    async with AiohttpRequest(read_timeout=0.2) as request:
        status, _ = await request.do_request(f"{server}/slow", "POST", read_timeout=5)
    assert status == 200


async def test_no_free_connection_in_time_is_a_network_error_nothing_was_sent(
    server: str,
) -> None:
    async with AiohttpRequest(1, pool_timeout=0.2) as request:
        busy = asyncio.create_task(request.do_request(f"{server}/slow", "POST"))
        await asyncio.sleep(0.1)
        with pytest.raises(NetworkError) as raised:
            await request.do_request(f"{server}/echo", "POST", params(a=1))
        assert not isinstance(raised.value, TimedOut)
        await busy

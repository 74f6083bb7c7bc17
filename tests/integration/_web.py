"""A logged-in client of the web console, for the HTTP-level specifications."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from bots.web.app import build_app
from core.app import Core
from core.services import web_access

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


class Console:
    """An aiohttp test client that follows the console's forms like a browser would."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    async def csrf(self, path: str = "/") -> str:
        response = await self.client.get(path)
        match = CSRF.search(await response.text())
        assert match is not None, f"no form on {path}"
        return match.group(1)

    async def post(self, path: str, data: dict[str, Any], *, csrf: str | None = None) -> Any:
        token = await self.csrf("/") if csrf is None else csrf
        return await self.client.post(path, data={"csrf": token, **data}, allow_redirects=False)

    async def login(self, token: str) -> Any:
        csrf = await self.csrf(f"/login?token={token}")
        return await self.client.post(
            "/login", data={"csrf": csrf, "token": token}, allow_redirects=False
        )


async def link_for(core: Core, member_id: int) -> str:
    async with core.uow() as uow:
        token = await web_access.issue_login(uow, member_id, by_id=None)
        await uow.commit()
        return token


@asynccontextmanager
async def console(core: Core, member_id: int | None = None) -> AsyncIterator[Console]:
    """A client of the console over `core`, logged in as `member_id` if given."""
    async with TestClient(TestServer(await build_app(core))) as client:
        browser = Console(client)
        if member_id is not None:
            response = await browser.login(await link_for(core, member_id))
            assert response.status == 303, await response.text()
        yield browser

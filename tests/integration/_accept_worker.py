"""One volunteer's accept, run in a process of its own by `test_concurrent_accept`.

Kept in a module without tests so that the multiprocessing server can preload it.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from sqlalchemy import text

from core.app import Core
from core.config import Settings
from core.domain.errors import AlreadyTaken
from core.domain.model import HelpRequest
from core.services import requests
from core.services.unit_of_work import UnitOfWork

WAIT_SECONDS = 30


def accept_in_process(
    url: str,
    now_iso: str,
    volunteer_id: int,
    request_id: int,
    start: Any,
    after_read: Any | None,
    results: Any,
) -> None:
    """Open a core of this process's own, wait for the start line, accept, report the outcome."""
    asyncio.run(
        _accept(
            url,
            datetime.fromisoformat(now_iso),
            volunteer_id,
            request_id,
            start,
            after_read,
            results,
        )
    )


async def _accept(
    url: str,
    now: datetime,
    volunteer_id: int,
    request_id: int,
    start: Any,
    after_read: Any | None,
    results: Any,
) -> None:
    settings = Settings(database_url=url, matching_top_n=3, _env_file=None)  # type: ignore[call-arg]
    core = Core.open(settings, lambda: now)
    seen: list[str] = []
    real_get_request = requests.get_request

    async def get_request(uow: UnitOfWork, rid: int) -> HelpRequest:
        request = await real_get_request(uow, rid)
        seen.append(str(request.state))
        if after_read is not None:  # every process has read the request before anyone writes
            await asyncio.to_thread(after_read.wait, WAIT_SECONDS)
        return request

    requests.get_request = get_request  # type: ignore[assignment]  # this process only
    try:
        async with core.engine.connect() as connection:  # connect before the start line
            await connection.execute(text("SELECT 1"))
        start.wait(WAIT_SECONDS)
        try:
            async with core.uow() as uow:
                await requests.accept(uow, volunteer_id, request_id)
                await uow.commit()
            outcome = "won"
        except AlreadyTaken:
            outcome = "taken"
        except Exception as exc:  # reported to the test, which fails with it
            outcome = f"{type(exc).__name__}: {exc}"
        results.put((volunteer_id, outcome, seen))
    finally:
        await core.close()

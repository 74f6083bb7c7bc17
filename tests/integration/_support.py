"""Helpers shared by the specification tests: post and accept a request, snapshot a database,
wait until the outbox is drained."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from core.app import Core
from core.domain.model import Base, Notification
from core.services import requests
from tests.conftest import NOW, Cooperative


async def post(
    coop: Cooperative,
    *,
    requester_id: int | None = None,
    category: str = "shopping",
    days: int = 3,
    **extra: Any,
) -> int:
    """Post a request (Alice's by default) and commit; return its id."""
    async with coop.core.uow() as uow:
        request = await requests.post_request(
            uow,
            requester_id or coop.alice,
            category=category,
            when_start=NOW + timedelta(days=days),
            **extra,
        )
        await uow.commit()
        return request.id


async def accept(coop: Cooperative, volunteer_id: int, request_id: int) -> None:
    async with coop.core.uow() as uow:
        await requests.accept(uow, volunteer_id, request_id)
        await uow.commit()


async def snapshot(core: Core) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, sorted: more than row counts, it also sees updated rows."""
    async with core.uow() as uow:
        result: dict[str, list[tuple[Any, ...]]] = {}
        for table in Base.metadata.sorted_tables:
            rows = (await uow.session.execute(select(table))).all()
            result[table.name] = sorted((tuple(r) for r in rows), key=repr)
        return result


async def outbox_settled(core: Core, timeout: float = 15) -> list[Notification]:
    """Wait until no outbox message is waiting (each delivered, given up or set aside); every row.

    The signal that a bot has said all it will say: a message is marked done only once the
    platform has it (or will never have it), so after this nothing more is on its way.
    """
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        async with core.uow() as uow:
            rows = list(
                (await uow.session.execute(select(Notification).order_by(Notification.id)))
                .scalars()
                .all()
            )
        waiting = [r for r in rows if r.sent_at is None and r.set_aside_at is None]
        if not waiting:
            return rows
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(
                "still waiting in the outbox: "
                + ", ".join(f"#{r.id} {r.key[:30]!r} {r.last_error!r}" for r in waiting)
            )
        await asyncio.sleep(0.05)

"""Helpers shared by the specification tests: post and accept a request, snapshot a database."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from core.app import Core
from core.domain.model import Base
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

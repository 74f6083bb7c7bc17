"""The life of one help request through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.domain.errors import AlreadyTaken, NotAllowed
from core.domain.model import Notification
from core.domain.vocabulary import RequestState
from core.services import requests
from tests.conftest import Cooperative
from tests.integration._support import post


async def test_a_posted_request_is_offered_to_matching_volunteers(coop: Cooperative) -> None:
    request_id = await post(coop)
    async with coop.core.uow() as uow:
        rows = (
            await uow.session.execute(
                select(Notification).where(Notification.topic == f"request:{request_id}")
            )
        ).scalars()
        offered = {r.member_id for r in rows}
    assert offered == {coop.bob, coop.carol}


async def test_the_second_accept_is_told_the_request_is_taken(coop: Cooperative) -> None:
    request_id = await post(coop)
    async with coop.core.uow() as uow:
        await requests.accept(uow, coop.bob, request_id)
        await uow.commit()
    async with coop.core.uow() as uow:
        with pytest.raises(AlreadyTaken):
            await requests.accept(uow, coop.carol, request_id)


async def test_only_the_accepting_volunteer_receives_the_phone_number(coop: Cooperative) -> None:
    request_id = await post(coop)
    async with coop.core.uow() as uow:
        await requests.accept(uow, coop.bob, request_id)
        await uow.commit()
    async with coop.core.uow() as uow:
        rows = list((await uow.session.execute(select(Notification))).scalars())
    with_phone = {r.member_id for r in rows if "06 12 34 56 78" in str(r.params)}
    assert with_phone == {coop.bob}


async def test_a_withdrawn_task_opens_again(coop: Cooperative) -> None:
    request_id = await post(coop)
    async with coop.core.uow() as uow:
        await requests.accept(uow, coop.bob, request_id)
        await uow.commit()
    async with coop.core.uow() as uow:
        request = await requests.withdraw(uow, coop.bob, request_id)
        await uow.commit()
    assert request.state == RequestState.OPEN


async def test_a_volunteer_cannot_complete_someone_elses_task(coop: Cooperative) -> None:
    request_id = await post(coop)
    async with coop.core.uow() as uow:
        await requests.accept(uow, coop.bob, request_id)
        await uow.commit()
    async with coop.core.uow() as uow:
        with pytest.raises(NotAllowed):
            await requests.complete(uow, coop.carol, request_id, 1.5)

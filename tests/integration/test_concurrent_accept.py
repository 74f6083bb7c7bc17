"""Twenty volunteers accept the same request at the same instant: exactly one of them wins.

Each accept runs in its own unit of work (its own connection and transaction). On PostgreSQL the
twenty transactions are held at a rendezvous until all of them have read the request as open, so
nineteen really try to write and are stopped by the version check. On SQLite, BEGIN IMMEDIATE
serialises the writers, so the losers read a request that is already taken.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections import Counter
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from core.app import Core
from core.domain.errors import AlreadyTaken
from core.domain.model import Assignment, AuditEntry, HelpRequest, MatchOffer, Notification
from core.domain.vocabulary import Category, RequestState, Role
from core.persistence.database import create_engine, session_factory
from core.services import members, requests
from core.services.unit_of_work import UnitOfWork
from tests.conftest import Cooperative
from tests.integration import _accept_worker
from tests.integration._support import post

VOLUNTEERS = 20
RENDEZVOUS_SECONDS = 20


@pytest.fixture
async def wide_core(core: Core) -> AsyncIterator[Core]:
    """The same database as `core`, through a pool that lets twenty transactions run at once."""
    engine = create_engine(core.settings.database_url, pool_size=VOLUNTEERS + 2, max_overflow=0)
    wide = Core(core.settings, engine, session_factory(engine), core.clock)
    yield wide
    await wide.close()


async def _twenty_volunteers(coop: Cooperative) -> list[int]:
    """Bob, Carol and eighteen more approved shopping volunteers."""
    ids = [coop.bob, coop.carol]
    async with coop.core.uow() as uow:
        for n in range(VOLUNTEERS - len(ids)):
            volunteer = await members.onboard_member(
                uow,
                coop.territory_id,
                f"Volunteer {n:02d}",
                roles=[Role.VOLUNTEER],
                skills=[Category.SHOPPING],
            )
            await members.approve_member(uow, volunteer.id, by_id=coop.coordinator)
            ids.append(volunteer.id)
        await uow.commit()
    return ids


def _is_postgres(core: Core) -> bool:
    return core.engine.dialect.name == "postgresql"


async def _max_ids(core: Core) -> dict[str, int]:
    async with core.uow() as uow:
        return {
            model.__tablename__: int(
                (
                    await uow.session.execute(select(func.coalesce(func.max(model.id), 0)))
                ).scalar_one()
            )
            for model in (Assignment, AuditEntry, Notification)
        }


async def _race(
    core: Core, volunteer_ids: list[int], request_id: int
) -> tuple[dict[int, str], list[str]]:
    """Launch every accept at once; return each volunteer's outcome and the states they read."""
    rendezvous = asyncio.Barrier(len(volunteer_ids)) if _is_postgres(core) else None
    seen: list[str] = []
    real_get_request = requests.get_request

    async def get_request(uow: UnitOfWork, rid: int) -> HelpRequest:
        request = await real_get_request(uow, rid)
        seen.append(str(request.state))
        if rendezvous is not None:
            await asyncio.wait_for(rendezvous.wait(), RENDEZVOUS_SECONDS)
        return request

    async def one(volunteer_id: int) -> str:
        async with core.uow() as uow:
            try:
                await requests.accept(uow, volunteer_id, request_id)
            except AlreadyTaken:
                return "taken"
            await uow.commit()
            return "won"

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(requests, "get_request", get_request)
        outcomes = await asyncio.gather(*(one(v) for v in volunteer_ids))
    return dict(zip(volunteer_ids, outcomes, strict=True)), seen


async def _check_single_winner(
    coop: Cooperative, outcomes: dict[int, str], request_id: int, before: dict[str, int]
) -> None:
    """One assignment, one accept in the audit, and no row written by or for a loser's accept."""
    assert Counter(outcomes.values()) == {"won": 1, "taken": VOLUNTEERS - 1}
    winner = next(v for v, outcome in outcomes.items() if outcome == "won")
    losers = set(outcomes) - {winner}
    async with coop.core.uow() as uow:
        request = await requests.get_request(uow, request_id)
        assert request.state == RequestState.ACCEPTED
        assert request.version == 2
        assignments = list((await uow.session.execute(select(Assignment))).scalars())
        assert [(a.request_id, a.volunteer_id) for a in assignments] == [(request_id, winner)]
        new_audit = list(
            (
                await uow.session.execute(
                    select(AuditEntry).where(AuditEntry.id > before["audit_log"])
                )
            ).scalars()
        )
        assert [(e.actor_id, e.action) for e in new_audit] == [(winner, "request.accept")]
        offered = set(
            (
                await uow.session.execute(
                    select(MatchOffer.volunteer_id).where(MatchOffer.request_id == request_id)
                )
            ).scalars()
        )
        new_notes = list(
            (
                await uow.session.execute(
                    select(Notification).where(Notification.id > before["notifications"])
                )
            ).scalars()
        )
    keys = Counter(n.key.split(":")[0] for n in new_notes)
    assert keys == {
        "{volunteer} will help you": 1,
        "Thank you! You are helping {requester}": 1,
        "Your safety word": 1,  # to the requester, with the winner's first name
        "Another volunteer has taken this request": len(offered - {winner}),
    }
    with_contact = [n.member_id for n in new_notes if "06 12 34 56 78" in str(n.params)]
    assert with_contact == [winner]
    # A loser hears only the courtesy message of the winner, if the request was offered to them.
    told_losers = {n.member_id for n in new_notes if n.member_id in losers}
    assert told_losers == offered & losers


async def test_of_twenty_simultaneous_accepts_exactly_one_wins(
    coop: Cooperative, wide_core: Core
) -> None:
    volunteer_ids = await _twenty_volunteers(coop)
    request_id = await post(coop)
    before = await _max_ids(coop.core)

    outcomes, _ = await _race(wide_core, volunteer_ids, request_id)

    await _check_single_winner(coop, outcomes, request_id, before)


async def test_postgresql_lets_all_twenty_read_it_open_while_sqlite_serialises_them(
    coop: Cooperative, wide_core: Core
) -> None:
    volunteer_ids = await _twenty_volunteers(coop)
    request_id = await post(coop)

    _, seen = await _race(wide_core, volunteer_ids, request_id)

    if _is_postgres(wide_core):
        # A real race: nobody saw the request taken, the version check alone decided.
        assert seen == [RequestState.OPEN] * VOLUNTEERS
    else:
        # SQLite serialises: the first writer saw it open, everyone after saw it taken.
        assert seen == [RequestState.OPEN] + [RequestState.ACCEPTED] * (VOLUNTEERS - 1)


async def test_the_losers_of_the_race_can_still_read_their_own_empty_task_list(
    coop: Cooperative, wide_core: Core
) -> None:
    volunteer_ids = await _twenty_volunteers(coop)
    request_id = await post(coop)

    outcomes, _ = await _race(wide_core, volunteer_ids, request_id)

    async with coop.core.uow() as uow:
        for volunteer_id, outcome in outcomes.items():
            tasks = await requests.tasks_of(uow, volunteer_id)
            assert [t.id for t in tasks] == ([request_id] if outcome == "won" else [])


@pytest.mark.slow
async def test_twenty_accepts_from_twenty_processes_leave_exactly_one_assignment(
    coop: Cooperative,
) -> None:
    volunteer_ids = await _twenty_volunteers(coop)
    request_id = await post(coop)
    before = await _max_ids(coop.core)
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["tests.integration._accept_worker"])
    start = context.Barrier(VOLUNTEERS)
    after_read = context.Barrier(VOLUNTEERS) if _is_postgres(coop.core) else None
    results = context.Queue()
    processes = [
        context.Process(
            target=_accept_worker.accept_in_process,
            args=(
                coop.core.settings.database_url,
                coop.core.clock().isoformat(),
                volunteer_id,
                request_id,
                start,
                after_read,
                results,
            ),
        )
        for volunteer_id in volunteer_ids
    ]
    for process in processes:
        process.start()
    try:
        reports = [await asyncio.to_thread(results.get, True, 60) for _ in processes]
    finally:
        for process in processes:
            await asyncio.to_thread(process.join, 30)
            if process.is_alive():
                process.kill()
        results.close()

    outcomes = {volunteer_id: outcome for volunteer_id, outcome, _ in reports}
    await _check_single_winner(coop, outcomes, request_id, before)
    if after_read is not None:
        assert all(seen == [RequestState.OPEN] for _, _, seen in reports)

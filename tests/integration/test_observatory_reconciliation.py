"""Reconciliation on histories hypothesis makes up: every figure, in every period, is exactly
what the rows it lists add up to (a total never disagrees with its own list)."""

from __future__ import annotations

import asyncio
import tempfile
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.app import Core
from core.domain.model import Alert, Assignment, HelpRequest, Member, Territory
from core.domain.observatory_tables import MemberAgeBand
from core.observatory import periods
from core.observatory.catalogue import FIGURES, compute
from tests.conftest import FrozenClock, _backends, make_settings, postgres_schema
from tests.integration.test_observatory_figures import reconcile

START = datetime(2026, 1, 1, tzinfo=UTC)
HOURS = st.integers(min_value=0, max_value=24 * 90)

request_strategy = st.tuples(
    st.integers(0, 5),  # requester
    HOURS,  # created, hours after 1 January
    st.integers(0, 24 * 10),  # hours until the task
    st.sampled_from(["open", "accepted", "done", "cancelled", "expired"]),
    st.lists(st.tuples(st.integers(0, 4), st.integers(0, 48)), max_size=2),  # volunteers
    st.sampled_from(["shopping", "transport"]),
    st.sampled_from([None, "Trentemoult", "Château"]),
)
history_strategy = st.tuples(
    st.lists(request_strategy, max_size=12),
    st.lists(st.tuples(HOURS, st.integers(0, 100), st.booleans()), max_size=4),  # alerts
    st.lists(
        st.sampled_from(["under_30", "30_59", "60_74", "75_plus", None]), min_size=11, max_size=11
    ),
)


async def _write(core: Core, history: tuple) -> int:  # type: ignore[type-arg]
    requests_made, alerts, bands = history
    async with core.uow() as uow:
        s = uow.session
        territory = Territory(name="T", timezone="Europe/Paris", created_at=START)
        s.add(territory)
        await s.flush()
        people = [
            Member(
                territory_id=territory.id,
                display_name=f"M{i}",
                status="approved",
                created_at=START + timedelta(days=i * 7),
                is_volunteer=i < 5,
            )
            for i in range(11)
        ]
        s.add_all(people)
        await s.flush()
        for person, band in zip(people, bands, strict=True):
            if band:
                s.add(
                    MemberAgeBand(
                        member_id=person.id, band=band, consented_at=START, updated_at=START
                    )
                )
        for who, created, lead, state, takers, category, place in requests_made:
            made = START + timedelta(hours=created)
            request = HelpRequest(
                territory_id=territory.id,
                requester_id=people[5 + who].id,
                category=category,
                neighbourhood=place,
                when_start=made + timedelta(hours=lead),
                state=state,
                created_at=made,
                updated_at=made + timedelta(hours=lead),
            )
            s.add(request)
            await s.flush()
            for index, (volunteer, delay) in enumerate(takers):
                last = index == len(takers) - 1
                accepted = made + timedelta(hours=delay, minutes=index)
                s.add(
                    Assignment(
                        request_id=request.id,
                        volunteer_id=people[volunteer].id,
                        requester_id=request.requester_id,
                        accepted_at=accepted,
                        withdrawn_at=None if last else accepted + timedelta(minutes=1),
                        completed_at=request.when_start if last and state == "done" else None,
                        hours=1.5 if last and state == "done" else None,
                    )
                )
                await s.flush()
        for created, minutes, handled in alerts:
            made = START + timedelta(hours=created)
            s.add(
                Alert(
                    territory_id=territory.id,
                    kind="emergency",
                    member_id=people[5].id,
                    created_at=made,
                    done_at=made + timedelta(minutes=minutes) if handled else None,
                )
            )
        await uow.commit()
        return territory.id


async def _check(backend: str, history: tuple) -> None:  # type: ignore[type-arg]
    async with AsyncExitStack() as stack:
        if backend == "sqlite":
            folder = stack.enter_context(tempfile.TemporaryDirectory())
            url = f"sqlite+aiosqlite:///{folder}/o.sqlite3"
        else:
            url = await stack.enter_async_context(postgres_schema())
        core = Core.open(make_settings(url), FrozenClock())
        stack.push_async_callback(core.close)
        await core.create_schema()
        territory_id = await _write(core, history)
        whole = periods.between(START.date(), START.date() + timedelta(days=120), "Europe/Paris")
        async with core.uow() as uow:
            for period in [whole, *periods.split(whole, "month", "Europe/Paris")]:
                figures = await compute(uow.session, territory_id, period, rows=True)
                for definition in FIGURES:
                    figure = figures[definition.name]
                    assert figure.rows is not None
                    reconcile(definition.name, definition.unit, figure.value, figure.rows)


@pytest.mark.parametrize("backend", _backends())
def test_every_figure_equals_what_its_rows_add_up_to_on_any_history(backend: str) -> None:
    @settings(
        max_examples=12 if backend == "sqlite" else 6,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(history_strategy)
    def check(history: tuple) -> None:  # type: ignore[type-arg]
        asyncio.run(_check(backend, history))

    check()

"""Every figure of the observatory, on a hand-built history with known answers, on SQLite and
PostgreSQL; and each figure's total agrees with the rows it lists (reconciliation)."""

from __future__ import annotations

from collections import Counter

import pytest

from core.app import Core
from core.domain.observatory_tables import LonelinessTally
from core.observatory import periods
from core.observatory.catalogue import FIGURES, Unit, compute
from core.observatory.sql import interpolated
from tests.integration._observatory import EXPECTED_MARCH, build

MARCH = periods.month(2026, 3, "Europe/Paris")


async def test_every_figure_of_march_has_its_hand_counted_value(core: Core) -> None:
    history = await build(core)
    async with core.uow() as uow:
        figures = await compute(uow.session, history.territory_id, MARCH)
    assert {name: f.value for name, f in figures.items()} == EXPECTED_MARCH


async def test_every_figure_is_specified_by_the_hand_built_history() -> None:
    assert {d.name for d in FIGURES} == set(EXPECTED_MARCH)


async def test_a_month_is_local_so_a_request_at_half_past_midnight_counts_in_its_local_day(
    core: Core,
) -> None:
    history = await build(core)
    april = periods.month(2026, 4, "Europe/Paris")
    async with core.uow() as uow:
        figures = await compute(uow.session, history.territory_id, april, rows=True)
    assert figures["posted"].value == 1  # 22:30 UTC on 31 March is 00:30 on 1 April in Rezé
    assert figures["accepted"].value == 1
    assert figures["loneliness_mean"].value == 9.0


def reconcile(name: str, unit: Unit, value: object, rows: list[tuple]) -> None:  # type: ignore[type-arg]
    """A figure's value is what its rows add up to."""
    if name in ("fulfilled_share",):
        ended = len(rows)
        done = sum(1 for r in rows if r[1] == "done")
        assert value == (round(done / ended, 4) if ended else None)
    elif name == "intergenerational_share":
        different = sum(1 for r in rows if r[1] != r[2])
        assert value == (round(different / len(rows), 4) if rows else None)
    elif name == "poll_participation":
        could = sum(r[2] for r in rows)
        assert value == (round(sum(r[1] for r in rows) / could, 4) if could else None)
    elif name == "loneliness_mean":
        people = sum(r[3] for r in rows)
        assert value == (round(sum(r[2] * r[3] for r in rows) / people, 2) if people else None)
    elif unit is Unit.COUNT:
        assert value == len(rows) and len(set(rows)) == len(rows)
    elif unit is Unit.HOURS:
        assert value == pytest.approx(round(sum(r[1] for r in rows), 2))
    elif unit is Unit.SECONDS:
        share = 0.9 if name.endswith("p90_s") else 0.5
        expected = interpolated([float(r[1]) for r in rows], share)
        assert value == (None if expected is None else pytest.approx(expected, abs=0.2))
    elif unit is Unit.BREAKDOWN:
        assert value == dict(Counter(str(r[1]) for r in rows))
    else:  # pragma: no cover - every unit is listed above
        raise AssertionError(unit)


async def test_each_headline_figure_agrees_with_the_rows_it_counts(core: Core) -> None:
    history = await build(core)
    async with core.uow() as uow:
        for period in (MARCH, periods.month(2026, 2, "Europe/Paris")):
            figures = await compute(uow.session, history.territory_id, period, rows=True)
            for definition in FIGURES:
                figure = figures[definition.name]
                assert figure.rows is not None
                reconcile(definition.name, definition.unit, figure.value, figure.rows)


async def test_a_loneliness_mean_of_fewer_than_five_answers_is_shown_to_nobody(core: Core) -> None:
    """One person answered in the third quarter: her score must not be read back, not even by
    the coordinators (no value, and no rows behind it)."""
    history = await build(core)
    async with core.uow() as uow:
        uow.session.add(
            LonelinessTally(
                territory_id=history.territory_id,
                quarter="2026-Q3",
                wave="first",
                score=8,
                count=1,
            )
        )
        await uow.commit()
    july = periods.month(2026, 7, "Europe/Paris")
    async with core.uow() as uow:
        figures = await compute(uow.session, history.territory_id, july, rows=True)
    assert figures["loneliness_mean"].value is None
    assert figures["loneliness_mean"].rows == []

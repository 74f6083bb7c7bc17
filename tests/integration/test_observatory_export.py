"""`entraide observatory export`: CSV files and a Frictionless data package that protects every
member: small counts suppressed, no subtraction that gives them back, small neighbourhoods
merged, no free text, no identifier; and an attacker who knows someone fails to single them out."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest
from frictionless import validate
from sqlalchemy import func, select

from core.app import Core
from core.domain.model import Member, Territory
from core.observatory import demo, periods
from core.observatory.export import export
from core.observatory.protection import (
    OTHER_NEIGHBOURHOODS,
    merge_small,
    primary_count,
    secondary,
)
from tests.conftest import NOW
from tests.integration._observatory import build

TZ = "Europe/Paris"


def read(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


async def _export(core: Core, territory_id: int, whole: periods.Period, out: Path) -> Path:
    async with core.uow() as uow:
        territory = await uow.session.get(Territory, territory_id)
        assert territory is not None
        return await export(uow.session, territory, whole, "month", out, min_neighbourhood=3)


async def test_the_package_is_valid_frictionless_and_suppresses_counts_from_1_to_4(
    core: Core, tmp_path: Path
) -> None:
    tmp_path = tmp_path / "out"
    history = await build(core)
    descriptor = await _export(core, history.territory_id, periods.month(2026, 3, TZ), tmp_path)
    report = validate(str(descriptor))
    assert report.valid, report.flatten(["type", "note"])
    figures = {r["figure"]: r for r in read(tmp_path, "figures.csv")}
    assert figures["posted"]["value"] == "7" and figures["posted"]["suppressed"] == "false"
    for small in ("accepted", "done", "cancelled", "expired", "emergencies", "new_members"):
        assert figures[small] | {"figure": ""} == figures[small] | {"value": "", "figure": ""}
        assert figures[small]["suppressed"] == "true", small
    # A share whose parts are hidden, and durations on fewer than 5 cases, are hidden too.
    assert figures["fulfilled_share"]["suppressed"] == "true"
    assert figures["acceptance_median_s"]["value"] == ""
    breakdowns = read(tmp_path, "breakdowns.csv")
    assert all(r["count"] == "" for r in breakdowns if r["dimension"] == "unmet_category")


async def test_the_package_holds_no_free_text_no_name_and_no_identifier(
    core: Core, tmp_path: Path
) -> None:
    tmp_path = tmp_path / "out"
    history = await build(core)
    await _export(
        core,
        history.territory_id,
        periods.between(date(2026, 1, 1), date(2026, 4, 30), TZ),
        tmp_path,
    )
    published = "".join(p.read_text() for p in tmp_path.iterdir())
    async with core.uow() as uow:
        names = [
            m.display_name for m in (await uow.session.execute(Member.__table__.select())).all()
        ]
    for name in names:
        assert name not in published
    for text in ("Fête", "Budget"):  # poll questions
        assert text not in published
    package = json.loads((tmp_path / "datapackage.json").read_text())
    columns = {f["name"] for r in package["resources"] for f in r["schema"]["fields"]}
    assert columns == {
        "cooperative",
        "period",
        "period_start",
        "period_end",
        "figure",
        "unit",
        "value",
        "suppressed",
        "dimension",
        "key",
        "count",
    }
    assert not any(c == "id" or c.endswith("_id") for c in columns)


def deducible(rows: list[dict[str, str]], totals: dict[tuple[str, str], str]) -> list[int]:
    """What an attacker recovers by subtraction: in each group whose total is published, a
    single hidden cell is the total minus the others."""
    found = []
    groups: dict[tuple[str, str], list[dict[str, str]]] = {}
    for row in rows:
        groups.setdefault((row["period"], row["dimension"]), []).append(row)
    for (period, dimension), cells in groups.items():
        total = totals.get((period, dimension))
        hidden = [c for c in cells if c["suppressed"] == "true"]
        if total and len(hidden) == 1:
            found.append(int(total) - sum(int(c["count"]) for c in cells if c["count"]))
    return found


@pytest.mark.parametrize("epsilon", [None, 1.0])  # without noise, and with OpenDP's
@pytest.mark.parametrize("seed", [3, 11])
async def test_an_attacker_with_the_files_cannot_single_out_a_member(
    sqlite_core: Core, tmp_path: Path, seed: int, epsilon: float | None
) -> None:
    tmp_path = tmp_path / "out"
    async with sqlite_core.uow() as uow:
        made = await demo.fill(uow.session, "Rezé", members=300, weeks=26, end=NOW, seed=seed)
        await uow.commit()
    whole = periods.between(date(2026, 6, 1), date(2026, 10, 31), TZ)
    async with sqlite_core.uow() as uow:
        territory = await uow.session.get(Territory, made.territory_id)
        assert territory is not None
        await export(uow.session, territory, whole, "month", tmp_path, epsilon=epsilon)
    figures = read(tmp_path, "figures.csv")
    breakdowns = read(tmp_path, "breakdowns.csv")
    counts = [r for r in figures if r["unit"] == "count"] + breakdowns
    published = [int(float(r.get("value") or r.get("count") or 0)) for r in counts]
    assert not [n for n in published if 1 <= n <= 4]  # nobody is one of four or fewer
    assert any(r["suppressed"] == "true" for r in breakdowns)  # and there were such cells
    totals = {
        (r["period"], dimension): r["value"]
        for r in figures
        if r["figure"] == "expired"
        for dimension in ("unmet_category", "unmet_neighbourhood")
    }
    assert not [n for n in deducible(breakdowns, totals) if 1 <= n <= 4]
    # The tiny neighbourhood (a handful of members) is never named: it is merged.
    keys = {r["key"] for r in breakdowns if r["dimension"] == "unmet_neighbourhood"}
    assert "Port-au-Blé" not in keys
    async with sqlite_core.uow() as uow:
        tiny = await uow.session.scalar(
            select(func.count()).where(Member.neighbourhood == "Port-au-Blé")
        )
    assert 0 < tiny < 10  # the precondition: it is small enough to be merged


def test_small_neighbourhoods_and_the_unnamed_one_are_merged_before_suppression() -> None:
    sizes = {"Trentemoult": 40, "Port-au-Blé": 3, "Ragon": 9}
    merged = merge_small({"Trentemoult": 6, "Port-au-Blé": 2, "Ragon": 3, "": 1}, sizes, 10)
    assert merged == {"Trentemoult": 6, OTHER_NEIGHBOURHOODS: 6}


def test_a_single_hidden_cell_of_a_published_total_takes_the_next_smallest_with_it() -> None:
    cells = [primary_count("a", 2), primary_count("b", 7), primary_count("c", 9)]
    assert [c.key for c in secondary(cells, total_published=True) if c.suppressed] == ["a", "b"]
    alone = [primary_count("a", 2), primary_count("b", 7)]
    assert [c.key for c in secondary(alone, total_published=False) if c.suppressed] == ["a"]

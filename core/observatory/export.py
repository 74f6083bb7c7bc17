"""The open data of one territory: CSV files and a Frictionless `datapackage.json`.

`figures.csv` has one row per period and figure, `breakdowns.csv` one row per period and
category, neighbourhood or age band. Only aggregates: no free text, no name, no identifier.
Suppression follows `core.observatory.protection`; one granularity per package (months or
weeks), so that overlapping periods cannot be subtracted from each other.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.domain.model import Member, Territory
from core.domain.observatory_tables import AgeBand
from core.domain.vocabulary import Category
from core.observatory import periods
from core.observatory.catalogue import FIGURES, Unit, compute
from core.observatory.noise import Noise
from core.observatory.protection import (
    OTHER_NEIGHBOURHOODS,
    SMALLEST_PUBLISHED,
    Cell,
    merge_small,
    on_cases,
    primary_count,
    secondary,
)
from core.observatory.sql import Figure, ratio

PROFILE = "tabular-data-package"
PRIVACY = "entraide:privacy"  # the noise's statement, when there is noise
LICENSE = {"name": "ODbL-1.0", "path": "https://opendatacommons.org/licenses/odbl/1-0/"}
FIGURE_FIELDS = [
    {"name": "cooperative", "type": "string", "description": "The territory's cooperative."},
    {"name": "period", "type": "string", "description": "2026-03 (a month) or 2026-W10."},
    {"name": "period_start", "type": "date"},
    {"name": "period_end", "type": "date", "description": "Last day, included."},
    {"name": "figure", "type": "string", "description": "Its definition: docs/observatory.md."},
    {"name": "unit", "type": "string"},
    {"name": "value", "type": "number", "description": "Empty when suppressed or undefined."},
    {"name": "suppressed", "type": "boolean", "description": "Hidden to protect people."},
]
BREAKDOWN_FIELDS = [
    *FIGURE_FIELDS[:4],
    {"name": "dimension", "type": "string"},
    {"name": "key", "type": "string"},
    {"name": "count", "type": "integer", "description": "Empty when suppressed."},
    {"name": "suppressed", "type": "boolean"},
]
BREAKDOWNS = {
    "unmet_by_category": "unmet_category",
    "unmet_by_neighbourhood": "unmet_neighbourhood",
    "age_bands": "age_band",
}
# The shares and durations, and the figure that says on how many cases each was computed.
CASES_OF = {
    "acceptance_median_s": "accepted",
    "acceptance_p90_s": "accepted",
    "handling_median_s": "alerts_handled",
    "handling_p90_s": "alerts_handled",
}


def _cases(name: str, figures: dict[str, Figure]) -> int:
    """How many cases a share or a duration rests on (its rows, or the figure it is of)."""
    if name in CASES_OF:
        return int(figures[CASES_OF[name]].value or 0)
    rows = figures[name].rows or []
    if name == "poll_participation":
        return sum(int(r[2]) for r in rows)
    if name == "loneliness_mean":
        return sum(int(r[3]) for r in rows)
    return len(rows)


def protect(
    figures: dict[str, Figure],
    sizes: dict[str, int],
    threshold: int,
    noise: Noise | None = None,
) -> tuple[list[Cell], dict[str, list[Cell]]]:
    """The cells of one period as they may be published (with `noise`, on the noisy counts;
    `sizes` are then the noisy ones of `noisy_sizes`)."""
    cells: dict[str, Cell] = {}
    for definition in FIGURES:
        name, figure = definition.name, figures[definition.name]
        if definition.unit is Unit.BREAKDOWN:
            continue
        if definition.unit is Unit.COUNT:
            true = int(figure.value or 0)
            cells[name] = primary_count(name, noise.count(true) if noise else true)
        elif name == "hours_given" and noise:
            hours = noise.hours([float(r[1]) for r in figure.rows or []])
            small = hours < SMALLEST_PUBLISHED
            cells[name] = Cell(name, None, True) if small else Cell(name, hours)
        elif noise:
            cells[name] = Cell(name, None, True)  # withheld, or recomputed just below
        elif name == "hours_given":
            cells[name] = on_cases(name, figure.value, len(figure.rows or []))  # type: ignore[arg-type]
        else:
            cells[name] = on_cases(name, figure.value, _cases(name, figures))  # type: ignore[arg-type]
    ended = [cells[n] for n in ("done", "cancelled", "expired")]
    if any(c.suppressed for c in ended):
        cells["fulfilled_share"] = Cell("fulfilled_share", None, True)
    elif noise:
        total = sum(int(c.value or 0) for c in ended)
        cells["fulfilled_share"] = on_cases(
            "fulfilled_share", ratio(int(ended[0].value or 0), total), total
        )
    groups: dict[str, list[Cell]] = {}
    for name, dimension in BREAKDOWNS.items():
        counts = dict(figures[name].value or {})  # type: ignore[call-overload]
        if name == "unmet_by_neighbourhood":
            counts = merge_small(counts, sizes, threshold)
        if noise:
            counts = {k: noise.count(counts.get(k, 0)) for k in _keys(name, sizes, threshold)}
        group = [primary_count(key, int(n)) for key, n in sorted(counts.items())]
        total_published = name != "age_bands" and not cells["expired"].suppressed
        groups[dimension] = secondary(group, total_published)
    return list(cells.values()), groups


def _keys(name: str, sizes: dict[str, int], threshold: int) -> list[str]:
    """Every cell a noised breakdown publishes, whatever the data: no key's presence tells
    that its true count is not 0."""
    if name == "unmet_by_category":
        return [str(c) for c in Category]
    if name == "age_bands":
        return [str(b) for b in AgeBand]
    return [n for n, size in sizes.items() if size >= threshold] + [OTHER_NEIGHBOURHOODS]


def noisy_sizes(territory: Territory, sizes: dict[str, int], noise: Noise) -> dict[str, int]:
    """The members of each neighbourhood the territory lists, with noise (drawn once per
    package): the merge of small neighbourhoods is decided on these, with a margin
    (`Noise.naming_margin`) so that a small one is named with a chance below one in a million."""
    listed = [str(n) for n in territory.neighbourhoods or [] if n]
    return {n: noise.count(sizes.get(n, 0)) for n in dict.fromkeys(listed)}


async def neighbourhood_sizes(session: AsyncSession, territory_id: int) -> dict[str, int]:
    rows = await session.execute(
        select(Member.neighbourhood, func.count())
        .where(Member.territory_id == territory_id)
        .group_by(Member.neighbourhood)
    )
    return {str(k): int(n) for k, n in rows.all() if k}


async def package_files(
    session: AsyncSession,
    territory: Territory,
    whole: periods.Period,
    unit: str,
    *,
    min_neighbourhood: int = 10,
    epsilon: float | None = None,
) -> dict[str, bytes]:
    """The package of `territory` for each month (or week) of `whole`: file name -> bytes.
    With `epsilon`, every count is noised first (`core.observatory.noise`)."""
    noise = Noise(epsilon) if epsilon is not None else None
    sizes = await neighbourhood_sizes(session, territory.id)
    if noise:
        sizes = noisy_sizes(territory, sizes, noise)
        min_neighbourhood += noise.naming_margin()
    units = {d.name: str(d.unit) for d in FIGURES}
    figure_rows: list[list[Any]] = []
    breakdown_rows: list[list[Any]] = []
    for period in periods.split(whole, unit, territory.timezone):
        figures = await compute(session, territory.id, period, rows=True)
        cells, groups = protect(figures, sizes, min_neighbourhood, noise)
        head = [territory.name, period.label, period.first.isoformat(), period.last.isoformat()]
        for cell in cells:
            value = "" if cell.value is None else cell.value
            figure_rows.append([*head, cell.key, units[cell.key], value, _bool(cell.suppressed)])
        for dimension, group in groups.items():
            for cell in group:
                value = "" if cell.value is None else cell.value
                breakdown_rows.append([*head, dimension, cell.key, value, _bool(cell.suppressed)])
    package = descriptor(territory.name, unit, noise)
    return {
        "figures.csv": _csv(FIGURE_FIELDS, figure_rows),
        "breakdowns.csv": _csv(BREAKDOWN_FIELDS, breakdown_rows),
        "datapackage.json": json.dumps(package, ensure_ascii=False, indent=2).encode("utf-8"),
    }


async def export(
    session: AsyncSession,
    territory: Territory,
    whole: periods.Period,
    unit: str,
    out: Path,
    *,
    min_neighbourhood: int = 10,
    epsilon: float | None = None,
) -> Path:
    """Write the package of `territory` for each month (or week) of `whole` into `out`."""
    files = await package_files(
        session, territory, whole, unit, min_neighbourhood=min_neighbourhood, epsilon=epsilon
    )
    out.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (out / name).write_bytes(data)
    return out / "datapackage.json"


def descriptor(cooperative: str, unit: str, noise: Noise | None = None) -> dict[str, Any]:
    """The Frictionless Data Package describing the two CSV files (and the noise, if any)."""
    package: dict[str, Any] = {
        "profile": PROFILE,
        "name": "entraide-observatory",
        "title": f"Observatory of mutual aid: {cooperative}",
        "description": (
            "Aggregate figures of a mutual-aid cooperative, by "
            f"{unit}. Counts from 1 to 4 are suppressed; definitions in docs/observatory.md."
            + (noise.sentence() if noise else "")
        ),
        "created": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "licenses": [LICENSE],
        "entraide": {"cooperative": cooperative, "period": unit, "schema_version": 1},
        "resources": [
            _resource("figures", FIGURE_FIELDS, ["cooperative", "period", "figure"]),
            _resource(
                "breakdowns", BREAKDOWN_FIELDS, ["cooperative", "period", "dimension", "key"]
            ),
        ],
    }
    if noise:
        package[PRIVACY] = noise.statement()
    return package


def _resource(name: str, fields: list[dict[str, str]], key: list[str]) -> dict[str, Any]:
    return {
        "name": name,
        "path": f"{name}.csv",
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": {"fields": fields, "primaryKey": key, "missingValues": [""]},
    }


def _bool(flag: bool) -> str:
    return "true" if flag else "false"


def _csv(fields: list[dict[str, str]], rows: list[list[Any]]) -> bytes:
    handle = io.StringIO(newline="")
    writer = csv.writer(handle)
    writer.writerow([f["name"] for f in fields])
    writer.writerows(rows)
    return handle.getvalue().encode("utf-8")

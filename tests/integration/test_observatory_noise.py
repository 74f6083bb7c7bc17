"""`entraide observatory export --epsilon E`: OpenDP's Laplace noise on every count, before
suppression, stated in the descriptor; a bad epsilon is refused kindly; the noise is the
theoretical one and cannot be drawn again; without --epsilon nothing changes."""

from __future__ import annotations

import json
import math
import re
import statistics
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from frictionless import validate
from typer.testing import CliRunner

from bots.cli import app
from core.app import Core
from core.domain.model import Territory
from core.domain.observatory_tables import AgeBand
from core.domain.vocabulary import Category
from core.observatory import periods
from core.observatory.catalogue import compute
from core.observatory.export import PRIVACY, export, noisy_sizes, protect
from core.observatory.noise import HOURS_PER_TASK, WITHHELD, Noise
from core.observatory.protection import OTHER_NEIGHBOURHOODS, merge_small
from tests.integration._observatory import build
from tests.integration.test_observatory_export import read

TZ = "Europe/Paris"
runner = CliRunner()


def discrete_laplace_sd(epsilon: float) -> float:
    """The standard deviation of the discrete Laplace of scale 1/epsilon: P(k) ~ a^|k|."""
    a = math.exp(-epsilon)
    return math.sqrt(2 * a) / (1 - a)


def test_a_noisy_count_is_centred_on_the_true_one_with_the_theoretical_spread() -> None:
    noise = Noise(0.5)
    started = time.perf_counter()
    draws = [noise.count(50) for _ in range(2000)]
    assert time.perf_counter() - started < 5
    assert all(isinstance(d, int) for d in draws)
    sd = discrete_laplace_sd(0.5)  # 2.80
    assert abs(statistics.mean(draws) - 50) < 4 * sd / math.sqrt(2000)
    assert 0.9 * sd < statistics.pstdev(draws) < 1.1 * sd
    assert noise.used == 2000


def test_the_noise_has_no_seed_and_a_count_near_zero_is_never_negative() -> None:
    first, second = Noise(1.0), Noise(1.0)
    assert [first.count(20) for _ in range(40)] != [second.count(20) for _ in range(40)]
    near_zero = [first.count(0) for _ in range(500)]
    assert min(near_zero) == 0 and max(near_zero) > 0


def test_a_small_neighbourhood_is_merged_despite_the_noise_and_a_large_one_named() -> None:
    noise = Noise(1.0)
    territory = Territory(name="Rezé", neighbourhoods=["Small", "Large"])
    threshold = 10 + noise.naming_margin()  # 10 + ln(10^6) = 24
    assert threshold == 24
    for _ in range(2000):
        sizes = noisy_sizes(territory, {"Small": 9, "Large": 40}, noise)
        merged = merge_small({"Small": 3, "Large": 6}, sizes, threshold)
        assert "Small" not in merged and merged["Large"] == 6


def test_hours_are_clipped_per_task_then_noised_with_that_sensitivity() -> None:
    noise = Noise(1.0)
    draws = [noise.hours([100.0] * 10) for _ in range(2000)]  # each task counts 24 h at most
    spread = math.sqrt(2) * HOURS_PER_TASK  # the Laplace of scale 24: sd 34 h
    assert abs(statistics.mean(draws) - 10 * HOURS_PER_TASK) < 4 * spread / math.sqrt(2000)
    assert 0.9 * spread < statistics.pstdev(draws) < 1.1 * spread


async def test_suppression_applies_to_the_noisy_counts_not_the_true_ones(core: Core) -> None:
    history = await build(core)
    march = periods.month(2026, 3, TZ)
    async with core.uow() as uow:
        figures = await compute(uow.session, history.territory_id, march, rows=True)
    true = {name: int(figures[name].value or 0) for name in ("accepted", "posted")}
    assert 1 <= true["accepted"] <= 4 and true["posted"] == 7  # the preconditions
    sizes = {"Trentemoult": 12, "Château": 12}
    shown_small, hidden_seven = 0, 0
    for _ in range(300):
        cells, groups = protect(figures, sizes, 10, Noise(0.5))
        by_name = {c.key: c for c in cells}
        counts = [c.value for c in cells if isinstance(c.value, int)]
        counts += [c.value for group in groups.values() for c in group]
        assert not [n for n in counts if n is not None and 1 <= n <= 4]
        shown_small += by_name["accepted"].value is not None
        hidden_seven += by_name["posted"].suppressed
        assert all(by_name[name].value is None for name in WITHHELD)
        ended = [by_name[n].value for n in ("done", "cancelled", "expired")]
        share = by_name["fulfilled_share"].value
        if share is not None:  # recomputed from the published noisy counts, never the true
            assert share == round(ended[0] / sum(ended), 4)  # type: ignore[operator,arg-type]
        for dimension in ("unmet_category", "unmet_neighbourhood"):
            hidden = [c for c in groups[dimension] if c.suppressed]
            assert len(hidden) != 1 or by_name["expired"].suppressed
    # A true 1-4 is sometimes shown (its noisy value is 5 or more) and a true 7 sometimes
    # hidden: what is suppressed is the noisy value, so the pattern does not tell the true one.
    assert shown_small > 0 and hidden_seven > 0


async def test_the_noised_package_is_valid_and_states_its_epsilon(
    core: Core, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    history = await build(core)
    whole = periods.between(date(2026, 1, 1), date(2026, 4, 30), TZ)
    async with core.uow() as uow:
        territory = await uow.session.get(Territory, history.territory_id)
        assert territory is not None
        await export(uow.session, territory, whole, "month", out, min_neighbourhood=3, epsilon=0.7)
    report = validate(str(out / "datapackage.json"))
    assert report.valid, report.flatten(["type", "note"])
    package = json.loads((out / "datapackage.json").read_text())
    privacy = package[PRIVACY]
    assert privacy["mechanism"] == "discrete Laplace (OpenDP 0.16)"
    assert privacy["epsilon_per_count"] == 0.7 and privacy["sensitivity"] == 1
    assert privacy["noised_before_suppression"] is True
    figures, breakdowns = read(out, "figures.csv"), read(out, "breakdowns.csv")
    # Every count and breakdown cell, each month's hours, each listed neighbourhood's size.
    noised = sum(r["unit"] in ("count", "hours") for r in figures) + len(breakdowns) + 2
    assert privacy["counts"] == noised
    assert privacy["total_epsilon"] == pytest.approx(noised * 0.7)
    assert "epsilon 0.7 per count" in package["description"]
    for month in ("2026-01", "2026-02", "2026-03", "2026-04"):
        keys = {(r["dimension"], r["key"]) for r in breakdowns if r["period"] == month}
        assert {("unmet_category", str(c)) for c in Category} <= keys
        assert {("age_band", str(b)) for b in AgeBand} <= keys
        assert {k for d, k in keys if d == "unmet_neighbourhood"} <= {
            "Trentemoult",
            "Château",
            OTHER_NEIGHBOURHOODS,
        }
    assert not any(r["value"] for r in figures if r["figure"] in WITHHELD)  # when noised


def _cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *extra: str) -> object:
    monkeypatch.setenv("ENTRAIDE_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}")
    monkeypatch.setenv("ENTRAIDE_CONFIG_FILE", str(tmp_path / "absent.toml"))
    args = ["observatory", "export", "--territory", "Rezé", "--out", str(tmp_path / "out")]
    return runner.invoke(app, [*args, *extra])


@pytest.mark.parametrize("bad", ["0", "-1", "nan", "abc", "inf", "1e308", "0.001", ""])
def test_a_bad_epsilon_is_refused_kindly_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bad: str
) -> None:
    result = _cli(tmp_path, monkeypatch, "--epsilon", bad)
    assert result.exit_code == 2  # type: ignore[attr-defined]
    said = re.sub(r"[\s│╭╮╰╯─]+", " ", result.output)  # type: ignore[attr-defined]
    assert "a number from 0.01 to 10, like 1" in said and "Nothing was written." in said
    assert "Traceback" not in said
    assert not (tmp_path / "out").exists()


async def test_without_epsilon_the_package_has_no_noise_and_the_same_figures_each_time(
    core: Core, tmp_path: Path
) -> None:
    history = await build(core)
    whole = periods.between(date(2026, 1, 1), date(2026, 4, 30), TZ)
    written = []
    for name in ("one", "two"):
        async with core.uow() as uow:
            territory = await uow.session.get(Territory, history.territory_id)
            assert territory is not None
            await export(uow.session, territory, whole, "month", tmp_path / name)
        written.append(
            [(tmp_path / name / f).read_bytes() for f in ("figures.csv", "breakdowns.csv")]
        )
        package = json.loads((tmp_path / name / "datapackage.json").read_text())
        assert PRIVACY not in package and "noise" not in package["description"]
    assert written[0] == written[1]
    figures = {
        r["figure"]: r for r in read(tmp_path / "one", "figures.csv") if r["period"] == "2026-03"
    }
    assert figures["posted"]["value"] == "7"  # the true count, as before


def test_without_opendp_installed_epsilon_says_how_to_get_it_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "opendp", None)  # as if the `privacy` extra were absent
    result = _cli(tmp_path, monkeypatch, "--epsilon", "1")
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert "pip install 'entraide[privacy]'" in result.output  # type: ignore[attr-defined]
    assert not (tmp_path / "out").exists()

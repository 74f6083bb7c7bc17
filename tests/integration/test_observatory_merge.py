"""`entraide observatory export` then `entraide observatory merge`: two installs, each with its
own database, publish their packages; the merge checks the schemas, keeps each cooperative's
name and draws the same charts for each."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from frictionless import validate
from typer.testing import CliRunner

from bots.cli import app

runner = CliRunner()


def install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, seed: int, *extra: str
) -> Path:
    """A separate install (its own database) filled with demo data, exported to a folder."""
    database = tmp_path / f"{name}.sqlite3"
    monkeypatch.setenv("ENTRAIDE_DATABASE_URL", f"sqlite+aiosqlite:///{database}")
    monkeypatch.setenv("ENTRAIDE_CONFIG_FILE", str(tmp_path / "absent.toml"))
    made = runner.invoke(
        app,
        ["demo", "--territory", name, "--members", "120", "--weeks", "26", "--seed", str(seed)],
    )
    assert made.exit_code == 0, made.output
    out = tmp_path / f"{name}-package"
    exported = runner.invoke(
        app,
        [
            "observatory",
            "export",
            "--territory",
            name,
            "--period",
            "month",
            "--out",
            str(out),
            "--from",
            "2026-06-01",
            "--to",
            "2026-10-31",
            *extra,
        ],
    )
    assert exported.exit_code == 0, exported.output
    return out


def rows(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_two_installs_merge_into_one_observatory_that_keeps_each_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reze = install(tmp_path, monkeypatch, "Rezé", 1)
    bouguenais = install(tmp_path, monkeypatch, "Bouguenais", 2)
    assert validate(str(reze / "datapackage.json")).valid
    merged = tmp_path / "merged"
    result = runner.invoke(
        app,
        [
            "observatory",
            "merge",
            str(reze),
            str(bouguenais / "datapackage.json"),
            "--out",
            str(merged),
        ],
    )
    assert result.exit_code == 0, result.output
    report = validate(str(merged / "datapackage.json"))
    assert report.valid, report.flatten(["type", "note"])
    together = rows(merged, "figures.csv")
    assert len(together) == len(rows(reze, "figures.csv")) + len(rows(bouguenais, "figures.csv"))
    assert {r["cooperative"] for r in together} == {"Rezé", "Bouguenais"}
    package = json.loads((merged / "datapackage.json").read_text())
    assert package["entraide"]["cooperatives"] == ["Rezé", "Bouguenais"]
    page = (merged / "index.html").read_text()
    assert 'data-cooperative="Rezé"' in page and 'data-cooperative="Bouguenais"' in page
    # Nine charts each: the eight, and the loneliness score's trend (answered in both).
    assert page.count("<svg") == 18 and "<script" not in page


def test_a_package_with_another_schema_or_the_same_name_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reze = install(tmp_path, monkeypatch, "Rezé", 1)
    other = tmp_path / "other"
    shutil.copytree(reze, other)
    descriptor = json.loads((other / "datapackage.json").read_text())
    descriptor["entraide"]["cooperative"] = "Ailleurs"
    descriptor["resources"][0]["schema"]["fields"][6]["type"] = "string"
    (other / "datapackage.json").write_text(json.dumps(descriptor))
    refused = runner.invoke(
        app, ["observatory", "merge", str(reze), str(other), "--out", str(tmp_path / "m1")]
    )
    assert refused.exit_code == 1
    assert "does not have the observatory's schema" in refused.output
    assert not (tmp_path / "m1").exists()
    twice = runner.invoke(
        app, ["observatory", "merge", str(reze), str(reze), "--out", str(tmp_path / "m2")]
    )
    assert twice.exit_code == 1 and "same cooperative name" in twice.output
    missing = runner.invoke(
        app, ["observatory", "merge", str(tmp_path / "nowhere"), "--out", str(tmp_path / "m3")]
    )
    assert missing.exit_code == 1 and "Cannot read the package" in missing.output


def test_a_noised_package_merges_and_keeps_its_own_privacy_statement(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reze = install(tmp_path, monkeypatch, "Rezé", 1, "--epsilon", "0.5")
    bouguenais = install(tmp_path, monkeypatch, "Bouguenais", 2)
    merged = tmp_path / "merged"
    result = runner.invoke(
        app, ["observatory", "merge", str(reze), str(bouguenais), "--out", str(merged)]
    )
    assert result.exit_code == 0, result.output
    report = validate(str(merged / "datapackage.json"))
    assert report.valid, report.flatten(["type", "note"])
    package = json.loads((merged / "datapackage.json").read_text())
    statements = {s["title"]: s.get("entraide:privacy") for s in package["sources"]}
    assert statements["Rezé"]["epsilon_per_count"] == 0.5
    assert statements["Bouguenais"] is None  # no noise there, and none claimed
    assert "Some cooperatives added noise" in package["description"]
    assert "entraide:privacy" not in package  # no single epsilon for two cooperatives
    together = rows(merged, "figures.csv")
    assert {r["cooperative"] for r in together} == {"Rezé", "Bouguenais"}

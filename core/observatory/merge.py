"""`entraide observatory merge`: several cooperatives' published packages in one observatory.

Each source is a folder or an http(s) URL of a package written by `entraide observatory export`
(the `datapackage.json` or the folder holding it). Its schema must be exactly ours (same
resources, same fields and types, same schema version), or the merge stops and says which
source differs. Each row keeps its cooperative's name; two sources with the same name are
refused. The result is a package of the same shape plus `index.html` with the same charts for
each cooperative.
"""

from __future__ import annotations

import csv
import io
import json
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from core.domain.errors import InvalidInput
from core.i18n import N_, translate
from core.observatory.charts import charts
from core.observatory.export import BREAKDOWNS, PRIVACY, descriptor

# A published package is small: anything bigger is refused, not read.
MAX_BYTES = 20_000_000
TIMEOUT = 20


@dataclass
class Source:
    where: str
    package: dict[str, Any]
    tables: dict[str, list[dict[str, str]]]

    @property
    def cooperative(self) -> str:
        return str(self.package.get("entraide", {}).get("cooperative", ""))


def _read(location: str) -> bytes:
    """A file's bytes from a path or an http(s) URL, capped in size."""
    scheme = urllib.parse.urlparse(location).scheme
    if scheme in ("http", "https"):
        with urllib.request.urlopen(location, timeout=TIMEOUT) as response:
            data = response.read(MAX_BYTES + 1)
    elif scheme in ("", "file"):
        path = Path(urllib.parse.urlparse(location).path if scheme else location)
        if path.stat().st_size > MAX_BYTES:
            raise InvalidInput("A source is too big to be a published package.")
        data = path.read_bytes()
    else:
        raise InvalidInput("A source is a folder or an http(s) address.")
    if len(data) > MAX_BYTES:
        raise InvalidInput("A source is too big to be a published package.")
    return data


def _beside(location: str, name: str) -> str:
    if urllib.parse.urlparse(location).scheme in ("http", "https"):
        return urllib.parse.urljoin(location, name)
    return str(Path(location).parent / name)


def load(source: str) -> Source:
    """Read and check one source: its descriptor, then its two CSV files."""
    where = source
    if not where.endswith("datapackage.json"):
        where = where.rstrip("/") + "/datapackage.json"
    try:
        package = json.loads(_read(where))
    except (OSError, ValueError) as exc:
        raise InvalidInput("Cannot read the package at {source}.", source=source) from exc
    expected = descriptor("", str(package.get("entraide", {}).get("period", "")))
    if _shape(package) != _shape(expected) or not package["entraide"].get("cooperative"):
        raise InvalidInput(
            "The package at {source} does not have the observatory's schema.", source=source
        )
    tables = {}
    for resource in package["resources"]:
        text = _read(_beside(where, resource["path"])).decode("utf-8")
        tables[resource["name"]] = list(csv.DictReader(io.StringIO(text)))
    return Source(source, package, tables)


def _shape(package: dict[str, Any]) -> Any:
    """What must agree between packages: resources, their fields and types, the version."""
    try:
        return (
            package["entraide"]["schema_version"],
            [
                (r["name"], r["path"], [(f["name"], f["type"]) for f in r["schema"]["fields"]])
                for r in package["resources"]
            ],
        )
    except (KeyError, TypeError):
        return None


def merge(sources: list[str], out: Path, language: str = "fr") -> Path:
    """Write the merged package and its page into `out`; return the descriptor's path."""
    loaded = [load(s) for s in sources]
    names = [s.cooperative for s in loaded]
    if len(set(names)) != len(names):
        raise InvalidInput("Two sources have the same cooperative name.")
    units = {s.package["entraide"]["period"] for s in loaded}
    if len(units) != 1:
        raise InvalidInput("The sources do not count by the same period (month or week).")
    out.mkdir(parents=True, exist_ok=True)
    package = descriptor(" + ".join(names), units.pop())
    package["entraide"]["cooperatives"] = names
    package["sources"] = [_source(s) for s in loaded]
    if any(PRIVACY in s.package for s in loaded):
        package["description"] += (
            " Some cooperatives added noise to their counts: each one's statement is under"
            " its entry in sources (entraide:privacy)."
        )
    for resource in package["resources"]:
        fields = [f["name"] for f in resource["schema"]["fields"]]
        with (out / resource["path"]).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fields)
            writer.writeheader()
            for source in loaded:
                writer.writerows(source.tables[resource["name"]])
    (out / "datapackage.json").write_text(json.dumps(package, ensure_ascii=False, indent=2))
    (out / "index.html").write_text(page(loaded, language), encoding="utf-8")
    return out / "datapackage.json"


def _source(source: Source) -> dict[str, Any]:
    """A source as the merged descriptor names it, with its noise's statement if any (each
    cooperative chose its own epsilon: the merged figures keep each one's)."""
    entry: dict[str, Any] = {"title": source.cooperative, "path": source.where}
    if isinstance(source.package.get(PRIVACY), dict):
        entry[PRIVACY] = source.package[PRIVACY]
    return entry


def _number(text: str) -> float | None:
    return float(text) if text not in ("", None) else None


def series_of(source: Source) -> tuple[list[tuple[str, dict[str, Any]]], dict[str, Any]]:
    """A cooperative's figures by period, and its published breakdowns added over periods."""
    by_period: dict[str, dict[str, Any]] = {}
    for row in source.tables["figures"]:
        by_period.setdefault(row["period"], {})[row["figure"]] = _number(row["value"])
    whole: dict[str, Any] = {name: {} for name in BREAKDOWNS}
    dimension_to_figure = {v: k for k, v in BREAKDOWNS.items()}
    for row in source.tables["breakdowns"]:
        figure = dimension_to_figure.get(row["dimension"])
        if figure and row["count"]:
            counts = whole[figure]
            counts[row["key"]] = counts.get(row["key"], 0) + int(row["count"])
    return sorted(by_period.items()), whole


def page(loaded: list[Source], language: str) -> str:
    environment = Environment(
        loader=FileSystemLoader(Path(__file__).parent), autoescape=select_autoescape(["html"])
    )
    sections = []
    for source in loaded:
        series, whole = series_of(source)
        sections.append((source.cooperative, charts(language, series, whole)))
    return environment.get_template("merged.html").render(
        language=language, title=translate(language, N_("Observatory")), sections=sections
    )

"""Charts of the observatory as SVG rendered on the server by pygal.

pygal (LGPL, maintained by Kozea since 2012) writes standalone SVG from Python with no
JavaScript needed and no font or script fetched: `js=[]` drops its optional tooltip script, so
a chart is plain markup, printable and readable offline. The same charts serve the report, the
console's Impact page and the merged observatory.
"""

from __future__ import annotations

import sys
from typing import Any

import pygal
from markupsafe import Markup
from pygal.etree import etree
from pygal.style import Style

from core.i18n import N_, translate
from core.observatory.wording import BAND_LABELS

# pygal appends to `sys.meta_path` a finder for its map plugins that has only the legacy
# `find_module`: every later failed import (an optional dependency probed by another library)
# then raises an ImportWarning. We draw no maps: take it out.
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "PluginImportFixer"]

STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#222",
    foreground_strong="#111",
    foreground_subtle="#666",
    font_family="system-ui, sans-serif",
    colors=("#1b5e8c", "#2e7d32", "#c0392b", "#8e6c00", "#6a3d9a", "#555"),
    title_font_size=18,
    label_font_size=13,
    legend_font_size=13,
)
COMMON: dict[str, Any] = {
    "js": [],
    "style": STYLE,
    "width": 800,
    "height": 360,
    "legend_at_bottom": True,
    "print_values": False,
    "show_y_guides": True,
}
Series = list[tuple[str, dict[str, Any]]]  # (period label, figure values)


def _svg(chart: Any) -> Markup:
    """The chart's SVG without any script: pygal always adds an inline one holding its
    configuration for the tooltips, which a printed page and the console do not need."""
    tree = chart.render_tree()
    for parent in list(tree.iter()):
        for child in list(parent):
            if isinstance(child.tag, str) and child.tag.rsplit("}", 1)[-1] == "script":
                parent.remove(child)
    return Markup(etree.tostring(tree, encoding="unicode"))


def _line(title: str, labels: list[str], lines: dict[str, list[Any]], **extra: Any) -> Markup:
    chart = pygal.Line(title=title, x_labels=labels, x_label_rotation=30, **COMMON, **extra)
    for name, values in lines.items():
        chart.add(name, values)
    return _svg(chart)


def _bars(title: str, counts: dict[str, int], language: str) -> Markup:
    chart = pygal.HorizontalBar(title=title, **COMMON)
    for key, value in sorted(counts.items(), key=lambda kv: -kv[1]):
        chart.add(key or translate(language, N_("not said")), value)
    return _svg(chart)


def charts(language: str, series: Series, whole: dict[str, Any]) -> dict[str, Markup]:
    """The observatory's charts: over the months of `series`, and for the `whole` period."""
    t = lambda message: translate(language, message)  # noqa: E731
    labels = [label for label, _ in series]

    def line(name: str, scale: float = 1.0) -> list[Any]:
        return [
            None if values.get(name) is None else round(values[name] * scale, 2)
            for _, values in series
        ]

    drawn = {
        "requests": _line(
            t(N_("Requests by month")),
            labels,
            {
                t(N_("Requests posted")): line("posted"),
                t(N_("Requests done")): line("done"),
                t(N_("Requests expired")): line("expired"),
            },
        ),
        "fulfilled": _line(
            t(N_("Share fulfilled (%)")),
            labels,
            {t(N_("Share fulfilled")): line("fulfilled_share", 100)},
            range=(0, 100),
        ),
        "acceptance": _line(
            t(N_("Time to acceptance (hours)")),
            labels,
            {
                t(N_("Median")): line("acceptance_median_s", 1 / 3600),
                t(N_("9 in 10")): line("acceptance_p90_s", 1 / 3600),
            },
        ),
        "hours": _line(t(N_("Hours given")), labels, {t(N_("Hours given")): line("hours_given")}),
        "unmet_category": _bars(
            t(N_("Unmet requests by category")), whole.get("unmet_by_category") or {}, language
        ),
        "unmet_neighbourhood": _bars(
            t(N_("Unmet requests by neighbourhood")),
            whole.get("unmet_by_neighbourhood") or {},
            language,
        ),
        "generations": _bars(
            t(N_("Age bands of active members")),
            {t(BAND_LABELS.get(k, k)): n for k, n in (whole.get("age_bands") or {}).items()},
            language,
        ),
        "intergenerational": _line(
            t(N_("Tasks between generations (%)")),
            labels,
            {t(N_("Tasks between generations")): line("intergenerational_share", 100)},
            range=(0, 100),
        ),
    }
    loneliness = line("loneliness_mean")
    if any(value is not None for value in loneliness):
        # Where the territory runs the loneliness check: its mean per quarter (each month of a
        # quarter shows that quarter's), from 3 (hardly ever lonely) to 9 (often).
        drawn["loneliness"] = _line(
            t(N_("Loneliness score by quarter (3 to 9)")),
            labels,
            {t(N_("Loneliness score")): loneliness},
            range=(3, 9),
        )
    return drawn

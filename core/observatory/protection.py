"""Statistical disclosure control for the open data: what may be published of a figure.

- Counts from 1 to 4 are suppressed (primary suppression); 0 is published: an empty cell
  describes nobody.
- A share or a duration computed on fewer than 5 cases is suppressed.
- Secondary suppression: in a group of cells whose total is published (the unmet requests by
  category add up to `expired`), a single suppressed cell could be recovered by subtraction,
  so the next smallest non-zero cell is suppressed too; a share whose numerator or denominator
  reveals a suppressed count (`fulfilled_share` from `done`, `cancelled`, `expired`) goes too.
- Neighbourhoods with fewer members than a threshold are merged into one before counting.
"""

from __future__ import annotations

from dataclasses import dataclass

SMALLEST_PUBLISHED = 5
OTHER_NEIGHBOURHOODS = "other neighbourhoods"


@dataclass
class Cell:
    """One published number: `value` is None when suppressed."""

    key: str
    value: float | int | None
    suppressed: bool = False


def primary_count(key: str, count: int) -> Cell:
    if 1 <= count < SMALLEST_PUBLISHED:
        return Cell(key, None, True)
    return Cell(key, count)


def on_cases(key: str, value: float | None, cases: int) -> Cell:
    """A share, a mean or a duration: published only when computed on 5 cases or more."""
    if value is None:
        return Cell(key, None)
    if cases < SMALLEST_PUBLISHED:
        return Cell(key, None, True)
    return Cell(key, value)


def secondary(cells: list[Cell], total_published: bool) -> list[Cell]:
    """If exactly one cell of a group with a published total is suppressed, suppress the
    smallest other non-zero cell too, so that the total minus the others tells nothing. Noisy
    cells need not add up to their total: when every other cell is 0, a 0 goes with it."""
    hidden = [c for c in cells if c.suppressed]
    if total_published and len(hidden) == 1:
        shown = [c for c in cells if not c.suppressed]
        others = [c for c in shown if c.value] or shown
        if others:
            smallest = min(others, key=lambda c: (c.value, c.key))
            smallest.value, smallest.suppressed = None, True
    return cells


def merge_small(counts: dict[str, int], sizes: dict[str, int], threshold: int) -> dict[str, int]:
    """Counts by neighbourhood where each neighbourhood of fewer than `threshold` members (and
    the unnamed one) is counted under "other neighbourhoods"."""
    merged: dict[str, int] = {}
    for name, count in counts.items():
        key = name if name and sizes.get(name, 0) >= threshold else OTHER_NEIGHBOURHOODS
        merged[key] = merged.get(key, 0) + count
    return merged

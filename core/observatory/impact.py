"""What the report and the console's Impact page show: one period's figures, the previous
period's (for the change), and the months inside it (for the charts), all from `compute`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.observatory import periods
from core.observatory.catalogue import compute
from core.observatory.sql import Figure

# Charts by month over at most this many months (a longer range is charted by its last ones).
MAX_MONTHS = 36


@dataclass
class Impact:
    period: periods.Period
    figures: dict[str, Figure]
    previous: dict[str, Figure]
    months: list[tuple[str, dict[str, Any]]]

    @property
    def values(self) -> dict[str, Any]:
        return {name: f.value for name, f in self.figures.items()}

    def change(self, name: str) -> float | None:
        """This period's value minus the previous one's (None when either is missing)."""
        now, before = self.figures[name].value, self.previous[name].value
        if isinstance(now, int | float) and isinstance(before, int | float):
            return round(now - before, 4)
        return None


def chart_range(period: periods.Period, timezone: str) -> periods.Period:
    """The months charted: the period's own, or the twelve months up to it when it is short."""
    if period.days >= 60:
        return period
    first = period.last.replace(day=1)
    for _ in range(11):
        first = (first - timedelta(days=1)).replace(day=1)
    return periods.between(first, period.last, timezone)


async def impact(
    session: AsyncSession, territory_id: int, period: periods.Period, timezone: str
) -> Impact:
    seen: dict[periods.Period, dict[str, Figure]] = {}

    async def figures_of(part: periods.Period) -> dict[str, Figure]:
        # A month can be the period, the previous one and a point of the charts: once.
        if part not in seen:
            seen[part] = await compute(session, territory_id, part)
        return seen[part]

    figures = await figures_of(period)
    previous = await figures_of(period.previous(timezone))
    months = list(periods.split(chart_range(period, timezone), "month", timezone))[-MAX_MONTHS:]
    series = []
    for month in months:
        values = await figures_of(month)
        series.append((month.label, {name: f.value for name, f in values.items()}))
    return Impact(period, figures, previous, series)

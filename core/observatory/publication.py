"""Publication of a territory's open data at `/observatory/<territory>/datapackage.json`.

Opt-in: nothing is published until a coordinator of the territory publishes it, and it stops
at once when they unpublish it. What is served is the package of `export.py` for the twelve
whole months before today, by month; it is computed at most once a day per territory (a
small cache in this process), so a crawler cannot make the server compute it again and again.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from core.domain.model import Territory
from core.domain.observatory_tables import ObservatorySetting
from core.observatory import periods
from core.observatory.export import package_files
from core.services.authorization import require_coordinator
from core.services.unit_of_work import UnitOfWork

FILES = ("datapackage.json", "figures.csv", "breakdowns.csv")
_CACHE: dict[tuple[int, date], dict[str, bytes]] = {}


async def setting_of(uow: UnitOfWork, territory_id: int) -> ObservatorySetting:
    setting = await uow.session.get(ObservatorySetting, territory_id)
    if setting is None:
        setting = ObservatorySetting(territory_id=territory_id, loneliness_check=False, demo=False)
        uow.session.add(setting)
    return setting


async def set_published(
    uow: UnitOfWork, territory_id: int, *, by_id: int | None, published: bool
) -> None:
    """Publish (or unpublish) the territory's open data; its coordinators only."""
    await require_coordinator(uow, by_id, territory_id)
    setting = await setting_of(uow, territory_id)
    setting.published_at = uow.now() if published else None
    _CACHE.clear()
    uow.audit(
        by_id,
        "observatory.publish" if published else "observatory.unpublish",
        f"territory:{territory_id}",
    )


async def is_published(uow: UnitOfWork, territory_id: int) -> bool:
    setting = await uow.session.get(ObservatorySetting, territory_id)
    return setting is not None and setting.published_at is not None


def last_twelve_months(today: date) -> tuple[date, date]:
    last = today.replace(day=1) - timedelta(days=1)
    first = last.replace(day=1)
    for _ in range(11):
        first = (first - timedelta(days=1)).replace(day=1)
    return first, last


async def published_file(uow: UnitOfWork, territory_name: str, name: str) -> bytes | None:
    """One file of a published package, or None (unknown territory, not published, no file)."""
    if name not in FILES or len(territory_name) > 120:
        return None
    territory = (
        await uow.session.execute(select(Territory).where(Territory.name == territory_name))
    ).scalar_one_or_none()
    if territory is None or not await is_published(uow, territory.id):
        return None
    today = uow.now().astimezone(territory.tz).date()
    key = (territory.id, today)
    if key not in _CACHE:
        first, last = last_twelve_months(today)
        whole = periods.between(first, last, territory.timezone)
        for stale in [k for k in _CACHE if k[1] != today]:  # one day's packages are kept
            del _CACHE[stale]
        _CACHE[key] = await package_files(uow.session, territory, whole, "month")
    return _CACHE[key][name]

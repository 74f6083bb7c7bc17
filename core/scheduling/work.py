"""The pieces of scheduled work and the rules that derive them from the database.

A `Rule` reads light column queries of the facts it depends on, and maps one row of facts to the
`Work` it implies: due time, key of its effect, how long it stays worth doing (see plan.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.config import Settings
from core.domain.model import (
    HelpRequest,
)
from core.services.unit_of_work import UnitOfWork

FOLLOW_UP_WINDOW = timedelta(days=3)
DIGEST_WINDOW = timedelta(days=1)
# `current()` looks this far ahead when a rule generates several instants (digest weeks).
LOOKAHEAD = timedelta(days=8)
# `job_runs` rows older than `retention_days` are pruned (core/scheduling/retention.py): no
# rule wants work due that long ago (escalation, the only one that looks so far back, stops).


# The job function of each kind of work, filled as the rules are defined.
FUNCTIONS: dict[str, str] = {}


@dataclass(frozen=True)
class Work:
    """One piece of scheduled work: what (kind and ids), when, and the key of its effect."""

    kind: str
    args: tuple[int, ...]
    key: str
    due_at: datetime

    @property
    def function(self) -> str:
        """The job function APScheduler calls with `args` (an importable reference)."""
        return f"core.scheduling.jobs:{FUNCTIONS[self.kind]}"


@dataclass(frozen=True)
class Context:
    settings: Settings
    now: datetime


def wall_clock_before(moment: datetime, hours: float, timezone: str) -> datetime:
    """`hours` before `moment`; whole days keep the local time of day across a DST change.

    A reminder "24 h before" a task at 10:00 comes at 10:00 the day before, also on the night
    the clocks change (then 23 or 25 hours before); other offsets are hours of real time.
    """
    if hours % 24:
        return moment - timedelta(hours=hours)
    zone = ZoneInfo(timezone)
    local = moment.astimezone(zone).replace(tzinfo=None) - timedelta(hours=hours)
    return local.replace(tzinfo=zone).astimezone(UTC)


class Rule:
    """A kind of work: the facts it reads and the work those facts imply."""

    kind: str = ""
    function: str = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.kind:
            FUNCTIONS[cls.kind] = cls.function

    def key(self, args: tuple[int, ...]) -> str:
        """The name of the effect of the work `args` name (a pure function of them)."""
        raise NotImplementedError

    def work(self, args: tuple[int, ...], due_at: datetime) -> Work:
        return Work(self.kind, args, self.key(args), due_at)

    async def rows(
        self, uow: UnitOfWork, ctx: Context, until: datetime | None, ids: Sequence[int] | None
    ) -> Iterable[Any]:
        raise NotImplementedError

    def works(self, row: Any, ctx: Context, until: datetime) -> Iterator[Work]:
        raise NotImplementedError

    async def perform(self, uow: UnitOfWork, work: Work) -> str:
        raise NotImplementedError

    async def preload(self, uow: UnitOfWork, works: Sequence[Work]) -> list[Any]:
        """Load in a few queries what `perform` will read for these works (a batch); the caller
        holds what this returns until its commit."""
        return []


class RequestRule(Rule):
    """A rule about help requests: their first id is the request's."""

    async def preload(self, uow: UnitOfWork, works: Sequence[Work]) -> list[Any]:
        ids = sorted({w.args[0] for w in works})
        loaded: list[Any] = []
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = await uow.session.execute(select(HelpRequest).where(HelpRequest.id.in_(chunk)))
            for request in rows.scalars():
                holder = request.active_assignment
                loaded += [request, request.requester, holder.volunteer if holder else None]
        return loaded

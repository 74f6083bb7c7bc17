"""Rules about the coordinators' alerts: one nobody took is sent again, once per period.

An alert raised at `t` and still not taken is due again at `t + period`, `t + 2 periods`...
(`alert_resend_minutes`). Each round has its own key (`alert-resend:alert:12:round:3`), so the
`job_runs` table makes each happen once, whichever process runs it. Rounds missed while the
scheduler was down are not sent one after the other: only the latest due one is still wanted
(an alert repeated five times at once helps nobody).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from core.domain.model import Alert
from core.scheduling.work import Context, Rule, Work
from core.services import alert_desk
from core.services.unit_of_work import UnitOfWork

DEFAULT_MINUTES = 5
# Rounds planned ahead of the latest due one (later sweeps plan the next ones).
ROUNDS_AHEAD = 24


def resend_period(ctx: Context) -> timedelta:
    return timedelta(minutes=getattr(ctx.settings, "alert_resend_minutes", DEFAULT_MINUTES))


class AlertResend(Rule):
    """An alert not taken is sent again to every coordinator of its territory, once a period."""

    kind, function = "alert-resend", "alert_resend"

    async def rows(
        self, uow: UnitOfWork, ctx: Context, until: datetime | None, ids: Sequence[int] | None
    ) -> Iterable[Any]:
        query = select(Alert.id, Alert.created_at).where(
            Alert.taken_by.is_(None), Alert.done_at.is_(None)
        )
        if until is not None:
            query = query.where(Alert.created_at <= until - resend_period(ctx))
        if ids is not None:
            query = query.where(Alert.id.in_(ids))
        return (await uow.session.execute(query)).all()

    def works(self, row: Any, ctx: Context, until: datetime) -> Iterator[Work]:
        alert_id, created_at = row
        period = resend_period(ctx)
        # The latest round already due (if any), then the rounds still to come by `until`.
        latest = max(1, int((ctx.now - created_at) / period))
        round_ = latest
        while created_at + round_ * period <= until and round_ <= latest + ROUNDS_AHEAD:
            yield self.work((alert_id, round_), created_at + round_ * period)
            round_ += 1

    def key(self, args: tuple[int, ...]) -> str:
        alert_id, round_ = args
        return f"alert-resend:alert:{alert_id}:round:{round_}"

    async def perform(self, uow: UnitOfWork, work: Work) -> str:
        alert_id, round_ = work.args
        return await alert_desk.resend(uow, alert_id, round_)

    async def preload(self, uow: UnitOfWork, works: Sequence[Work]) -> list[Any]:
        ids = sorted({w.args[0] for w in works})
        rows = await uow.session.execute(select(Alert).where(Alert.id.in_(ids)))
        return list(rows.scalars())

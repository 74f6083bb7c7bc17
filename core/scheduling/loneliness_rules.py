"""The loneliness check's offers: the day after a requester's first help (if she was not offered
it when she said thank you), then three months after each offer; where the territory has it on.

An offer goes out at `digest_hour`, the territory's local time, like the weekly digest: never at
night. A requester busy in another flow at that moment is tried again the next day (each day is
its own piece of work); once offered, `LonelinessAsk.asked_at` changes and so do the keys.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, exists, func, select

from core.domain.model import Assignment, HelpRequest, Member, PlatformAccount, Territory
from core.domain.observatory_tables import LonelinessAsk, ObservatorySetting
from core.domain.vocabulary import MemberStatus, RequestState
from core.scheduling.work import Context, Rule, Work
from core.services import loneliness
from core.services.unit_of_work import UnitOfWork

# After her first help, if she was not offered it at her thanks: at the first `digest_hour` at
# least this long after it (the next day, for help given in the daytime).
AFTER_FIRST_HELP = timedelta(hours=12)
# A day whose offer could not go out (the scheduler was down) is not made up after this.
WINDOW = timedelta(days=1)
# At most this many days ahead in one plan (a day each: the next try if she is busy).
DAYS_AHEAD = 8


def offer_days(
    base: datetime, ctx: Context, timezone: str, until: datetime
) -> Iterator[tuple[date, datetime]]:
    """The days (and their instant at `digest_hour` local time) an offer due from `base` may go
    out on, between `now - WINDOW` and `until`."""
    zone = ZoneInfo(timezone)
    hour = ctx.settings.digest_hour
    day = base.astimezone(zone).date()
    if base.astimezone(zone).hour >= hour:
        day += timedelta(days=1)
    earliest = (ctx.now - WINDOW).astimezone(zone).date()
    day = max(day, earliest)
    for _ in range(DAYS_AHEAD):
        local = datetime(day.year, day.month, day.day, hour, tzinfo=zone)
        instant = local.astimezone(UTC)
        if instant > until:
            return
        if ctx.now - WINDOW < instant:
            yield day, instant
        day += timedelta(days=1)


class LonelinessOffer(Rule):
    """Offer the loneliness check to a requester who was helped, where it is on."""

    kind, function = "loneliness-offer", "loneliness_offer"

    async def rows(
        self, uow: UnitOfWork, ctx: Context, until: datetime | None, ids: Sequence[int] | None
    ) -> Iterable[Any]:
        first_help = (
            select(
                HelpRequest.requester_id.label("member_id"),
                func.min(Assignment.completed_at).label("first"),
            )
            .join(Assignment, Assignment.request_id == HelpRequest.id)
            .where(HelpRequest.state == RequestState.DONE, Assignment.completed_at.is_not(None))
            .group_by(HelpRequest.requester_id)
            .subquery()
        )
        in_chat = exists().where(
            PlatformAccount.member_id == Member.id, PlatformAccount.chat_ref.is_not(None)
        )
        query = (
            select(Member.id, Territory.timezone, first_help.c.first, LonelinessAsk.asked_at)
            .join(first_help, first_help.c.member_id == Member.id)
            .join(Territory, Territory.id == Member.territory_id)
            .join(
                ObservatorySetting,
                and_(
                    ObservatorySetting.territory_id == Territory.id,
                    ObservatorySetting.loneliness_check.is_(True),
                ),
            )
            .outerjoin(LonelinessAsk, LonelinessAsk.member_id == Member.id)
            .where(
                Member.is_requester.is_(True),
                Member.status != MemberStatus.SUSPENDED,
                in_chat,
            )
        )
        if ids is not None:
            query = query.where(Member.id.in_(ids))
        return (await uow.session.execute(query)).all()

    def works(self, row: Any, ctx: Context, until: datetime) -> Iterator[Work]:
        member_id, timezone, first, asked_at = row
        if asked_at is None:
            base, after = first + AFTER_FIRST_HELP, 0
        else:
            base, after = asked_at + loneliness.AGAIN_AFTER, int(asked_at.timestamp())
        for day, instant in offer_days(base, ctx, timezone, until):
            yield self.work((member_id, after, day.toordinal()), instant)

    def key(self, args: tuple[int, ...]) -> str:
        member_id, after, day_ordinal = args
        day = date.fromordinal(day_ordinal).isoformat()
        return f"loneliness-offer:member:{member_id}:after:{after}:on:{day}"

    async def perform(self, uow: UnitOfWork, work: Work) -> str:
        return await loneliness.offer_by_schedule(uow, work.args[0])

"""Helpers of the scheduler's tests: read what was sent, seed many accepted tasks at once."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import func, select

from core.app import Core
from core.domain.model import (
    Assignment,
    HelpRequest,
    JobRun,
    Notification,
    TerritoryChannel,
)
from core.domain.vocabulary import Category, RequestState, Role
from core.services import members
from tests.conftest import Cooperative


async def sent(
    core: Core, *, member_id: int | None = None, startswith: str = "", channel: bool = False
) -> list[Notification]:
    """Notifications (to a member, or to public rooms) whose key starts with `startswith`."""
    async with core.uow() as uow:
        query = select(Notification).order_by(Notification.id)
        if member_id is not None:
            query = query.where(Notification.member_id == member_id)
        if channel:
            query = query.where(Notification.channel_id.is_not(None))
        rows = (await uow.session.execute(query)).scalars()
        return [r for r in rows if r.key.startswith(startswith)]


async def runs(core: Core) -> dict[str, str]:
    """Every piece of work done: key -> outcome."""
    async with core.uow() as uow:
        rows = await uow.session.execute(select(JobRun.key, JobRun.outcome))
        return {k: v for k, v in rows.all()}


async def add_volunteers(coop: Cooperative, *names: str, skill: str = "shopping") -> list[int]:
    """More approved volunteers with `skill`, in Château (ranked after Bob and Carol)."""
    ids = []
    async with coop.core.uow() as uow:
        for name in names:
            member = await members.onboard_member(
                uow,
                coop.territory_id,
                name,
                roles=[Role.VOLUNTEER],
                neighbourhood="Château",
                skills=[Category(skill)],
            )
            await members.approve_member(uow, member.id, by_id=coop.coordinator)
            ids.append(member.id)
        await uow.commit()
    return ids


async def add_channel(coop: Cooperative) -> int:
    async with coop.core.uow() as uow:
        channel = TerritoryChannel(
            territory_id=coop.territory_id,
            platform="telegram",
            chat_ref="-100123",
            created_at=uow.now(),
        )
        uow.session.add(channel)
        await uow.commit()
        return channel.id


async def seed_accepted(
    core: Core, coop: Cooperative, count: int, *, first_start: datetime, spread: timedelta
) -> list[int]:
    """`count` tasks of Alice accepted by Bob, starting evenly over `spread` from `first_start`.

    Written directly (one transaction), as the services would leave them: fast enough for
    thousands of reminders.
    """
    async with core.uow() as uow:
        now = uow.now()
        created = []
        for i in range(count):
            start = first_start + spread * (i / max(1, count - 1))
            request = HelpRequest(
                territory_id=coop.territory_id,
                requester_id=coop.alice,
                category="shopping",
                description="",
                when_start=start,
                neighbourhood="Trentemoult",
                state=RequestState.ACCEPTED,
                created_at=now,
                updated_at=now,
            )
            uow.session.add(request)
            created.append(request)
        await uow.session.flush()
        for request in created:
            uow.session.add(
                Assignment(
                    request_id=request.id,
                    volunteer_id=coop.bob,
                    requester_id=coop.alice,
                    accepted_at=now,
                )
            )
        await uow.commit()
        return [r.id for r in created]


async def reminder_counts(core: Core) -> Counter[tuple[str, int | None]]:
    """How many reminder messages each (topic, member) got: each should be exactly 1."""
    async with core.uow() as uow:
        rows = await uow.session.execute(
            select(Notification.topic, Notification.member_id, func.count())
            .where(Notification.key.like("Reminder:%"))
            .group_by(Notification.topic, Notification.member_id)
        )
        return Counter({(t, m): n for t, m, n in rows.all()})

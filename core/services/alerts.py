"""Alerts for the coordinators of a territory: raised, taken by one of them, marked done.

An alert is written by the notification handlers (an emergency, a message for the
coordinators, a member the bot can no longer reach, a request nobody took) in the
transaction of the event that caused it. Of several coordinators who take the same alert at
once exactly one wins: the take is a conditional UPDATE (`WHERE taken_by IS NULL`), so on
PostgreSQL the second writer waits for the first and then matches no row, and on SQLite
writers are serialised (BEGIN IMMEDIATE) and the second one reads it taken.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload, raiseload

from core.domain import events
from core.domain.errors import AlertTaken, InvalidInput, NotFound
from core.domain.model import Alert, Member
from core.domain.vocabulary import AlertKind
from core.services.authorization import require_coordinator
from core.services.unit_of_work import UnitOfWork

# An alert quotes the member's message; the whole of it stays in their conversation.
MAX_TEXT = 500
OPEN_LIMIT = 200
# The alerts that ask the coordinators to find someone for a request: they end by themselves
# when the request stops waiting (accepted, cancelled, expired).
FINDING_SOMEONE = (AlertKind.NOBODY_TO_OFFER, AlertKind.REQUEST_UNANSWERED)


def raise_alert(
    uow: UnitOfWork,
    territory_id: int,
    kind: AlertKind | str,
    member_id: int,
    *,
    text: str = "",
    request_id: int | None = None,
) -> Alert:
    """Add an alert to this transaction (called by the event handlers, not by a person)."""
    alert = Alert(
        territory_id=territory_id,
        kind=str(AlertKind(kind)),
        member_id=member_id,
        request_id=request_id,
        text=(text or "")[:MAX_TEXT],
        created_at=uow.now(),
    )
    uow.session.add(alert)
    return alert


async def finding_someone_for(uow: UnitOfWork, request_id: int) -> Alert | None:
    """The open alert asking the coordinators to find someone for this request, if any: one
    is enough (a second one would have two coordinators look for the same volunteer)."""
    found = await uow.session.execute(
        select(Alert)
        .where(
            Alert.request_id == request_id,
            Alert.kind.in_([str(kind) for kind in FINDING_SOMEONE]),
            Alert.done_at.is_(None),
        )
        .order_by(Alert.id)
        .limit(1)
    )
    return found.scalars().first()


async def settle_for_request(uow: UnitOfWork, request_id: int, why: str) -> list[Alert]:
    """The request no longer waits for anyone: its open "find someone" alerts are done, by
    nobody (the audit says why), so that no coordinator keeps looking or is reminded."""
    found = await uow.session.execute(
        select(Alert).where(
            Alert.request_id == request_id,
            Alert.kind.in_([str(kind) for kind in FINDING_SOMEONE]),
            Alert.done_at.is_(None),
        )
    )
    settled = list(found.scalars())
    for alert in settled:
        alert.done_at = uow.now()
        uow.audit(None, "alert.settled", f"alert:{alert.id}", request=request_id, why=why)
    return settled


async def get_alert(uow: UnitOfWork, alert_id: int) -> Alert:
    alert = await uow.session.get(Alert, alert_id)
    if alert is None:
        raise NotFound()
    return alert


async def open_alerts(
    uow: UnitOfWork, territory_id: int, *, by_id: int | None, limit: int = OPEN_LIMIT
) -> list[Alert]:
    """The alerts of a territory not yet done, the oldest first (its coordinators only)."""
    await require_coordinator(uow, by_id, territory_id)
    # Names and contact details only: not each member's skills, accounts and territory.
    bare = (raiseload(Member.skills), raiseload(Member.accounts), raiseload(Member.territory))
    query = (
        select(Alert)
        .options(joinedload(Alert.member).options(*bare), joinedload(Alert.taker).options(*bare))
        .where(Alert.territory_id == territory_id, Alert.done_at.is_(None))
        .order_by(Alert.created_at, Alert.id)
        .limit(limit)
    )
    return list((await uow.session.execute(query)).scalars())


async def take(uow: UnitOfWork, alert_id: int, *, by_id: int) -> Alert:
    """A coordinator takes an alert; raise `AlertTaken` (naming who) if another was first."""
    alert = await get_alert(uow, alert_id)
    await require_coordinator(uow, by_id, alert.territory_id)
    if alert.taken_by == by_id:
        return alert
    taken = await uow.session.execute(
        update(Alert)
        .where(Alert.id == alert_id, Alert.taken_by.is_(None), Alert.done_at.is_(None))
        .values(taken_by=by_id, taken_at=uow.now())
        .execution_options(synchronize_session=False)
    )
    await uow.session.refresh(alert)
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        raise AlertTaken(name=await _name_of(uow, alert.taken_by or alert.done_by))
    uow.audit(by_id, "alert.take", f"alert:{alert.id}", kind=alert.kind)
    uow.publish(events.AlertTakenBy(alert.id, by_id))
    return alert


async def mark_done(uow: UnitOfWork, alert_id: int, *, by_id: int) -> Alert:
    """A coordinator marks an alert handled (taking it too if nobody had); done once only."""
    alert = await get_alert(uow, alert_id)
    await require_coordinator(uow, by_id, alert.territory_id)
    # Finishing an alert another coordinator holds is allowed (they may be away): the audit
    # line says who took it and who closed it.
    now = uow.now()
    done = await uow.session.execute(
        update(Alert)
        .where(Alert.id == alert_id, Alert.done_at.is_(None))
        .values(done_by=by_id, done_at=now)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise InvalidInput("This alert is already handled.")
    await uow.session.execute(
        update(Alert)
        .where(Alert.id == alert_id, Alert.taken_by.is_(None))
        .values(taken_by=by_id, taken_at=now)
        .execution_options(synchronize_session=False)
    )
    await uow.session.refresh(alert)
    uow.audit(by_id, "alert.done", f"alert:{alert.id}", kind=alert.kind, taken_by=alert.taken_by)
    uow.publish(events.AlertClosed(alert.id, by_id))
    return alert


async def _name_of(uow: UnitOfWork, member_id: int | None) -> str:
    member = await uow.session.get(Member, member_id) if member_id is not None else None
    return member.first_name if member is not None else "?"

"""The notification outbox: write messages with the change that causes them, deliver them later.

Delivery is claim -> send -> mark done. A claim is a lease: if the process dies after claiming,
the lease runs out and another delivery takes the message again. A channel that can tell the
platform an idempotency key (the notification id) makes the send itself exactly-once.

How a delivery ended is typed (`Notification.outcome`): only a message that was sent has a
platform message id in `external_ref`; errors go to `last_error`, redacted. Each claim counts as
an attempt: past `max_delivery_attempts` the message is set aside (never claimed again) and
reported once (an ERROR log line, and a message to the coordinators without its content).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import or_, select, update

from core.domain import events
from core.domain.model import Member, Notification, PlatformAccount, Territory, TerritoryChannel
from core.domain.vocabulary import MessageKind, Outcome
from core.redaction import redact
from core.services.outbox_secrets import SECRET_PARAMS, forget_secrets
from core.services.unit_of_work import UnitOfWork

DEFAULT_LEASE = timedelta(seconds=60)
DEFAULT_MAX_ATTEMPTS = 8
ERROR_LENGTH = 500
log = logging.getLogger("entraide.outbox")


@dataclass(frozen=True)
class Choice:
    """A button: a label (message id) and the action it sends back to the conversation layer."""

    label: str
    action: str
    params: dict[str, Any] | None = None

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"label": self.label, "action": self.action}
        if self.params:
            data["params"] = self.params
        return data


def topic_of(
    *,
    request_id: int | None = None,
    poll_id: int | None = None,
    member_id: int | None = None,
    notification_id: int | None = None,
) -> str:
    """What a message is about, as `Notification.topic` stores it ("request:12", "poll:3"...).

    The one place these strings are made: channels group and edit the posts of one topic.
    """
    subjects = {
        "request": request_id,
        "poll": poll_id,
        "member": member_id,
        "notification": notification_id,
    }
    given = [(name, value) for name, value in subjects.items() if value is not None]
    if len(given) != 1:
        raise ValueError("a topic is about exactly one request, poll, member or notification")
    name, value = given[0]
    return f"{name}:{int(value)}"


# The reference each kind needs, and the kinds only a public room (True) or only a person
# (False) receives: a contact card is never written to a room.
NEEDS_REQUEST = {
    MessageKind.REQUEST_POST,
    MessageKind.REQUEST_TAKEN,
    MessageKind.REQUEST_CLOSED,
    MessageKind.CONTACT_CARD,
}
NEEDS_POLL = {MessageKind.POLL_OPENED, MessageKind.POLL_CLOSED}
IN_ROOM = {
    MessageKind.REQUEST_TAKEN: True,
    MessageKind.REQUEST_CLOSED: True,
    MessageKind.CONTACT_CARD: False,
}


def write(
    uow: UnitOfWork,
    key: str,
    *,
    member: Member | None = None,
    account: PlatformAccount | None = None,
    channel: TerritoryChannel | None = None,
    kind: MessageKind = MessageKind.TEXT,
    request_id: int | None = None,
    poll_id: int | None = None,
    choices: Iterable[Choice] = (),
    topic: str | None = None,
    params: Mapping[str, Any] | None = None,
    **values: Any,
) -> Notification:
    """Add one message to the outbox, in the current transaction.

    `kind` says what the message is and `request_id`/`poll_id` what it is about: adapters
    dispatch on them. The topic follows from the reference; `topic` is for the other subjects
    (`topic_of(member_id=...)`). The message's parameters are `values`, and `params` for
    names that are taken here (a poll's own `kind`).
    """
    if sum(target is not None for target in (member, account, channel)) != 1:
        raise ValueError("a notification goes to exactly one member, account or channel")
    kind = MessageKind(kind)
    if kind in NEEDS_REQUEST and request_id is None:
        raise ValueError(f"a {kind} message names its request")
    if kind in NEEDS_POLL and poll_id is None:
        raise ValueError(f"a {kind} message names its poll")
    if IN_ROOM.get(kind, channel is not None) != (channel is not None):
        raise ValueError(f"a {kind} message does not go to {'a room' if channel else 'a person'}")
    if request_id is not None or poll_id is not None:
        if topic is not None:
            raise ValueError("the topic follows from request_id or poll_id")
        topic = topic_of(request_id=request_id, poll_id=poll_id)
    territory_id = (
        member.territory_id
        if member is not None
        else channel.territory_id
        if channel is not None
        else None
    )
    row = Notification(
        created_at=uow.now(),
        territory_id=territory_id,
        member_id=member.id if member is not None else (account.member_id if account else None),
        account_id=account.id if account is not None else None,
        channel_id=channel.id if channel is not None else None,
        key=key,
        params={**(params or {}), **values},
        choices=[c.as_json() for c in choices],
        kind=kind,
        request_id=request_id,
        poll_id=poll_id,
        topic=topic,
    )
    uow.session.add(row)
    return row


@dataclass(frozen=True)
class Delivery:
    """A claimed notification and where it goes on the claiming platform."""

    notification: Notification
    chat_ref: str | None
    account: PlatformAccount | None
    channel: TerritoryChannel | None
    language: str
    timezone: str


def preferred_account(member: Member) -> PlatformAccount | None:
    """The account a member is reached on: the preferred platform's, else the first reachable."""
    reachable = [a for a in member.accounts if a.reachable]
    for account in reachable:
        if account.platform == member.preferred_platform:
            return account
    return reachable[0] if reachable else None


async def claim(
    uow: UnitOfWork,
    platform: str,
    *,
    member_ids: set[int] | None = None,
    limit: int = 100,
    lease: timedelta = DEFAULT_LEASE,
) -> list[Delivery]:
    """Lease up to `limit` pending messages that go out on `platform` (for some members).

    A message already claimed `max_delivery_attempts` times is set aside instead.
    """
    now = uow.now()
    max_attempts = _max_attempts(uow)
    query = (
        select(Notification)
        .where(Notification.sent_at.is_(None), Notification.set_aside_at.is_(None))
        .where(or_(Notification.claimed_until.is_(None), Notification.claimed_until < now))
        .order_by(Notification.id)
        .limit(limit * 4)
    )
    if member_ids is not None:
        query = query.where(Notification.member_id.in_(member_ids))
    rows = list((await uow.session.execute(query)).scalars())
    deliveries: list[Delivery] = []
    for row in rows:
        if row.attempts >= max_attempts:
            set_aside(uow, row)
            continue
        delivery = await _route(uow, row, platform)
        if delivery is None:
            continue
        row.claimed_until = now + lease
        row.attempts += 1
        deliveries.append(delivery)
        if len(deliveries) >= limit:
            break
    return deliveries


async def claim_written(
    uow: UnitOfWork,
    rows: Iterable[Notification],
    platform: str,
    *,
    limit: int = 100,
    lease: timedelta = DEFAULT_LEASE,
) -> list[Delivery]:
    """Lease, among messages written in this transaction, those that go out on `platform` (at
    most `limit`), to the caller who sends them at once; the others wait for `claim`."""
    now = uow.now()
    deliveries: list[Delivery] = []
    for row in rows:
        if len(deliveries) >= limit:
            break
        if row.sent_at is not None or row.set_aside_at is not None:
            continue  # withheld meanwhile (see `contact.withhold_waiting_cards`)
        delivery = await _route(uow, row, platform)
        if delivery is None:
            continue
        row.claimed_until = now + lease
        row.attempts = (row.attempts or 0) + 1
        deliveries.append(delivery)
    return deliveries


async def _route(uow: UnitOfWork, row: Notification, platform: str) -> Delivery | None:
    session = uow.session
    if row.channel_id is not None:
        channel = await session.get(TerritoryChannel, row.channel_id)
        if channel is None or channel.platform != platform:
            return None
        language, timezone = await _territory(uow, channel.territory_id)
        return Delivery(row, channel.chat_ref, None, channel, language, timezone)
    member = await session.get(Member, row.member_id) if row.member_id is not None else None
    if row.account_id is not None:
        account = await session.get(PlatformAccount, row.account_id)
    else:
        account = preferred_account(member) if member is not None else None
    if account is None or account.platform != platform:
        return None
    if member is not None:
        language, timezone = member.language, member.territory.timezone
    else:
        language, timezone = "", ""
    return Delivery(
        row, account.chat_ref or account.external_id, account, None, language, timezone
    )


async def _territory(uow: UnitOfWork, territory_id: int) -> tuple[str, str]:
    territory = await uow.session.get(Territory, territory_id)
    return (territory.language, territory.timezone) if territory else ("fr", "Europe/Paris")


def _max_attempts(uow: UnitOfWork) -> int:
    return int(getattr(uow.settings, "max_delivery_attempts", DEFAULT_MAX_ATTEMPTS))


def stored_error(error: str | None) -> str | None:
    """An error as it may be stored: secrets redacted, capped."""
    return redact(error)[:ERROR_LENGTH] if error else None


@dataclass(frozen=True)
class Done:
    """How the delivery of one message ended: sent (with the platform's id of it) or not."""

    notification_id: int
    outcome: Outcome = Outcome.SENT
    external_ref: str | None = None
    error: str | None = None
    # The message's key when known: only keys with secret parameters are read back after the
    # update (None: it may be one of them).
    key: str | None = None

    def as_row(self) -> dict[str, Any]:
        sent = self.outcome == Outcome.SENT
        return {
            "id": self.notification_id,
            "outcome": str(self.outcome),
            # Only a sent message has a platform id: nothing else is ever read back as one.
            "external_ref": self.external_ref if sent else None,
            "last_error": None if sent else stored_error(self.error),
            "claimed_until": None,
        }


def mark_done(uow: UnitOfWork, notification: Notification, done: Done) -> None:
    """The delivery of this message is over (sent, or not to be tried again)."""
    for name, value in done.as_row().items():
        if name != "id":
            setattr(notification, name, value)
    notification.sent_at = uow.now()
    forget_secrets(notification)


def release(uow: UnitOfWork, notification: Notification, error: str, retry_in: timedelta) -> None:
    """Give a message back to the outbox after a failed send, to retry after `retry_in`."""
    notification.claimed_until = uow.now() + retry_in
    notification.last_error = stored_error(error)


def set_aside(uow: UnitOfWork, notification: Notification) -> None:
    """Stop trying a message that failed too often: kept for a person, reported once."""
    notification.set_aside_at = uow.now()
    notification.outcome = Outcome.SET_ASIDE
    forget_secrets(notification)
    notification.claimed_until = None
    notification.external_ref = None
    log.error(
        "outbox message %s set aside after %d attempts (last error: %s)",
        notification.id,
        notification.attempts,
        notification.last_error or "none recorded",
    )
    uow.publish(events.NotificationSetAside(notification.id))


async def last_external_ref(uow: UnitOfWork, *, channel_id: int, topic: str) -> str | None:
    """The platform id of the last message sent to a public room about `topic`."""
    return (
        await uow.session.execute(
            select(Notification.external_ref)
            .where(
                Notification.channel_id == channel_id,
                Notification.topic == topic,
                Notification.outcome == Outcome.SENT,
                Notification.external_ref.is_not(None),
            )
            .order_by(Notification.id.desc())
            .limit(1)
        )
    ).scalar_one_or_none()


async def request_of_post(uow: UnitOfWork, *, channel_id: int, external_ref: str) -> int | None:
    """The request a public room's post (the platform's id of it) is about, if it is ours.

    An edited post keeps its first id as the `external_ref` of every later row about the same
    request, so a reaction on the original post is found whatever the post says now.
    """
    return (
        await uow.session.execute(
            select(Notification.request_id)
            .where(
                Notification.channel_id == channel_id,
                Notification.external_ref == external_ref,
                Notification.request_id.is_not(None),
            )
            .order_by(Notification.id.desc())
            .limit(1)
        )
    ).scalar_one_or_none()


async def mark_many_done(uow: UnitOfWork, done: list[Done]) -> None:
    """Record how several deliveries ended, in one statement."""
    if not done:
        return
    now = uow.now()
    await uow.session.execute(update(Notification), [{**d.as_row(), "sent_at": now} for d in done])
    maybe_secret = [d.notification_id for d in done if d.key is None or d.key in SECRET_PARAMS]
    if SECRET_PARAMS and maybe_secret:
        # (A query per batch of sends otherwise: 16 % of the Telegram bench's throughput.)
        carrying = await uow.session.execute(
            select(Notification).where(
                Notification.id.in_(maybe_secret),
                Notification.key.in_(list(SECRET_PARAMS)),
            )
        )
        for notification in carrying.scalars():
            forget_secrets(notification)

"""Dead letters: what failed repeatedly is set aside, reported once, and the bot moves on.

An inbound update or event whose handling keeps failing (a bug, a value the database refuses)
would otherwise be fetched again forever and hold up every message after it. It is kept here
instead, for a person to look at: a capped copy of what arrived and the error. The operator is
told by the log (at ERROR), and the coordinators of the default territory by one message that
holds no personal data (only where to look). The scheduler's retention sweep
(`core/scheduling/retention.py`) deletes them once reported and old.
"""

from __future__ import annotations

import logging

from sqlalchemy import select

from core.domain.model import DeadLetter
from core.domain.vocabulary import MessageKind
from core.redaction import redact
from core.services import members, outbox
from core.services.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

# A copy of what failed is for a person to recognise it, not an archive.
MAX_PAYLOAD_CHARS = 4000
MAX_ERROR_CHARS = 2000
SOURCES = ("telegram", "matrix", "outbox")
REPORT = "A message could not be handled and was set aside: {reference}."


def _capped(text: str, limit: int) -> str:
    """Secrets out (a token in a URL in an error), then cut to the limit."""
    text = redact(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def set_aside(
    uow: UnitOfWork,
    source: str,
    ref: str,
    *,
    payload: str,
    error: str,
    attempts: int,
    territory_name: str,
) -> DeadLetter:
    """Keep what failed (once per `source` and `ref`) and tell the coordinators once.

    Set aside again (the same update after a restart), the row only counts the new attempts.
    The caller commits.
    """
    if source not in SOURCES:
        raise ValueError(f"unknown source of dead letters: {source!r}")
    ref = _capped(ref, 255)
    letter = (
        await uow.session.execute(
            select(DeadLetter).where(DeadLetter.source == source, DeadLetter.ref == ref)
        )
    ).scalar_one_or_none()
    if letter is not None:
        letter.attempts += attempts
        letter.error = _capped(error, MAX_ERROR_CHARS)
        return letter
    letter = DeadLetter(
        source=source,
        ref=ref,
        payload=_capped(payload, MAX_PAYLOAD_CHARS),
        error=_capped(error, MAX_ERROR_CHARS),
        attempts=attempts,
        created_at=uow.now(),
    )
    uow.session.add(letter)
    await uow.session.flush()  # its id is the reference given to the coordinators
    log.error(
        "%s %s set aside as dead letter %d after %d attempt(s): %s",
        source,
        ref,
        letter.id,
        attempts,
        letter.error,
    )
    territory = await members.territory_named(uow, territory_name)
    if territory is not None:
        for coordinator in await members.coordinators_of(uow, territory.id):
            outbox.write(
                uow,
                REPORT,
                member=coordinator,
                kind=MessageKind.ALERT,
                reference=f"{source} #{letter.id}",
            )
    letter.reported_at = uow.now()
    return letter


async def list_dead_letters(uow: UnitOfWork, *, limit: int = 100) -> list[DeadLetter]:
    """The most recent dead letters first."""
    query = select(DeadLetter).order_by(DeadLetter.created_at.desc(), DeadLetter.id.desc())
    return list((await uow.session.execute(query.limit(limit))).scalars())

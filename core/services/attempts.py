"""Rate limits on guessing: failed attempts per subject and for the whole install, per window.

Used for link codes (kind "link-code", subject "account:<id>") and meant for the web
console's logins. The rule: once a subject (or everyone together) has failed `per_subject`
(or `overall`) times within the window, every further attempt is refused, even a right one,
until the window has passed; refused attempts are not recorded, so a script that keeps
trying writes nothing more (the rows stay bounded by the limits).

Callers must commit the failure they record even though they then refuse the request: a
turn that raises rolls back its transaction (see `core.dialogue.engine`), which would erase
the very row that limits the next guess. So record, then reply with the refusal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from core.domain.errors import TooManyAttempts
from core.domain.model import Attempt
from core.services.unit_of_work import UnitOfWork

LINK_CODE = "link-code"


@dataclass(frozen=True)
class Limit:
    """How many failures of one kind are tolerated, per subject and overall, per window."""

    kind: str
    per_subject: int
    overall: int
    window: timedelta


def link_code_limit(settings: Any) -> Limit:
    """The limit on wrong link codes, from the settings (their defaults without settings)."""
    per_account = getattr(settings, "link_attempts_per_account", 5)
    overall = getattr(settings, "link_attempts_global", 100)
    minutes = getattr(settings, "link_attempt_window_minutes", 10)
    return Limit(LINK_CODE, per_account, overall, timedelta(minutes=minutes))


def account_subject(account_id: int) -> str:
    return f"account:{account_id}"


async def failures(uow: UnitOfWork, kind: str, *, since: Any, subject: str | None = None) -> int:
    """Failed attempts of `kind` since `since`, by `subject` or (None) by anyone."""
    query = (
        select(func.count())
        .select_from(Attempt)
        .where(Attempt.kind == kind, Attempt.at > since, Attempt.succeeded.is_(False))
    )
    if subject is not None:
        query = query.where(Attempt.subject == subject)
    return int((await uow.session.execute(query)).scalar_one())


async def ensure_allowed(uow: UnitOfWork, limit: Limit, subject: str) -> None:
    """Raise `TooManyAttempts` if `subject`, or everyone together, failed too often lately.

    Two indexed counts, each over at most the limit's number of rows (nothing is recorded
    beyond the limit): cheap enough to run before every attempt.
    """
    since = uow.now() - limit.window
    minutes = max(1, int(limit.window.total_seconds() // 60))
    if await failures(uow, limit.kind, since=since, subject=subject) >= limit.per_subject:
        raise TooManyAttempts(minutes=minutes)
    if await failures(uow, limit.kind, since=since) >= limit.overall:
        raise TooManyAttempts(minutes=minutes)


def record(uow: UnitOfWork, kind: str, subject: str, *, succeeded: bool) -> Attempt:
    """Add one attempt to the current transaction (see the module's note on committing)."""
    attempt = Attempt(kind=kind, subject=subject[:120], at=uow.now(), succeeded=succeeded)
    uow.session.add(attempt)
    return attempt

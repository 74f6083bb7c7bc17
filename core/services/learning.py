"""Learning from use: keep, with the member's consent, the messages the bot was unsure of or
that the member corrected, anonymised, for a coordinator to label (`entraide nlu review`).

Nothing is kept without a `ReviewConsent` row (the member said yes, and can say no again: the
no also deletes what was kept). What is kept is anonymised first (`anonymise`), capped, and
deleted after `retention_days` by the scheduler's sweep (`core/scheduling/retention.py`).
"""

from __future__ import annotations

from sqlalchemy import delete, select, update

from core.domain.errors import InvalidInput
from core.domain.model import Member, ReviewConsent, ReviewItem
from core.domain.review import MAX_REVIEW_TEXT, ReviewReason, ReviewStatus
from core.services.anonymise import anonymise
from core.services.unit_of_work import UnitOfWork

# Names of the territory's members looked for in a message (the largest territories have a few
# thousand members: one query, only for a message that is kept).
MAX_NAMES = 5000
MAX_LABEL_CHARS = 32
PAGE = 200


async def consents(uow: UnitOfWork, member_id: int) -> bool:
    """Whether the member said yes to keeping their unclear messages for review."""
    return await uow.session.get(ReviewConsent, member_id) is not None


async def set_consent(uow: UnitOfWork, member_id: int, given: bool) -> None:
    """Yes records the consent; no removes it and deletes the messages kept so far."""
    known = await uow.session.get(ReviewConsent, member_id)
    if given and known is None:
        uow.session.add(ReviewConsent(member_id=member_id, given_at=uow.now()))
    if not given:
        if known is not None:
            await uow.session.delete(known)
        await uow.session.execute(delete(ReviewItem).where(ReviewItem.member_id == member_id))
    uow.audit(member_id, "review.consent" if given else "review.refusal", f"member:{member_id}")


async def keep_for_review(
    uow: UnitOfWork,
    member: Member,
    text: str,
    *,
    language: str,
    reason: ReviewReason,
    intent: str,
    confidence: float,
    category: str | None = None,
    picked_intent: str | None = None,
    picked_category: str | None = None,
) -> ReviewItem | None:
    """Keep `text`, anonymised, if the member consents; None otherwise."""
    if not text.strip() or not await consents(uow, member.id):
        return None
    names = (
        await uow.session.execute(
            select(Member.display_name)
            .where(Member.territory_id == member.territory_id)
            .limit(MAX_NAMES)
        )
    ).scalars()
    item = ReviewItem(
        territory_id=member.territory_id,
        member_id=member.id,
        text=anonymise(text[:MAX_REVIEW_TEXT], [member.display_name, *names]),
        language=language[:8],
        reason=str(reason),
        guessed_intent=intent[:MAX_LABEL_CHARS],
        confidence=float(confidence),
        guessed_category=category,
        picked_intent=picked_intent,
        picked_category=picked_category,
        status=ReviewStatus.PENDING,
        created_at=uow.now(),
    )
    uow.session.add(item)
    await uow.session.flush()  # its id, for the member's pick that may follow
    return item


async def note_pick(uow: UnitOfWork, item_id: int, member_id: int, intent: str) -> None:
    """The meaning the member picked among those offered for their message `item_id`."""
    await uow.session.execute(
        update(ReviewItem)
        .where(
            ReviewItem.id == item_id,
            ReviewItem.member_id == member_id,
            ReviewItem.status == ReviewStatus.PENDING,
        )
        .values(picked_intent=intent[:MAX_LABEL_CHARS])
    )


async def pending(
    uow: UnitOfWork, *, language: str | None = None, limit: int = PAGE
) -> list[ReviewItem]:
    """The messages waiting for a label, the oldest first."""
    query = select(ReviewItem).where(ReviewItem.status == ReviewStatus.PENDING)
    if language is not None:
        query = query.where(ReviewItem.language == language)
    query = query.order_by(ReviewItem.created_at, ReviewItem.id).limit(max(1, min(limit, PAGE)))
    return list((await uow.session.execute(query)).scalars())


async def label(
    uow: UnitOfWork, item_id: int, *, intent: str, category: str | None, intents: tuple[str, ...]
) -> None:
    """The coordinator's label (an intent of `intents`, a category or none)."""
    if intent not in intents:
        raise InvalidInput("Unknown intent.")
    item = await uow.session.get(ReviewItem, item_id)
    if item is None or item.status != ReviewStatus.PENDING:
        raise InvalidInput("This message is no longer waiting for review.")
    item.label_intent, item.label_category = intent, category
    item.reviewed_at = uow.now()


async def settle(uow: UnitOfWork, item_ids: list[int], status: ReviewStatus) -> None:
    """Mark reviewed messages written (the new model was kept), rejected, or dropped."""
    if not item_ids:
        return
    await uow.session.execute(
        update(ReviewItem)
        .where(ReviewItem.id.in_(item_ids))
        .values(status=str(status), reviewed_at=uow.now())
    )

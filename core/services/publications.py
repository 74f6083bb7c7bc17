"""Native polls published on a platform for one of our polls (see `PollPublication`)."""

from __future__ import annotations

from sqlalchemy import select

from core.domain.model import PollPublication
from core.services.unit_of_work import UnitOfWork


async def record(
    uow: UnitOfWork, poll_id: int, platform: str, chat_ref: str, message_ref: str, external_id: str
) -> None:
    """Remember that `external_id` on `platform` is a copy of poll `poll_id`."""
    uow.session.add(
        PollPublication(
            poll_id=poll_id,
            platform=platform,
            chat_ref=chat_ref,
            message_ref=message_ref,
            external_id=external_id,
            created_at=uow.now(),
        )
    )
    await uow.session.flush()


async def poll_of(uow: UnitOfWork, platform: str, external_id: str) -> int | None:
    """Our poll behind a platform's poll id, or None for a poll we did not publish."""
    return (
        await uow.session.execute(
            select(PollPublication.poll_id).where(
                PollPublication.platform == platform, PollPublication.external_id == external_id
            )
        )
    ).scalar_one_or_none()


async def messages_of(
    uow: UnitOfWork, poll_id: int, platform: str, chat_ref: str | None = None
) -> list[tuple[str, str]]:
    """(chat, message) of every native copy of a poll on a platform, optionally in one chat."""
    query = select(PollPublication.chat_ref, PollPublication.message_ref).where(
        PollPublication.poll_id == poll_id, PollPublication.platform == platform
    )
    if chat_ref is not None:
        query = query.where(PollPublication.chat_ref == chat_ref)
    return [
        (str(chat), str(message)) for chat, message in (await uow.session.execute(query)).all()
    ]

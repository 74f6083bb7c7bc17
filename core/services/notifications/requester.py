"""What concerns a requester reaches whoever reads it for her: herself, her proxies, or (she
neither chats nor has a proxy) her territory's coordinators, who call her.

Who reads is asked when the notice is written (`proxies.readers_of`): a reminder planned a week
ago reaches the proxies of today, never one revoked since. A notice to someone other than her
says for whom it is (the renderer begins it with "For Odette:").
"""

from __future__ import annotations

from typing import Any

from core.domain.model import HelpRequest
from core.services import outbox, proxies
from core.services.unit_of_work import UnitOfWork


async def write(
    uow: UnitOfWork,
    key: str,
    *,
    about: HelpRequest,
    skip: int | None = None,
    **values: Any,
) -> None:
    """Write `key` about the request `about` to each of its requester's readers (but `skip`,
    who did what the notice is about and was answered in their own chat).

    Named and shaped as `outbox.write` (the key second), so the catalog finds its keys."""
    request = about
    for reader, senior in await proxies.readers_of(uow, request.requester):
        if reader.id == skip:
            continue
        outbox.write(
            uow, key, member=reader, request_id=request.id, **proxies.on_behalf(senior), **values
        )

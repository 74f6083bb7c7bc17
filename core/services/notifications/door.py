"""Trust at the door: the requester is told the safety word with the volunteer's first name.

Written like every message about her request (`requester.write`): whoever reads her
notifications (herself, or her proxies) gets it; never to a public room. The volunteer
is told the word on the contact card (`cards`), and reminders repeat it to both (`reminders`).
"""

from __future__ import annotations

from core.domain import events
from core.i18n import N_
from core.services import safety
from core.services.members import get_member
from core.services.notifications import requester
from core.services.notifications.common import request_of
from core.services.outbox import Choice
from core.services.unit_of_work import EventHandler, UnitOfWork

SAFETY_WORD_NOTICE = N_(
    "Your safety word: {safety_word}.\n"
    "{volunteer} will say it at your door. Open only to someone who says it."
)


def who_is_coming_choice(request_id: int) -> Choice:
    """The button that asks who comes for a request, and the word they will say."""
    return Choice("Who is coming?", f"who_coming:{request_id}")


async def on_request_accepted(uow: UnitOfWork, event: events.RequestAccepted) -> None:
    """The requester learns the safety word the volunteer will say at her door."""
    request = await request_of(uow, event.request_id)
    volunteer = await get_member(uow, event.volunteer_id)
    word = safety.word_for(request.requester, request)
    if word == safety.WITHHELD:
        return  # no word was given (nothing to say)
    # To whoever reads for her (herself, or her proxies): they open the door with her.
    await requester.write(
        uow,
        SAFETY_WORD_NOTICE,
        about=request,
        volunteer=volunteer.first_name,
        safety_word=word,
        choices=[who_is_coming_choice(request.id)],
    )


HANDLERS: dict[type[events.Event], list[EventHandler]] = {
    events.RequestAccepted: [on_request_accepted],
}

"""What a coordinator does with an alert beyond taking and closing it (`alerts.py`): offer the
request nobody took to a volunteer they choose, and what the scheduler does with an alert
nobody took (send it again). Also where a member's voice message becomes an alert.

Every action is checked in `authorization` (through `require_coordinator`), audited with its
actor, and tells the people concerned through domain events.
"""

from __future__ import annotations

from core.domain import events
from core.domain.alert_audio import MAX_AUDIO_REF
from core.domain.errors import InvalidInput, InvalidTransition
from core.domain.model import Alert, AlertAudio, Member
from core.domain.vocabulary import AlertKind, RequestState
from core.services import alerts, matching, requests
from core.services.authorization import require_coordinator
from core.services.members import get_member
from core.services.unit_of_work import UnitOfWork

# How many volunteers "Offer to…" lists (buttons: a short list reads well on a phone).
CANDIDATES = 5
NO_REQUEST = "This alert is not about a request."
ALREADY_HANDLED = "This alert is already handled."


async def _open_alert_about_request(uow: UnitOfWork, alert_id: int, by_id: int) -> Alert:
    alert = await alerts.get_alert(uow, alert_id)
    await require_coordinator(uow, by_id, alert.territory_id)
    if alert.request_id is None:
        raise InvalidInput(NO_REQUEST)
    if alert.done_at is not None:
        raise InvalidInput(ALREADY_HANDLED)
    return alert


async def candidates(uow: UnitOfWork, alert_id: int, *, by_id: int) -> list[Member]:
    """The best-suited approved volunteers for the alert's request (`matching`), best first."""
    alert = await _open_alert_about_request(uow, alert_id, by_id)
    assert alert.request_id is not None
    return await candidates_for_request(uow, alert.request_id, by_id=by_id)


async def candidates_for_request(uow: UnitOfWork, request_id: int, *, by_id: int) -> list[Member]:
    """The best-suited approved volunteers for an open request, best first (its territory's
    coordinators only)."""
    request = await requests.get_request(uow, request_id)
    await require_coordinator(uow, by_id, request.territory_id)
    if request.state != RequestState.OPEN:
        raise InvalidTransition(state=request.state)
    # Those who withdrew are left out; those who said "not for me" may be asked by a person.
    withdrew = {a.volunteer_id for a in request.assignments if a.withdrawn_at is not None}
    ranked = await matching.rank_volunteers(uow, request, limit=CANDIDATES, exclude=withdrew)
    return [await get_member(uow, volunteer.member_id) for volunteer in ranked]


async def offer(uow: UnitOfWork, alert_id: int, volunteer_id: int, *, by_id: int) -> Member:
    """Offer the alert's request to one volunteer (the usual offer, with its buttons); the
    coordinator takes the alert if nobody had. Returns the volunteer."""
    alert = await _open_alert_about_request(uow, alert_id, by_id)
    assert alert.request_id is not None
    if alert.taken_by is None:
        await alerts.take(uow, alert.id, by_id=by_id)
    await requests.offer_to_volunteer(uow, alert.request_id, volunteer_id, by_id=by_id)
    uow.audit(by_id, "alert.offer", f"alert:{alert.id}", volunteer=volunteer_id)
    return await get_member(uow, volunteer_id)


async def resend(uow: UnitOfWork, alert_id: int, round_: int) -> str:
    """The scheduler's work: an alert still not taken is sent again to every coordinator."""
    alert = await uow.session.get(Alert, alert_id)
    if alert is None or alert.taken_by is not None or alert.done_at is not None:
        return "no longer needed"
    uow.publish(events.AlertResent(alert.id, round_))
    uow.audit(None, "alert.resend", f"alert:{alert.id}", round=round_)
    return "done"


async def leave_voice_message(
    uow: UnitOfWork, member_id: int, platform: str, audio_ref: str | None
) -> Alert:
    """A member's voice message becomes a "listen and call back" alert (with its audio)."""
    member = await get_member(uow, member_id)
    alert = alerts.raise_alert(uow, member.territory_id, AlertKind.VOICE_MESSAGE, member.id)
    await uow.session.flush()  # its id, for the audio and the buttons
    if is_audio_ref(audio_ref):
        assert audio_ref is not None
        uow.session.add(
            AlertAudio(
                alert_id=alert.id, platform=platform, audio_ref=audio_ref, received_at=uow.now()
            )
        )
    uow.audit(member.id, "alert.voice", f"alert:{alert.id}", platform=platform)
    return alert


def is_audio_ref(value: str | None) -> bool:
    """Whether a platform's audio reference may be kept: printable, no spaces, not too long
    (anything else, forged or broken, is dropped: the alert goes without its audio)."""
    return (
        value is not None
        and 0 < len(value) <= MAX_AUDIO_REF
        and value.isprintable()
        and not any(c.isspace() for c in value)
    )

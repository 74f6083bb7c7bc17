"""Alerts for the coordinators about a member: an emergency, a message for them, a member the
bot can no longer reach, a voice message. Each is raised on the desk (`alerts`) and sent to
the coordinators of the member's territory with what they need to act (`alert_notices`)."""

from __future__ import annotations

from core.domain import events
from core.domain.model import Alert
from core.domain.vocabulary import AlertKind
from core.services import alert_desk, alerts
from core.services.members import get_member
from core.services.notifications.alert_notices import tell_coordinators
from core.services.unit_of_work import EventHandler, UnitOfWork


async def raise_and_tell(uow: UnitOfWork, member_id: int, kind: AlertKind, text: str) -> Alert:
    """The alert on the coordinators' desk (the web console's "Now" page) and in their chats."""
    member = await get_member(uow, member_id)
    alert = alerts.raise_alert(uow, member.territory_id, kind, member.id, text=text)
    await uow.session.flush()  # its id, for the buttons
    await tell_coordinators(uow, alert)
    return alert


async def on_coordinator_contacted(uow: UnitOfWork, event: events.CoordinatorContacted) -> None:
    """A member's message for the coordinators."""
    await raise_and_tell(uow, event.member_id, AlertKind.COORDINATOR_CONTACTED, event.text)


async def on_emergency(uow: UnitOfWork, event: events.EmergencyRaised) -> None:
    """A message that sounds like an emergency (the member got the emergency numbers)."""
    await raise_and_tell(uow, event.member_id, AlertKind.EMERGENCY, event.text)


async def on_scam_reported(uow: UnitOfWork, event: events.ScamReported) -> None:
    """A member received a text that looks like a scam and would like someone to check it."""
    await raise_and_tell(uow, event.member_id, AlertKind.SCAM, event.text)


async def on_member_unreachable(uow: UnitOfWork, event: events.MemberUnreachable) -> None:
    """The member blocked the bot on a platform: someone must reach them another way."""
    await raise_and_tell(uow, event.member_id, AlertKind.MEMBER_UNREACHABLE, event.platform)


async def on_voice_message(uow: UnitOfWork, event: events.VoiceMessageLeft) -> None:
    """A member's voice message: "listen and call back", with the audio where it can go."""
    alert = await alert_desk.leave_voice_message(
        uow, event.member_id, event.platform, event.audio_ref
    )
    await tell_coordinators(uow, alert)


HANDLERS: dict[type[events.Event], list[EventHandler]] = {
    events.CoordinatorContacted: [on_coordinator_contacted],
    events.EmergencyRaised: [on_emergency],
    events.ScamReported: [on_scam_reported],
    events.MemberUnreachable: [on_member_unreachable],
    events.VoiceMessageLeft: [on_voice_message],
}

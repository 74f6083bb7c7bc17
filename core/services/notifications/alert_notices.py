"""The coordinators' alerts in their chats: what to act on, and who is on it.

Each alert goes to the coordinators of the member's territory (never the member themselves),
with the member's name, phone and address (`contact.member_card`: only coordinators of that
territory see them), the member's words, the time in the territory's zone (`raised_at`) and
the buttons of its kind. Who takes it, who closes it, and alerts nobody took are told to the
others. A voice message is forwarded as audio (`FORWARDED_AUDIO`, its platform's reference in
the parameters) where the coordinator reads the platform it came from.
"""

from __future__ import annotations

from core.domain import events
from core.domain.model import Alert, AlertAudio, HelpRequest, Member, PlatformAccount
from core.domain.vocabulary import AlertKind, MessageKind
from core.i18n import N_
from core.services import alerts, contact, outbox
from core.services.members import coordinators_of, get_member
from core.services.notifications.common import request_of, request_summary
from core.services.outbox import Choice
from core.services.unit_of_work import EventHandler, UnitOfWork

KEYS = {
    AlertKind.EMERGENCY: N_(
        "EMERGENCY reported by {name} ({neighbourhood}), {raised_at}:\n{text}\n"
        "Phone: {phone}\nAddress: {address}"
    ),
    AlertKind.COORDINATOR_CONTACTED: N_(
        "Message from {name} ({neighbourhood}), {raised_at}:\n{text}\n"
        "Phone: {phone}\nAddress: {address}"
    ),
    AlertKind.MEMBER_UNREACHABLE: N_(
        "{name} can no longer be reached on {text} (the bot was blocked), {raised_at}. "
        "Please contact this person another way.\nPhone: {phone}\nAddress: {address}"
    ),
    AlertKind.REQUEST_UNANSWERED: N_(
        "Nobody has accepted this request yet: {category}, {when}, in {neighbourhood}, "
        "for {name}. Could you find someone?\nPhone: {phone}\nAddress: {address}"
    ),
    AlertKind.NOBODY_TO_OFFER: N_(
        "No volunteer could be offered this new request: {category}, {when}, in {neighbourhood}, "
        "for {name}. Could you find someone?\nPhone: {phone}\nAddress: {address}"
    ),
    AlertKind.SCAM: N_(
        "{name} ({neighbourhood}) received a message that looks like a scam, {raised_at}. "
        "Please call them to check it with them:\n{text}\nPhone: {phone}\nAddress: {address}"
    ),
    AlertKind.VOICE_MESSAGE: N_(
        "Voice message from {name} ({neighbourhood}), {raised_at}. "
        "Please listen to it and call back.\nPhone: {phone}\nAddress: {address}"
    ),
}
STILL_OPEN = N_("Nobody has taken this alert yet. Here it is again.")


def choices_of(alert: Alert) -> list[Choice]:
    """The buttons of an alert, by its kind."""
    take, done = f"alert_take:{alert.id}", f"alert_done:{alert.id}"
    if alert.kind == AlertKind.EMERGENCY:
        return [Choice("I am calling them", take), Choice("Handled", done)]
    if alert.kind == AlertKind.VOICE_MESSAGE:
        return [Choice("I will call back", take), Choice("Done", done)]
    if alert.kind == AlertKind.COORDINATOR_CONTACTED:
        # "Reply" takes the alert and opens a thread with the member (`core/services/threads.py`).
        return [Choice("Reply", f"desk_reply:{alert.member_id}"), Choice("Done", done)]
    choices = [Choice("I'm on it", take)]
    if alert.kind in alerts.FINDING_SOMEONE and alert.request_id is not None:
        choices.append(Choice("Offer to…", f"alert_offer:{alert.id}"))
    return [*choices, Choice("Done", done)]


async def readers_of(uow: UnitOfWork, alert: Alert) -> list[Member]:
    """The coordinators of the alert's territory, but the member it is about."""
    return [c for c in await coordinators_of(uow, alert.territory_id) if c.id != alert.member_id]


async def write_alert(
    uow: UnitOfWork, alert: Alert, coordinator: Member, *, account: PlatformAccount | None = None
) -> None:
    """One coordinator's copy of an alert, with everything needed to act on it (in the chat
    `account` when given: `/bureau` answers where it was asked)."""
    member = await get_member(uow, alert.member_id)
    kind = MessageKind.ALERT
    values: dict[str, object] = {
        **contact.member_card(coordinator, member),
        "neighbourhood": member.neighbourhood or "-",
        "text": alert.text or "-",
        "raised_at": alert.created_at.isoformat(),
        "alert_id": alert.id,
    }
    if alert.kind == AlertKind.MEMBER_UNREACHABLE:
        values["text"] = alert.text.capitalize()  # the platform: "Telegram"
    reference: dict[str, object] = {"topic": outbox.topic_of(member_id=member.id)}
    if alert.request_id is not None:
        request = await request_of(uow, alert.request_id)
        values.update({k: v for k, v in request_summary(request).items() if k != "first_name"})
        values["neighbourhood"] = request.neighbourhood or member.neighbourhood or "-"
        reference = {"request_id": request.id}
    audio = await uow.session.get(AlertAudio, alert.id)
    if audio is not None:
        kind = MessageKind.FORWARDED_AUDIO
        values.update(audio_platform=audio.platform, audio_ref=audio.audio_ref)
    outbox.write(
        uow,
        KEYS[AlertKind(alert.kind)],
        **({"account": account} if account is not None else {"member": coordinator}),
        kind=kind,
        choices=choices_of(alert),
        params=values,
        **reference,  # type: ignore[arg-type]
    )


async def tell_coordinators(uow: UnitOfWork, alert: Alert) -> None:
    """A new alert, to every coordinator of its territory."""
    for coordinator in await readers_of(uow, alert):
        await write_alert(uow, alert, coordinator)


async def find_someone(uow: UnitOfWork, request: HelpRequest, kind: AlertKind) -> Alert:
    """Ask the coordinators to find someone for `request`: an alert of `kind` to each, with the
    requester's phone and address and "Offer to…" (never to the requester herself, even if she
    is a coordinator). One is open per request: an open one is returned as it is."""
    alert = await alerts.finding_someone_for(uow, request.id)
    if alert is None:
        alert = alerts.raise_alert(
            uow, request.territory_id, kind, request.requester_id, request_id=request.id
        )
        await uow.session.flush()  # its id, for the buttons
        await tell_coordinators(uow, alert)
    return alert


async def on_alert_resent(uow: UnitOfWork, event: events.AlertResent) -> None:
    """Nobody took it: every coordinator gets it again, said so first."""
    alert = await uow.session.get(Alert, event.alert_id)
    if alert is None:
        return
    for coordinator in await readers_of(uow, alert):
        outbox.write(
            uow, STILL_OPEN, member=coordinator, topic=outbox.topic_of(member_id=alert.member_id)
        )
        await write_alert(uow, alert, coordinator)


async def on_alert_taken(uow: UnitOfWork, event: events.AlertTakenBy) -> None:
    """The others are told who took it; a member who asked to be called back is told who."""
    alert = await uow.session.get(Alert, event.alert_id)
    taker = await get_member(uow, event.by_id)
    if alert is None:
        return
    member = await get_member(uow, alert.member_id)
    topic = outbox.topic_of(member_id=member.id)
    for coordinator in await readers_of(uow, alert):
        if coordinator.id != taker.id:
            outbox.write(
                uow,
                "{coordinator} is handling the alert about {name}.",
                member=coordinator,
                topic=topic,
                coordinator=taker.first_name,
                name=member.display_name,
            )
    if alert.kind in (AlertKind.VOICE_MESSAGE, AlertKind.COORDINATOR_CONTACTED):
        outbox.write(
            uow,
            "{coordinator}, a coordinator, has your message and will call you back.",
            member=member,
            topic=topic,
            coordinator=taker.first_name,
        )


async def on_alert_closed(uow: UnitOfWork, event: events.AlertClosed) -> None:
    """The others are told it is handled (nothing more to do about it)."""
    alert = await uow.session.get(Alert, event.alert_id)
    if alert is None:
        return
    closer = await get_member(uow, event.by_id)
    member = await get_member(uow, alert.member_id)
    for coordinator in await readers_of(uow, alert):
        if coordinator.id != closer.id:
            outbox.write(
                uow,
                "{coordinator} closed the alert about {name}.",
                member=coordinator,
                topic=outbox.topic_of(member_id=member.id),
                coordinator=closer.first_name,
                name=member.display_name,
            )


# Why a "find someone" alert ended by itself, told to the coordinators who had it.
SETTLED = {
    events.RequestAccepted: N_(
        "{volunteer} accepted the request of {name} ({category}, {when}). "
        "The alert is closed: nothing more to do."
    ),
    events.RequestCancelled: N_(
        "The request of {name} ({category}, {when}) was cancelled. "
        "The alert is closed: nothing more to do."
    ),
    events.RequestExpired: N_(
        "The request of {name} ({category}, {when}) has passed without a volunteer. "
        "The alert is closed."
    ),
}


async def on_request_settled(
    uow: UnitOfWork,
    event: events.RequestAccepted | events.RequestCancelled | events.RequestExpired,
) -> None:
    """A request that coordinators were asked to find someone for no longer waits: the alert
    ends, and they are told why (so nobody calls a volunteer for a request already taken)."""
    settled = await alerts.settle_for_request(uow, event.request_id, type(event).__name__)
    if not settled:
        return
    request = await request_of(uow, event.request_id)
    values: dict[str, object] = {
        **request_summary(request),
        "name": request.requester.display_name,
    }
    if isinstance(event, events.RequestAccepted):
        values["volunteer"] = (await get_member(uow, event.volunteer_id)).display_name
    for coordinator in await readers_of(uow, settled[0]):
        outbox.write(
            uow,
            SETTLED[type(event)],
            member=coordinator,
            request_id=request.id,
            params=values,
        )


HANDLERS: dict[type[events.Event], list[EventHandler]] = {
    events.RequestAccepted: [on_request_settled],
    events.RequestCancelled: [on_request_settled],
    events.RequestExpired: [on_request_settled],
    events.AlertResent: [on_alert_resent],
    events.AlertTakenBy: [on_alert_taken],
    events.AlertClosed: [on_alert_closed],
}

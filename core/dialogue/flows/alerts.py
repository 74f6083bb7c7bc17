"""The coordinators' alerts in the chat, and a member's voice message that becomes one.

Actions (buttons under an alert, see `core/services/notifications/alert_notices.py`):
alert_take:<alert> ("I'm on it", "I am calling them", "I will call back"), alert_done:<alert>
("Done", "Handled"), alert_offer:<alert> ("Offer to…": the best-suited volunteers as buttons),
alert_offer_to:<alert>:<volunteer>, request_offer:<request> and request_offer_to:<request>:
<volunteer> (the same from `/bureau`, for a request without alert), voice (a voice message).

Who may press them is decided in `authorization` (through the services): a coordinator of the
alert's territory. A second "take" is told who has it and changes nothing.
"""

from __future__ import annotations

from core.dialogue.flows.common import menu_choices
from core.dialogue.routing import RowId, RowIdPair, action
from core.dialogue.turn import Turn
from core.domain import events
from core.domain.errors import NotAllowed
from core.domain.model import Member
from core.services import alert_desk, alerts, authorization, contact, members, requests
from core.services.outbox import Choice

AlertId = RowId("alert")
# Few enough to be named to the member who left a voice message ("Claire, Denise").
NAMED_COORDINATORS = 3
AlertAndVolunteer = RowIdPair(("alert", "member"))
RequestAndVolunteer = RowIdPair(("request", "member"))


def coordinator_of_turn(turn: Turn) -> Member:
    """The member pressing; whether they coordinate is the services' question."""
    if turn.member is None:
        raise NotAllowed(authorization.COORDINATORS_ONLY)
    return turn.member


@action("alert_take", arg=AlertId)
async def take_alert(turn: Turn, alert_id: int) -> None:
    """The first coordinator takes it (the others are told who); a second is told who has it."""
    me = coordinator_of_turn(turn)
    alert = await alerts.take(turn.uow, alert_id, by_id=me.id)
    member = await members.get_member(turn.uow, alert.member_id)
    choices = [Choice("Done", f"alert_done:{alert.id}")]
    if alert.request_id is not None:
        choices.insert(0, Choice("Offer to…", f"alert_offer:{alert.id}"))
    turn.reply(
        "You are handling the alert about {name}.\nPhone: {phone}\nAddress: {address}\n"
        'Press "Done" when it is finished.',
        choices=choices,
        **contact.member_card(me, member),
    )


@action("alert_done", arg=AlertId)
async def close_alert(turn: Turn, alert_id: int) -> None:
    """Handled: the alert is closed and the other coordinators are told."""
    me = coordinator_of_turn(turn)
    alert = await alerts.mark_done(turn.uow, alert_id, by_id=me.id)
    member = await members.get_member(turn.uow, alert.member_id)
    turn.reply(
        "Thank you. The alert about {name} is closed.",
        name=member.display_name,
        choices=menu_choices(turn),
    )


@action("alert_offer", arg=AlertId)
async def list_volunteers_for_alert(turn: Turn, alert_id: int) -> None:
    """The best-suited volunteers for the request of the alert, as buttons."""
    me = coordinator_of_turn(turn)
    found = await alert_desk.candidates(turn.uow, alert_id, by_id=me.id)
    _list_volunteers(turn, found, f"alert_offer_to:{alert_id}")


@action("alert_offer_to", arg=AlertAndVolunteer)
async def offer_from_alert(turn: Turn, ids: tuple[int, int]) -> None:
    """The request of the alert goes to the volunteer chosen (the usual offer, with Accept)."""
    me = coordinator_of_turn(turn)
    alert_id, volunteer_id = ids
    volunteer = await alert_desk.offer(turn.uow, alert_id, volunteer_id, by_id=me.id)
    turn.reply(
        "I offered the request to {volunteer}. They can accept it with one button.",
        volunteer=volunteer.display_name,
        choices=[Choice("Done", f"alert_done:{alert_id}"), *menu_choices(turn)],
    )


@action("request_offer", arg=RowId("request"))
async def list_volunteers_for_request(turn: Turn, request_id: int) -> None:
    """From `/bureau`: the best-suited volunteers for a request still open."""
    me = coordinator_of_turn(turn)
    found = await alert_desk.candidates_for_request(turn.uow, request_id, by_id=me.id)
    _list_volunteers(turn, found, f"request_offer_to:{request_id}")


@action("request_offer_to", arg=RequestAndVolunteer)
async def offer_request(turn: Turn, ids: tuple[int, int]) -> None:
    """From `/bureau`: the request goes to the volunteer chosen."""
    me = coordinator_of_turn(turn)
    request_id, volunteer_id = ids
    await requests.offer_to_volunteer(turn.uow, request_id, volunteer_id, by_id=me.id)
    volunteer = await members.get_member(turn.uow, volunteer_id)
    turn.reply(
        "I offered the request to {volunteer}. They can accept it with one button.",
        volunteer=volunteer.display_name,
        choices=menu_choices(turn),
    )


def _list_volunteers(turn: Turn, found: list[Member], prefix: str) -> None:
    """One button per volunteer (their name only: their contact details stay theirs)."""
    if not found:
        turn.reply(
            "No volunteer of the territory has this skill. Please find someone by phone.",
            choices=[Choice("Back to the menu", "menu")],
        )
        return
    turn.reply(
        "Who should get this request? The best-suited volunteers come first.",
        choices=[
            *(Choice(v.display_name, f"{prefix}:{v.id}", {"translate": False}) for v in found),
            Choice("Back to the menu", "menu"),
        ],
    )


@action("voice")
async def on_voice(turn: Turn) -> None:
    """A voice message: the coordinators of the member's territory listen and call back; the
    member is told honestly who, and that they are reminded until one of them takes it."""
    member = turn.member
    if member is None:  # a newcomer: nobody to call back yet
        turn.reply(
            "I cannot listen to voice messages yet. Please write your message, or press a button.",
            choices=menu_choices(turn),
        )
        return
    coordinators = await members.coordinators_of(turn.uow, member.territory_id)
    others = [c for c in coordinators if c.id != member.id]
    if not others:
        turn.reply(
            "There is no coordinator to listen to it yet. Please write your message.",
            choices=menu_choices(turn),
        )
        return
    turn.uow.publish(
        events.VoiceMessageLeft(member.id, turn.inbound.platform, turn.inbound.media_ref)
    )
    minutes = getattr(turn.uow.settings, "alert_resend_minutes", 5)
    if len(others) <= NAMED_COORDINATORS:
        turn.reply(
            "Your voice message was sent to the coordinators: {names}. "
            "One of them will call you back, and I will tell you who. "
            "They are reminded every {minutes} minutes until one of them takes it.",
            names=", ".join(c.first_name for c in others),
            minutes=minutes,
            choices=menu_choices(turn),
        )
    else:
        turn.reply(
            "Your voice message was sent to the {count} coordinators. "
            "One of them will call you back, and I will tell you who. "
            "They are reminded every {minutes} minutes until one of them takes it.",
            count=len(others),
            minutes=minutes,
            choices=menu_choices(turn),
        )
    if not contact.can_be_called(member):
        turn.reply("We do not have your phone number. A coordinator will answer you here.")

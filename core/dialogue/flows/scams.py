"""Messages that are not requests: a forwarded scam, and asks the cooperative does not cover.

A scam text a member forwards (a parcel fee to pay through a link, a false bank adviser) gets a
short, kind warning and the offer of a coordinator's check; the coordinators are alerted only
if the member says yes (`scam_check`). An ask the cooperative does not cover (television,
housing, lending money) gets an honest "I cannot help with that" and the menu. Neither ever
becomes a help request.

Actions: scam_check.
"""

from __future__ import annotations

from core.dialogue.flows.common import menu_choices
from core.dialogue.routing import action
from core.dialogue.turn import Turn, Understanding
from core.domain import events
from core.services import members
from core.services.alerts import MAX_TEXT
from core.services.outbox import Choice

# The forwarded text, kept in the conversation until the member says whether to have it checked.
SCAM_TEXT = "scam_text"


async def warn_about_scam(turn: Turn, understood: Understanding) -> None:
    """Warn, and offer a coordinator's check (nothing is sent to anyone yet)."""
    turn.set_data(**{SCAM_TEXT: understood.text[:MAX_TEXT]})
    turn.reply(
        "This message looks like a scam. Do not click on the link, do not give any code. "
        "Do not pay anything. A coordinator can check it with you.",
        choices=[
            Choice("Yes, a coordinator can check it", "scam_check"),
            Choice("Back to the menu", "menu"),
        ],
    )


@action("scam_check")
async def ask_for_a_check(turn: Turn) -> None:
    """The member agrees: the territory's coordinators get an alert of kind scam."""
    assert turn.member is not None
    text = turn.data(SCAM_TEXT)
    coordinators = await members.coordinators_of(turn.uow, turn.member.territory_id)
    if not isinstance(text, str) or not text:
        turn.reply(
            "Please send me the message again, then press the button.",
            choices=menu_choices(turn),
        )
        return
    turn.set_data(**{SCAM_TEXT: None})
    if not [c for c in coordinators if c.id != turn.member.id]:
        turn.reply(
            "There is no coordinator for your territory yet. Until then, do not click "
            "and do not pay anything.",
            choices=menu_choices(turn),
        )
        return
    turn.uow.publish(events.ScamReported(turn.member.id, text))
    turn.uow.audit(turn.member.id, "scam.report", f"member:{turn.member.id}")
    turn.reply(
        "Thank you. A coordinator will contact you to check it. Until then, do not click "
        "and do not pay anything.",
        choices=menu_choices(turn),
    )


async def not_for_us(turn: Turn, understood: Understanding) -> None:
    """What the cooperative does not do, said honestly, and what it does (the menu)."""
    turn.reply(
        "I cannot help with that. The volunteers help with shopping, lifts, paperwork, "
        "computers and small repairs. Also with the garden, company, meals and pets. "
        "Here is what I can do:",
        choices=menu_choices(turn),
    )

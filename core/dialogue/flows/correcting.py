"""The summary of a request, answered: send it, correct a piece of it, or cancel.

At "Shall I send it to the volunteers?", a yes sends; a sentence that names a piece ("non,
plutôt jeudi à 15h", "c'est pour le jardin", "at my daughter's") changes that piece and shows
the summary again; a no, or an answer that names nothing, offers to change what, when or
where (buttons), or to cancel. Nothing the person did not say is changed.
"""

from __future__ import annotations

from core.dialogue.flows import asking
from core.dialogue.request_pieces import pieces_of
from core.dialogue.routing import Answer, step
from core.dialogue.turn import Turn
from core.dialogue.words import is_no, is_yes
from core.domain.errors import InvalidInput
from core.services.outbox import Choice

CHANGE_CHOICES = (
    Choice("The kind of help", "change:what"),
    Choice("The day", "change:when"),
    Choice("The place", "change:where"),
    Choice("Cancel the request", "abort"),
)


@step(asking.FLOW, "confirm", buttons=("confirm", "change"), text=True, otherwise=None)
async def on_summary_answer(turn: Turn, answer: Answer) -> None:
    """Yes sends; a correction changes its piece; no (or nothing named) asks what to change."""
    if answer.button == "confirm" or is_yes(answer.text):
        await asking.on_confirm(turn)
        return
    if answer.button == "change":
        await change(turn, answer.value)
        return
    said = await pieces_of(turn, answer.text) if answer.text else None
    if said is not None and said.any:
        asking.keep(turn, said)
        asking.show_summary(turn)
        return
    if is_no(answer.text) or _starts_with_no(answer.text):
        turn.reply("What would you like to change?", choices=CHANGE_CHOICES)
        return
    turn.reply(
        "Shall I send it to the volunteers? You can also change it.",
        choices=[*asking.CONFIRM_CHOICES[:1], *CHANGE_CHOICES],
    )


def _starts_with_no(text: str | None) -> bool:
    first = (text or "").strip().split(maxsplit=1)
    return bool(first) and is_no(first[0].strip(",.!"))


async def change(turn: Turn, piece: str) -> None:
    """Ask that piece again; once answered, the summary comes back (the others are kept)."""
    if piece == "what":
        asking.ask_category(turn)
    elif piece == "when":
        asking.ask_when(turn)
    elif piece == "where":
        await asking.ask_place(turn)
    else:
        raise InvalidInput("Please choose one of the buttons.")

""" "Who is coming?": the requester asks, at any time, who comes to her door and the word
they will say ("qui vient ?", "who is coming", the button under her accepted request).

Only the requester of a request may ask (`Action.ASK_WHO_IS_COMING`): a volunteer or a
stranger pressing a forged button is told the request does not exist for them.
"""

from __future__ import annotations

from core.dialogue.flows.common import menu_choices
from core.dialogue.routing import RequestId, action
from core.dialogue.turn import Turn
from core.i18n import N_
from core.services import proxies, requests, safety

COMING = N_(
    "{volunteer} is coming to help you {when}: {category}.\n"
    "They will say the safety word: {safety_word}."
)


@action("who_is_coming")
async def who_is_coming(turn: Turn) -> None:
    """For each of her accepted requests: who comes, when (as she said it), the word."""
    member = turn.member
    assert member is not None
    mine = await requests.requests_of(turn.uow, member.id, active_only=True)
    # And the requests of the seniors she is a proxy of (she opens the door, or tells them).
    for senior in await proxies.seniors_of(turn.uow, member.id):
        mine += await requests.requests_of(turn.uow, senior.id, active_only=True)
    comings = [
        found for request in mine if (found := await safety.coming(turn.uow, member, request))
    ]
    turn.goto(None)
    if not comings:
        turn.reply(
            "Nobody is coming yet: no volunteer has accepted a request of yours.",
            choices=menu_choices(turn),
        )
        return
    for found in comings:
        _say(turn, found)


@action("who_coming", arg=RequestId)
async def who_is_coming_for(turn: Turn, request_id: int) -> None:
    """Who comes for this request (its button); refused to anyone but its requester."""
    member = turn.member
    assert member is not None
    request = await requests.get_request(turn.uow, request_id)
    found = await safety.coming(turn.uow, member, request)
    turn.goto(None)
    if found is None:
        turn.reply(
            "Nobody has accepted this request yet. I will write to you as soon as someone does.",
            request_id=request.id,
            choices=menu_choices(turn),
        )
        return
    _say(turn, found)


def _say(turn: Turn, found: safety.Coming) -> None:
    request = found.request
    turn.reply(
        COMING,
        volunteer=found.volunteer,
        safety_word=found.safety_word,
        category=request.category,
        request_id=request.id,
        choices=menu_choices(turn),
        **request.when_said,
    )

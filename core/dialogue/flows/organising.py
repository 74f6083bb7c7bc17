"""Coordinators' tools in the chat: link a public room (the desk's other work, polls
included, is in `flows/desk_*.py`).

Actions: link_group, link_group_private.
"""

from __future__ import annotations

from core.dialogue.arguments import MAX_ACTION_CHARS
from core.dialogue.routing import Code, action
from core.dialogue.turn import Turn
from core.domain.errors import NotAllowed
from core.services import authorization, channels
from core.services.authorization import Action


def _require_coordinator(turn: Turn, action: Action = Action.COORDINATE) -> None:
    if turn.member is None:
        raise NotAllowed(authorization.COORDINATORS_ONLY)
    authorization.require(turn.member, action, turn.member.territory)


@action("link_group", arg=Code(MAX_ACTION_CHARS))
async def link_room(turn: Turn, chat_ref: str) -> None:
    """`link_group:<chat>`: this room becomes the territory's public room."""
    _require_coordinator(turn, Action.LINK_ROOM)
    assert turn.member is not None
    channel = await channels.link_channel(
        turn.uow, turn.member.id, turn.inbound.platform, chat_ref
    )
    turn.reply(
        "This room is now the public room of {territory}. New requests will be posted "
        "here without phone numbers or addresses.",
        territory=turn.territory.name,
    )
    turn.uow.audit(turn.member.id, "channel.welcome", f"channel:{channel.id}")


@action("link_group_private")
async def explain_room_linking(turn: Turn) -> None:
    """`/lier_groupe` written in a private chat: it belongs in the group."""
    turn.reply("Write this command in the group you want to link to your territory.")

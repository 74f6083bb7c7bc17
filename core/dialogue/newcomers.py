"""Someone who is not a member yet: they link this account to their member, follow an
invitation, or are onboarded step by step.

During onboarding a command is never taken for an answer: "annuler" stops it, and any other
command (typed or pressed) asks the current question again; nothing is stored.
"""

from __future__ import annotations

from core.dialogue import routing
from core.dialogue.flows import emergency, link, onboarding
from core.dialogue.turn import Turn
from core.dialogue.words import command_of


async def take_turn(turn: Turn, text: str | None, action: str | None) -> None:
    """Answer a newcomer's message or button press."""
    if action is None and text:
        action = link.typed_link_code(text)  # "lier ABC123": a code from their other app
    if action is not None and action.startswith(("link:", "join:")):
        await routing.press(turn, action)  # a code or an invitation, checked like any button
        return
    if turn.conversation.flow == "link":  # a code typed here waits for a yes or a no
        await routing.answer(turn, text, action)
        return
    if turn.conversation.flow == emergency.DANGER_FLOW:  # "are you in danger?" waits
        await routing.answer(turn, text, action)
        return
    if action == emergency.RESUME:  # back to onboarding after an emergency
        await routing.press(turn, action)
        return
    if turn.conversation.flow != onboarding.FLOW:
        await onboarding.start(turn)
        return
    command = command_of(text) if text and action is None else None
    if command is not None:
        text, action = None, command  # a command, never a name, a place or a phone number
    if action == "abort":
        await routing.press(turn, action)
        return
    if not await routing.answer(turn, text, action):
        await onboarding.start(turn)  # a step that no longer exists: start again

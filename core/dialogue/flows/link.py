"""Linking two accounts of one person (Telegram and Matrix): a code, then an explicit yes.

Step: link/confirm (yes or no; "cancel" is a no). Action: link (without a code: give one to
type on the other app; with one: propose joining this account to the code's member).
"""

from __future__ import annotations

from core.dialogue.flows.common import menu_choices
from core.dialogue.routing import Answer, Code, action, step
from core.dialogue.turn import Turn
from core.dialogue.words import command_of, fold, is_no, is_yes
from core.domain.errors import CodeInvalid, DomainError
from core.services import identity
from core.services.outbox import Choice

# The longest link code a button or a deep link carries.
MAX_CODE_CHARS = 16
LINK_CHOICES = (Choice("Yes, link them", "link_yes"), Choice("No", "link_no"))


@action("link", arg=Code(MAX_CODE_CHARS, optional=True))
async def give_link_code(turn: Turn, code: str) -> None:
    """Without a code: give one to type on the other app. With one: join this account."""
    if code or turn.member is None:
        await redeem_link_code(turn, code)
        return
    issued = await identity.issue_link_code(turn.uow, turn.member.id, account_id=turn.account.id)
    turn.goto(None)
    turn.reply(
        "Your code is {code}. On your other app, write: lier {code}\n"
        "It works once, for {minutes} minutes.",
        code=issued.code,
        minutes=turn.uow.settings.link_code_minutes if turn.uow.settings else 10,
    )


def typed_link_code(text: str) -> str | None:
    """The action of "lier ABC123" / "link ABC123" typed as text."""
    words = fold(text).split()
    if len(words) == 2 and command_of(words[0]) == "link":
        return f"link:{words[1][:MAX_CODE_CHARS]}"
    return None


async def redeem_link_code(turn: Turn, code: str) -> None:
    """A code typed (`lier CODE`) or tapped (a deep link): ask before anything is joined."""
    try:
        proposal = await identity.propose_link(turn.uow, turn.account, code)
    except DomainError as refusal:
        # Answered, not raised: raising would roll back the failed attempt just recorded,
        # and the limit on wrong codes would never be reached.
        turn.reply(refusal.key, **refusal.params)
        return
    # The code waits here, in this account's conversation: the buttons carry none.
    turn.goto("link", "confirm", link_code=proposal.code)
    name = proposal.target.display_name
    if proposal.former is None:
        turn.reply(
            "Link this account to the {platform} account of {name}? You will see {name}'s "
            "requests and tasks here. Only say yes if {name} is you.",
            name=name,
            platform=proposal.platform,
            choices=LINK_CHOICES,
        )
    else:
        turn.reply(
            "Link this account to the {platform} account of {name}? {former}'s requests and "
            "tasks will move to {name}. Only say yes if both are you.",
            name=name,
            platform=proposal.platform,
            former=proposal.former.display_name,
            choices=LINK_CHOICES,
        )


@step("link", "confirm", buttons=("link_yes", "link_no", "abort"), text=True, otherwise=None)
async def on_link_answer(turn: Turn, answer: Answer) -> None:
    """Join this account to the code's member only on an explicit yes."""
    text = answer.text
    if answer.button == "link_yes" or is_yes(text):
        await confirm_link(turn)
    elif answer.button in ("link_no", "abort") or is_no(text) or command_of(text or "") == "abort":
        await refuse_link(turn)
    else:
        turn.reply("Please answer yes or no.", choices=LINK_CHOICES)


async def confirm_link(turn: Turn) -> None:
    """The person said yes to the link waiting in their conversation."""
    code = str(turn.data("link_code") or "")
    turn.goto(None)
    try:
        member = await identity.confirm_link(turn.uow, turn.account, code)
    except CodeInvalid:  # used, replaced or expired meanwhile: checked before any change
        turn.reply(CodeInvalid.key)
        return
    turn.member, turn.territory = member, member.territory
    turn.reply(
        "Your accounts are now joined, {name}.", name=member.first_name, choices=menu_choices(turn)
    )


async def refuse_link(turn: Turn) -> None:
    """The person said no: nothing is joined, the code is spent, its owner is told."""
    await identity.refuse_link(turn.uow, turn.account, str(turn.data("link_code") or ""))
    turn.goto(None)
    turn.reply("Nothing was linked.", choices=menu_choices(turn) if turn.member else ())

"""Acting for someone (issue 15): a proxy chooses for whom, a senior names or removes a proxy.

A proxy for several members (or who asks for help for themselves too) is asked "For whom?"
with a button per person before a request; the rest of the request is the usual flow, posted
for her and recorded as done by the proxy. A senior who chats names a proxy ("ma fille
s'occupe de mes demandes"): a member she names, after a yes, or whoever types the one-time
code she is given. She removes one, and a proxy may step down, from "Who acts for me".

Steps: ask/for_whom (asked here, answered in `asking`), proxy/name (a name typed, or the
code's button). Actions: proxies, proxy_add, proxy_code, proxy_use, proxy_yes, proxy_copy,
proxy_remove, proxy_leave.
"""

from __future__ import annotations

import re

from core.dialogue.arguments import STALE
from core.dialogue.flows.common import menu_choices
from core.dialogue.routing import Answer, Code, MemberId, action, step
from core.dialogue.turn import Turn
from core.dialogue.words import fold
from core.domain.errors import DomainError, InvalidInput, NotAllowed
from core.domain.model import Member
from core.services import members, proxies
from core.services.outbox import Choice
from core.services.text import clean_text

FLOW = "proxy"
MAX_CODE_CHARS = 16
# "Ma fille s'occupe de mes demandes", "my son takes care of my requests": naming a proxy.
_NAMING = re.compile(
    r"(?:s'occupe(?:nt)? de mes demandes|fait mes demandes|agit pour moi|"
    r"takes? care of my requests|acts? for me|does my requests)"
)
# "proche ABC123" / "proxy ABC123": the code a senior gave, typed by the person she named.
_CODE_WORDS = frozenset({"proche", "proxy", "/proche", "/proxy"})
# Her home, as her proxy says it ("chez elle", "at her place"): the place of a request for her.
_THEIR_HOME = re.compile(r"^(?:chez (?:elle|lui)|at (?:her|his|their) (?:home|place|house))$")


def typed_action(text: str) -> str | None:
    """The action words typed outside buttons stand for: a code, or naming a proxy."""
    folded = fold(text).replace("\u2019", "'")
    words = folded.split()
    if len(words) == 2 and words[0] in _CODE_WORDS:
        return f"proxy_use:{words[1][:MAX_CODE_CHARS]}"
    if folded in _CODE_WORDS or folded in ("mes proches", "my proxies"):
        return "proxies"
    return "proxy_add" if _NAMING.search(folded) else None


# --- for whom a request is --------------------------------------------------------------


async def choose_for_whom(turn: Turn) -> bool:
    """Before a request: whether the flow waits for "For whom?" (False: it goes on, for the
    member herself, or for the one person she acts for, kept in the data as `for_id`)."""
    member = turn.member
    assert member is not None
    seniors = await proxies.seniors_of(turn.uow, member.id)
    if not seniors:
        if not member.is_requester:
            raise NotAllowed("Only members registered as asking for help can post a request.")
        return False
    if len(seniors) == 1 and not member.is_requester:
        for_senior(turn, seniors[0])
        return False
    choices = [Choice(s.display_name, f"for:{s.id}", {"translate": False}) for s in seniors]
    if member.is_requester:
        choices.insert(0, Choice("For me", f"for:{member.id}"))
    turn.goto("ask", "for_whom", **_kept(turn))
    turn.reply("For whom is this request?", choices=choices)
    return True


def for_senior(turn: Turn, senior: Member) -> None:
    """The request is for `senior`: "chez elle" said by her proxy is her home."""
    turn.set_data(for_id=senior.id, for_name=senior.first_name)
    place = turn.data("place")
    if isinstance(place, str) and _THEIR_HOME.match(fold(place)):
        turn.set_data(place=None, place_given=True)


def for_whom_ids(turn: Turn, seniors: list[Member]) -> set[int]:
    """The ids a "For whom?" button may carry: her seniors, and herself if she asks too."""
    assert turn.member is not None
    own = {turn.member.id} if turn.member.is_requester else set()
    return {s.id for s in seniors} | own


def _kept(turn: Turn) -> dict[str, object]:
    """What a request in one message already said, kept while "For whom?" is asked."""
    names = ("description", "category", "when_start", "when_end", "place", "place_given")
    return {n: turn.data(n) for n in names if turn.data(n) is not None}


# --- naming and removing a proxy ----------------------------------------------------------


@action("proxies")
async def show_proxies(turn: Turn) -> None:
    """Who acts for this member (each with a button to remove them), and for whom she acts."""
    member = turn.member
    assert member is not None
    turn.goto(None)
    mine = await proxies.proxies_of(turn.uow, member.id)
    for row in mine:
        turn.reply(
            "{name} acts for you.",
            name=row.proxy.display_name,
            choices=[Choice("Remove", f"proxy_remove:{row.proxy_id}")],
        )
    for senior in await proxies.seniors_of(turn.uow, member.id):
        turn.reply(
            "You act for {name}.",
            name=senior.display_name,
            choices=[Choice("Stop acting for this person", f"proxy_leave:{senior.id}")],
        )
    turn.reply(
        "Someone you trust can ask for help for you, and receive your messages.",
        choices=[Choice("Name someone", "proxy_add"), *menu_choices(turn)[:2]],
    )


@action("proxy_add")
async def ask_proxy_name(turn: Turn) -> None:
    """Name a proxy: their name, or a code to give them."""
    member = turn.member
    assert member is not None
    if not await proxies.chats(turn.uow, member.id):
        raise NotAllowed()
    turn.goto(FLOW, "name")
    turn.reply(
        "Who will act for you? Write their name as the cooperative knows it, "
        "or get a code to give them.",
        choices=[Choice("Get a code", "proxy_code"), Choice("Back to the menu", "menu")],
    )


@step(FLOW, "name", buttons=("proxy_code",), text=True)
async def on_proxy_name(turn: Turn, answer: Answer) -> None:
    """A name typed: the members of her territory so named, each to confirm with a yes."""
    member = turn.member
    assert member is not None
    if answer.pressed:
        await give_code(turn)
        return
    name = clean_text(answer.given, limit=80, what="name")
    found = [
        m
        for m in await members.find_members(turn.uow, name, member.territory_id)
        if m.id != member.id and m.is_active and not name.strip().lstrip("#").isdigit()
    ]
    if not found:
        turn.reply(
            "I do not find this name. Write it again, or get a code to give them.",
            choices=[Choice("Get a code", "proxy_code"), Choice("Back to the menu", "menu")],
        )
        return
    turn.goto(None)
    for candidate in found[:5]:
        turn.reply(
            "{name} ({neighbourhood}) will be able to ask for help for you, cancel and say "
            "thank you, and will receive your messages. Do you agree?",
            name=candidate.display_name,
            neighbourhood=candidate.neighbourhood or "-",
            choices=[Choice("Yes, I agree", f"proxy_yes:{candidate.id}"), Choice("No", "menu")],
        )


@action("proxy_yes", arg=MemberId)
async def name_proxy(turn: Turn, proxy_id: int) -> None:
    """Her yes, in her own chat, is her consent."""
    member = turn.member
    assert member is not None
    row = await proxies.add_proxy(
        turn.uow, member.id, proxy_id, consent=proxies.IN_HER_CHAT, by_id=member.id
    )
    await _ask_copy(turn, row.proxy)


async def _ask_copy(turn: Turn, proxy: Member) -> None:
    turn.reply(
        "Done: {name} can act for you. Should {name} also receive your messages?",
        name=proxy.first_name,
        choices=[Choice("Yes", "proxy_copy:on"), Choice("No", "proxy_copy:off")],
    )


@action("proxy_copy", arg=Code(3))
async def set_copy(turn: Turn, value: str) -> None:
    """Whether her proxies are told what she is told (she chats, so she is told anyway)."""
    member = turn.member
    assert member is not None
    if value not in ("on", "off"):
        raise InvalidInput(STALE)
    await proxies.set_care(turn.uow, member.id, by_id=member.id, copy_to_proxies=value == "on")
    turn.goto(None)
    turn.reply("Noted.", choices=menu_choices(turn))


@action("proxy_code")
async def give_code(turn: Turn) -> None:
    """A one-time code for the person she names, to type in their own chat."""
    member = turn.member
    assert member is not None
    code = await proxies.issue_code(turn.uow, member.id)
    turn.goto(None)
    turn.reply(
        "Give this code to the person who will act for you: {code}. "
        "In their chat with me, they write: proche {code}\nIt works once, for 24 hours.",
        code=code.code,
        choices=menu_choices(turn),
    )


@action("proxy_use", arg=Code(MAX_CODE_CHARS))
async def use_code(turn: Turn, code: str) -> None:
    """The code typed by the person the senior named: they now act for her."""
    member = turn.member
    assert member is not None
    try:
        row = await proxies.redeem_code(turn.uow, member.id, code)
    except DomainError as refusal:
        # Answered, not raised: the wrong attempt just counted must be kept (rate limit).
        turn.reply(refusal.key, **refusal.params)
        return
    turn.goto(None)
    turn.reply("Done: you can now act for {name}.", name=row.senior.display_name)


@action("proxy_remove", arg=MemberId)
async def remove_proxy(turn: Turn, proxy_id: int) -> None:
    """She removes someone who acted for her: it ends now."""
    member = turn.member
    assert member is not None
    row = await proxies.remove_proxy(turn.uow, member.id, proxy_id, by_id=member.id)
    turn.reply(
        "Done: {name} no longer acts for you.",
        name=row.proxy.display_name,
        choices=menu_choices(turn),
    )


@action("proxy_leave", arg=MemberId)
async def step_down(turn: Turn, senior_id: int) -> None:
    """A proxy stops acting for someone (she is told)."""
    member = turn.member
    assert member is not None
    row = await proxies.remove_proxy(turn.uow, senior_id, member.id, by_id=member.id)
    turn.reply(
        "Done: you no longer act for {name}.",
        name=row.senior.display_name,
        choices=menu_choices(turn),
    )

"""The loneliness check, where a territory turns it on: who may be offered it, and its tally.

The check is the three questions the UK's Office for National Statistics recommends (how often
do you feel that you lack companionship, left out, isolated from others), each answered "hardly
ever or never" (1), "some of the time" (2) or "often" (3): a total from 3 to 9.

It is offered to requesters only, once they have been helped (a request of theirs done), then
again every three months; `LonelinessAsk` records when it was last offered, and nothing else.
The answers are kept ONLY as one more count in `LonelinessTally` (territory, quarter, wave,
total): never with the member, never in the audit log. Turning it on or off is a coordinator's
action, audited.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Exists, exists, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from core.domain.errors import InvalidInput
from core.domain.model import Assignment, Conversation, HelpRequest, Member, PlatformAccount
from core.domain.observatory_tables import LonelinessAsk, LonelinessTally, ObservatorySetting
from core.domain.vocabulary import MemberStatus, RequestState
from core.i18n import N_
from core.services import outbox
from core.services.authorization import require_coordinator
from core.services.outbox import Choice
from core.services.unit_of_work import UnitOfWork

# Asked again this long after it was last offered (answered, declined or left unanswered).
AGAIN_AFTER = timedelta(days=91)
FIRST, AGAIN = "first", "again"
QUESTIONS = 3
LOWEST, HIGHEST = QUESTIONS * 1, QUESTIONS * 3


async def is_on(uow: UnitOfWork, territory_id: int) -> bool:
    setting = await uow.session.get(ObservatorySetting, territory_id)
    return setting is not None and setting.loneliness_check


async def set_on(uow: UnitOfWork, territory_id: int, *, by_id: int | None, on: bool) -> None:
    """Turn the territory's loneliness check on or off; its coordinators only (audited)."""
    from core.observatory.publication import setting_of

    await require_coordinator(uow, by_id, territory_id)
    setting = await setting_of(uow, territory_id)
    setting.loneliness_check = on
    uow.audit(
        by_id,
        "observatory.loneliness_on" if on else "observatory.loneliness_off",
        f"territory:{territory_id}",
    )


def helped(member_id: int) -> Exists:
    """Whether a request of the member's has been done (the help she got)."""
    return exists().where(
        HelpRequest.requester_id == member_id,
        HelpRequest.state == RequestState.DONE,
        Assignment.request_id == HelpRequest.id,
        Assignment.completed_at.is_not(None),
    )


async def wave_to_offer(uow: UnitOfWork, member: Member) -> str | None:
    """ "first" or "again" if the check is to be offered to this member now; else None (the
    territory has it off, she asks for no help, she has not been helped yet, or she was
    offered it less than three months ago)."""
    if not member.is_requester or member.status == MemberStatus.SUSPENDED:
        return None
    if not await is_on(uow, member.territory_id):
        return None
    asked = await uow.session.get(LonelinessAsk, member.id)
    if asked is not None and uow.now() < asked.asked_at + AGAIN_AFTER:
        return None
    if not (await uow.session.execute(select(helped(member.id)))).scalar():
        return None
    return FIRST if asked is None else AGAIN


async def mark_offered(uow: UnitOfWork, member_id: int) -> None:
    """Record when the check was offered (to offer it again three months later)."""
    asked = await uow.session.get(LonelinessAsk, member_id)
    if asked is None:
        uow.session.add(LonelinessAsk(member_id=member_id, asked_at=uow.now()))
    else:
        asked.asked_at = uow.now()


def quarter_of(uow: UnitOfWork, member: Member) -> str:
    local = uow.now().astimezone(member.territory.tz)
    return f"{local.year}-Q{(local.month - 1) // 3 + 1}"


async def count_answer(uow: UnitOfWork, member: Member, wave: str, total: int) -> None:
    """One more person gave `total` in this quarter and wave: the count only, without her."""
    if wave not in (FIRST, AGAIN) or not LOWEST <= total <= HIGHEST:
        raise InvalidInput("Please choose one of the buttons.")
    key = {
        "territory_id": member.territory_id,
        "quarter": quarter_of(uow, member),
        "wave": wave,
        "score": total,
    }
    session = uow.session
    if session.get_bind().dialect.name == "postgresql":
        insert = pg_insert(LonelinessTally).values(**key, count=1)
    else:
        insert = sqlite_insert(LonelinessTally).values(**key, count=1)
    await session.execute(
        insert.on_conflict_do_update(
            index_elements=list(key), set_={"count": insert.table.c["count"] + 1}
        )
    )


# --- the offer, in the requester's own chat (from the chat or the scheduler) -----------------

FLOW = "loneliness"
OFFER_STEP = "offer"
OFFER = N_(
    "May I ask you 3 short questions about loneliness? It is private: "
    "the cooperative only counts the answers, without names. You can stop at any time."
)


def offer_choices() -> list[Choice]:
    return [Choice("Yes", "lonely:yes"), Choice("No, not now", "lonely:no")]


async def offer_by_schedule(uow: UnitOfWork, member_id: int) -> str:
    """Offer the check in the member's own chat, when it is due and she is in no other flow
    (else tried again the next day). Never to a proxy: the answers are hers alone."""
    member = await uow.session.get(Member, member_id)
    wave = None if member is None else await wave_to_offer(uow, member)
    if member is None or wave is None:
        return "not wanted"
    account = await _own_chat(uow, member)
    if account is None:
        return "no chat"
    conversation = await uow.session.get(Conversation, account.id)
    if conversation is None:
        conversation = Conversation(account_id=account.id, data={}, updated_at=uow.now())
        uow.session.add(conversation)
    elif conversation.flow is not None:
        return "busy"  # in the middle of something: never interrupted
    await mark_offered(uow, member.id)
    conversation.flow, conversation.step = FLOW, OFFER_STEP
    conversation.data = {**conversation.data, "wave": wave}
    conversation.updated_at = uow.now()
    outbox.write(uow, OFFER, account=account, choices=offer_choices())
    return "offered"


async def _own_chat(uow: UnitOfWork, member: Member) -> PlatformAccount | None:
    """The member's private chat, on her preferred platform if she has one."""
    rows = await uow.session.execute(
        select(PlatformAccount)
        .where(
            PlatformAccount.member_id == member.id,
            PlatformAccount.chat_ref.is_not(None),
            PlatformAccount.reachable.is_(True),
        )
        .order_by(PlatformAccount.id)
    )
    accounts = list(rows.scalars())
    preferred = [a for a in accounts if a.platform == member.preferred_platform]
    return (preferred or accounts or [None])[0]


# A check left unanswered this long has its running total dropped (by the hourly pruning).
UNFINISHED_AFTER = timedelta(hours=24)
# What the check's flow keeps in a conversation while it runs (`flows/loneliness.py`).
FLOW_DATA = ("wave", "index", "total", "asked")


async def drop_unfinished(uow: UnitOfWork) -> int:
    """Conversations left in the middle of the check for a day: the check is ended, and its
    running total (and wave) dropped, as if she had pressed "Stop". How many."""
    before = uow.now() - UNFINISHED_AFTER
    rows = await uow.session.execute(
        select(Conversation).where(Conversation.flow == FLOW, Conversation.updated_at < before)
    )
    left = list(rows.scalars())
    for conversation in left:
        conversation.flow = conversation.step = None
        data = conversation.data
        conversation.data = {k: v for k, v in data.items() if k not in FLOW_DATA}
        conversation.updated_at = uow.now()
    return len(left)

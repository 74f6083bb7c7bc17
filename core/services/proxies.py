"""Members who do not chat, and the proxies who act for them (issue 15).

A coordinator registers a senior who does not chat (`register_no_chat`: when to call her) and
names her proxies with her consent, its day and how she gave it (`add_proxy`); a senior who
chats names one herself, by choosing a member or by giving a one-time code they type
(`issue_code`, `redeem_code`). Who may do this is decided in `authorization` (an outsider
cannot make themselves a proxy). Revoking (`remove_proxy`) ends the access at once: the
authorization reads the proxies at every action, the notices still waiting for the former proxy
are withheld, and planned reminders find the readers when they are sent (`readers_of`).
"""

from __future__ import annotations

import re
import secrets
from datetime import date, timedelta

from sqlalchemy import select

from core.domain import events
from core.domain.errors import CodeInvalid, InvalidInput, NotFound
from core.domain.model import CareProfile, Member, Notification, Proxy, ProxyCode, Territory
from core.domain.vocabulary import MemberStatus, Outcome
from core.services import attempts, authorization
from core.services.authorization import Action
from core.services.lookup import get_member
from core.services.members import coordinators_of
from core.services.text import clean_text
from core.services.unit_of_work import UnitOfWork

CONSENT_CHARS = 200
CALL_TIMES_CHARS = 120
# The consent a senior gives herself, in her own chat (stored as the record, not shown).
IN_HER_CHAT = "given by the member in her own chat"
BY_HER_CODE = "given by the member in her own chat, with a one-time code"
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6
CODE_VALID = timedelta(hours=24)
PROXY_CODE = "proxy-code"  # the rate limit on wrong codes (see `attempts`)
# Where a notice sent to a proxy says for whom it is (see `core/dialogue/render.py`).
FOR_NAME, FOR_ID = "on_behalf_of", "for_member_id"
_ISO_DAY = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")


async def care_of(uow: UnitOfWork, member_id: int) -> CareProfile | None:
    return await uow.session.get(CareProfile, member_id)


async def chats(uow: UnitOfWork, member_id: int) -> bool:
    """Whether a member chats (a member with no care profile does)."""
    profile = await care_of(uow, member_id)
    return profile is None or profile.chats


async def _profile(uow: UnitOfWork, member_id: int) -> CareProfile:
    profile = await care_of(uow, member_id)
    if profile is None:
        profile = CareProfile(member_id=member_id, chats=True, updated_at=uow.now())
        uow.session.add(profile)
    return profile


async def set_care(
    uow: UnitOfWork,
    member_id: int,
    *,
    by_id: int | None,
    chats: bool | None = None,
    call_times: str | None = None,
    copy_to_proxies: bool | None = None,
) -> CareProfile:
    """Change how a member is reached (herself, or a coordinator of her territory)."""
    member = await get_member(uow, member_id)
    await authorization.require_by(uow, by_id, Action.ACT_FOR_MEMBER, member)
    profile = await _profile(uow, member.id)
    changed: list[str] = []
    if chats is not None:
        profile.chats = chats
        changed.append("chats")
    if call_times is not None:
        cleaned = call_times.strip()
        profile.call_times = (
            clean_text(cleaned, limit=CALL_TIMES_CHARS, what="call times") if cleaned else None
        )
        changed.append("call_times")
    if copy_to_proxies is not None:
        profile.copy_to_proxies = copy_to_proxies
        changed.append("copy_to_proxies")
    profile.updated_at = uow.now()
    uow.audit(by_id, "member.care", f"member:{member.id}", fields=changed)
    return profile


async def register_no_chat(
    uow: UnitOfWork, member_id: int, *, call_times: str | None, by_id: int | None
) -> CareProfile:
    """A member who does not chat: no platform account, her notices go to her proxies."""
    member = await get_member(uow, member_id)
    if member.accounts:
        raise InvalidInput("{name} already chats with the bot.", name=member.first_name)
    return await set_care(uow, member_id, by_id=by_id, chats=False, call_times=call_times or "")


def consent_day(consent: str, today: date) -> date:
    """The day a consent names ("by phone, 2026-12-01"), else today; never a day to come."""
    found = _ISO_DAY.search(consent)
    if found is None:
        return today
    try:
        day = date.fromisoformat(found.group(1))
    except ValueError as exc:
        raise InvalidInput("This date does not exist: {day}.", day=found.group(1)) from exc
    if day > today:
        raise InvalidInput("A consent cannot be given on a day still to come.")
    return day


async def add_proxy(
    uow: UnitOfWork,
    senior_id: int,
    proxy_id: int,
    *,
    consent: str,
    by_id: int | None,
    volunteers_call_proxy: bool = False,
) -> Proxy:
    """Name `proxy_id` as acting for `senior_id`, her consent recorded (by `by_id`)."""
    senior = await get_member(uow, senior_id)
    await authorization.require_by(uow, by_id, Action.NAME_PROXY, senior)
    proxy = await get_member(uow, proxy_id)
    if proxy.id == senior.id:
        raise InvalidInput("A member cannot act for themselves.")
    if proxy.territory_id != senior.territory_id or not proxy.is_active:
        raise InvalidInput("{name} cannot act for a member here.", name=proxy.first_name)
    if not consent.strip():
        raise InvalidInput("Please say how and when the member gave their consent.")
    consent = clean_text(consent, limit=CONSENT_CHARS, what="consent")
    if any(p.proxy_id == proxy.id for p in await proxies_of(uow, senior.id)):
        raise InvalidInput("{name} already acts for this member.", name=proxy.first_name)
    territory = await uow.session.get(Territory, senior.territory_id)
    assert territory is not None
    row = Proxy(
        senior_id=senior.id,
        proxy_id=proxy.id,
        senior=senior,  # set, so that the new row reads them without a lazy load
        proxy=proxy,
        consent=consent,
        consent_on=consent_day(consent, uow.now().astimezone(territory.tz).date()),
        recorded_by=by_id,
        created_at=uow.now(),
    )
    uow.session.add(row)
    if volunteers_call_proxy:
        (await _profile(uow, senior.id)).call_proxy_id = proxy.id
    await uow.session.flush()
    uow.audit(by_id, "proxy.add", f"member:{senior.id}", proxy=proxy.id, consent=consent)
    uow.publish(events.ProxyAdded(senior.id, proxy.id))
    return row


async def remove_proxy(
    uow: UnitOfWork, senior_id: int, proxy_id: int, *, by_id: int | None
) -> Proxy:
    """Revoke a proxy: access ends now, and what still waits for them about her is withheld."""
    row = next((p for p in await proxies_of(uow, senior_id) if p.proxy_id == proxy_id), None)
    if row is None:
        raise NotFound("This person does not act for this member.")
    await authorization.require_by(uow, by_id, Action.REMOVE_PROXY, row)
    row.revoked_at, row.revoked_by = uow.now(), by_id
    profile = await care_of(uow, senior_id)
    if profile is not None and profile.call_proxy_id == proxy_id:
        profile.call_proxy_id = None
    await withhold_waiting_notices(uow, proxy_id, senior_id)
    uow.audit(by_id, "proxy.remove", f"member:{senior_id}", proxy=proxy_id)
    uow.publish(events.ProxyRemoved(senior_id, proxy_id, by_id))
    return row


async def withhold_waiting_notices(uow: UnitOfWork, proxy_id: int, senior_id: int) -> int:
    """The notices about a senior not yet sent to her former proxy are not sent at all."""
    rows = await uow.session.execute(
        select(Notification).where(
            Notification.member_id == proxy_id, Notification.sent_at.is_(None)
        )
    )
    withheld = 0
    for row in rows.scalars():
        if row.params.get(FOR_ID) == senior_id:
            row.choices = []
            row.sent_at, row.outcome, row.claimed_until = uow.now(), Outcome.SKIPPED, None
            withheld += 1
    return withheld


async def proxies_of(uow: UnitOfWork, senior_id: int, *, active_only: bool = True) -> list[Proxy]:
    """A senior's proxies (the revoked ones too, with `active_only=False`), oldest first."""
    query = select(Proxy).where(Proxy.senior_id == senior_id)
    if active_only:
        query = query.where(Proxy.revoked_at.is_(None))
    return list((await uow.session.execute(query.order_by(Proxy.id))).scalars())


async def list_proxies(
    uow: UnitOfWork, *, senior_id: int | None = None, territory_id: int | None = None
) -> list[Proxy]:
    """Active proxies, of one senior or of a territory (`entraide member proxy list`)."""
    query = select(Proxy).where(Proxy.revoked_at.is_(None))
    if senior_id is not None:
        query = query.where(Proxy.senior_id == senior_id)
    if territory_id is not None:
        seniors = select(Member.id).where(Member.territory_id == territory_id)
        query = query.where(Proxy.senior_id.in_(seniors))
    return list((await uow.session.execute(query.order_by(Proxy.id))).scalars())


async def seniors_of(uow: UnitOfWork, proxy_id: int) -> list[Member]:
    """The members someone acts for now (each still a member), by name."""
    seniors = [
        p.senior
        for p in (
            await uow.session.execute(
                select(Proxy).where(Proxy.proxy_id == proxy_id, Proxy.revoked_at.is_(None))
            )
        ).scalars()
        if p.senior.is_active
    ]
    return sorted(seniors, key=lambda m: (m.display_name.casefold(), m.id))


async def readers_of(uow: UnitOfWork, member: Member) -> list[tuple[Member, Member | None]]:
    """Who is told what concerns `member`, and for whom: (reader, None) is herself.

    She, if she chats; her active proxies if she does not, or if she chose they are told too.
    Nobody at all would be a senior left alone: the coordinators of her territory are told,
    to call her.
    """
    profile = await care_of(uow, member.id)
    she_chats = profile is None or profile.chats
    readers: list[tuple[Member, Member | None]] = [(member, None)] if she_chats else []
    if not she_chats or (profile is not None and profile.copy_to_proxies):
        readers += [
            (p.proxy, member)
            for p in await proxies_of(uow, member.id)
            if p.proxy.status in (MemberStatus.APPROVED, MemberStatus.PENDING)
        ]
    if not readers:
        readers = [(c, member) for c in await coordinators_of(uow, member.territory_id)]
    return readers


def on_behalf(senior: Member | None) -> dict[str, object]:
    """The parameters of a notice written to someone for `senior` (none for herself)."""
    return {} if senior is None else {FOR_NAME: senior.first_name, FOR_ID: senior.id}


async def issue_code(uow: UnitOfWork, senior_id: int) -> ProxyCode:
    """A one-time code the senior gives the person she names (replaces her unused codes)."""
    senior = await get_member(uow, senior_id)
    await authorization.require_by(uow, senior.id, Action.NAME_PROXY, senior)
    waiting = await uow.session.execute(
        select(ProxyCode).where(ProxyCode.senior_id == senior.id, ProxyCode.used_at.is_(None))
    )
    for old in waiting.scalars():
        await uow.session.delete(old)
    code = ProxyCode(
        code="".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)),
        senior_id=senior.id,
        created_at=uow.now(),
        expires_at=uow.now() + CODE_VALID,
    )
    uow.session.add(code)
    await uow.session.flush()
    uow.audit(senior.id, "proxy.code", f"member:{senior.id}")
    return code


def code_limit(settings: object) -> attempts.Limit:
    """Wrong proxy codes tolerated: as for link codes (a code is six letters of 31)."""
    limit = attempts.link_code_limit(settings)
    return attempts.Limit(PROXY_CODE, limit.per_subject, limit.overall, limit.window)


async def redeem_code(uow: UnitOfWork, proxy_id: int, typed: str) -> Proxy:
    """The person the senior named types her code: they become her proxy, with her consent
    (she asked for the code in her own chat). A wrong code is counted and refused; the caller
    commits that count even though it refuses."""
    limit = code_limit(uow.settings)
    subject = f"member:{proxy_id}"
    await attempts.ensure_allowed(uow, limit, subject)
    normalized = "".join(ch for ch in typed.upper() if ch.isalnum())[:16]
    code = await uow.session.get(ProxyCode, normalized) if normalized else None
    if code is None or code.used_at is not None or code.expires_at < uow.now():
        attempts.record(uow, PROXY_CODE, subject, succeeded=False)
        raise CodeInvalid()
    code.used_at, code.used_by = uow.now(), proxy_id
    attempts.record(uow, PROXY_CODE, subject, succeeded=True)
    # The senior's consent is her code: she is the one who names the proxy.
    return await add_proxy(
        uow, code.senior_id, proxy_id, consent=BY_HER_CODE, by_id=code.senior_id
    )


async def end_all_of(uow: UnitOfWork, member_id: int, *, by_id: int | None) -> None:
    """A member erased: nobody acts for her any more, and she acts for nobody."""
    rows = await uow.session.execute(
        select(Proxy).where(
            Proxy.revoked_at.is_(None),
            (Proxy.senior_id == member_id) | (Proxy.proxy_id == member_id),
        )
    )
    for row in rows.scalars():
        row.revoked_at, row.revoked_by = uow.now(), by_id
        await withhold_waiting_notices(uow, row.proxy_id, row.senior_id)
        uow.audit(by_id, "proxy.remove", f"member:{row.senior_id}", proxy=row.proxy_id)

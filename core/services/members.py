"""Services about territories, members, their roles and their platform accounts."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from core.domain import events
from core.domain.errors import InvalidInput, NotFound
from core.domain.model import Member, PlatformAccount, Territory
from core.domain.people import name_key
from core.domain.vocabulary import LANGUAGES, Category, MemberStatus, Role
from core.i18n import N_
from core.services import authorization, contact, requests
from core.services.authorization import Action
from core.services.lookup import get_member
from core.services.text import clean_name, clean_text
from core.services.unit_of_work import UnitOfWork

# The labels are message ids: each member reads them in their language (a label a
# coordinator writes for their territory is shown as written).
FRANCE_EMERGENCY_NUMBERS = [
    {"number": "112", "label": N_("Emergency, from any phone in Europe")},
    {"number": "15", "label": N_("SAMU: medical emergency")},
    {"number": "17", "label": N_("Police")},
    {"number": "18", "label": N_("Fire brigade")},
    {"number": "114", "label": N_("By text message, for deaf or hard-of-hearing people")},
]


async def add_territory(
    uow: UnitOfWork,
    name: str,
    *,
    timezone: str = "Europe/Paris",
    language: str = "fr",
    neighbourhoods: Iterable[str] = (),
    emergency_numbers: list[dict[str, str]] | None = None,
) -> Territory:
    """Create a territory; its name must be unique."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = clean_text(name, limit=120, what="territory name")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInput("Unknown time zone: {tz}.", tz=timezone) from exc
    if await territory_named(uow, name) is not None:
        raise InvalidInput("A territory named {name} already exists.", name=name)
    territory = Territory(
        name=name,
        timezone=timezone,
        language=_language(language),
        neighbourhoods=[clean_text(n, limit=80, what="neighbourhood") for n in neighbourhoods],
        emergency_numbers=emergency_numbers or FRANCE_EMERGENCY_NUMBERS,
        created_at=uow.now(),
    )
    uow.session.add(territory)
    await uow.session.flush()
    uow.audit(None, "territory.add", f"territory:{territory.id}", name=name)
    return territory


async def territory_named(uow: UnitOfWork, name: str) -> Territory | None:
    return (
        await uow.session.execute(select(Territory).where(Territory.name == name))
    ).scalar_one_or_none()


async def ensure_territory(uow: UnitOfWork, name: str, timezone: str, language: str) -> Territory:
    """Return the territory of that name, creating it with defaults on first use."""
    return await territory_named(uow, name) or await add_territory(
        uow, name, timezone=timezone, language=language
    )


async def list_territories(uow: UnitOfWork) -> list[Territory]:
    return list((await uow.session.execute(select(Territory).order_by(Territory.id))).scalars())


async def find_members(
    uow: UnitOfWork, name_or_id: str, territory_id: int | None = None
) -> list[Member]:
    """Members matching a `#id`, an id, or a display name (case and accents ignored)."""
    ref = name_or_id.strip().lstrip("#")
    query = select(Member).where(Member.status != MemberStatus.ERASED)
    if ref.isdigit():
        query = query.where(Member.id == int(ref))
    else:
        query = query.where(Member.name_key == name_key(ref))
    if territory_id is not None:
        query = query.where(Member.territory_id == territory_id)
    return list((await uow.session.execute(query.order_by(Member.id))).scalars())


async def list_members(uow: UnitOfWork, territory_id: int | None = None) -> list[Member]:
    query = select(Member).where(Member.status != MemberStatus.ERASED).order_by(Member.id)
    if territory_id is not None:
        query = query.where(Member.territory_id == territory_id)
    return list((await uow.session.execute(query)).scalars())


async def onboard_member(
    uow: UnitOfWork,
    territory_id: int,
    display_name: str,
    *,
    roles: Iterable[Role | str],
    language: str = "fr",
    neighbourhood: str | None = None,
    skills: Iterable[Category | str] = (),
    availability: int = 0,
    phone: str | None = None,
    address: str | None = None,
    account: PlatformAccount | None = None,
) -> Member:
    """Register a member. Volunteers wait for a coordinator's approval; others start approved."""
    role_set = _roles(roles)
    if not role_set:
        raise InvalidInput("Choose at least one role.")
    categories = _categories(skills)
    territory = await uow.session.get(Territory, territory_id)
    if territory is None:
        raise NotFound()
    member = Member(
        territory_id=territory_id,
        display_name=clean_name(display_name),
        is_requester=Role.REQUESTER in role_set,
        is_volunteer=Role.VOLUNTEER in role_set,
        is_coordinator=Role.COORDINATOR in role_set,
        language=_language(language),
        neighbourhood=_optional(neighbourhood, 80, "neighbourhood"),
        availability=availability,
        phone=_phone(phone),
        address=_optional(address, 300, "address"),
        status=MemberStatus.PENDING if Role.VOLUNTEER in role_set else MemberStatus.APPROVED,
        preferred_platform=account.platform if account else None,
        created_at=uow.now(),
        skills=[],
        accounts=[],
    )
    if member.status == MemberStatus.APPROVED:
        member.approved_at = uow.now()
    uow.session.add(member)
    await uow.session.flush()
    member.set_skills(categories)
    if account is not None:
        account.member_id = member.id
        member.accounts.append(account)
    await uow.session.flush()
    uow.audit(member.id, "member.join", f"member:{member.id}", roles=sorted(role_set))
    uow.publish(events.MemberJoined(member.id))
    return member


async def update_profile(uow: UnitOfWork, member_id: int, **changes: Any) -> Member:
    """Change a member's own profile fields (name, language, neighbourhood, skills, contact...)."""
    member = await get_member(uow, member_id)
    for field, value in changes.items():
        if field == "display_name":
            member.display_name = clean_name(value)
        elif field == "language":
            member.language = _language(value)
        elif field == "neighbourhood":
            member.neighbourhood = _optional(value, 80, "neighbourhood")
        elif field == "phone":
            member.phone = _phone(value)
        elif field == "address":
            member.address = _optional(value, 300, "address")
        elif field == "skills":
            member.set_skills(_categories(value))
        elif field == "availability":
            member.availability = int(value)
        elif field == "preferred_platform":
            member.preferred_platform = value
        else:
            raise InvalidInput("Unknown profile field {field}.", field=field)
    uow.audit(member_id, "member.update", f"member:{member_id}", fields=sorted(changes))
    return member


async def approve_member(uow: UnitOfWork, member_id: int, *, by_id: int | None) -> Member:
    """A coordinator (or the administrator, `by_id=None`) approves a member."""
    member = await get_member(uow, member_id)
    await authorization.require_by(uow, by_id, Action.COORDINATE, member)
    if member.status == MemberStatus.APPROVED:
        return member
    member.status = MemberStatus.APPROVED
    member.approved_at = uow.now()
    uow.audit(by_id, "member.approve", f"member:{member_id}")
    uow.publish(events.MemberApproved(member_id, by_id))
    return member


async def refuse_volunteer(
    uow: UnitOfWork, member_id: int, *, by_id: int | None, reason: str = ""
) -> Member:
    """A coordinator does not approve a volunteer waiting for it: the volunteer role goes.

    A member who also asks for help stays, approved as such; one who only offered to help
    stays a member without a role (they may still write to the coordinators, and offer again).
    The volunteer is told, with the reason if one is given.
    """
    member = await get_member(uow, member_id)
    await authorization.require_by(uow, by_id, Action.COORDINATE, member)
    if member.status != MemberStatus.PENDING or not member.is_volunteer:
        raise InvalidInput("This member is not waiting for approval.")
    reason = _optional(reason, 300, "reason") or ""
    member.is_volunteer = False
    if member.is_requester or member.is_coordinator:
        member.status, member.approved_at = MemberStatus.APPROVED, uow.now()
    uow.audit(by_id, "member.refuse", f"member:{member_id}", reason=reason)
    uow.publish(events.VolunteerRefused(member_id, by_id, reason))
    return member


async def suspend_member(
    uow: UnitOfWork, member_id: int, *, by_id: int | None, reason: str = ""
) -> Member:
    """Suspend a member: their access ends now, not at their next message.

    Their open tasks are taken back and offered again at once (the requesters are told), and
    the contact details still waiting for them in the outbox are withheld. The reason goes
    to the audit log only: a coordinator tells it to the member in person.
    """
    member = await get_member(uow, member_id)
    await authorization.require_by(uow, by_id, Action.COORDINATE, member)
    if member.status == MemberStatus.SUSPENDED:
        raise InvalidInput("This member is already suspended.")
    reason = _optional(reason, 300, "reason") or ""
    member.status = MemberStatus.SUSPENDED
    uow.audit(by_id, "member.suspend", f"member:{member_id}", reason=reason)
    uow.publish(events.MemberSuspended(member_id, by_id))
    await requests.release_tasks_of(uow, member_id, by_id=by_id)
    await contact.withhold_waiting_cards(uow, member)
    return member


async def promote_member(
    uow: UnitOfWork, member_id: int, role: Role | str, *, by_id: int | None
) -> Member:
    """Give a member one more role; a new volunteer role needs approval again."""
    member = await get_member(uow, member_id)
    await authorization.require_by(uow, by_id, Action.COORDINATE, member)
    role = Role(role)
    if role == Role.REQUESTER:
        member.is_requester = True
    elif role == Role.VOLUNTEER:
        member.is_volunteer = True
    else:
        member.is_coordinator = True
        if member.status == MemberStatus.PENDING:
            member.status, member.approved_at = MemberStatus.APPROVED, uow.now()
    uow.audit(by_id, "member.promote", f"member:{member_id}", role=str(role))
    return member


async def coordinators_of(uow: UnitOfWork, territory_id: int) -> list[Member]:
    query = select(Member).where(
        Member.territory_id == territory_id,
        Member.is_coordinator.is_(True),
        Member.status == MemberStatus.APPROVED,
    )
    return list((await uow.session.execute(query.order_by(Member.id))).scalars())


def _roles(values: Iterable[Role | str]) -> set[Role]:
    try:
        return {Role(r) for r in values}
    except ValueError as exc:
        raise InvalidInput() from exc


def _categories(values: Iterable[Category | str]) -> set[Category]:
    categories: set[Category] = set()
    for value in values:
        try:
            categories.add(Category(value))
        except ValueError as exc:
            raise InvalidInput("Unknown kind of help: {category}.", category=value) from exc
    return categories


def _language(value: str) -> str:
    value = (value or "").strip().lower()[:2]
    if value not in LANGUAGES:
        raise InvalidInput("Languages available: français (fr), English (en).")
    return value


def _optional(value: str | None, limit: int, what: str) -> str | None:
    if value is None or not value.strip():
        return None
    return clean_text(value, limit=limit, what=what)


def _phone(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    cleaned = clean_text(value, limit=40, what="phone number")
    digits = sum(ch.isdigit() for ch in cleaned)
    if digits < 6 or any(not (ch.isdigit() or ch in "+ .-()") for ch in cleaned):
        raise InvalidInput("This does not look like a phone number: {value}.", value=cleaned)
    return cleaned

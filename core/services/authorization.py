"""Who may do what to what: the one place that decides.

Every service and every flow asks here before it reads or changes something for someone:
`require(actor, Action.CANCEL_REQUEST, request)` raises a `DomainError` whose message is one
kind sentence, `may(...)` answers yes or no. The actor is a `Member` or `ADMINISTRATOR` (the
person at the command line). The subject is what is touched: a `Territory`, a `Member`, a
`HelpRequest`, a `Poll` or a `Proxy`. Three things are always checked: the actor's status
(approved, or at least not suspended nor erased), their role, and the territory of the subject,
so that a button forged with another territory's id is refused before anything is read or written.

A proxy acts for a senior (issue 15): `require_by` reads, at every call, the seniors the actor
is an active proxy of, so a revoked proxy loses access at once; with them, a proxy may do to her
requests what she may do herself (`PROXY_MAY`). Naming a proxy needs the senior herself, in her
own chat, or a coordinator of her territory, who records her consent: never the proxy alone.

Nothing here does I/O but `actor_of` and `proxied_by`, which load the actor and their seniors.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from core.domain.errors import (
    DomainError,
    NotAllowed,
    NotAMember,
    NotApproved,
    NotAVoter,
    NotFound,
    Suspended,
)
from core.domain.model import DeskThread, HelpRequest, Member, Poll, Proxy, Territory
from core.domain.vocabulary import MemberStatus, RequestState
from core.services import electorate
from core.services.actions import Action
from core.services.unit_of_work import UnitOfWork

__all__ = ["ADMINISTRATOR", "Action", "may", "require", "require_by", "require_coordinator"]


class Administrator:
    """The person at the command line (`by_id=None` in the services): may coordinate anything."""

    def __repr__(self) -> str:
        return "ADMINISTRATOR"


ADMINISTRATOR = Administrator()
Actor = Member | Administrator
Subject = Territory | Member | HelpRequest | Poll | DeskThread | Proxy
# What an active proxy may do to the requests of the senior they act for.
PROXY_MAY = frozenset(
    {
        Action.POST_REQUEST_FOR,
        Action.SEE_REQUEST,
        Action.CANCEL_REQUEST,
        Action.CHANGE_REQUEST,
        Action.THANK_VOLUNTEER,
        Action.ASK_WHO_IS_COMING,  # her proxy opens the door with her, or tells her who comes
        Action.SEE_SAFETY_WORD,
    }
)
NO_PROXIES: frozenset[int] = frozenset()

# What the administrator may do; acting as a volunteer or voting needs a member.
ADMINISTRATOR_MAY = frozenset(
    {
        Action.COORDINATE,
        Action.LINK_ROOM,
        Action.ACT_FOR_MEMBER,
        Action.SEE_REQUEST,
        Action.CANCEL_REQUEST,
        Action.COMPLETE_TASK,
        Action.SEE_CONTACT,
        Action.SEE_MEMBER_CONTACT,
        Action.SEE_POLL,
        Action.NAME_PROXY,
        Action.REMOVE_PROXY,
    }
)

COORDINATORS_ONLY = "Only a coordinator of this territory can do that."
NOT_YOURS = "This task is not yours."


def may(
    actor: Actor, action: Action, subject: Subject, proxied: frozenset[int] = NO_PROXIES
) -> bool:
    """Whether `actor` may do `action` to `subject` now (`proxied`: the seniors they act for)."""
    return refusal(actor, action, subject, proxied) is None


def require(
    actor: Actor, action: Action, subject: Subject, proxied: frozenset[int] = NO_PROXIES
) -> None:
    """Raise the kind refusal if `actor` may not do `action` to `subject`."""
    error = refusal(actor, action, subject, proxied)
    if error is not None:
        raise error


async def proxied_by(uow: UnitOfWork, actor: Actor) -> frozenset[int]:
    """The seniors `actor` is an active proxy of now (read at every call: a revocation counts
    at once), if those seniors are still members."""
    if not isinstance(actor, Member):
        return NO_PROXIES
    rows = await uow.session.execute(
        select(Proxy.senior_id)
        .join(Member, Member.id == Proxy.senior_id)
        .where(
            Proxy.proxy_id == actor.id,
            Proxy.revoked_at.is_(None),
            Member.status != MemberStatus.ERASED,
        )
    )
    return frozenset(rows.scalars())


async def actor_of(uow: UnitOfWork, actor_id: int | None) -> Actor:
    """The member acting (`None` is the administrator at the command line)."""
    if actor_id is None:
        return ADMINISTRATOR
    member = await uow.session.get(Member, actor_id)
    if member is None or member.status == MemberStatus.ERASED:
        raise NotFound()
    return member


async def require_by(
    uow: UnitOfWork, actor_id: int | None, action: Action, subject: Subject
) -> Actor:
    """`require` for an actor given by id (as the services receive it), with the seniors they
    act for now; returns the actor."""
    actor = await actor_of(uow, actor_id)
    proxied = await proxied_by(uow, actor) if action in PROXY_MAY else NO_PROXIES
    require(actor, action, subject, proxied)
    return actor


async def require_coordinator(uow: UnitOfWork, actor_id: int | None, territory_id: int) -> Actor:
    """The actor may coordinate this territory (the administrator may coordinate them all)."""
    territory = await uow.session.get(Territory, territory_id)
    if territory is None:
        raise NotFound()
    return await require_by(uow, actor_id, Action.COORDINATE, territory)


def refusal(
    actor: Actor, action: Action, subject: Subject, proxied: frozenset[int] = NO_PROXIES
) -> DomainError | None:
    """The refusal `actor` gets for `action` on `subject`, or None when it is allowed."""
    if isinstance(actor, Administrator):
        return None if action in ADMINISTRATOR_MAY else NotAllowed()
    if action == Action.VOTE:  # one answer for every voter who is not one
        return _vote(actor, subject)
    if actor.status == MemberStatus.ERASED:
        return NotAMember()
    # The rule's own refusal first (it says what is wrong with the request itself); what it
    # allows, a suspended member may still not do, but act on their own data (erasure).
    error = RULES[action](actor, subject)
    if error is not None and action in PROXY_MAY and _acts_for(subject, proxied):
        error = None  # what she may do herself, her proxy may do for her
    own_data = action == Action.ACT_FOR_MEMBER and subject is actor
    # A suspended member may still talk with the coordination (their side of a thread).
    own_data = own_data or (isinstance(subject, DeskThread) and subject.member_id == actor.id)
    if error is None and actor.status == MemberStatus.SUSPENDED and not own_data:
        return Suspended()
    return error


# --- the rules (the actor is a member, not erased; suspension is checked after them) ----------


def _territory_of(subject: Subject) -> int:
    return subject.id if isinstance(subject, Territory) else subject.territory_id


def _coordinates(actor: Member, subject: Subject) -> bool:
    """A coordinator's powers: approved, and of the territory of what is touched."""
    return (
        actor.is_coordinator
        and actor.status == MemberStatus.APPROVED
        and actor.territory_id == _territory_of(subject)
    )


def _holds(actor: Member, request: HelpRequest) -> bool:
    """The actor is the volunteer holding the task now (accepted, or done by them)."""
    holder = request.active_assignment
    return holder is not None and holder.volunteer_id == actor.id


def _acts_for(subject: Subject, proxied: frozenset[int]) -> bool:
    """The subject is one of the seniors the actor acts for, or a request of hers."""
    if isinstance(subject, HelpRequest):
        return subject.requester_id in proxied
    return isinstance(subject, Member) and subject.id in proxied


def _coordinate(actor: Member, subject: Subject) -> DomainError | None:
    return None if _coordinates(actor, subject) else NotAllowed(COORDINATORS_ONLY)


def _act_for_member(actor: Member, subject: Subject) -> DomainError | None:
    if isinstance(subject, Member) and (subject.id == actor.id or _coordinates(actor, subject)):
        return None
    return NotAllowed(COORDINATORS_ONLY)


def _see_request(actor: Member, subject: Subject) -> DomainError | None:
    if isinstance(subject, HelpRequest) and (
        subject.requester_id == actor.id or _holds(actor, subject) or _coordinates(actor, subject)
    ):
        return None
    return NotFound()


def _accept(actor: Member, subject: Subject) -> DomainError | None:
    if actor.status == MemberStatus.SUSPENDED:
        return Suspended()
    if not actor.is_volunteer:
        return NotAllowed("Only volunteers can accept a request.")
    if actor.status != MemberStatus.APPROVED:
        return NotApproved()
    if not isinstance(subject, HelpRequest) or subject.territory_id != actor.territory_id:
        return NotFound()  # another territory's request does not exist for this volunteer
    if subject.requester_id == actor.id:
        return NotAllowed("You cannot accept your own request.")
    return None


def _decline(actor: Member, subject: Subject) -> DomainError | None:
    """Saying "not for me" only records a wish: any volunteer of the territory may."""
    if not actor.is_volunteer:
        return NotAllowed()
    if not isinstance(subject, HelpRequest) or subject.territory_id != actor.territory_id:
        return NotFound()
    return None


def _cancel_request(actor: Member, subject: Subject) -> DomainError | None:
    if isinstance(subject, HelpRequest) and (
        subject.requester_id == actor.id or _coordinates(actor, subject)
    ):
        return None
    return NotAllowed("Only the person who asked, or a coordinator, can cancel it.")


def _change_request(actor: Member, subject: Subject) -> DomainError | None:
    """The person who asked (her active proxies: `PROXY_MAY`), or a coordinator."""
    refused = _cancel_request(actor, subject)
    return refused and NotAllowed("Only the person who asked, or a coordinator, can change it.")


def _complete_task(actor: Member, subject: Subject) -> DomainError | None:
    if not isinstance(subject, HelpRequest):
        return NotAllowed(NOT_YOURS)
    if _holds(actor, subject) or _coordinates(actor, subject):
        return None
    if subject.active_assignment is None and subject.territory_id == actor.territory_id:
        return None  # nobody holds it: its state refuses, and a member of the territory sees why
    return NotAllowed(NOT_YOURS)


def _withdraw(actor: Member, subject: Subject) -> DomainError | None:
    if isinstance(subject, HelpRequest) and _holds(actor, subject):
        return None
    return NotAllowed(NOT_YOURS)


def _thank(actor: Member, subject: Subject) -> DomainError | None:
    if isinstance(subject, HelpRequest) and subject.requester_id == actor.id:
        return None
    return NotAllowed("Only the person who was helped can say thank you here.")


def _see_contact(actor: Member, subject: Subject) -> DomainError | None:
    """An approved member who holds the task now (not done, not given back), or a coordinator."""
    if not isinstance(subject, HelpRequest):
        return NotAllowed()
    if _coordinates(actor, subject):
        return None
    holding_now = _holds(actor, subject) and subject.state == RequestState.ACCEPTED
    if holding_now and actor.status == MemberStatus.APPROVED:
        return None
    return NotAllowed()


def _see_safety_word(actor: Member, subject: Subject) -> DomainError | None:
    """The requester, and the volunteer holding the task now: nobody else, not even a
    coordinator (the word is what tells the person at the door from a stranger)."""
    if not isinstance(subject, HelpRequest) or subject.state != RequestState.ACCEPTED:
        return NotAllowed()
    if subject.requester_id == actor.id or _holds(actor, subject):
        return None
    return NotAllowed()


def _ask_who_is_coming(actor: Member, subject: Subject) -> DomainError | None:
    """Only the person who asked for help (it is about who comes to her door)."""
    if isinstance(subject, HelpRequest) and subject.requester_id == actor.id:
        return None
    return NotFound()


def _see_member_contact(actor: Member, subject: Subject) -> DomainError | None:
    """Only the coordinators of the member's territory (they call members back)."""
    if isinstance(subject, Member) and _coordinates(actor, subject):
        return None
    return NotAllowed(COORDINATORS_ONLY)


def _see_poll(actor: Member, subject: Subject) -> DomainError | None:
    if isinstance(subject, Poll) and subject.territory_id == actor.territory_id:
        return None
    return NotFound()


def _write_in_thread(actor: Member, subject: Subject) -> DomainError | None:
    """The member it is with, or the coordinator who took it (while still one)."""
    if not isinstance(subject, DeskThread):
        return NotFound()
    if subject.member_id == actor.id:
        return None
    if subject.coordinator_id == actor.id and _coordinates(actor, subject):
        return None
    return NotFound()  # another's conversation does not exist for this member


def _close_thread(actor: Member, subject: Subject) -> DomainError | None:
    """The member, or any coordinator of the territory (the one who took it may be away)."""
    if isinstance(subject, DeskThread) and (
        subject.member_id == actor.id or _coordinates(actor, subject)
    ):
        return None
    return NotFound()


def _vote(actor: Member, subject: Subject) -> DomainError | None:
    """Who may vote (`core/services/electorate.py`): territory, status, role, seniority."""
    if not isinstance(subject, Poll):
        return NotAMember()
    try:
        electorate.require_voter(actor, subject)
    except NotAVoter as refusal:
        return refusal
    return None


def _post_request_for(actor: Member, subject: Subject) -> DomainError | None:
    """Posting for a member: herself (her proxies: see `PROXY_MAY`)."""
    if isinstance(subject, Member) and subject.id == actor.id:
        return None
    return NotAllowed("You can only post a request for yourself or for someone you help.")


def _name_proxy(actor: Member, subject: Subject) -> DomainError | None:
    """Her consent is given by herself in her own chat, or recorded by a coordinator of her
    territory: someone cannot make themselves a proxy."""
    if isinstance(subject, Member) and (subject.id == actor.id or _coordinates(actor, subject)):
        return None
    return NotAllowed("Only the person concerned, or a coordinator, can name who acts for them.")


def _remove_proxy(actor: Member, subject: Subject) -> DomainError | None:
    """The senior, the proxy stepping down, or a coordinator of her territory."""
    if isinstance(subject, Proxy) and (
        actor.id in (subject.senior_id, subject.proxy_id) or _coordinates(actor, subject)
    ):
        return None
    return NotAllowed(COORDINATORS_ONLY)


Rule = Callable[[Member, Subject], "DomainError | None"]
RULES: dict[Action, Rule] = {
    Action.COORDINATE: _coordinate,
    Action.LINK_ROOM: _coordinate,
    Action.ACT_FOR_MEMBER: _act_for_member,
    Action.SEE_REQUEST: _see_request,
    Action.ACCEPT_REQUEST: _accept,
    Action.DECLINE_OFFER: _decline,
    Action.CANCEL_REQUEST: _cancel_request,
    Action.CHANGE_REQUEST: _change_request,
    Action.COMPLETE_TASK: _complete_task,
    Action.WITHDRAW_FROM_TASK: _withdraw,
    Action.THANK_VOLUNTEER: _thank,
    Action.SEE_CONTACT: _see_contact,
    Action.SEE_SAFETY_WORD: _see_safety_word,
    Action.ASK_WHO_IS_COMING: _ask_who_is_coming,
    Action.SEE_MEMBER_CONTACT: _see_member_contact,
    Action.SEE_POLL: _see_poll,
    Action.VOTE: _vote,
    Action.WRITE_IN_THREAD: _write_in_thread,
    Action.CLOSE_THREAD: _close_thread,
    Action.POST_REQUEST_FOR: _post_request_for,
    Action.NAME_PROXY: _name_proxy,
    Action.REMOVE_PROXY: _remove_proxy,
}

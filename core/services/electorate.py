"""Who may vote in a poll: its electorate, decided here for votes, notices and reminders.

Approved members of the poll's territory, with its role if it has one (`Poll.voter_role`),
and, if `Poll.prior_members_only` (the default), who joined before it opened: accounts made
for the occasion cannot decide a vote.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_

from core.domain.errors import NotAVoter
from core.domain.model import Member, Poll
from core.domain.vocabulary import MemberStatus, Role
from core.i18n import N_

# A poll restricted to one role: the member's flag that says they have it, and the refusal.
ROLE_FLAGS = {
    Role.VOLUNTEER: "is_volunteer",
    Role.REQUESTER: "is_requester",
    Role.COORDINATOR: "is_coordinator",
}
ROLE_REFUSALS = {
    Role.VOLUNTEER: N_("This poll is for the volunteers only."),
    Role.REQUESTER: N_("This poll is for the members who ask for help only."),
    Role.COORDINATOR: N_("This poll is for the coordinators only."),
}


def require_voter(member: Member, poll: Poll) -> None:
    """Refuse, with a kind sentence, a member who is not in the poll's electorate."""
    if member.territory_id != poll.territory_id or member.status != MemberStatus.APPROVED:
        raise NotAVoter()
    if poll.voter_role and not getattr(member, ROLE_FLAGS[Role(poll.voter_role)]):
        raise NotAVoter(ROLE_REFUSALS[Role(poll.voter_role)])
    if poll.prior_members_only and member.created_at > poll.created_at:
        raise NotAVoter(
            "This poll is for the members who joined before it opened. "
            "Thank you for understanding."
        )


def electorate(poll: Poll) -> list[ColumnElement[bool]]:
    """Who may vote in `poll`, as conditions on `Member` (for its notices and reminders)."""
    conditions: list[ColumnElement[bool]] = [
        Member.territory_id == poll.territory_id,
        Member.status == MemberStatus.APPROVED,
    ]
    if poll.voter_role:
        conditions.append(getattr(Member, ROLE_FLAGS[Role(poll.voter_role)]).is_(True))
    if poll.prior_members_only:
        conditions.append(Member.created_at <= poll.created_at)
    return conditions


def open_to(member: Member) -> list[ColumnElement[bool]]:
    """The polls `member` may vote in, as conditions on `Poll` (the mirror of `electorate`)."""
    roles = [role for role, flag in ROLE_FLAGS.items() if getattr(member, flag)]
    return [
        Poll.territory_id == member.territory_id,
        or_(Poll.voter_role.is_(None), Poll.voter_role.in_([str(r) for r in roles] or [""])),
        or_(Poll.prior_members_only == false(), Poll.created_at >= member.created_at),
    ]

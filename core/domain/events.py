"""Domain events: facts that happened, published by services and turned into notifications."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Event:
    """Base of every domain event."""


@dataclass(frozen=True)
class MemberJoined(Event):
    member_id: int


@dataclass(frozen=True)
class MemberApproved(Event):
    member_id: int
    by_id: int | None


@dataclass(frozen=True)
class MemberSuspended(Event):
    member_id: int
    by_id: int | None


@dataclass(frozen=True)
class VolunteerRefused(Event):
    """A coordinator did not approve a volunteer; `reason` is what the volunteer may read."""

    member_id: int
    by_id: int | None
    reason: str


@dataclass(frozen=True)
class RequestPosted(Event):
    request_id: int


@dataclass(frozen=True)
class VolunteersOffered(Event):
    request_id: int
    volunteer_ids: tuple[int, ...]


@dataclass(frozen=True)
class RequestAccepted(Event):
    request_id: int
    volunteer_id: int


@dataclass(frozen=True)
class RequestWithdrawn(Event):
    request_id: int
    volunteer_id: int


@dataclass(frozen=True)
class TaskReleased(Event):
    """A task was taken back from its volunteer (suspended): the request is open again."""

    request_id: int
    volunteer_id: int


@dataclass(frozen=True)
class RequestCompleted(Event):
    request_id: int
    volunteer_id: int
    hours: float


@dataclass(frozen=True)
class RequestCancelled(Event):
    request_id: int
    by_id: int | None
    # Who held the task when it was cancelled, so they can be told.
    volunteer_id: int | None


@dataclass(frozen=True)
class RequestChanged(Event):
    """What, when or where of an open or accepted request changed (`changed`: its pieces)."""

    request_id: int
    by_id: int | None
    changed: tuple[str, ...]
    # Volunteers it was offered to because of the change (another kind of help).
    newly_offered: tuple[int, ...] = ()


@dataclass(frozen=True)
class ChangeConfirmed(Event):
    """The volunteer holding a changed request will still come."""

    request_id: int
    volunteer_id: int


@dataclass(frozen=True)
class RequestExpired(Event):
    request_id: int


@dataclass(frozen=True)
class VolunteerThanked(Event):
    request_id: int
    volunteer_id: int


@dataclass(frozen=True)
class PollOpened(Event):
    poll_id: int


@dataclass(frozen=True)
class PollClosed(Event):
    poll_id: int


@dataclass(frozen=True)
class CoordinatorContacted(Event):
    member_id: int
    text: str


@dataclass(frozen=True)
class EmergencyRaised(Event):
    member_id: int
    text: str


@dataclass(frozen=True)
class ScamReported(Event):
    """A member forwarded a text that looks like a scam and asked a coordinator to check it."""

    member_id: int
    text: str


# --- published by the scheduler's services (core/services/timed.py) -------------------------


@dataclass(frozen=True)
class ReminderDue(Event):
    """A task comes soon: remind its volunteer and its requester."""

    request_id: int
    assignment_id: int
    hours: int


@dataclass(frozen=True)
class RequestEscalated(Event):
    """Nobody took a request in time: `level` is "territory" or "coordinators"."""

    request_id: int
    level: str


@dataclass(frozen=True)
class NobodyToOffer(Event):
    """A request was just posted and no volunteer could be offered it: the coordinators are
    told at once (not hours later, when the search would widen to them)."""

    request_id: int


@dataclass(frozen=True)
class FollowUpDue(Event):
    """A task's time has passed: ask how it went."""

    request_id: int
    assignment_id: int


@dataclass(frozen=True)
class PollClosingSoon(Event):
    """A poll closes soon: remind the members who have not voted."""

    poll_id: int


@dataclass(frozen=True)
class DigestDue(Event):
    """A volunteer's weekly digest: open requests near them, soonest and nearest first."""

    member_id: int
    request_ids: tuple[int, ...]


@dataclass(frozen=True)
class MemberUnreachable(Event):
    """A platform refuses to deliver to the member (they blocked the bot)."""

    member_id: int
    platform: str


@dataclass(frozen=True)
class AccountsLinked(Event):
    """An account joined `member_id` with a code that member asked for on `account_id`."""

    member_id: int
    account_id: int | None
    platform: str  # of the account that joined


@dataclass(frozen=True)
class LinkRefused(Event):
    """The person who used `member_id`'s code refused the link: nothing was joined."""

    member_id: int
    account_id: int | None
    platform: str


@dataclass(frozen=True)
class NotificationSetAside(Event):
    """An outbox message failed too many times: the coordinators are told (not its content)."""

    notification_id: int


@dataclass(frozen=True)
class ContactCardUncertain(Event):
    """The message with a requester's contact details may not have arrived (no answer)."""

    notification_id: int


@dataclass(frozen=True)
class ProxyAdded(Event):
    """Someone may now act for a senior (her consent recorded)."""

    senior_id: int
    proxy_id: int


@dataclass(frozen=True)
class ProxyRemoved(Event):
    """Someone no longer acts for a senior (revoked by her, a coordinator, or themselves)."""

    senior_id: int
    proxy_id: int
    by_id: int | None


# --- the coordinators' alerts (core/services/alerts.py) -------------------------------------


@dataclass(frozen=True)
class VoiceMessageLeft(Event):
    """A member left a voice message: the coordinators listen to it and call back.

    `audio_ref` is the platform's own reference to the audio (opaque to the core), or None
    when the platform gave none that can be forwarded.
    """

    member_id: int
    platform: str
    audio_ref: str | None


@dataclass(frozen=True)
class AlertTakenBy(Event):
    """A coordinator took an alert: the others are told who, so nobody calls twice."""

    alert_id: int
    by_id: int


@dataclass(frozen=True)
class AlertClosed(Event):
    """A coordinator marked an alert handled: the others are told."""

    alert_id: int
    by_id: int


@dataclass(frozen=True)
class AlertResent(Event):
    """Nobody took an alert in time: it is sent again to every coordinator (`round` from 1)."""

    alert_id: int
    round: int

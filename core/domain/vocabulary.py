"""Closed vocabularies of the domain, shared with the NLU and the channels."""

from __future__ import annotations

from enum import StrEnum


class Category(StrEnum):
    """What kind of help is asked for (the NLU's `category` entity uses the same values)."""

    SHOPPING = "shopping"
    TRANSPORT = "transport"
    PAPERWORK = "paperwork"
    DIGITAL = "digital"
    DIY = "diy"
    GARDENING = "gardening"
    COMPANY = "company"
    MEALS = "meals"
    PETS = "pets"
    OTHER = "other"


class Role(StrEnum):
    REQUESTER = "requester"
    VOLUNTEER = "volunteer"
    COORDINATOR = "coordinator"


class MemberStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    SUSPENDED = "suspended"
    ERASED = "erased"


class RequestState(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    DONE = "done"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class PollKind(StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    PROPOSAL = "proposal"


class PollState(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Platform(StrEnum):
    CONSOLE = "console"
    TELEGRAM = "telegram"
    MATRIX = "matrix"


class Outcome(StrEnum):
    """How the delivery of an outbox message ended (`Notification.outcome`)."""

    SENT = "sent"  # the platform took it: `external_ref` is its message id
    UNCERTAIN = "uncertain"  # no answer in time: it may have arrived, so it is not repeated
    REFUSED = "refused"  # the platform refused this message (too long, bad markup...)
    UNREACHABLE = "unreachable"  # the person blocked the bot or left
    SKIPPED = "skipped"  # nothing to send on this platform (no chat, already in the group)
    SET_ASIDE = "set_aside"  # failed too many times: a person must look at it


LANGUAGES = ("fr", "en")

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


class MessageKind(StrEnum):
    """What an outbox message is, for the adapters (`Notification.kind`, `Outgoing.kind`).

    Adapters decide how to show a message from its kind and its typed references
    (`request_id`, `poll_id`), never from its wording: rewording a message changes nothing else.
    """

    TEXT = "text"  # a plain message, with or without buttons
    REQUEST_POST = "request_post"  # a request offered to volunteers (public room or private)
    REQUEST_TAKEN = "request_taken"  # a request's public post, now taken: no more offers
    REQUEST_CLOSED = "request_closed"  # a request's public post, done, cancelled or expired
    CONTACT_CARD = "contact_card"  # the requester's phone and address, for the volunteer
    POLL_OPENED = "poll_opened"  # a poll to vote in (a native poll where the platform has one)
    POLL_CLOSED = "poll_closed"  # a poll's results: its native polls are stopped
    ALERT = "alert"  # an emergency or a warning for the coordinators
    # A member's voice message forwarded to a coordinator (`params["audio_platform"]`,
    # `params["audio_ref"]`: the platform's own reference to the audio, forwarded as audio
    # where it came from, the text alone elsewhere).
    FORWARDED_AUDIO = "forwarded_audio"


LANGUAGES = ("fr", "en")


class AlertKind(StrEnum):
    """What a coordinator's alert is about (`core/services/alerts.py`)."""

    EMERGENCY = "emergency"
    REQUEST_UNANSWERED = "request_unanswered"  # nobody accepted it before the last step
    NOBODY_TO_OFFER = "nobody_to_offer"  # no volunteer could even be offered a new request
    MEMBER_UNREACHABLE = "member_unreachable"
    COORDINATOR_CONTACTED = "coordinator_contacted"
    SCAM = "scam"  # a member forwarded a text that looks like a scam and wants it checked
    VOICE_MESSAGE = "voice_message"  # listen and call back


class WhenKind(StrEnum):
    """How a request's time was said: an hour, a part of a day, a whole day or several days.

    Only `AT` names an hour; every other kind is a window, shown as it was said ("jeudi 3
    décembre, le matin"), never with an hour nobody gave.
    """

    AT = "at"
    MORNING = "morning"
    NOON = "noon"
    AFTERNOON = "afternoon"
    EVENING = "evening"
    DAY = "day"
    DAYS = "days"

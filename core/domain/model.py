"""The entities of the cooperative, by subject, in one namespace.

Each subject has its module (people, help_requests, polls, messaging, operations); importing
this module registers every table with `Base.metadata`, which the migrations and the tests read.
A new table goes in a module of its subject and is re-exported here.
"""

from __future__ import annotations

from core.domain.alert_audio import AlertAudio
from core.domain.base import Base
from core.domain.help_requests import Assignment, HelpRequest, MatchOffer, RecurringRequest
from core.domain.messaging import (
    ChannelSession,
    Conversation,
    DeadLetter,
    InboundReceipt,
    Notification,
)
from core.domain.observatory_tables import (
    LonelinessAsk,
    LonelinessTally,
    MemberAgeBand,
    ObservatorySetting,
)
from core.domain.operations import (
    Alert,
    Attempt,
    AuditEntry,
    InstallSecret,
    JobRun,
    LinkCode,
    WebLogin,
    apscheduler_jobs,
)
from core.domain.people import (
    Invitation,
    Member,
    MemberSkill,
    PlatformAccount,
    Territory,
    TerritoryChannel,
)
from core.domain.polls import BallotReceipt, Poll, PollOption, PollPublication, SecretTally, Vote
from core.domain.proxies import CareProfile, Proxy, ProxyCode
from core.domain.review import ReviewConsent, ReviewItem
from core.domain.threads import DeskThread
from core.domain.vocabulary import Platform

__all__ = [
    "Alert",
    "AlertAudio",
    "Assignment",
    "Attempt",
    "AuditEntry",
    "BallotReceipt",
    "Base",
    "CareProfile",
    "ChannelSession",
    "Conversation",
    "DeadLetter",
    "DeskThread",
    "HelpRequest",
    "InboundReceipt",
    "InstallSecret",
    "Invitation",
    "JobRun",
    "LinkCode",
    "LonelinessAsk",
    "LonelinessTally",
    "MatchOffer",
    "Member",
    "MemberAgeBand",
    "MemberSkill",
    "Notification",
    "ObservatorySetting",
    "Platform",
    "PlatformAccount",
    "Poll",
    "PollOption",
    "PollPublication",
    "Proxy",
    "ProxyCode",
    "RecurringRequest",
    "ReviewConsent",
    "ReviewItem",
    "SecretTally",
    "Territory",
    "TerritoryChannel",
    "Vote",
    "WebLogin",
    "apscheduler_jobs",
]

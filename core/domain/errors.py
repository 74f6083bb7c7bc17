"""Domain errors. Each carries a message key that the channels translate for the member."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A rule of the cooperative forbids what was asked; nothing was changed."""

    key = "Sorry, that is not possible."

    def __init__(self, key: str | None = None, **params: Any) -> None:
        self.key = key or type(self).key
        self.params = params
        super().__init__(self.key.format(**params) if params else self.key)


class NotFound(DomainError):
    key = "I could not find that. It may have been removed."


class NotAllowed(DomainError):
    key = "Sorry, you cannot do that."


class NotAMember(NotAllowed):
    key = "Only members of the cooperative can do that."


class NotApproved(NotAllowed):
    key = (
        "A coordinator has not approved you as a volunteer yet. "
        "You will get a message when it is done."
    )


class Suspended(NotAllowed):
    key = "Your membership is suspended. Please talk to a coordinator."


class InvalidTransition(DomainError):
    key = "This request is {state} now, so that is no longer possible."


class AlreadyTaken(DomainError):
    key = "Thank you! Another volunteer has already taken this request."


class InvalidInput(DomainError):
    key = "I did not understand that. Please try again."


class PollClosed(DomainError):
    key = "This poll is closed. Votes are no longer accepted."


class AlreadyVoted(DomainError):
    key = "You have already voted in this secret ballot. A secret vote cannot be changed."


class NotAVoter(NotAMember):
    """The member is not in a poll's electorate (`core.services.polls.may_vote`)."""

    key = "Only approved members of this territory can vote in this poll."


class CodeInvalid(DomainError):
    key = "This code is wrong or has expired. Ask for a new one."


class TooManyAttempts(DomainError):
    key = "Too many tries. Please wait {minutes} minutes before trying again."


class AlertTaken(DomainError):
    """Another coordinator took the alert first: the one who asked is told who."""

    key = "{name} is already handling this alert."


class ThreadTaken(DomainError):
    """Another coordinator answers this member already: the one who pressed is told who."""

    key = "{name} is already answering this member."

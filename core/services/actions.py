"""The actions `core.services.authorization` decides on: one rule each, in that module."""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    """What a member may be allowed to do; each has one rule in `authorization.RULES`."""

    COORDINATE = "coordinate territory"  # approve, suspend, promote, open and close polls
    LINK_ROOM = "link room"  # make a public room the territory's
    ACT_FOR_MEMBER = "act for member"  # erase, recurring requests: themselves or a coordinator
    SEE_REQUEST = "see request details"  # more than the public summary
    ACCEPT_REQUEST = "accept request"
    DECLINE_OFFER = "decline offer"
    CANCEL_REQUEST = "cancel request"
    CHANGE_REQUEST = "change request"  # what, when or where of a request still to come
    COMPLETE_TASK = "complete task"
    WITHDRAW_FROM_TASK = "withdraw from task"
    THANK_VOLUNTEER = "thank volunteer"
    SEE_CONTACT = "see contact details"  # the requester's phone and address
    SEE_SAFETY_WORD = "see safety word"  # said at the door: the requester and the volunteer
    ASK_WHO_IS_COMING = "ask who is coming"  # the volunteer's first name and the safety word
    # A member's phone and address in a coordinator's alert (to call them back).
    SEE_MEMBER_CONTACT = "see member contact details"
    SEE_POLL = "see poll"
    VOTE = "vote in poll"
    WRITE_IN_THREAD = "write in thread"  # the member, or the coordinator who took it
    CLOSE_THREAD = "close thread"  # the member, or any coordinator of the territory
    POST_REQUEST_FOR = "post a request for"  # the subject is the member it is for
    NAME_PROXY = "name a proxy"  # the subject is the senior
    REMOVE_PROXY = "remove a proxy"  # the subject is the `Proxy`

"""Random members doing random things to random requests never break the life-cycle rules.

A Hypothesis state machine drives the services on a fresh SQLite database per example. A small
model predicts the outcome of every call (which error, or the new state); after every step the
database is checked against the rules:

- every request is in a known state that agrees with its assignments;
- requests never disappear;
- a refused call (`DomainError`) changed nothing, even when its unit of work is committed;
- a requester's phone and address reach only the volunteer who accepted, in the acceptance
  message, and never a public room.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from sqlalchemy import select

from core.app import Core
from core.domain.errors import (
    AlreadyTaken,
    DomainError,
    InvalidInput,
    InvalidTransition,
    NotAllowed,
    NotApproved,
    NotFound,
    Suspended,
)
from core.domain.model import HelpRequest, Notification, TerritoryChannel
from core.domain.vocabulary import Category, MessageKind, Outcome, RequestState, Role
from core.services import contact, members, requests
from core.services.unit_of_work import UnitOfWork
from tests.conftest import FrozenClock, make_settings
from tests.integration._support import snapshot

UNKNOWN = 999_999


@dataclass(frozen=True)
class Person:
    roles: tuple[Role, ...]
    status: str = "approved"  # approved, pending or suspended
    phone: str | None = None
    address: str | None = None
    skills: tuple[Category, ...] = ()

    @property
    def requester(self) -> bool:
        return Role.REQUESTER in self.roles

    @property
    def volunteer(self) -> bool:
        return Role.VOLUNTEER in self.roles

    @property
    def coordinator(self) -> bool:
        return Role.COORDINATOR in self.roles and self.status == "approved"


PEOPLE = {
    "Claire Coord": Person((Role.COORDINATOR,)),
    "Alice Durand": Person((Role.REQUESTER,), phone="06 10 00 00 01", address="1 rue Alpha"),
    "Bertrand Roux": Person((Role.REQUESTER,), phone="06 10 00 00 02", address="2 rue Beta"),
    "Victor Vega": Person((Role.VOLUNTEER,), skills=(Category.SHOPPING, Category.TRANSPORT)),
    "Wanda Weiss": Person((Role.VOLUNTEER,), skills=(Category.SHOPPING, Category.MEALS)),
    "Xavier Xu": Person((Role.VOLUNTEER,), skills=(Category.TRANSPORT, Category.MEALS)),
    "Dora Both": Person(
        (Role.REQUESTER, Role.VOLUNTEER),
        phone="06 10 00 00 04",
        address="4 rue Delta",
        skills=(Category.SHOPPING, Category.TRANSPORT, Category.MEALS),
    ),
    "Paul Pending": Person((Role.VOLUNTEER,), status="pending", skills=(Category.SHOPPING,)),
    "Sam Suspended": Person(
        (Role.REQUESTER, Role.VOLUNTEER),
        status="suspended",
        phone="06 10 00 00 05",
        address="5 rue Sigma",
        skills=(Category.SHOPPING, Category.MEALS),
    ),
    "Nobody": Person(()),  # not a member: an id that does not exist
}
CATEGORIES = [Category.SHOPPING, Category.TRANSPORT, Category.MEALS]

people = st.sampled_from(sorted(PEOPLE))
volunteers = st.sampled_from(["Victor Vega", "Wanda Weiss", "Xavier Xu", "Dora Both"])
requesters = st.sampled_from(["Alice Durand", "Bertrand Roux", "Dora Both"])
UNKNOWN_REF = 19
request_refs = st.integers(min_value=0, max_value=UNKNOWN_REF)
hours = st.sampled_from([0.5, 1.0, 1.5, 2.0, 3.0, 0.0, 30.0])


@dataclass
class Expected:
    """What the model believes of one request."""

    requester: str
    state: RequestState = RequestState.OPEN
    holder: str | None = None  # the volunteer of the active (not withdrawn) assignment


class LifecycleMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.directory = tempfile.TemporaryDirectory()
        self.clock = FrozenClock()
        url = f"sqlite+aiosqlite:///{self.directory.name}/entraide.sqlite3"
        self.core = Core.open(make_settings(url), self.clock)
        self.ids: dict[str, int] = {"Nobody": UNKNOWN}
        self.names: dict[int, str] = {}
        self.model: dict[int, Expected] = {}
        self.seen_requests: set[int] = set()
        self.run(self._populate())

    def run(self, awaitable: Awaitable[Any]) -> Any:
        return self.loop.run_until_complete(awaitable)

    def teardown(self) -> None:
        try:
            self.run(self.core.close())
        finally:
            self.loop.close()
            self.directory.cleanup()

    async def _populate(self) -> None:
        await self.core.create_schema()
        async with self.core.uow() as uow:
            territory = await members.add_territory(uow, "Rezé")
            uow.session.add(
                TerritoryChannel(
                    territory_id=territory.id,
                    platform="telegram",
                    chat_ref="group-reze",
                    created_at=uow.now(),
                )
            )
            for name, person in PEOPLE.items():
                if not person.roles:
                    continue
                member = await members.onboard_member(
                    uow,
                    territory.id,
                    name,
                    roles=person.roles,
                    phone=person.phone,
                    address=person.address,
                    skills=person.skills,
                    availability=(1 << 21) - 1,
                )
                if person.status != "pending":
                    await members.approve_member(uow, member.id, by_id=None)
                if person.status == "suspended":
                    await members.suspend_member(uow, member.id, by_id=None)
                self.ids[name] = member.id
            await uow.commit()
        self.names = {member_id: name for name, member_id in self.ids.items()}

    # --- calling a service and checking its outcome ---------------------------------------

    def _request(self, ref: int) -> int:
        if ref == UNKNOWN_REF or not self.model:
            return UNKNOWN
        return sorted(self.model)[ref % len(self.model)]

    def _attempt(
        self, call: Callable[[UnitOfWork], Awaitable[Any]], expected: type[DomainError] | None
    ) -> Any:
        """Run `call` in a unit of work committed whatever happens; check the outcome."""
        self.clock.advance(minutes=1)  # every step has its own instant

        async def attempt() -> tuple[Any, DomainError | None]:
            # The model says when to expect a refusal; an unexpected one fails below anyway.
            before = await snapshot(self.core) if expected is not None else None
            async with self.core.uow() as uow:
                result, error = None, None
                try:
                    result = await call(uow)
                except DomainError as exc:
                    error = exc
                await uow.commit()  # even a careless caller must not persist a refused call
            if error is not None and before is not None:
                assert await snapshot(self.core) == before, f"{error!r} changed the database"
            return result, error

        result, error = self.run(attempt())
        outcome = type(error) if error is not None else None
        assert outcome is expected, f"expected {expected}, got {error!r}"
        if error is not None:
            assert error.key.strip()
        return result

    # --- rules ------------------------------------------------------------------------------

    @initialize(first=requesters, second=requesters, category=st.sampled_from(CATEGORIES))
    def two_requests_to_start_with(self, first: str, second: str, category: Category) -> None:
        self.post_request(first, category, 1)
        self.post_request(second, Category.SHOPPING, 2)

    @rule(who=requesters, category=st.sampled_from(CATEGORIES), days=st.integers(0, 5))
    def a_requester_posts(self, who: str, category: Category, days: int) -> None:
        self.post_request(who, category, days)

    @rule(who=volunteers, ref=request_refs)
    def a_volunteer_accepts(self, who: str, ref: int) -> None:
        self._accept(who, self._request(ref))

    @rule(who=volunteers, ref=request_refs)
    def another_volunteer_accepts(self, who: str, ref: int) -> None:
        self._accept(who, self._request(ref))

    @precondition(lambda self: any(r.holder for r in self.model.values()))
    @rule(ref=request_refs, spent=hours)
    def the_holder_completes(self, ref: int, spent: float) -> None:
        held = sorted(i for i, r in self.model.items() if r.holder)
        request_id = held[ref % len(held)]
        holder = self.model[request_id].holder
        assert holder is not None
        self._complete(holder, request_id, spent)

    @precondition(lambda self: any(r.holder for r in self.model.values()))
    @rule(ref=request_refs)
    def the_holder_withdraws(self, ref: int) -> None:
        held = sorted(i for i, r in self.model.items() if r.holder)
        request_id = held[ref % len(held)]
        holder = self.model[request_id].holder
        assert holder is not None
        self._withdraw(holder, request_id)

    @rule(ref=request_refs, roll=st.integers(0, 3))
    def the_requester_thanks_or_cancels(self, ref: int, roll: int) -> None:
        request_id = self._request(ref)
        if request_id == UNKNOWN:
            return
        if roll == 0:
            self._cancel(self.model[request_id].requester, request_id)
            return
        done = sorted(i for i, r in self.model.items() if r.state == RequestState.DONE)
        request_id = done[ref % len(done)] if done else request_id
        self._thank(self.model[request_id].requester, request_id)

    @rule(who=people, category=st.sampled_from(CATEGORIES), days=st.integers(0, 5))
    def post_request(self, who: str, category: Category, days: int) -> None:
        person = PEOPLE[who]
        expected: type[DomainError] | None = None
        if not person.roles:
            expected = NotFound
        elif person.status == "suspended":
            expected = Suspended
        elif not person.requester:
            expected = NotAllowed
        when = self.clock() + timedelta(days=days, hours=2)
        request = self._attempt(
            lambda uow: requests.post_request(
                uow,
                self.ids[who],
                category=category,
                when_start=when,
                description="Bread and milk",
            ),
            expected,
        )
        if expected is None:
            self.model[request.id] = Expected(requester=who)

    @rule(who=people, ref=request_refs)
    def accept(self, who: str, ref: int) -> None:
        self._accept(who, self._request(ref))

    def _accept(self, who: str, request_id: int) -> None:
        person = PEOPLE[who]
        known = self.model.get(request_id)
        expected: type[DomainError] | None = None
        if not person.roles or known is None:  # the request is found before anything else
            expected = NotFound
        elif person.status == "suspended":
            expected = Suspended
        elif not person.volunteer:
            expected = NotAllowed
        elif person.status != "approved":
            expected = NotApproved
        elif known.requester == who:
            expected = NotAllowed
        elif known.state == RequestState.ACCEPTED:
            expected = AlreadyTaken
        elif known.state != RequestState.OPEN:
            expected = InvalidTransition
        self._attempt(lambda uow: requests.accept(uow, self.ids[who], request_id), expected)
        if expected is None:
            assert known is not None
            known.state, known.holder = RequestState.ACCEPTED, who

    @rule(who=people, ref=request_refs)
    def withdraw(self, who: str, ref: int) -> None:
        self._withdraw(who, self._request(ref))

    def _withdraw(self, who: str, request_id: int) -> None:
        known = self.model.get(request_id)
        expected: type[DomainError] | None = None
        if known is None or not PEOPLE[who].roles:
            expected = NotFound
        elif known.holder != who:
            expected = NotAllowed
        elif known.state != RequestState.ACCEPTED:
            expected = InvalidTransition
        self._attempt(lambda uow: requests.withdraw(uow, self.ids[who], request_id), expected)
        if expected is None:
            assert known is not None
            known.state, known.holder = RequestState.OPEN, None

    @rule(who=st.none() | people, ref=request_refs)
    def cancel(self, who: str | None, ref: int) -> None:
        self._cancel(who, self._request(ref))

    def _cancel(self, who: str | None, request_id: int) -> None:
        known = self.model.get(request_id)
        expected: type[DomainError] | None = None
        someone_else = who is not None and known is not None and who != known.requester
        if known is None or (someone_else and not PEOPLE[who or ""].roles):
            expected = NotFound
        elif someone_else and not PEOPLE[who or ""].coordinator:
            expected = NotAllowed
        elif known.state not in (RequestState.OPEN, RequestState.ACCEPTED):
            expected = InvalidTransition
        actor = None if who is None else self.ids[who]
        self._attempt(lambda uow: requests.cancel(uow, actor, request_id), expected)
        if expected is None:
            assert known is not None
            known.state = RequestState.CANCELLED

    @rule(who=people, ref=request_refs, spent=hours)
    def complete(self, who: str, ref: int, spent: float) -> None:
        self._complete(who, self._request(ref), spent)

    def _complete(self, who: str, request_id: int, spent: float) -> None:
        known = self.model.get(request_id)
        expected: type[DomainError] | None = None
        if not 0 < spent <= requests.MAX_HOURS:
            expected = InvalidInput
        elif known is None or not PEOPLE[who].roles:
            expected = NotFound
        elif known.holder is None and known.state != RequestState.ACCEPTED:
            # Nobody holds it, so nothing is withheld from this member: a suspended one is
            # told about the suspension (the one answer for every action), others the state.
            suspended = PEOPLE[who].status == "suspended"
            expected = Suspended if suspended else InvalidTransition
        elif known.holder is None or (known.holder != who and not PEOPLE[who].coordinator):
            expected = NotAllowed
        elif known.state != RequestState.ACCEPTED:
            expected = InvalidTransition
        self._attempt(
            lambda uow: requests.complete(uow, self.ids[who], request_id, spent), expected
        )
        if expected is None:
            assert known is not None
            known.state = RequestState.DONE

    @rule(who=people, ref=request_refs)
    def decline(self, who: str, ref: int) -> None:
        request_id = self._request(ref)
        person = PEOPLE[who]
        expected: type[DomainError] | None = None
        if not person.roles or request_id not in self.model:
            expected = NotFound
        elif person.status == "suspended":
            expected = Suspended
        elif not person.volunteer:  # "not for me" is a volunteer's answer to an offer
            expected = NotAllowed
        self._attempt(lambda uow: requests.decline(uow, self.ids[who], request_id), expected)

    @rule(who=people, ref=request_refs)
    def thank(self, who: str, ref: int) -> None:
        self._thank(who, self._request(ref))

    def _thank(self, who: str, request_id: int) -> None:
        known = self.model.get(request_id)
        expected: type[DomainError] | None = None
        if known is None or not PEOPLE[who].roles:
            expected = NotFound
        elif known.requester != who:
            expected = NotAllowed
        elif known.state != RequestState.DONE or known.holder is None:
            expected = InvalidTransition
        self._attempt(lambda uow: requests.thank(uow, self.ids[who], request_id), expected)

    @rule(ref=request_refs, now=st.integers(0, 3))
    def expire(self, ref: int, now: int) -> None:
        if now:  # the scheduler comes by now and then: a quarter of the steps
            return
        request_id = self._request(ref)
        known = self.model.get(request_id)
        expired = self._attempt(
            lambda uow: requests.expire(uow, request_id), NotFound if known is None else None
        )
        if known is not None:
            assert expired == (known.state == RequestState.OPEN)
            if expired:
                known.state = RequestState.EXPIRED

    # --- invariants -------------------------------------------------------------------------

    def _load(self) -> tuple[list[HelpRequest], list[Notification]]:
        async def load() -> tuple[list[HelpRequest], list[Notification]]:
            async with self.core.uow() as uow:
                found = list((await uow.session.execute(select(HelpRequest))).scalars())
                notes = list((await uow.session.execute(select(Notification))).scalars())
                return found, notes

        return self.run(load())

    @invariant()
    def requests_agree_with_their_assignments_and_the_model(self) -> None:
        found, _ = self._load()
        ids = {r.id for r in found}
        assert ids >= self.seen_requests, "a request disappeared"
        assert ids == set(self.model)
        self.seen_requests = ids
        for request in found:
            assert request.state in set(RequestState)
            active = [a for a in request.assignments if a.withdrawn_at is None]
            assert len(active) <= 1
            if request.state == RequestState.ACCEPTED:
                assert len(active) == 1 and active[0].completed_at is None
            if request.state in (RequestState.OPEN, RequestState.EXPIRED):
                assert active == []
            if request.state == RequestState.DONE:
                assert len(active) == 1
                assert active[0].hours is not None and 0 < active[0].hours <= 24
                assert active[0].completed_at is not None
            known = self.model[request.id]
            assert request.state == known.state
            holder = self.names[active[0].volunteer_id] if active else None
            assert holder == known.holder
            assert self.names[request.requester_id] == known.requester

    @invariant()
    def contact_details_reach_only_the_volunteer_who_accepted(self) -> None:
        found, notes = self._load()
        by_id = {r.id: r for r in found}
        contacts = {
            self.ids[name]: (person.phone, person.address)
            for name, person in PEOPLE.items()
            if person.phone
        }
        carried: set[tuple[int, int]] = set()
        withheld: set[tuple[int, int]] = set()
        for note in notes:
            text = f"{note.key} {note.params}"
            if note.kind == MessageKind.CONTACT_CARD and note.outcome == Outcome.SKIPPED:
                # A card not delivered before its reader lost the task: never sent, and blank.
                details = (note.params.get("phone"), note.params.get("address"))
                assert details == (contact.WITHHELD, contact.WITHHELD), text
                assert note.member_id is not None and note.request_id is not None, text
                withheld.add((note.request_id, note.member_id))
                continue
            owners = {
                member_id
                for member_id, (phone, address) in contacts.items()
                if phone in text or address in text
            }
            if not owners:
                continue
            assert note.channel_id is None, f"contact details in a public room: {text}"
            assert note.member_id is not None and note.topic is not None
            request = by_id[int(note.topic.split(":")[1])]
            assert owners == {request.requester_id}, f"someone else's contact: {text}"
            accepted_then = [
                a
                for a in request.assignments
                if a.volunteer_id == note.member_id and a.accepted_at == note.created_at
            ]
            assert accepted_then, f"contact sent to a member who did not just accept: {text}"
            carried.add((request.id, note.member_id))
        # And the volunteer who accepted did get them (the requesters here all have a phone),
        # unless they no longer hold the task: then the card still waiting is withheld.
        for request in found:
            if PEOPLE[self.names[request.requester_id]].phone:
                for assignment in request.assignments:
                    key = (request.id, assignment.volunteer_id)
                    holds_now = (
                        assignment is request.active_assignment
                        and request.state == RequestState.ACCEPTED
                    )
                    assert key in carried or (key in withheld and not holds_now), key


TestRequestLifecycleProperties = LifecycleMachine.TestCase
TestRequestLifecycleProperties.settings = settings(
    max_examples=30,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

"""Whatever a member gets wrong, the core answers with a `DomainError` and changes nothing.

Every case runs in one unit of work. After the error the test commits that same unit of work
anyway (stricter than the conversation engine, which rolls back first): a refused action must
not have left anything half-done in the session either. The database is then compared with a
snapshot taken before.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
import pytest_asyncio

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
from core.domain.vocabulary import Category, Role
from core.services import identity, members, polls, requests
from core.services.unit_of_work import UnitOfWork
from tests.conftest import (
    NOW,
    Cooperative,
    FrozenClock,
    _backends,
    make_settings,
    postgres_schema,
)
from tests.integration._support import accept, post, snapshot

UNKNOWN = 999_999
SOON = NOW + timedelta(days=2)


@dataclass
class Scene:
    """The cooperative of `coop`, with members in every situation and requests in every state."""

    coop: Cooperative
    pending: int = 0  # a volunteer not approved yet
    suspended: int = 0  # a suspended volunteer and requester
    suspended_coordinator: int = 0
    both: int = 0  # approved volunteer who also asks for help
    elsewhere_coordinator: int = 0  # coordinator of another territory
    elsewhere_volunteer: int = 0
    open_request: int = 0  # Alice's, open
    taken_request: int = 0  # Alice's, accepted by Bob
    done_request: int = 0  # Alice's, done by Bob
    cancelled_request: int = 0  # Alice's, cancelled
    both_request: int = 0  # the requester-volunteer's own open request

    async def build(self) -> Scene:
        coop = self.coop
        async with coop.core.uow() as uow:
            tid = coop.territory_id
            self.pending = (
                await members.onboard_member(
                    uow, tid, "Denis Pending", roles=[Role.VOLUNTEER], skills=[Category.SHOPPING]
                )
            ).id
            suspended = await members.onboard_member(
                uow,
                tid,
                "Eve Suspended",
                roles=[Role.VOLUNTEER, Role.REQUESTER],
                skills=[Category.SHOPPING],
            )
            await members.approve_member(uow, suspended.id, by_id=None)
            await members.suspend_member(uow, suspended.id, by_id=None)
            self.suspended = suspended.id
            coordinator = await members.onboard_member(
                uow, tid, "Sam Former", roles=[Role.COORDINATOR]
            )
            await members.suspend_member(uow, coordinator.id, by_id=None)
            self.suspended_coordinator = coordinator.id
            both = await members.onboard_member(
                uow,
                tid,
                "Fanny Both",
                roles=[Role.VOLUNTEER, Role.REQUESTER],
                skills=[Category.SHOPPING],
            )
            await members.approve_member(uow, both.id, by_id=None)
            self.both = both.id
            other = await members.add_territory(uow, "Bouguenais")
            self.elsewhere_coordinator = (
                await members.onboard_member(
                    uow, other.id, "Olivier Ailleurs", roles=[Role.COORDINATOR]
                )
            ).id
            elsewhere = await members.onboard_member(
                uow, other.id, "Oscar Ailleurs", roles=[Role.VOLUNTEER], skills=[Category.SHOPPING]
            )
            await members.approve_member(uow, elsewhere.id, by_id=None)
            self.elsewhere_volunteer = elsewhere.id
            await uow.commit()
        self.open_request = await post(coop)
        self.taken_request = await post(coop, days=4)
        await accept(coop, coop.bob, self.taken_request)
        self.done_request = await post(coop, days=5)
        await accept(coop, coop.bob, self.done_request)
        self.cancelled_request = await post(coop, days=6)
        async with coop.core.uow() as uow:
            await requests.complete(uow, coop.bob, self.done_request, 2)
            await requests.cancel(uow, coop.alice, self.cancelled_request)
            await uow.commit()
        self.both_request = await post(coop, requester_id=self.both, days=7)
        return self


# Every case leaves the database as it found it (that is what is tested), so one scene per
# backend serves the whole module; each case still compares its own before and after.
pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module", params=_backends())
async def scene(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Scene]:
    async with AsyncExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('bad_input') / 'db.sqlite3'}"
        else:
            url = await stack.enter_async_context(postgres_schema())
        core = Core.open(make_settings(url), FrozenClock())
        stack.push_async_callback(core.close)
        await core.create_schema()
        yield await Scene(await Cooperative(core).setup()).build()


Action = Callable[[Scene, UnitOfWork], Awaitable[Any]]


@dataclass(frozen=True)
class Case:
    sentence: str
    action: Action
    error: type[DomainError]


def _post(member: Callable[[Scene], int], **changes: Any) -> Action:
    def action(s: Scene, uow: UnitOfWork) -> Awaitable[Any]:
        arguments: dict[str, Any] = {"category": "shopping", "when_start": SOON, **changes}
        return requests.post_request(uow, member(s), **arguments)

    return action


def _onboard(name: str = "Nina Nouvelle", **changes: Any) -> Action:
    def action(s: Scene, uow: UnitOfWork) -> Awaitable[Any]:
        arguments: dict[str, Any] = {"roles": [Role.REQUESTER], **changes}
        return members.onboard_member(uow, s.coop.territory_id, name, **arguments)

    return action


async def _assert_refused_without_change(scene: Scene, case: Case) -> None:
    core = scene.coop.core
    before = await snapshot(core)
    async with core.uow() as uow:
        with pytest.raises(DomainError) as raised:
            await case.action(scene, uow)
        await uow.commit()  # a careless caller: still, nothing may have been changed
    assert isinstance(raised.value, case.error), repr(raised.value)
    assert isinstance(raised.value.key, str) and raised.value.key.strip()
    assert str(raised.value).strip()
    assert await snapshot(core) == before


UNKNOWN_IDS = [
    Case("an unknown member posts a request", _post(lambda s: UNKNOWN), NotFound),
    Case(
        "an unknown member accepts a request",
        lambda s, uow: requests.accept(uow, UNKNOWN, s.open_request),
        NotFound,
    ),
    Case(
        "an unknown member cancels a request",
        lambda s, uow: requests.cancel(uow, UNKNOWN, s.open_request),
        NotFound,
    ),
    Case(
        "an unknown member completes a task",
        lambda s, uow: requests.complete(uow, UNKNOWN, s.taken_request, 1),
        NotFound,
    ),
    Case(
        "an unknown member withdraws from a task",
        lambda s, uow: requests.withdraw(uow, UNKNOWN, s.taken_request),
        NotFound,
    ),
    Case(
        "an unknown member says thank you",
        lambda s, uow: requests.thank(uow, UNKNOWN, s.done_request),
        NotFound,
    ),
    Case(
        "an unknown member declines a request",
        lambda s, uow: requests.decline(uow, UNKNOWN, s.open_request),
        NotFound,
    ),
    Case(
        "an unknown member asks for a link code",
        lambda s, uow: identity.issue_link_code(uow, UNKNOWN),
        NotFound,
    ),
    Case(
        "an unknown member is approved",
        lambda s, uow: members.approve_member(uow, UNKNOWN, by_id=None),
        NotFound,
    ),
    Case(
        "a member is approved by an unknown coordinator",
        lambda s, uow: members.approve_member(uow, s.pending, by_id=UNKNOWN),
        NotFound,
    ),
    Case(
        "an unknown request is accepted",
        lambda s, uow: requests.accept(uow, s.coop.bob, UNKNOWN),
        NotFound,
    ),
    Case(
        "an unknown request is cancelled",
        lambda s, uow: requests.cancel(uow, s.coop.alice, UNKNOWN),
        NotFound,
    ),
    Case(
        "an unknown request is completed",
        lambda s, uow: requests.complete(uow, s.coop.bob, UNKNOWN, 1),
        NotFound,
    ),
    Case(
        "an unknown request is withdrawn from",
        lambda s, uow: requests.withdraw(uow, s.coop.bob, UNKNOWN),
        NotFound,
    ),
    Case(
        "an unknown request is declined",
        lambda s, uow: requests.decline(uow, s.coop.bob, UNKNOWN),
        NotFound,
    ),
    Case(
        "an unknown request is thanked for",
        lambda s, uow: requests.thank(uow, s.coop.alice, UNKNOWN),
        NotFound,
    ),
    Case("an unknown request expires", lambda s, uow: requests.expire(uow, UNKNOWN), NotFound),
    Case(
        "a member joins an unknown territory",
        lambda s, uow: members.onboard_member(uow, UNKNOWN, "Nina", roles=[Role.REQUESTER]),
        NotFound,
    ),
]

WRONG_ROLES = [
    Case(
        "a requester accepts a request",
        lambda s, uow: requests.accept(uow, s.coop.alice, s.open_request),
        NotAllowed,
    ),
    Case(
        "a coordinator who is not a volunteer accepts a request",
        lambda s, uow: requests.accept(uow, s.coop.coordinator, s.open_request),
        NotAllowed,
    ),
    Case(
        "a volunteer who is not a requester posts a request",
        _post(lambda s: s.coop.bob),
        NotAllowed,
    ),
    Case(
        "a coordinator who is not a requester posts a request",
        _post(lambda s: s.coop.coordinator),
        NotAllowed,
    ),
    Case(
        "a pending volunteer accepts a request",
        lambda s, uow: requests.accept(uow, s.pending, s.open_request),
        NotApproved,
    ),
    Case(
        "a suspended volunteer accepts a request",
        lambda s, uow: requests.accept(uow, s.suspended, s.open_request),
        Suspended,
    ),
    Case("a suspended requester posts a request", _post(lambda s: s.suspended), Suspended),
    Case(
        "a volunteer accepts their own request",
        lambda s, uow: requests.accept(uow, s.both, s.both_request),
        NotAllowed,
    ),
    Case(
        "a volunteer of another territory accepts a request",
        lambda s, uow: requests.accept(uow, s.elsewhere_volunteer, s.open_request),
        NotFound,
    ),
    Case(
        "a volunteer accepts a request already taken",
        lambda s, uow: requests.accept(uow, s.coop.carol, s.taken_request),
        AlreadyTaken,
    ),
    Case(
        "a volunteer accepts a request already done",
        lambda s, uow: requests.accept(uow, s.coop.carol, s.done_request),
        InvalidTransition,
    ),
    Case(
        "a volunteer accepts a cancelled request",
        lambda s, uow: requests.accept(uow, s.coop.carol, s.cancelled_request),
        InvalidTransition,
    ),
    Case(
        "a volunteer approves another volunteer",
        lambda s, uow: members.approve_member(uow, s.pending, by_id=s.coop.bob),
        NotAllowed,
    ),
    Case(
        "a coordinator of another territory approves a volunteer",
        lambda s, uow: members.approve_member(uow, s.pending, by_id=s.elsewhere_coordinator),
        NotAllowed,
    ),
    Case(
        "a suspended coordinator approves a volunteer",
        lambda s, uow: members.approve_member(uow, s.pending, by_id=s.suspended_coordinator),
        NotAllowed,
    ),
    Case(
        "a requester suspends a volunteer",
        lambda s, uow: members.suspend_member(uow, s.coop.bob, by_id=s.coop.alice),
        NotAllowed,
    ),
    Case(
        "a volunteer opens a poll",
        lambda s, uow: polls.create_poll(
            uow, s.coop.territory_id, "Picnic?", ["Yes", "No"], closes_at=SOON, by_id=s.coop.bob
        ),
        NotAllowed,
    ),
]

SOMEONE_ELSES = [
    Case(
        "a stranger cancels someone else's request",
        lambda s, uow: requests.cancel(uow, s.coop.carol, s.open_request),
        NotAllowed,
    ),
    Case(
        "the volunteer holding a task cancels the request",
        lambda s, uow: requests.cancel(uow, s.coop.bob, s.taken_request),
        NotAllowed,
    ),
    Case(
        "a coordinator of another territory cancels a request",
        lambda s, uow: requests.cancel(uow, s.elsewhere_coordinator, s.open_request),
        NotAllowed,
    ),
    Case(
        "a suspended coordinator cancels someone else's request",
        lambda s, uow: requests.cancel(uow, s.suspended_coordinator, s.open_request),
        NotAllowed,
    ),
    Case(
        "a stranger completes someone else's task",
        lambda s, uow: requests.complete(uow, s.coop.carol, s.taken_request, 1),
        NotAllowed,
    ),
    Case(
        "the requester completes the task herself",
        lambda s, uow: requests.complete(uow, s.coop.alice, s.taken_request, 1),
        NotAllowed,
    ),
    Case(
        "a coordinator of another territory completes a task",
        lambda s, uow: requests.complete(uow, s.elsewhere_coordinator, s.taken_request, 1),
        NotAllowed,
    ),
    Case(
        "a suspended coordinator completes someone else's task",
        lambda s, uow: requests.complete(uow, s.suspended_coordinator, s.taken_request, 1),
        NotAllowed,
    ),
    Case(
        "a stranger withdraws from someone else's task",
        lambda s, uow: requests.withdraw(uow, s.coop.carol, s.taken_request),
        NotAllowed,
    ),
    Case(
        "the requester withdraws the volunteer from her task",
        lambda s, uow: requests.withdraw(uow, s.coop.alice, s.taken_request),
        NotAllowed,
    ),
    Case(
        "a stranger says thank you for someone else's request",
        lambda s, uow: requests.thank(uow, s.coop.carol, s.done_request),
        NotAllowed,
    ),
    Case(
        "the volunteer thanks himself",
        lambda s, uow: requests.thank(uow, s.coop.bob, s.done_request),
        NotAllowed,
    ),
    Case(
        "a task is completed twice",
        lambda s, uow: requests.complete(uow, s.coop.bob, s.done_request, 1),
        InvalidTransition,
    ),
    Case(
        "a volunteer withdraws from a task already done",
        lambda s, uow: requests.withdraw(uow, s.coop.bob, s.done_request),
        InvalidTransition,
    ),
    Case(
        "a request is cancelled twice",
        lambda s, uow: requests.cancel(uow, s.coop.alice, s.cancelled_request),
        InvalidTransition,
    ),
    Case(
        "an open request is completed",
        lambda s, uow: requests.complete(uow, s.coop.bob, s.open_request, 1),
        InvalidTransition,
    ),
    Case(
        "a requester thanks for a request nobody has done",
        lambda s, uow: requests.thank(uow, s.coop.alice, s.taken_request),
        InvalidTransition,
    ),
]

BAD_TEXT = [
    Case(
        "a description longer than 4000 characters",
        _post(lambda s: s.coop.alice, description="x" * 4001),
        InvalidInput,
    ),
    Case(
        "a place longer than 300 characters",
        _post(lambda s: s.coop.alice, place="x" * 301),
        InvalidInput,
    ),
    Case(
        "a description with a NUL character",
        _post(lambda s: s.coop.alice, description="Bread\x00 please"),
        InvalidInput,
    ),
    Case(
        "a description with a terminal escape sequence",
        _post(lambda s: s.coop.alice, description="\x1b[31mRED\x1b[0m"),
        InvalidInput,
    ),
    Case(
        "a place with a terminal escape sequence",
        _post(lambda s: s.coop.alice, place="\x1b[2J10 rue Haute"),
        InvalidInput,
    ),
    Case(
        "an unknown kind of help", _post(lambda s: s.coop.alice, category="juggling"), InvalidInput
    ),
    Case(
        "a time without a time zone",
        _post(lambda s: s.coop.alice, when_start=SOON.replace(tzinfo=None)),
        InvalidInput,
    ),
    Case(
        "a time already past",
        _post(lambda s: s.coop.alice, when_start=NOW - timedelta(days=1)),
        InvalidInput,
    ),
    Case(
        "a time window that ends before it starts",
        _post(lambda s: s.coop.alice, when_end=SOON - timedelta(hours=1)),
        InvalidInput,
    ),
    Case("an empty name", _onboard(""), InvalidInput),
    Case("a name of blanks only", _onboard("   \n\t "), InvalidInput),
    Case("a name longer than 80 characters", _onboard("N" * 81), InvalidInput),
    Case("a name with a NUL character", _onboard("Nina\x00"), InvalidInput),
    Case("a name with a terminal escape sequence", _onboard("\x1b[31mNina"), InvalidInput),
    Case(
        "an address with a terminal escape sequence",
        _onboard(address="\x1b[31m1 rue"),
        InvalidInput,
    ),
    Case("a phone number made of words", _onboard(phone="call me maybe"), InvalidInput),
    Case("a phone number too short", _onboard(phone="12 34"), InvalidInput),
    Case("no role at all", _onboard(roles=[]), InvalidInput),
    Case("an unknown role", _onboard(roles=["pirate"]), InvalidInput),
    Case("an unknown skill", _onboard(roles=[Role.VOLUNTEER], skills=["juggling"]), InvalidInput),
    Case("an unknown language", _onboard(language="xx"), InvalidInput),
    Case(
        "zero hours of help",
        lambda s, uow: requests.complete(uow, s.coop.bob, s.taken_request, 0),
        InvalidInput,
    ),
    Case(
        "negative hours of help",
        lambda s, uow: requests.complete(uow, s.coop.bob, s.taken_request, -2),
        InvalidInput,
    ),
    Case(
        "more than a day of help",
        lambda s, uow: requests.complete(uow, s.coop.bob, s.taken_request, 25),
        InvalidInput,
    ),
    Case(
        "hours that are not a number",
        lambda s, uow: requests.complete(uow, s.coop.bob, s.taken_request, float("nan")),
        InvalidInput,
    ),
    Case(
        "a profile field that does not exist",
        lambda s, uow: members.update_profile(uow, s.coop.alice, password="x"),
        InvalidInput,
    ),
    Case(
        "a profile phone with control characters",
        lambda s, uow: members.update_profile(uow, s.coop.alice, phone="06\x0712 34 56 78"),
        InvalidInput,
    ),
]


def _ids(cases: list[Case]) -> list[Any]:
    return [pytest.param(case, id=case.sentence) for case in cases]


@pytest.mark.parametrize("case", _ids(UNKNOWN_IDS))
async def test_an_unknown_member_or_request_is_refused_and_nothing_changes(
    scene: Scene, case: Case
) -> None:
    await _assert_refused_without_change(scene, case)


@pytest.mark.parametrize("case", _ids(WRONG_ROLES))
async def test_a_member_acting_outside_their_role_is_refused_and_nothing_changes(
    scene: Scene, case: Case
) -> None:
    await _assert_refused_without_change(scene, case)


@pytest.mark.parametrize("case", _ids(SOMEONE_ELSES))
async def test_nobody_can_act_on_someone_elses_request_and_nothing_changes(
    scene: Scene, case: Case
) -> None:
    await _assert_refused_without_change(scene, case)


@pytest.mark.parametrize("case", _ids(BAD_TEXT))
async def test_malformed_input_is_refused_and_nothing_changes(scene: Scene, case: Case) -> None:
    await _assert_refused_without_change(scene, case)


async def test_a_description_of_exactly_4000_characters_is_accepted(scene: Scene) -> None:
    request_id = await post(scene.coop, description="é" * 4000)
    async with scene.coop.core.uow() as uow:
        assert (await requests.get_request(uow, request_id)).description == "é" * 4000


async def test_an_empty_description_is_allowed_and_stored_empty(scene: Scene) -> None:
    request_id = await post(scene.coop, description="   ")
    async with scene.coop.core.uow() as uow:
        assert (await requests.get_request(uow, request_id)).description == ""


async def test_line_breaks_and_tabs_in_a_description_are_kept(scene: Scene) -> None:
    request_id = await post(scene.coop, description="Bread\n\tand milk")
    async with scene.coop.core.uow() as uow:
        assert (await requests.get_request(uow, request_id)).description == "Bread\n\tand milk"


async def test_a_refusal_carries_the_parameters_its_message_needs(scene: Scene) -> None:
    async with scene.coop.core.uow() as uow:
        with pytest.raises(InvalidInput) as raised:
            await _post(lambda s: s.coop.alice, description="x" * 4001)(scene, uow)
    error = raised.value
    assert error.params == {"what": "description", "length": 4001, "limit": 4000}
    assert error.key.format(**error.params) == str(error)

"""Polls: one member one vote, the last open vote counts, secret ballots cannot be traced back."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select

from core.app import Core
from core.dialogue.port import ChannelPort
from core.domain.errors import AlreadyVoted, InvalidInput, NotAMember, PollClosed
from core.domain.model import AuditEntry, BallotReceipt, Notification, SecretTally, Vote
from core.domain.vocabulary import Category, PollKind, PollState, Role
from core.services import members, polls
from tests.conftest import NOW, Cooperative, FrozenClock
from tests.integration._support import open_poll, vote

CLOSES = NOW + timedelta(days=7)


async def _tally(core: Core, poll_id: int) -> dict[str, object]:
    async with core.uow() as uow:
        return await polls.tally(uow, await polls.get_poll(uow, poll_id))


async def _close(coop: Cooperative, poll_id: int) -> dict[str, object]:
    async with coop.core.uow() as uow:
        result = await polls.close_poll(uow, poll_id, by_id=coop.coordinator)
        await uow.commit()
        return result


async def _newcomer(coop: Cooperative, *, approve: bool = False, elsewhere: bool = False) -> int:
    async with coop.core.uow() as uow:
        territory_id = coop.territory_id
        if elsewhere:
            territory_id = (await members.add_territory(uow, "Bouguenais")).id
        member = await members.onboard_member(
            uow, territory_id, "Nina Nouvelle", roles=[Role.VOLUNTEER], skills=[Category.PETS]
        )
        if approve:
            await members.approve_member(uow, member.id, by_id=None)
        await uow.commit()
        return member.id


async def _refused(
    coop: Cooperative, member_id: int, poll_id: int, choice: list[int], error: type[Exception]
) -> None:
    async with coop.core.uow() as uow:
        with pytest.raises(error):
            await polls.vote(uow, member_id, poll_id, choice)


async def test_a_member_may_change_their_vote_and_the_last_one_counts(coop: Cooperative) -> None:
    poll_id = await open_poll(coop)
    await vote(coop, coop.bob, poll_id, [0])
    await vote(coop, coop.bob, poll_id, [2])
    await vote(coop, coop.carol, poll_id, [2])

    result = await _close(coop, poll_id)

    assert result["counts"] == [0, 0, 2]
    assert result["voters"] == 2
    assert result["winners"] == [2]


async def test_a_changed_vote_replaces_the_former_one_instead_of_adding_a_row(
    coop: Cooperative,
) -> None:
    poll_id = await open_poll(coop)
    await vote(coop, coop.bob, poll_id, [0])
    await vote(coop, coop.bob, poll_id, [1])
    async with coop.core.uow() as uow:
        rows = list((await uow.session.execute(select(Vote))).scalars())
        assert [(v.member_id, v.choice) for v in rows] == [(coop.bob, [1])]
        assert await polls.current_choice(uow, coop.bob, poll_id) == [1]


async def test_an_empty_choice_retracts_an_open_ballot_vote(coop: Cooperative) -> None:
    poll_id = await open_poll(coop)
    await vote(coop, coop.bob, poll_id, [1])

    await vote(coop, coop.bob, poll_id, [])

    async with coop.core.uow() as uow:
        assert await polls.current_choice(uow, coop.bob, poll_id) is None
        assert await polls.count_votes(uow, poll_id) == 0
    assert (await _tally(coop.core, poll_id))["counts"] == [0, 0, 0]


async def test_retracting_a_vote_never_cast_changes_nothing(coop: Cooperative) -> None:
    poll_id = await open_poll(coop)

    await vote(coop, coop.bob, poll_id, [])

    assert (await _tally(coop.core, poll_id))["voters"] == 0


async def test_a_vote_after_the_closing_time_is_refused(
    coop: Cooperative, clock: FrozenClock
) -> None:
    poll_id = await open_poll(coop, closes_at=NOW + timedelta(hours=2))
    await vote(coop, coop.bob, poll_id, [0])
    clock.advance(hours=2)

    await _refused(coop, coop.bob, poll_id, [1], PollClosed)
    await _refused(coop, coop.carol, poll_id, [1], PollClosed)

    assert (await _tally(coop.core, poll_id))["counts"] == [1, 0, 0]


async def test_a_vote_one_second_before_the_closing_time_counts(
    coop: Cooperative, clock: FrozenClock
) -> None:
    poll_id = await open_poll(coop, closes_at=NOW + timedelta(hours=2))
    clock.advance(hours=2, seconds=-1)

    await vote(coop, coop.bob, poll_id, [1])

    assert (await _tally(coop.core, poll_id))["counts"] == [0, 1, 0]


async def test_a_vote_on_a_poll_closed_early_is_refused(coop: Cooperative) -> None:
    poll_id = await open_poll(coop)
    await _close(coop, poll_id)

    await _refused(coop, coop.bob, poll_id, [0], PollClosed)


async def test_a_closed_poll_keeps_the_result_it_was_closed_with(
    coop: Cooperative, clock: FrozenClock
) -> None:
    poll_id = await open_poll(coop)
    await vote(coop, coop.bob, poll_id, [1])
    first = await _close(coop, poll_id)
    clock.advance(days=1)

    again = await _close(coop, poll_id)

    assert again == first
    async with coop.core.uow() as uow:
        poll = await polls.get_poll(uow, poll_id)
        assert poll.state == PollState.CLOSED
        assert poll.closed_at == NOW


async def test_a_member_of_another_territory_cannot_vote(coop: Cooperative) -> None:
    poll_id = await open_poll(coop)
    stranger = await _newcomer(coop, approve=True, elsewhere=True)

    await _refused(coop, stranger, poll_id, [0], NotAMember)


async def test_a_volunteer_awaiting_approval_cannot_vote(coop: Cooperative) -> None:
    poll_id = await open_poll(coop)
    pending = await _newcomer(coop)

    await _refused(coop, pending, poll_id, [0], NotAMember)


async def test_a_suspended_member_cannot_vote(coop: Cooperative) -> None:
    poll_id = await open_poll(coop)
    async with coop.core.uow() as uow:
        await members.suspend_member(uow, coop.carol, by_id=coop.coordinator)
        await uow.commit()

    await _refused(coop, coop.carol, poll_id, [0], NotAMember)


async def test_a_refused_voter_leaves_no_vote_and_no_audit_line(coop: Cooperative) -> None:
    poll_id = await open_poll(coop, secret=True)
    pending = await _newcomer(coop)

    await _refused(coop, pending, poll_id, [0], NotAMember)

    async with coop.core.uow() as uow:
        assert (await uow.session.execute(select(BallotReceipt))).first() is None
        assert (await uow.session.execute(select(SecretTally))).first() is None
        votes = (
            await uow.session.execute(select(AuditEntry).where(AuditEntry.action == "poll.vote"))
        ).first()
        assert votes is None


async def test_a_secret_ballot_stores_the_choice_without_the_member_id(coop: Cooperative) -> None:
    poll_id = await open_poll(coop, secret=True)
    await vote(coop, coop.bob, poll_id, [1])
    await vote(coop, coop.carol, poll_id, [2])

    async with coop.core.uow() as uow:
        columns = await uow.session.run_sync(
            lambda session: {
                c["name"]
                for c in sa_inspect(session.connection()).get_columns(SecretTally.__tablename__)
            }
        )
        tallies = list((await uow.session.execute(select(SecretTally))).scalars())
        receipts = list((await uow.session.execute(select(BallotReceipt))).scalars())
        open_votes = (await uow.session.execute(select(Vote))).first()
        audit = list(
            (
                await uow.session.execute(
                    select(AuditEntry).where(AuditEntry.action == "poll.vote")
                )
            ).scalars()
        )
    assert columns == {"poll_id", "position", "count"}
    assert sorted((t.position, t.count) for t in tallies) == [(0, 0), (1, 1), (2, 1)]
    assert {r.member_id for r in receipts} == {coop.bob, coop.carol}
    assert open_votes is None
    assert [e.details for e in audit] == [{"secret": True}, {"secret": True}]


async def test_a_secret_ballot_cannot_be_cast_twice(coop: Cooperative) -> None:
    poll_id = await open_poll(coop, secret=True)
    await vote(coop, coop.bob, poll_id, [0])

    await _refused(coop, coop.bob, poll_id, [1], AlreadyVoted)

    tally = await _tally(coop.core, poll_id)
    assert tally["counts"] == [1, 0, 0]
    assert tally["voters"] == 1


async def test_a_secret_ballot_cannot_be_withdrawn(coop: Cooperative) -> None:
    poll_id = await open_poll(coop, secret=True)
    await vote(coop, coop.bob, poll_id, [0])

    await _refused(coop, coop.bob, poll_id, [], InvalidInput)


async def test_a_secret_voter_is_told_they_voted_but_not_what(coop: Cooperative) -> None:
    poll_id = await open_poll(coop, secret=True)
    await vote(coop, coop.bob, poll_id, [2])

    async with coop.core.uow() as uow:
        assert await polls.current_choice(uow, coop.bob, poll_id) == []
        assert await polls.current_choice(uow, coop.carol, poll_id) is None
        assert await polls.count_votes(uow, poll_id) == 1


async def test_the_tally_reports_a_quorum_not_reached(coop: Cooperative) -> None:
    poll_id = await open_poll(coop, quorum=3)
    await vote(coop, coop.bob, poll_id, [0])
    await vote(coop, coop.carol, poll_id, [0])

    result = await _close(coop, poll_id)

    assert (result["voters"], result["quorum"], result["quorum_reached"]) == (2, 3, False)


async def test_the_tally_reports_a_quorum_reached(coop: Cooperative) -> None:
    poll_id = await open_poll(coop, quorum=2, secret=True)
    await vote(coop, coop.bob, poll_id, [0])
    await vote(coop, coop.carol, poll_id, [1])

    result = await _close(coop, poll_id)

    assert (result["voters"], result["quorum"], result["quorum_reached"]) == (2, 2, True)
    assert result["winners"] == [0, 1]


async def test_a_retracted_vote_does_not_count_towards_the_quorum(coop: Cooperative) -> None:
    poll_id = await open_poll(coop, quorum=1)
    await vote(coop, coop.bob, poll_id, [0])
    await vote(coop, coop.bob, poll_id, [])

    result = await _close(coop, poll_id)

    assert result["quorum_reached"] is False


async def test_a_negative_quorum_is_refused(coop: Cooperative) -> None:
    with pytest.raises(InvalidInput):
        await open_poll(coop, quorum=-1)


async def test_a_proposal_poll_has_the_answers_yes_no_and_abstain(coop: Cooperative) -> None:
    poll_id = await open_poll(coop, options=[], kind=PollKind.PROPOSAL)
    await vote(coop, coop.bob, poll_id, [0])
    await vote(coop, coop.carol, poll_id, [2])

    result = await _close(coop, poll_id)

    assert result["labels"] == ["Yes", "No", "Abstain"]
    assert result["counts"] == [1, 0, 1]


async def test_a_proposal_poll_ignores_options_given_to_it(coop: Cooperative) -> None:
    poll_id = await open_poll(coop, options=["Maybe", "Later"], kind=PollKind.PROPOSAL)

    assert (await _tally(coop.core, poll_id))["labels"] == ["Yes", "No", "Abstain"]


async def test_a_proposal_poll_takes_a_single_answer(coop: Cooperative) -> None:
    poll_id = await open_poll(coop, options=[], kind=PollKind.PROPOSAL)

    await _refused(coop, coop.bob, poll_id, [0, 1], InvalidInput)


async def test_a_multiple_choice_poll_accepts_several_options(coop: Cooperative) -> None:
    poll_id = await open_poll(coop, kind=PollKind.MULTIPLE)
    await vote(coop, coop.bob, poll_id, [2, 0, 2])
    await vote(coop, coop.carol, poll_id, [0])

    result = await _close(coop, poll_id)

    assert result["counts"] == [2, 0, 1]
    assert result["voters"] == 2


async def test_a_single_choice_poll_refuses_several_options(coop: Cooperative) -> None:
    poll_id = await open_poll(coop)

    await _refused(coop, coop.bob, poll_id, [0, 1], InvalidInput)

    assert (await _tally(coop.core, poll_id))["voters"] == 0


@pytest.mark.parametrize("choice", [[3], [-1], [0, 7]], ids=["after", "negative", "mixed"])
async def test_a_choice_outside_the_options_is_refused(
    coop: Cooperative, choice: list[int]
) -> None:
    poll_id = await open_poll(coop, kind=PollKind.MULTIPLE)

    await _refused(coop, coop.bob, poll_id, choice, InvalidInput)


@pytest.mark.parametrize("count", [0, 1, 11])
async def test_a_poll_needs_between_two_and_ten_options(coop: Cooperative, count: int) -> None:
    with pytest.raises(InvalidInput):
        await open_poll(coop, options=[f"Option {n}" for n in range(count)])
    async with coop.core.uow() as uow:
        assert await polls.open_polls_for(uow, coop.bob) == []


@pytest.mark.parametrize("count", [2, 10])
async def test_a_poll_of_two_or_ten_options_is_opened(coop: Cooperative, count: int) -> None:
    poll_id = await open_poll(coop, options=[f"Option {n}" for n in range(count)])

    assert len((await _tally(coop.core, poll_id))["counts"]) == count  # type: ignore[arg-type]


async def test_two_options_that_differ_only_by_case_are_refused(coop: Cooperative) -> None:
    with pytest.raises(InvalidInput):
        await open_poll(coop, options=["Park", "PARK"])


async def test_a_poll_closing_in_the_past_is_refused(coop: Cooperative) -> None:
    with pytest.raises(InvalidInput):
        await open_poll(coop, closes_at=NOW - timedelta(minutes=1))


async def test_an_opened_poll_is_announced_to_approved_members_only(coop: Cooperative) -> None:
    pending = await _newcomer(coop)
    poll_id = await open_poll(coop)

    async with coop.core.uow() as uow:
        told = set(
            (
                await uow.session.execute(
                    select(Notification.member_id).where(Notification.topic == f"poll:{poll_id}")
                )
            ).scalars()
        )
    assert told == {coop.coordinator, coop.alice, coop.bob, coop.carol}
    assert pending not in told


async def test_a_poll_past_its_deadline_is_no_longer_offered_for_voting(
    coop: Cooperative, clock: FrozenClock
) -> None:
    await open_poll(coop, closes_at=NOW + timedelta(hours=1))
    later = await open_poll(coop, closes_at=NOW + timedelta(days=3))
    clock.advance(hours=1)

    async with coop.core.uow() as uow:
        assert [p.id for p in await polls.open_polls_for(uow, coop.bob)] == [later]


async def test_a_vote_that_comes_before_the_native_poll_is_recorded_finds_its_poll(
    coop: Cooperative,
) -> None:
    """The platform may deliver a vote between its answer to "send this poll" and our record
    of that native poll: the vote waits for the record instead of being dropped."""
    poll_id = await open_poll(coop)
    port = ChannelPort(coop.core)
    assert await port.poll_for_publication("telegram", "native-7") is None

    waiting = asyncio.create_task(port.poll_for_publication("telegram", "native-7", wait=10))
    await asyncio.sleep(0.05)
    assert not waiting.done()  # the vote is held, not dropped
    await port.publish_poll(poll_id, "telegram", "-100", "55", "native-7")
    assert await asyncio.wait_for(waiting, 5) == poll_id
    # A poll that nobody is publishing is answered as unknown once the wait is over.
    assert await port.poll_for_publication("telegram", "someone-elses", wait=0.1) is None

"""One person, several platforms (link codes); their rights over their data (export, erasure)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.domain.errors import CodeInvalid, InvalidInput, NotAllowed, NotFound
from core.domain.model import (
    Assignment,
    AuditEntry,
    HelpRequest,
    LinkCode,
    Member,
    Notification,
    PlatformAccount,
    Vote,
)
from core.domain.vocabulary import MemberStatus, Platform, Role
from core.services import identity, members, polls, privacy, requests
from tests.conftest import NOW, Cooperative, FrozenClock
from tests.integration._support import accept, new_member, open_poll, post, snapshot, vote

ALICE_PHONE, ALICE_ADDRESS = "06 12 34 56 78", "3 rue des Pêcheurs"


async def _code(coop: Cooperative, member_id: int) -> str:
    async with coop.core.uow() as uow:
        code = await identity.issue_link_code(uow, member_id)
        await uow.commit()
        return code.code


async def _redeem(coop: Cooperative, external_id: str, code: str) -> int:
    """Type `code` from a Telegram account and say yes; return the member it now belongs to."""
    async with coop.core.uow() as uow:
        account = await identity.ensure_account(uow, Platform.TELEGRAM, external_id)
        proposal = await identity.propose_link(uow, account, code)
        member = await identity.confirm_link(uow, account, proposal.code)
        await uow.commit()
        return member.id


async def _account_owner(coop: Cooperative, external_id: str) -> int | None:
    async with coop.core.uow() as uow:
        account = await identity.account_for(uow, Platform.TELEGRAM, external_id)
        return account.member_id if account else None


async def _erase(coop: Cooperative, member_id: int, by_id: int | None = None) -> None:
    async with coop.core.uow() as uow:
        await privacy.erase_member(uow, member_id, by_id=by_id)
        await uow.commit()


async def _done_request(coop: Cooperative, hours: float = 2, **extra: object) -> int:
    """Alice's request, accepted and done by Bob, thanked."""
    request_id = await post(coop, **extra)
    await accept(coop, coop.bob, request_id)
    async with coop.core.uow() as uow:
        await requests.complete(uow, coop.bob, request_id, hours)
        await requests.thank(uow, coop.alice, request_id)
        await uow.commit()
    return request_id


# --- Link codes -------------------------------------------------------------------------------


async def test_a_link_code_joins_an_account_of_another_platform_to_the_member(
    coop: Cooperative,
) -> None:
    code = await _code(coop, coop.alice)

    assert await _redeem(coop, "tg-alice", code) == coop.alice
    assert await _account_owner(coop, "tg-alice") == coop.alice


async def test_a_link_code_is_six_characters_that_cannot_be_misread(coop: Cooperative) -> None:
    code = await _code(coop, coop.alice)

    assert len(code) == 6
    assert not set(code) & set("01ILO")


async def test_a_link_code_still_works_nine_minutes_later(
    coop: Cooperative, clock: FrozenClock
) -> None:
    code = await _code(coop, coop.alice)
    clock.advance(minutes=9, seconds=59)

    assert await _redeem(coop, "tg-alice", code) == coop.alice


@pytest.mark.parametrize("minutes", [10, 11])
async def test_a_link_code_has_expired_ten_minutes_after_it_was_issued(
    coop: Cooperative, clock: FrozenClock, minutes: int
) -> None:
    code = await _code(coop, coop.alice)
    clock.advance(minutes=minutes)

    with pytest.raises(CodeInvalid):
        await _redeem(coop, "tg-alice", code)
    assert await _account_owner(coop, "tg-alice") is None


async def test_a_link_code_can_be_used_only_once(coop: Cooperative) -> None:
    code = await _code(coop, coop.alice)
    await _redeem(coop, "tg-alice", code)

    with pytest.raises(CodeInvalid):
        await _redeem(coop, "tg-intruder", code)
    assert await _account_owner(coop, "tg-intruder") is None


async def test_a_link_code_is_read_whatever_its_case_and_separators(coop: Cooperative) -> None:
    code = await _code(coop, coop.alice)
    typed = f" {code[:3].lower()}-{code[3:].lower()} "

    assert await _redeem(coop, "tg-alice", typed) == coop.alice


@pytest.mark.parametrize("typed", ["", "ABC", "ZZZZZZ", "ZZZZZZZ", "ÀÉÎÕÜ!"])
async def test_a_code_that_was_never_issued_is_refused(coop: Cooperative, typed: str) -> None:
    await _code(coop, coop.alice)

    with pytest.raises(CodeInvalid):
        await _redeem(coop, "tg-alice", typed)


async def test_an_account_already_joined_to_the_member_cannot_be_joined_again(
    coop: Cooperative,
) -> None:
    await _redeem(coop, "tg-alice", await _code(coop, coop.alice))

    with pytest.raises(InvalidInput):
        await _redeem(coop, "tg-alice", await _code(coop, coop.alice))


async def test_redeeming_from_an_account_of_another_territory_changes_nothing(
    coop: Cooperative,
) -> None:
    async with coop.core.uow() as uow:
        other = await members.add_territory(uow, "Bouguenais")
        account = await identity.ensure_account(uow, Platform.TELEGRAM, "tg-elsewhere")
        await members.onboard_member(
            uow, other.id, "Alice Ailleurs", roles=[Role.REQUESTER], account=account
        )
        await uow.commit()
    code = await _code(coop, coop.alice)
    before = await snapshot(coop.core)

    async with coop.core.uow() as uow:
        account = await identity.ensure_account(uow, Platform.TELEGRAM, "tg-elsewhere")
        with pytest.raises(InvalidInput):
            await identity.propose_link(uow, account, code)
        with pytest.raises(InvalidInput):
            await identity.confirm_link(uow, account, code)
        await uow.commit()  # even a caller that commits after the refusal changes nothing

    assert await snapshot(coop.core) == before
    assert await _redeem(coop, "tg-fresh", code) == coop.alice  # the code is still unused


async def test_redeeming_merges_the_former_members_votes_keeping_the_latest_per_poll(
    coop: Cooperative, clock: FrozenClock
) -> None:
    former = await new_member(
        coop, "tg-alice", "Alice D.", platform=Platform.TELEGRAM, in_chat=False
    )
    both_alice_last, both_former_last, only_former = (
        await open_poll(coop, ["A", "B", "C"], question="Picnic?"),
        await open_poll(coop, ["A", "B", "C"], question="Market?"),
        await open_poll(coop, ["A", "B", "C"], question="Choir?"),
    )
    await vote(coop, former, both_alice_last, [0])
    clock.advance(minutes=1)
    await vote(coop, coop.alice, both_alice_last, [1])
    await vote(coop, coop.alice, both_former_last, [0])
    clock.advance(minutes=1)
    await vote(coop, former, both_former_last, [2])
    await vote(coop, former, only_former, [1])

    assert await _redeem(coop, "tg-alice", await _code(coop, coop.alice)) == coop.alice

    async with coop.core.uow() as uow:
        votes = list((await uow.session.execute(select(Vote).order_by(Vote.poll_id))).scalars())
        assert [(v.poll_id, v.member_id, v.choice) for v in votes] == [
            (both_alice_last, coop.alice, [1]),
            (both_former_last, coop.alice, [2]),
            (only_former, coop.alice, [1]),
        ]
        assert (await polls.tally(uow, await polls.get_poll(uow, both_alice_last)))["voters"] == 1


async def test_redeeming_moves_the_former_members_requests_to_the_member(
    coop: Cooperative,
) -> None:
    former = await new_member(
        coop, "tg-alice", "Alice D.", platform=Platform.TELEGRAM, in_chat=False
    )
    request_id = await post(coop, requester_id=former)

    await _redeem(coop, "tg-alice", await _code(coop, coop.alice))

    async with coop.core.uow() as uow:
        mine = await requests.requests_of(uow, coop.alice)
        assert request_id in [r.id for r in mine]
        assert await requests.requests_of(uow, former) == []


async def test_the_former_member_is_retired_once_merged(coop: Cooperative) -> None:
    former = await new_member(
        coop, "tg-alice", "Alice D.", platform=Platform.TELEGRAM, in_chat=False
    )

    await _redeem(coop, "tg-alice", await _code(coop, coop.alice))

    async with coop.core.uow() as uow:
        with pytest.raises(NotFound):
            await members.get_member(uow, former)
        retired = await uow.session.get(Member, former)
        assert retired is not None and retired.status == MemberStatus.ERASED
        assert await members.find_members(uow, "Alice D.") == []


async def test_a_link_code_leaves_an_audit_line_without_the_code(coop: Cooperative) -> None:
    code = await _code(coop, coop.alice)
    await _redeem(coop, "tg-alice", code)

    async with coop.core.uow() as uow:
        lines = list(
            (
                await uow.session.execute(
                    select(AuditEntry).where(AuditEntry.action.like("identity.%"))
                )
            ).scalars()
        )
    assert [e.action for e in lines] == ["identity.code", "identity.link"]
    assert code not in str([e.details for e in lines])


# --- Export -----------------------------------------------------------------------------------


async def test_the_export_of_a_requester_lists_her_requests_and_who_helped(
    coop: Cooperative,
) -> None:
    done = await _done_request(coop, hours=1.5, description="Bread and milk")
    still_open = await post(coop, category="transport", days=5)

    async with coop.core.uow() as uow:
        export = await privacy.export_member(uow, coop.alice)

    assert [(r["id"], r["state"]) for r in export["requests"]] == [
        (done, "done"),
        (still_open, "open"),
    ]
    assert export["requests"][0]["description"] == "Bread and milk"
    first = export["requests"][0]
    assert (first["volunteer"], first["hours"]) == ("Bob Leroy", 1.5)
    assert export["member"]["phone"] == ALICE_PHONE
    assert export["member"]["address"] == ALICE_ADDRESS


async def test_the_export_of_a_volunteer_lists_his_tasks_and_votes(coop: Cooperative) -> None:
    done = await _done_request(coop, hours=2)
    poll_id = await open_poll(coop, ["A", "B", "C"], question="Picnic?")
    await vote(coop, coop.bob, poll_id, [2])

    async with coop.core.uow() as uow:
        export = await privacy.export_member(uow, coop.bob)

    assert [(t["request_id"], t["state"], t["hours"]) for t in export["tasks"]] == [
        (done, "done", 2.0)
    ]
    assert export["tasks"][0]["thanked_at"] == NOW.isoformat()
    assert [(v["poll_id"], v["choice"]) for v in export["votes"]] == [(poll_id, [2])]
    assert export["member"]["roles"] == ["volunteer"]
    assert export["member"]["skills"] == ["shopping", "transport"]


async def test_the_export_lists_the_members_accounts(coop: Cooperative) -> None:
    await _redeem(coop, "tg-alice", await _code(coop, coop.alice))

    async with coop.core.uow() as uow:
        export = await privacy.export_member(uow, coop.alice)

    assert [(a["platform"], a["external_id"]) for a in export["accounts"]] == [
        ("telegram", "tg-alice")
    ]


async def test_the_export_of_a_secret_voter_says_they_voted_but_not_what(
    coop: Cooperative,
) -> None:
    async with coop.core.uow() as uow:
        poll = await polls.create_poll(
            uow,
            coop.territory_id,
            "Treasurer?",
            ["Ana", "Léo"],
            closes_at=NOW + timedelta(days=1),
            secret=True,
            by_id=coop.coordinator,
        )
        await polls.vote(uow, coop.bob, poll.id, [1])
        await uow.commit()

    async with coop.core.uow() as uow:
        export = await privacy.export_member(uow, coop.bob)

    assert export["votes"] == []
    assert [b["poll_id"] for b in export["secret_ballots_cast"]] == [poll.id]
    assert "choice" not in export["secret_ballots_cast"][0]


async def test_the_export_holds_nothing_of_other_members(coop: Cooperative) -> None:
    await _done_request(coop)

    async with coop.core.uow() as uow:
        export = await privacy.export_member(uow, coop.bob)

    assert ALICE_PHONE not in str(export["member"]) + str(export["tasks"])
    assert ALICE_ADDRESS not in str(export["member"]) + str(export["tasks"])


# --- Erasure ----------------------------------------------------------------------------------


async def test_erasing_a_member_removes_name_phone_address_and_accounts(
    coop: Cooperative,
) -> None:
    await _redeem(coop, "tg-alice", await _code(coop, coop.alice))

    await _erase(coop, coop.alice, by_id=coop.alice)

    async with coop.core.uow() as uow:
        alice = await uow.session.get(Member, coop.alice)
        assert alice is not None
        assert (alice.display_name, alice.phone, alice.address, alice.neighbourhood) == (
            privacy.ERASED_NAME,
            None,
            None,
            None,
        )
        assert alice.status == MemberStatus.ERASED
        accounts = (await uow.session.execute(select(PlatformAccount))).scalars().all()
        assert accounts == []
        assert (await uow.session.execute(select(LinkCode))).first() is None


async def test_an_erased_member_can_no_longer_be_found(coop: Cooperative) -> None:
    await _erase(coop, coop.alice)

    async with coop.core.uow() as uow:
        with pytest.raises(NotFound):
            await members.get_member(uow, coop.alice)
        assert await members.find_members(uow, "Alice Durand") == []
        assert coop.alice not in [m.id for m in await members.list_members(uow)]


async def test_erasing_keeps_the_number_of_requests_but_not_their_text(
    coop: Cooperative,
) -> None:
    await _done_request(coop, description="Bread for Mrs Durand", place="3 rue des Pêcheurs")
    await post(coop, description="Call me at 06 12 34 56 78", days=5)

    await _erase(coop, coop.alice)

    async with coop.core.uow() as uow:
        rows = list(
            (
                await uow.session.execute(
                    select(HelpRequest).where(HelpRequest.requester_id == coop.alice)
                )
            ).scalars()
        )
    assert len(rows) == 2
    assert [(r.description, r.place) for r in rows] == [("", None), ("", None)]


async def test_erasing_a_volunteer_keeps_the_hours_given(coop: Cooperative) -> None:
    await _done_request(coop, hours=2.5)

    await _erase(coop, coop.bob)

    async with coop.core.uow() as uow:
        hours = (await uow.session.execute(select(func.sum(Assignment.hours)))).scalar_one()
    assert hours == 2.5


async def test_erasing_keeps_the_members_votes_in_the_tally(coop: Cooperative) -> None:
    poll_id = await open_poll(coop, ["A", "B", "C"], question="Picnic?")
    await vote(coop, coop.bob, poll_id, [1])
    await vote(coop, coop.carol, poll_id, [1])

    await _erase(coop, coop.bob)

    async with coop.core.uow() as uow:
        result = await polls.close_poll(uow, poll_id, by_id=coop.coordinator)
    assert (result["counts"], result["voters"]) == ([0, 2, 0], 2)


async def test_after_erasure_no_notification_carries_the_members_contact_or_name(
    coop: Cooperative,
) -> None:
    await _done_request(coop)  # Bob received Alice's phone and address when he accepted

    await _erase(coop, coop.alice)

    async with coop.core.uow() as uow:
        rows = list((await uow.session.execute(select(Notification))).scalars())
    leftovers = "\n".join(f"{r.key} {r.params}" for r in rows)
    for personal in (ALICE_PHONE, ALICE_ADDRESS, "Alice Durand"):
        assert personal not in leftovers


async def test_after_erasing_a_volunteer_no_notification_carries_his_full_name(
    coop: Cooperative,
) -> None:
    await _done_request(coop)  # Alice was told "Bob Leroy will help you"

    await _erase(coop, coop.bob)

    async with coop.core.uow() as uow:
        rows = list((await uow.session.execute(select(Notification))).scalars())
    assert "Bob Leroy" not in "\n".join(f"{r.key} {r.params}" for r in rows)
    assert "Alice" in "\n".join(str(r.params) for r in rows)  # others' data is kept


async def test_after_erasure_a_volunteer_keeps_the_outline_of_the_task_he_did(
    coop: Cooperative,
) -> None:
    request_id = await _done_request(coop)

    await _erase(coop, coop.alice)

    async with coop.core.uow() as uow:
        tasks = await requests.tasks_of(uow, coop.bob, active_only=False)
        export = await privacy.export_member(uow, coop.bob)
    assert [t.id for t in tasks] == [request_id]
    assert export["tasks"][0]["category"] == "shopping"


async def test_a_member_may_erase_themselves(coop: Cooperative) -> None:
    await _erase(coop, coop.bob, by_id=coop.bob)

    async with coop.core.uow() as uow:
        with pytest.raises(NotFound):
            await members.get_member(uow, coop.bob)


async def test_a_volunteer_may_not_erase_another_member(coop: Cooperative) -> None:
    with pytest.raises(NotAllowed):
        await _erase(coop, coop.alice, by_id=coop.bob)

    async with coop.core.uow() as uow:
        assert (await members.get_member(uow, coop.alice)).phone == ALICE_PHONE


async def test_an_erased_person_may_come_back_from_the_same_account_as_a_new_member(
    coop: Cooperative,
) -> None:
    await _redeem(coop, "tg-alice", await _code(coop, coop.alice))
    await _erase(coop, coop.alice)

    again = await new_member(coop, "tg-alice", "Alice", platform=Platform.TELEGRAM, in_chat=False)

    assert again != coop.alice
    assert await _account_owner(coop, "tg-alice") == again

"""Linking accounts (findings 1, 2 and 3 of issue 10), on SQLite and PostgreSQL.

1. A link code never joins two accounts without the explicit "yes" of the person on the account
   that typed (or tapped) it, shown with both names; the member who asked is told the outcome;
   codes are single-use, bound to the account that asked, and replaced by a newer one.
2. A merge keeps the most restrictive status and never grants a role that needs a
   coordinator's approval.
3. Wrong codes are limited per account and for the whole install, and the limit holds even
   for the right code.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from contextlib import AsyncExitStack, contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select

from core.app import Core
from core.dialogue.engine import ConversationEngine
from core.dialogue.flood import FloodGate
from core.dialogue.messages import Outgoing
from core.domain.errors import NotApproved, NotFound
from core.domain.model import (
    Assignment,
    Attempt,
    AuditEntry,
    LinkCode,
    Member,
    Notification,
    PlatformAccount,
)
from core.domain.vocabulary import MemberStatus, Platform, Role
from core.services import identity, members, privacy, requests
from tests.conftest import Cooperative, FrozenClock, make_settings
from tests.integration import _support
from tests.integration._support import accept, as_member, new_member, post
from tests.telegram.bot_api import FakeBotApi
from tests.telegram.harness import onboard_on_telegram, running_channel

TG, MX = Platform.TELEGRAM.value, Platform.MATRIX.value

# A flood gate that lets everything through, for the tests of the attempt limits.
WIDE_OPEN = FloodGate(burst=1_000_000, per_minute=1_000_000)


def spoken(replies: list[Outgoing]) -> str:
    return "\n".join(r.text for r in replies)


# One message (or button press, or deep link) from a person with an English app.
say = partial(_support.say, language="en")


def buttons(replies: list[Outgoing]) -> list[str]:
    return [b.action for r in replies for b in r.buttons]


async def account(coop: Cooperative, platform: str, who: str) -> PlatformAccount:
    async with coop.core.uow() as uow:
        found = await identity.account_for(uow, platform, who)
        assert found is not None
        return found


async def code_of(engine: ConversationEngine, platform: str, who: str) -> str:
    """`who` asks the bot for a link code (`/lier`)."""
    replies = await say(engine, who, platform=platform, action="link")
    codes = [str(r.params["code"]) for r in replies if "code" in r.params]
    assert codes, spoken(replies)
    return codes[0]


async def told_to_account(coop: Cooperative, account_id: int) -> list[Notification]:
    """What the outbox holds for one account's chat, oldest first."""
    async with coop.core.uow() as uow:
        rows = await uow.session.execute(
            select(Notification)
            .where(Notification.account_id == account_id)
            .order_by(Notification.id)
        )
        return list(rows.scalars())


async def member(coop: Cooperative, member_id: int) -> Member:
    async with coop.core.uow() as uow:
        found = await uow.session.get(Member, member_id)
        assert found is not None
        return found


# --- Finding 1: account takeover through a link code ------------------------------------------


@pytest.fixture
async def eve_and_bob(coop: Cooperative) -> tuple[ConversationEngine, int, str]:
    """Eve (a requester, on Telegram) and Bob (a volunteer holding Alice's request, Telegram).

    Returns the engine, Alice's request that Bob holds, and Eve's link code.
    """
    engine = ConversationEngine(coop.core)
    await new_member(coop, "eve", "Eve Mallet", platform=TG, roles=[Role.REQUESTER], language="en")
    await as_member(coop.core, "bob", coop.bob, TG)
    request_id = await post(coop)
    await accept(coop, coop.bob, request_id)
    return engine, request_id, await code_of(engine, TG, "eve")


async def test_a_member_who_taps_someone_elses_link_is_asked_first_and_nothing_is_joined(
    coop: Cooperative, eve_and_bob: tuple[ConversationEngine, int, str]
) -> None:
    engine, request_id, code = eve_and_bob

    # Bob taps t.me/<bot>?start=<code>: the Telegram adapter turns it into this action.
    asked = await say(engine, "bob", platform=TG, action=f"link:{code}")

    assert "Eve" in spoken(asked) and "Bob" in spoken(asked)
    assert set(buttons(asked)) >= {"link_yes", "link_no"}
    assert (await account(coop, TG, "bob")).member_id == coop.bob
    assert (await member(coop, coop.bob)).status == MemberStatus.APPROVED
    async with coop.core.uow() as uow:
        holder = (
            await uow.session.execute(
                select(Assignment.volunteer_id).where(Assignment.request_id == request_id)
            )
        ).scalar_one()
    assert holder == coop.bob
    eve = (await account(coop, TG, "eve")).member_id
    assert eve is not None
    async with coop.core.uow() as uow:  # Eve sees no task, no contact of Alice
        assert await requests.tasks_of(uow, eve) == []


async def test_refusing_tells_the_member_who_asked_and_spends_the_code(
    coop: Cooperative, eve_and_bob: tuple[ConversationEngine, int, str]
) -> None:
    engine, _, code = eve_and_bob
    await say(engine, "bob", platform=TG, action=f"link:{code}")

    refused = await say(engine, "bob", platform=TG, action="link_no")

    assert "link_yes" not in buttons(refused)
    assert (await account(coop, TG, "bob")).member_id == coop.bob
    eve_account = (await account(coop, TG, "eve")).id
    told = await told_to_account(coop, eve_account)
    assert any("refused" in row.key for row in told), [row.key for row in told]
    again = await say(engine, "bob", platform=TG, action=f"link:{code}")  # single use
    assert "link_yes" not in buttons(again)
    assert (await account(coop, TG, "bob")).member_id == coop.bob


async def test_a_confirmation_links_only_the_code_kept_in_the_conversation_still_valid(
    coop: Cooperative, eve_and_bob: tuple[ConversationEngine, int, str]
) -> None:
    engine, _, code = eve_and_bob
    await say(engine, "bob", platform=TG, action=f"link:{code}")
    await code_of(engine, TG, "eve")  # Eve asks again: her first code no longer works

    pressed = await say(engine, "bob", platform=TG, action="link_yes")

    assert (await account(coop, TG, "bob")).member_id == coop.bob
    assert (await member(coop, coop.bob)).status == MemberStatus.APPROVED
    assert "link_yes" not in buttons(pressed)


async def test_a_yes_button_alone_joins_nothing(coop: Cooperative) -> None:
    engine = ConversationEngine(coop.core)
    await as_member(coop.core, "bob", coop.bob, TG)
    for forged in ("link_yes", "link_yes:ABCDEF", "link_no"):
        await say(engine, "bob", platform=TG, action=forged)
    assert (await account(coop, TG, "bob")).member_id == coop.bob
    assert (await member(coop, coop.bob)).status == MemberStatus.APPROVED


async def test_a_code_is_bound_to_the_asking_account_and_a_new_one_replaces_it(
    coop: Cooperative,
) -> None:
    engine = ConversationEngine(coop.core)
    await as_member(coop.core, "alice", coop.alice, TG)
    first = await code_of(engine, TG, "alice")
    second = await code_of(engine, TG, "alice")

    asking = (await account(coop, TG, "alice")).id
    async with coop.core.uow() as uow:
        row = await uow.session.get(LinkCode, second)
        assert row is not None and row.account_id == asking
    stale = await say(engine, "@alice:hs", platform=MX, text=f"lier {first}")
    assert "link_yes" not in buttons(stale)
    fresh = await say(engine, "@alice:hs", platform=MX, text=f"lier {second}")
    assert "link_yes" in buttons(fresh)


async def test_alice_links_her_matrix_account_as_a_newcomer_once_she_confirms(
    coop: Cooperative,
) -> None:
    engine = ConversationEngine(coop.core)
    alice_tg = await as_member(coop.core, "alice", coop.alice, TG)
    code = await code_of(engine, TG, "alice")

    asked = await say(engine, "@alice:hs", platform=MX, text=f"lier {code}")
    assert "Alice" in spoken(asked) and "link_yes" in buttons(asked)
    assert (await account(coop, MX, "@alice:hs")).member_id is None  # not before the yes

    done = await say(engine, "@alice:hs", platform=MX, text="oui")

    assert "Alice" in spoken(done)
    assert (await account(coop, MX, "@alice:hs")).member_id == coop.alice
    assert any("now linked" in row.key for row in await told_to_account(coop, alice_tg))


async def test_two_members_of_the_same_person_are_merged_once_she_confirms(
    coop: Cooperative,
) -> None:
    engine = ConversationEngine(coop.core)
    await as_member(coop.core, "alice", coop.alice, TG)
    former = await new_member(
        coop, "@alice:hs", "Alice D.", platform=MX, roles=[Role.REQUESTER], language="en"
    )
    request_id = await post(coop, requester_id=former)
    code = await code_of(engine, TG, "alice")

    asked = await say(engine, "@alice:hs", platform=MX, action=f"link:{code}")
    assert "Alice Durand" in spoken(asked) and "Alice D." in spoken(asked)
    await say(engine, "@alice:hs", platform=MX, action="link_yes")

    assert (await account(coop, MX, "@alice:hs")).member_id == coop.alice
    assert (await member(coop, former)).status == MemberStatus.ERASED
    async with coop.core.uow() as uow:
        assert request_id in [r.id for r in await requests.requests_of(uow, coop.alice)]


# --- Finding 2: approval bypass by merging ----------------------------------------------------


async def _merge(coop: Cooperative, from_id: int, into_id: int) -> None:
    async with coop.core.uow() as uow:
        await identity.merge_members(uow, from_id, into_id)
        await uow.commit()


async def _suspend(coop: Cooperative, member_id: int) -> None:
    async with coop.core.uow() as uow:
        await members.suspend_member(uow, member_id, by_id=None)
        await uow.commit()


@pytest.mark.parametrize("volunteer_is_target", [False, True])
async def test_a_pending_volunteer_merged_with_an_approved_requester_stays_pending(
    coop: Cooperative, volunteer_is_target: bool
) -> None:
    waiting = await new_member(
        coop, "vic", "Victor Attend", platform=TG, roles=[Role.VOLUNTEER], language="en"
    )
    requester = await new_member(
        coop, "@vic:hs", "Victor A.", platform=MX, roles=[Role.REQUESTER], language="en"
    )
    source, target = (requester, waiting) if volunteer_is_target else (waiting, requester)
    request_id = await post(coop)

    await _merge(coop, source, target)

    merged = await member(coop, target)
    assert merged.is_volunteer and merged.status == MemberStatus.PENDING
    async with coop.core.uow() as uow:
        with pytest.raises(NotApproved):
            await requests.accept(uow, target, request_id)
        told = list(
            (
                await uow.session.execute(
                    select(Notification).where(Notification.member_id == coop.coordinator)
                )
            ).scalars()
        )
    if not volunteer_is_target:  # a new volunteer role: the coordinators are asked, as usual
        assert any(
            "waiting for your approval" in row.key and row.params.get("name") == "Victor A."
            for row in told
        )


@pytest.mark.parametrize("suspended_is_target", [False, True])
async def test_a_suspended_member_stays_suspended_after_a_merge(
    coop: Cooperative, suspended_is_target: bool
) -> None:
    fresh = await new_member(
        coop, "@bob:hs", "Bob L.", platform=MX, roles=[Role.REQUESTER], language="en"
    )
    await _suspend(coop, coop.bob)
    source, target = (fresh, coop.bob) if suspended_is_target else (coop.bob, fresh)

    await _merge(coop, source, target)

    assert (await member(coop, target)).status == MemberStatus.SUSPENDED


async def test_the_coordinator_role_is_never_carried_by_a_merge(coop: Cooperative) -> None:
    fresh = await new_member(
        coop, "@claire:hs", "Claire M.", platform=MX, roles=[Role.REQUESTER], language="en"
    )

    await _merge(coop, coop.coordinator, fresh)

    merged = await member(coop, fresh)
    assert not merged.is_coordinator
    async with coop.core.uow() as uow:
        assert fresh not in [c.id for c in await members.coordinators_of(uow, coop.territory_id)]


async def test_an_erased_member_cannot_be_merged(coop: Cooperative) -> None:
    erased = await new_member(
        coop, "@zed:hs", "Zed Gone", platform=MX, roles=[Role.REQUESTER], language="en"
    )
    async with coop.core.uow() as uow:
        await privacy.erase_member(uow, erased, by_id=None)
        await uow.commit()

    for source, target in ((erased, coop.alice), (coop.alice, erased)):
        async with coop.core.uow() as uow:
            with pytest.raises(NotFound):
                await identity.merge_members(uow, source, target)
    assert (await member(coop, coop.alice)).status == MemberStatus.APPROVED


async def test_a_merge_is_audited_with_both_ids(coop: Cooperative) -> None:
    fresh = await new_member(
        coop, "@alice:hs", "Alice D.", platform=MX, roles=[Role.REQUESTER], language="en"
    )

    await _merge(coop, fresh, coop.alice)

    async with coop.core.uow() as uow:
        line = (
            await uow.session.execute(
                select(AuditEntry).where(AuditEntry.action == "member.merge")
            )
        ).scalar_one()
    assert line.details["from"] == fresh and line.details["into"] == coop.alice
    assert line.details["status"] == MemberStatus.APPROVED


async def test_linking_through_the_chat_cannot_approve_a_waiting_volunteer(
    coop: Cooperative,
) -> None:
    """The attack of finding 2 end to end: a waiting volunteer links a fresh requester."""
    engine = ConversationEngine(coop.core)
    await new_member(
        coop, "vic", "Victor Attend", platform=TG, roles=[Role.VOLUNTEER], language="en"
    )
    requester = await new_member(
        coop, "@vic:hs", "Victor A.", platform=MX, roles=[Role.REQUESTER], language="en"
    )
    request_id = await post(coop)
    code = await code_of(engine, MX, "@vic:hs")  # asked by the approved requester...
    await say(
        engine, "vic", platform=TG, action=f"link:{code}"
    )  # ... typed by the waiting volunteer
    await say(engine, "vic", platform=TG, action="link_yes")

    assert (await account(coop, TG, "vic")).member_id == requester
    merged = await member(coop, requester)
    assert merged.is_volunteer and merged.status == MemberStatus.PENDING
    async with coop.core.uow() as uow:
        with pytest.raises(NotApproved):
            await requests.accept(uow, requester, request_id)


# --- Finding 3: link codes brute-forced ------------------------------------------------------


async def _attempt_rows(coop: Cooperative) -> int:
    async with coop.core.uow() as uow:
        return (
            await uow.session.execute(
                select(func.count()).select_from(Attempt).where(Attempt.kind == "link-code")
            )
        ).scalar_one()


@contextmanager
def statements(coop: Cooperative) -> Iterator[list[str]]:
    """The SQL statements run meanwhile, lower case."""
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(str(args[2]).lower())

    engine = coop.core.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _wrong_codes(count: int, right: str) -> list[str]:
    alphabet = identity.CODE_ALPHABET
    codes = []
    for n in range(count * 2):
        candidate = "".join(alphabet[(n // len(alphabet) ** i) % len(alphabet)] for i in range(6))
        if candidate != right:
            codes.append(candidate)
    return codes[:count]


async def test_two_thousand_wrong_codes_from_one_account_are_refused_after_five(
    coop: Cooperative, clock: FrozenClock
) -> None:
    # The attempt limit alone is under test here: the flood gate, which would drop most of
    # these 2 000 messages before they reach it, is opened wide.
    engine = ConversationEngine(coop.core, flood=WIDE_OPEN)
    await as_member(coop.core, "alice", coop.alice, TG)
    right = await code_of(engine, TG, "alice")

    # A newcomer (no member) fires 2 000 guesses at once, as a script would.
    answers = await asyncio.gather(
        *(
            say(engine, "mallory", platform=TG, text=f"lier {guess}")
            for guess in _wrong_codes(2000, right)
        )
    )

    keys = [r.key for replies in answers for r in replies]
    assert sum("wrong or has expired" in k for k in keys) == 5
    assert sum("Too many tries" in k for k in keys) == 1995
    assert await _attempt_rows(coop) == 5  # the refusals write nothing more
    # Even the right code is refused until the window has passed, and cheaply: one count of
    # this account's recent failures, no look-up of the code, nothing written about it.
    with statements(coop) as seen:
        refused = await say(engine, "mallory", platform=TG, text=f"lier {right}")
    assert "link_yes" not in buttons(refused) and "Too many tries" in refused[0].key
    assert not [s for s in seen if "link_codes" in s]
    assert len([s for s in seen if "from attempts" in s]) == 1, seen
    assert not [s for s in seen if "into attempts" in s]
    # ... and once the window has passed, a right code works again (with the confirmation).
    clock.advance(minutes=coop.core.settings.link_attempt_window_minutes, seconds=1)
    right = await code_of(engine, TG, "alice")
    assert "link_yes" in buttons(await say(engine, "mallory", platform=TG, text=f"lier {right}"))


async def test_other_accounts_are_refused_once_the_global_limit_is_reached(
    coop: Cooperative,
) -> None:
    engine = ConversationEngine(coop.core, flood=WIDE_OPEN)
    settings = coop.core.settings
    await as_member(coop.core, "alice", coop.alice, TG)
    right = await code_of(engine, TG, "alice")
    guesses = iter(_wrong_codes(settings.link_attempts_global + 10, right))
    accounts = -(-settings.link_attempts_global // settings.link_attempts_per_account)
    for n in range(accounts):
        for _ in range(settings.link_attempts_per_account):
            await say(engine, f"bot-{n}", platform=TG, text=f"lier {next(guesses)}")

    fresh = await say(engine, "@someone:hs", platform=MX, text=f"lier {right}")

    assert "Too many tries" in fresh[0].key and "link_yes" not in buttons(fresh)
    assert await _attempt_rows(coop) == settings.link_attempts_global


# --- Finding 1 through the real Telegram adapter (local Bot API server) -----------------------


@pytest.mark.slow
async def test_a_deep_link_tapped_on_telegram_asks_and_a_no_tells_the_member_who_shared_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    api = await FakeBotApi.start(bot_username="entraide_test_bot")
    settings = make_settings(f"sqlite+aiosqlite:///{tmp_path / 'tg.sqlite3'}")
    core = Core.open(settings.model_copy(update={"default_territory": "Rezé"}))
    await core.create_schema()
    eve, bob = api.user(666, "Eve", started=True), api.user(201, "Bob", started=True)
    async with core.uow() as uow:
        territory = await members.add_territory(uow, "Rezé")
        for user, name, roles in (
            (eve, "Eve Mallet", [Role.REQUESTER]),
            (bob, "Bob Leroy", [Role.VOLUNTEER]),
        ):
            await onboard_on_telegram(uow, territory.id, user, name=name, roles=roles)
        await uow.commit()
    async with AsyncExitStack() as stack:
        stack.push_async_callback(api.stop)
        stack.push_async_callback(core.close)
        await stack.enter_async_context(running_channel(api, core))
        api.command(eve, "/lier")
        await api.wait_until(lambda: any("code" in (m.text or "") for m in api.sent(eve)), 8)
        said = next(m.text or "" for m in api.sent(eve) if "code" in (m.text or ""))
        found_code = re.search(r"\b([2-9A-Z]{6})\b", said)
        assert found_code, said

        api.command(bob, "/start", found_code.group(1))  # Bob taps t.me/<bot>?start=<code>
        await api.wait_until(lambda: any("link_no" in m.callback_data for m in api.sent(bob)), 8)
        asking = next(m for m in api.sent(bob) if "link_no" in m.callback_data)
        assert "Eve Mallet" in (asking.text or "") and "Bob Leroy" in (asking.text or "")
        async with core.uow() as uow:
            account_of_bob = await identity.account_for(uow, TG, str(bob.id))
            assert account_of_bob is not None and account_of_bob.member_id is not None
            bob_member = await uow.session.get(Member, account_of_bob.member_id)
            assert bob_member is not None and bob_member.display_name == "Bob Leroy"
            assert bob_member.status != MemberStatus.ERASED

        api.press(bob, asking, "link_no")
        await api.wait_until(lambda: any("refus" in (m.text or "") for m in api.sent(eve)), 8)
        async with core.uow() as uow:
            again = await identity.account_for(uow, TG, str(bob.id))
            assert again is not None and again.member_id == bob_member.id
    assert api.server_errors == []

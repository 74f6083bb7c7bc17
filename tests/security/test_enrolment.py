"""Finding 8 of the trust review: open enrolment decided votes.

`/start join_<territory id>` let any Telegram account join any territory as an approved
requester, and three throwaway accounts decided another territory's secret ballot. Now
invitations are unguessable, revocable codes; newcomers without one join the default
territory; a poll counts only the members approved before it opened (or of one role); and
requests of new members are marked so to volunteers.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from functools import partial
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bots.telegram.links import invitation_link, start_action
from core.app import Core
from core.dialogue.engine import ConversationEngine
from core.dialogue.render import render_text
from core.domain import events
from core.domain.errors import NotAllowed, NotAVoter
from core.domain.model import (
    BallotReceipt,
    Member,
    Notification,
    PlatformAccount,
    Poll,
    Territory,
)
from core.domain.vocabulary import Category, Role
from core.services import identity, invitations, members, polls, requests
from tests.conftest import FrozenClock, make_settings
from tests.integration import _support
from tests.telegram.bot_api import FakeBotApi
from tests.telegram.harness import running_channel

# What Telegram accepts as a deep link's payload.
DEEP_LINK_PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")


# One message of a person on Telegram (French app), its replies marked as delivered.
say = partial(_support.say, platform="telegram", territory=None, language="fr")


async def join_as_requester(engine: ConversationEngine, who: str, payload: str) -> str:
    """Open `t.me/<bot>?start=<payload>` and answer every question; returns what was said."""
    said = [m.text for m in await say(engine, who, action=start_action([payload]))]
    await say(engine, who, text=who.capitalize())
    await say(engine, who, action="role:requester")
    await say(engine, who, action="nb:none")
    await say(engine, who, action="skip")
    await say(engine, who, action="skip")
    said += [m.text for m in await say(engine, who, action="band:none")]
    return "\n".join(said)


async def member_of(core: Core, who: str) -> Member:
    async with core.uow() as uow:
        account = await identity.account_for(uow, "telegram", who)
        assert isinstance(account, PlatformAccount) and account.member_id is not None
        member = await uow.session.get(Member, account.member_id)
        assert member is not None
        return member


class Bouguenais:
    """A territory that is not the default one, with two approved members and a coordinator."""

    def __init__(self, core: Core) -> None:
        self.core = core

    async def setup(self) -> Bouguenais:
        async with self.core.uow() as uow:
            territory = await members.add_territory(uow, "Bouguenais", neighbourhoods=["Couëts"])
            self.territory_id = territory.id
            self.coordinator = (
                await members.onboard_member(uow, territory.id, "Claire", roles=[Role.COORDINATOR])
            ).id
            self.odile = (
                await members.onboard_member(uow, territory.id, "Odile", roles=[Role.REQUESTER])
            ).id
            self.victor = (
                await members.onboard_member(
                    uow,
                    territory.id,
                    "Victor",
                    roles=[Role.VOLUNTEER],
                    skills=[Category.SHOPPING],
                    availability=(1 << 21) - 1,
                )
            ).id
            await members.approve_member(uow, self.victor, by_id=self.coordinator)
            await uow.commit()
        return self

    async def secret_ballot(self, **electorate: object) -> int:
        async with self.core.uow() as uow:
            poll = await polls.create_poll(
                uow,
                self.territory_id,
                "Fermer le local le samedi ?",
                ["Oui", "Non"],
                closes_at=uow.now() + timedelta(days=7),
                secret=True,
                by_id=self.coordinator,
                **electorate,  # type: ignore[arg-type]
            )
            await uow.commit()
            return poll.id

    async def invitation(self, **limits: object) -> str:
        async with self.core.uow() as uow:
            invitation = await invitations.create_invitation(
                uow,
                self.territory_id,
                by_id=self.coordinator,
                **limits,  # type: ignore[arg-type]
            )
            await uow.commit()
            return invitation.code


async def tally(core: Core, poll_id: int) -> tuple[list[int], int]:
    async with core.uow() as uow:
        result = await polls.tally(uow, await polls.get_poll(uow, poll_id))
        receipts = await uow.session.execute(
            select(func.count()).select_from(BallotReceipt).where(BallotReceipt.poll_id == poll_id)
        )
        return list(result["counts"]), int(receipts.scalar_one())


@pytest.fixture
async def bouguenais(core: Core) -> Bouguenais:
    return await Bouguenais(core).setup()


# --- the attack -----------------------------------------------------------------------------


async def test_throwaway_accounts_that_guess_a_territory_s_link_cannot_decide_its_secret_ballot(
    core: Core, clock: FrozenClock, bouguenais: Bouguenais
) -> None:
    engine = ConversationEngine(core)
    poll_id = await bouguenais.secret_ballot()
    clock.advance(minutes=10)
    for who in ("throwaway1", "throwaway2", "throwaway3"):
        said = await join_as_requester(engine, who, f"join_{bouguenais.territory_id}")
        assert "n'est plus valable" in said  # told kindly where they are going instead
        member = await member_of(core, who)
        assert member.territory_id != bouguenais.territory_id
        refusal = await say(engine, who, action=f"vote:{poll_id}:1")
        assert refusal and "membres" in refusal[0].text
    assert await tally(core, poll_id) == ([0, 0], 0)


async def test_a_newcomer_invited_after_a_poll_opened_joins_but_neither_votes_nor_is_reminded(
    core: Core, clock: FrozenClock, bouguenais: Bouguenais
) -> None:
    engine = ConversationEngine(core)
    poll_id = await bouguenais.secret_ballot()
    code = await bouguenais.invitation()
    clock.advance(hours=1)
    said = await join_as_requester(engine, "nadia", f"join_{code}")
    assert "Bouguenais" in said
    nadia = await member_of(core, "nadia")
    assert nadia.territory_id == bouguenais.territory_id and nadia.status == "approved"
    refusal = await say(engine, "nadia", action=f"vote:{poll_id}:1")
    assert "avant l'ouverture" in refusal[0].text
    assert await tally(core, poll_id) == ([0, 0], 0)
    async with core.uow() as uow:
        uow.publish(events.PollClosingSoon(poll_id))
        await uow.commit()
    async with core.uow() as uow:
        reminded = set(
            (
                await uow.session.execute(
                    select(Notification.member_id).where(
                        Notification.topic == f"poll:{poll_id}",
                        Notification.key.startswith("Reminder"),
                    )
                )
            ).scalars()
        )
    assert reminded == {bouguenais.coordinator, bouguenais.odile, bouguenais.victor}


async def test_a_poll_open_to_new_members_counts_them(
    core: Core, clock: FrozenClock, bouguenais: Bouguenais
) -> None:
    engine = ConversationEngine(core)
    poll_id = await bouguenais.secret_ballot(prior_members_only=False)
    code = await bouguenais.invitation()
    clock.advance(hours=1)
    await join_as_requester(engine, "nadia", f"join_{code}")
    await say(engine, "nadia", action=f"vote:{poll_id}:1")
    assert await tally(core, poll_id) == ([0, 1], 1)


async def test_a_poll_for_volunteers_is_announced_to_them_only_and_refuses_others_kindly(
    core: Core, bouguenais: Bouguenais
) -> None:
    poll_id = await bouguenais.secret_ballot(voter_role="volunteer")
    async with core.uow() as uow:
        told = set(
            (
                await uow.session.execute(
                    select(Notification.member_id).where(
                        Notification.topic == f"poll:{poll_id}",
                        Notification.member_id.is_not(None),
                    )
                )
            ).scalars()
        )
        assert told == {bouguenais.victor}
        with pytest.raises(NotAVoter) as refused:
            await polls.vote(uow, bouguenais.odile, poll_id, [0])
        assert "bénévoles" in refused.value.key or "volunteers" in refused.value.key
        await polls.vote(uow, bouguenais.victor, poll_id, [0])
        await uow.commit()
    assert await tally(core, poll_id) == ([1, 0], 1)


# --- invitations ----------------------------------------------------------------------------


async def test_invitation_codes_are_random_and_fit_a_telegram_deep_link(
    core: Core, bouguenais: Bouguenais
) -> None:
    codes = [await bouguenais.invitation() for _ in range(40)]
    assert len(set(codes)) == len(codes)
    for code in codes:
        payload = f"join_{code}"
        assert DEEP_LINK_PAYLOAD.fullmatch(payload)
        assert len(code) >= 22  # 22 characters of base64url: at least 128 random bits
        assert not code.isdigit()
        assert start_action([payload]) == f"join:{code}"
        assert invitation_link("b", code) == f"https://t.me/b?start={payload}"


@pytest.mark.parametrize("state", ["revoked", "expired", "used up", "unknown", "old numeric"])
async def test_an_invitation_that_no_longer_holds_joins_the_default_territory_with_a_kind_word(
    core: Core, clock: FrozenClock, bouguenais: Bouguenais, state: str
) -> None:
    engine = ConversationEngine(core)
    code = await bouguenais.invitation(
        expires_at=clock.now + timedelta(days=1), max_uses=1 if state == "used up" else None
    )
    if state == "revoked":
        async with core.uow() as uow:
            await invitations.revoke_invitation(uow, code, by_id=bouguenais.coordinator)
            await uow.commit()
    elif state == "expired":
        clock.advance(days=2)
    elif state == "used up":
        await join_as_requester(engine, "first", f"join_{code}")
        assert (await member_of(core, "first")).territory_id == bouguenais.territory_id
    elif state == "unknown":
        code = code[:-4] + ("AAAA" if not code.endswith("AAAA") else "BBBB")
    elif state == "old numeric":
        code = str(bouguenais.territory_id)
    said = await join_as_requester(engine, "late", f"join_{code}")
    default = core.settings.default_territory
    assert f"Cette invitation n'est plus valable\u00a0: vous rejoignez {default}" in said
    late = await member_of(core, "late")
    async with core.uow() as uow:
        territory = await uow.session.get(Territory, late.territory_id)
        assert territory is not None and territory.name == default


async def test_an_invitation_counts_its_uses_and_opening_it_twice_is_one_use(
    core: Core, bouguenais: Bouguenais
) -> None:
    engine = ConversationEngine(core)
    code = await bouguenais.invitation(max_uses=2)
    await say(engine, "nadia", action=f"join:{code}")
    await join_as_requester(engine, "nadia", f"join_{code}")  # the link opened again
    await join_as_requester(engine, "noe", f"join_{code}")
    await join_as_requester(engine, "third", f"join_{code}")
    assert (await member_of(core, "nadia")).territory_id == bouguenais.territory_id
    assert (await member_of(core, "noe")).territory_id == bouguenais.territory_id
    assert (await member_of(core, "third")).territory_id != bouguenais.territory_id
    async with core.uow() as uow:
        listed = await invitations.list_invitations(uow, bouguenais.territory_id, by_id=None)
    assert [(i.code, i.uses, i.max_uses) for i in listed] == [(code, 2, 2)]


async def test_only_a_coordinator_of_the_territory_makes_or_revokes_its_invitations(
    core: Core, bouguenais: Bouguenais
) -> None:
    code = await bouguenais.invitation()
    async with core.uow() as uow:
        with pytest.raises(NotAllowed):
            await invitations.create_invitation(
                uow, bouguenais.territory_id, by_id=bouguenais.odile
            )
        with pytest.raises(NotAllowed):
            await invitations.revoke_invitation(uow, code, by_id=bouguenais.victor)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_any_start_payload_gives_an_action_whose_code_telegram_could_carry(payload: str) -> None:
    action = start_action([f"join_{payload}"])
    if action.startswith("join:"):
        assert DEEP_LINK_PAYLOAD.fullmatch(f"join_{action[5:]}")
    else:
        assert action == "menu" or action.startswith("link:")


# --- new members' requests ------------------------------------------------------------------


async def test_requests_of_members_who_joined_recently_are_marked_to_volunteers(
    core: Core, clock: FrozenClock, bouguenais: Bouguenais
) -> None:
    clock.advance(days=20)  # Odile joined 20 days ago, Nadia 3 days ago
    async with core.uow() as uow:
        newcomer = (
            await members.onboard_member(
                uow, bouguenais.territory_id, "Nadia", roles=[Role.REQUESTER]
            )
        ).id
        await uow.commit()
    clock.advance(days=3)
    async with core.uow() as uow:
        for requester in (newcomer, bouguenais.odile):
            await requests.post_request(
                uow, requester, category="shopping", when_start=uow.now() + timedelta(days=1)
            )
        await uow.commit()
    async with core.uow() as uow:
        rows = (
            await uow.session.execute(
                select(Notification).where(
                    Notification.member_id == bouguenais.victor,
                    Notification.key.startswith("New request"),
                )
            )
        ).scalars()
        offers = {row.params["first_name"]: row for row in rows}
    assert {name: row.params.get("new_member") for name, row in offers.items()} == {
        "Nadia": True,
        "Odile": False,
    }
    nadia, odile = offers["Nadia"], offers["Odile"]
    assert "pour Nadia (nouveau membre)." in render_text(nadia.key, nadia.params, "fr", "UTC")
    assert "for Nadia (new member)." in render_text(nadia.key, nadia.params, "en", "UTC")
    assert "membre" not in render_text(odile.key, odile.params, "fr", "UTC")


# --- through the real Telegram adapter ------------------------------------------------------


@pytest.fixture
async def telegram(tmp_path: Path) -> AsyncIterator[tuple[FakeBotApi, Core]]:
    """The real PTB bot on the local Bot API server, on a fresh SQLite database."""
    api = await FakeBotApi.start(bot_username="entraide_test_bot")
    core = Core.open(make_settings(f"sqlite+aiosqlite:///{tmp_path / 'tg.sqlite3'}"))
    await core.create_schema()
    try:
        async with running_channel(api, core):
            yield api, core
    finally:
        await core.close()
        await api.stop()


async def test_through_telegram_a_valid_invitation_welcomes_and_a_guessed_one_does_not(
    telegram: tuple[FakeBotApi, Core],
) -> None:
    api, core = telegram
    bouguenais = await Bouguenais(core).setup()
    code = await bouguenais.invitation()
    nadia = api.user(400, "Nadia", language_code="fr")
    api.command(nadia, "/start", invitation_link("b", code).split("=")[1])
    await api.wait_until(
        lambda: any("Bouguenais" in (m.text or "") for m in api.sent(nadia.id)), 8
    )
    eve = api.user(401, "Eve", language_code="fr")
    api.command(eve, "/start", f"join_{bouguenais.territory_id}")
    await api.wait_until(
        lambda: any("n'est plus valable" in (m.text or "") for m in api.sent(eve.id)), 8
    )
    assert not any("Bouguenais" in (m.text or "") for m in api.sent(eve.id))


# --- the command line -----------------------------------------------------------------------


def test_poll_create_on_the_command_line_restricts_who_votes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from bots.cli import app

    monkeypatch.setenv("ENTRAIDE_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'c.sqlite3'}")
    monkeypatch.setenv("ENTRAIDE_CONFIG_FILE", str(tmp_path / "absent.toml"))
    runner = CliRunner()
    assert runner.invoke(app, ["territory", "add", "Rezé"]).exit_code == 0
    base = ["poll", "create", "Fête ?", "-o", "Oui", "-o", "Non", "--territory", "Rezé"]
    for extra in (["--voters", "volunteers"], ["--include-new-members"]):
        result = runner.invoke(app, [*base, *extra])
        assert result.exit_code == 0, result.output
    assert runner.invoke(app, [*base, "--voters", "everyone"]).exit_code != 0

    async def stored() -> list[tuple[str | None, bool]]:
        core = Core.open(make_settings(f"sqlite+aiosqlite:///{tmp_path / 'c.sqlite3'}"))
        try:
            async with core.uow() as uow:
                rows = await uow.session.execute(
                    select(Poll.voter_role, Poll.prior_members_only).order_by(Poll.id)
                )
                return [(role, bool(prior)) for role, prior in rows]
        finally:
            await core.close()

    assert asyncio.run(stored()) == [("volunteer", True), (None, False)]

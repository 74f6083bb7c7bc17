"""Finding 9 of the trust review: secret ballots could be linked to voters.

The physical order of secret ballots matched the receipts and the audit log, and for
multiple-choice ballots the choice sat next to the member in `conversations.data` and in the
outbox. The attacker here holds the whole database (and the logs) and tries every join.

The strongest form of "no join links a voter to a choice" is indistinguishability: the same
voters cast the same ballots in the same order, once with choices A and once with the
choices swapped among them (so the totals are the same). If everything the attacker can read
— every row of every table, SQLite's rowid, PostgreSQL's ctid and xmin, the log lines — is the
same in both worlds, then nothing stored tells who chose what.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from core.app import Core
from core.dialogue.engine import ConversationEngine
from core.domain.errors import AlreadyVoted
from core.domain.model import BallotReceipt, Base, Conversation, SecretTally, Vote
from core.domain.vocabulary import PollKind, Role
from core.persistence.database import is_sqlite
from core.services import identity, members, polls
from tests.conftest import FrozenClock, make_settings, postgres_schema
from tests.integration._support import say

VOTERS = ("ana", "ben", "cleo", "dom")
DAYS = ["Lundi", "Mardi", "Mercredi"]
BASKET = ["Pain", "Fruits", "Légumes", "Fromage"]
# World A; world B gives each voter the choices of the next one (same totals).
SINGLE = {"ana": 0, "ben": 1, "cleo": 1, "dom": 2}
MULTIPLE = {"ana": [0, 2], "ben": [1], "cleo": [0, 1, 3], "dom": [2, 3]}
# Tables whose physical place and transaction ids are compared too (insert-only or rewritten
# whole: their layout does not depend on PostgreSQL's pruning, which other sessions influence).
PHYSICAL = {"secret_tallies", "ballot_receipts", "audit_log"}
OUR_LOGGERS = ("core", "bots", "nlu", "entraide")
BALLOT_TABLES = ("secret_tallies", "ballot_receipts", "votes", "polls", "poll_options")


def swapped(choices: dict[str, Any]) -> dict[str, Any]:
    return {voter: choices[VOTERS[(i + 1) % len(VOTERS)]] for i, voter in enumerate(VOTERS)}


class Ballots:
    """A territory with four voters on Telegram, a single- and a multiple-choice secret ballot."""

    def __init__(self, core: Core) -> None:
        self.core = core
        self.engine = ConversationEngine(core)
        self.updates = 0

    async def setup(self) -> Ballots:
        async with self.core.uow() as uow:
            territory = await members.add_territory(uow, "Rezé")
            self.territory_id = territory.id
            self.members: dict[str, int] = {}
            for who in VOTERS:
                account = await identity.ensure_account(uow, "telegram", who, who)
                member = await members.onboard_member(
                    uow, territory.id, who.capitalize(), roles=[Role.REQUESTER], account=account
                )
                self.members[who] = member.id
            closes_at = uow.now() + timedelta(days=7)
            self.single = (
                await polls.create_poll(
                    uow,
                    territory.id,
                    "Quel jour ?",
                    DAYS,
                    closes_at=closes_at,
                    secret=True,
                    by_id=None,
                )
            ).id
            self.multiple = (
                await polls.create_poll(
                    uow,
                    territory.id,
                    "Quel panier ?",
                    BASKET,
                    closes_at=closes_at,
                    secret=True,
                    kind=PollKind.MULTIPLE,
                    by_id=None,
                )
            ).id
            await uow.commit()
        return self

    async def say(self, who: str, *, text: str | None = None, action: str | None = None) -> str:
        """One Telegram update from `who` (with an update id, as the adapter gives)."""
        self.updates += 1
        replies = await say(
            self.engine,
            who,
            text,
            action,
            platform="telegram",
            territory=None,
            language="fr",
            message_ref=str(self.updates),
        )
        return "\n".join(m.text for m in replies)

    async def vote(self, who: str, single: int, multiple: list[int]) -> None:
        """What a member does: open the polls, press a day, then give the basket in one message."""
        await self.say(who, action="polls")
        said = await self.say(who, action=f"vote:{self.single}:{single}")
        assert "secret" in said
        prompt = await self.say(who, action=f"ballot:{self.multiple}")
        assert "1 3" in prompt  # the example of how to answer
        said = await self.say(who, text=" ".join(str(p + 1) for p in multiple))
        assert "secret" in said

    async def play(
        self, clock: FrozenClock, single: dict[str, int], multiple: dict[str, Any]
    ) -> None:
        for who in VOTERS:
            clock.advance(minutes=7)
            await self.vote(who, single[who], multiple[who])
        async with self.core.uow() as uow:
            await polls.close_poll(uow, self.single, by_id=None)
            await uow.commit()


async def what_the_attacker_reads(core: Core) -> dict[str, list[Any]]:
    """Every row of every table in physical order, with rowid, or ctid and xmin (ranked)."""
    sqlite = is_sqlite(core.settings.database_url)
    seen: dict[str, list[Any]] = {}
    xmins: set[int] = set()
    async with core.uow() as uow:
        for table in Base.metadata.sorted_tables:
            name = table.name
            if sqlite:
                query = f'SELECT rowid AS physical_place, * FROM "{name}" ORDER BY rowid'
            elif name in PHYSICAL:
                query = (
                    f"SELECT ctid::text AS physical_place, xmin::text::bigint AS xmin, * "
                    f'FROM "{name}" ORDER BY ctid'
                )
            else:
                query = f'SELECT * FROM "{name}" ORDER BY 1'
            rows = [dict(r._mapping) for r in await uow.session.execute(text(query))]
            xmins.update(int(r["xmin"]) for r in rows if "xmin" in r)
            seen[name] = rows
    rank = {x: i for i, x in enumerate(sorted(xmins))}
    for rows in seen.values():
        for row in rows:
            if "xmin" in row:
                row["xmin"] = rank[int(row["xmin"])]
    return json.loads(json.dumps(seen, default=str, sort_keys=True))


def log_lines(records: list[logging.LogRecord]) -> list[str]:
    """What the logs say about ballots: our own lines, and the statements about ballots.

    Other statements come and go with Python's garbage collector (SQLAlchemy reloads what it
    forgot), so they are left out; no logged statement may show its values at all.
    """
    lines = []
    for record in records:
        message = re.sub(r"0x[0-9a-f]+", "0x…", record.getMessage())
        if not record.name.startswith("sqlalchemy"):
            lines.append(f"{record.name} {record.levelname} {message}")
        elif message.startswith("["):  # the values of the statement before
            assert "hidden" in message or message.endswith("()"), message
        elif any(table in message for table in BALLOT_TABLES):
            lines.append(message)
    return lines


@asynccontextmanager
async def twin_of(core: Core, tmp_path: Path) -> AsyncIterator[tuple[Core, FrozenClock]]:
    """A second, empty database on the same engine as `core`, with its own clock."""
    clock = FrozenClock()
    async with (
        postgres_schema()
        if not is_sqlite(core.settings.database_url)
        else _sqlite(tmp_path) as url
    ):
        twin = Core.open(make_settings(url), clock)
        await twin.create_schema()
        try:
            yield twin, clock
        finally:
            await twin.close()


@asynccontextmanager
async def _sqlite(tmp_path: Path) -> AsyncIterator[str]:
    yield f"sqlite+aiosqlite:///{tmp_path / 'twin.sqlite3'}"


async def test_nothing_stored_or_logged_tells_who_chose_what_in_a_secret_ballot(
    core: Core, clock: FrozenClock, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # SQLAlchemy's statements, as an operator may switch them on to look at a problem.
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")
    for name in OUR_LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    async with twin_of(core, tmp_path) as (twin, twin_clock):
        caplog.clear()  # from here on, both worlds do the same things
        world_a = await Ballots(core).setup()
        await world_a.play(clock, SINGLE, MULTIPLE)
        read_a, logs_a = await what_the_attacker_reads(core), log_lines(caplog.records)
        caplog.clear()
        world_b = await Ballots(twin).setup()
        await world_b.play(twin_clock, swapped(SINGLE), swapped(MULTIPLE))
        read_b, logs_b = await what_the_attacker_reads(twin), log_lines(caplog.records)

    # The ballots were counted (the worlds are not trivially empty).
    assert [r["count"] for r in read_a["secret_tallies"]] == [1, 2, 1, 2, 2, 2, 2]
    assert len(read_a["ballot_receipts"]) == 2 * len(VOTERS)
    assert any("secret_tallies" in line for line in logs_a)  # the statements were logged
    # Table by table, so that a failure names where the choice shows.
    for table in read_a:
        assert read_a[table] == read_b[table], f"{table} tells who chose what"
    assert logs_a == logs_b, "the logs tell who chose what"


async def conversation_data(core: Core, who: str) -> dict[str, Any]:
    async with core.uow() as uow:
        account = await identity.account_for(uow, "telegram", who)
        assert account is not None
        conversation = await uow.session.get(Conversation, account.id)
        return dict(conversation.data) if conversation else {}


async def test_a_secret_multiple_choice_is_cast_in_one_message_and_no_selection_is_kept(
    core: Core,
) -> None:
    ballots = await Ballots(core).setup()
    prompt = await ballots.say("ana", action=f"ballot:{ballots.multiple}")
    assert all(f"{i}. {label}" in prompt for i, label in enumerate(BASKET, start=1))
    waiting = await conversation_data(core, "ana")
    refused = await ballots.say("ana", text="1 9")
    assert "1 à 4" in refused  # kindly: which numbers are possible
    assert await conversation_data(core, "ana") == waiting  # nothing written, ask again
    assert "secret" in await ballots.say("ana", text="2, 4")
    async with core.uow() as uow:
        counts = await uow.session.execute(
            select(SecretTally.count)
            .where(SecretTally.poll_id == ballots.multiple)
            .order_by(SecretTally.position)
        )
        assert list(counts.scalars()) == [0, 1, 0, 1]
    after = json.dumps(await conversation_data(core, "ana"))
    assert "Fruits" not in after and "[1, 3]" not in after
    # A second ballot is refused, as for any secret ballot.
    assert "déjà" in await ballots.say("ana", action=f"ballot:{ballots.multiple}")


async def test_a_ballot_closed_while_the_member_writes_is_said_once(core: Core) -> None:
    ballots = await Ballots(core).setup()
    await ballots.say("ben", action=f"ballot:{ballots.multiple}")
    async with core.uow() as uow:
        await polls.close_poll(uow, ballots.multiple, by_id=None)
        await uow.commit()
    assert "terminé" in await ballots.say("ben", text="1 2")
    assert (await conversation_data(core, "ben")).get("poll_id") is None
    assert "terminé" not in await ballots.say("ben", text="menu")


async def test_merging_two_members_keeps_one_receipt_and_the_tallies(core: Core) -> None:
    ballots = await Ballots(core).setup()
    await ballots.vote("ana", 0, [0])
    await ballots.vote("ben", 1, [1, 2])
    async with core.uow() as uow:
        await polls.merge_votes(uow, ballots.members["ben"], ballots.members["ana"])
        await uow.commit()
    async with core.uow() as uow:
        receipts = list(
            (
                await uow.session.execute(
                    select(BallotReceipt.poll_id, BallotReceipt.member_id).order_by(
                        BallotReceipt.poll_id
                    )
                )
            ).all()
        )
        assert receipts == [
            (ballots.single, ballots.members["ana"]),
            (ballots.multiple, ballots.members["ana"]),
        ]
        assert (await uow.session.execute(select(Vote))).first() is None
        tally = await polls.tally(uow, await polls.get_poll(uow, ballots.multiple))
        assert tally["counts"] == [1, 1, 1, 0]
        with pytest.raises(AlreadyVoted):
            await polls.vote(uow, ballots.members["ana"], ballots.single, [2])

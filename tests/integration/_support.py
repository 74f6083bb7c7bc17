"""Helpers shared by the tests of every suite (integration, security, Telegram, Matrix, third
platform): talk to the engine, seed members, post and accept a request, open a poll and vote,
snapshot a database, wait until the outbox is drained, a database for the CLI, a free port.

One definition each: a suite that needs other defaults binds them (`functools.partial`).
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import select

from core.app import Core
from core.dialogue.engine import ConversationEngine
from core.dialogue.messages import Inbound, Outgoing
from core.domain.model import Base, Notification
from core.domain.vocabulary import Role
from core.services import identity, members, polls, requests
from tests.conftest import NOW, Cooperative

T = TypeVar("T")


async def eventually(
    read: Callable[[], Awaitable[T | None]], timeout: float = 5, *, every: float = 0.05
) -> T:
    """What `await read()` returns once it is something (not None, false nor empty): a state
    the system reaches. TimeoutError after `timeout` seconds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not (found := await read()):
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"{read} still gave {found!r} after {timeout} s")
        await asyncio.sleep(every)
    return found


async def say(
    engine: ConversationEngine,
    who: str,
    text: str | None = None,
    action: str | None = None,
    *,
    platform: str = "console",
    territory: str | None = "Rezé",
    language: str | None = None,
    **extra: str | None,
) -> list[Outgoing]:
    """One message, button press or command of `who` (their chat has their id); the replies,
    marked as delivered."""
    inbound = Inbound(
        platform,
        who,
        who,
        text=text,
        action=action,
        territory=territory,
        language=language,
        **extra,  # type: ignore[arg-type]
    )
    replies = await engine.handle(inbound)
    await engine.mark_delivered(replies)
    return replies


async def press(
    engine: ConversationEngine, who: str, action: str, **options: str | None
) -> list[Outgoing]:
    """`who` presses a button (or types a command the adapter maps to `action`)."""
    return await say(engine, who, action=action, **options)


def texts(replies: list[Outgoing]) -> str:
    """The message ids (English) of the replies: what was said, whatever the member's language."""
    return "\n".join(r.key for r in replies)


async def as_member(core: Core, who: str, member_id: int | None, platform: str = "console") -> int:
    """`who`'s account on `platform` is the member's (seeded, as if they had onboarded); a
    stranger's with None. Returns the account's id."""
    async with core.uow() as uow:
        account = await identity.ensure_account(uow, platform, who, who)
        account.member_id = member_id
        await uow.commit()
        return account.id


async def new_member(
    coop: Cooperative,
    who: str,
    name: str,
    *,
    platform: str = "console",
    roles: Sequence[Role] = (Role.REQUESTER,),
    in_chat: bool = True,
    **details: Any,
) -> int:
    """A new member of the cooperative's territory, onboarded with `who`'s account on
    `platform`, committed; their id. `in_chat`: the account has its private chat (whose id is
    `who`'s); else it is known by its id only. `details` go to `members.onboard_member`."""
    async with coop.core.uow() as uow:
        chat_ref = who if in_chat else None
        account = await identity.ensure_account(uow, platform, who, chat_ref)
        member = await members.onboard_member(
            uow, coop.territory_id, name, roles=list(roles), account=account, **details
        )
        await uow.commit()
        return member.id


async def post(
    coop: Cooperative,
    *,
    requester_id: int | None = None,
    category: str = "shopping",
    days: int = 3,
    **extra: Any,
) -> int:
    """Post a request (Alice's by default) and commit; return its id."""
    async with coop.core.uow() as uow:
        request = await requests.post_request(
            uow,
            requester_id or coop.alice,
            category=category,
            when_start=NOW + timedelta(days=days),
            **extra,
        )
        await uow.commit()
        return request.id


async def accept(coop: Cooperative, volunteer_id: int, request_id: int) -> None:
    async with coop.core.uow() as uow:
        await requests.accept(uow, volunteer_id, request_id)
        await uow.commit()


async def open_poll(
    coop: Cooperative,
    options: Sequence[str] = ("Park", "River", "Forest"),
    *,
    question: str = "Where shall we picnic?",
    closes_at: datetime = NOW + timedelta(days=7),
    **extra: object,
) -> int:
    """A poll of the coordinator in the cooperative's territory, committed; its id."""
    arguments: dict[str, object] = {"closes_at": closes_at, "by_id": coop.coordinator, **extra}
    async with coop.core.uow() as uow:
        poll = await polls.create_poll(
            uow,
            coop.territory_id,
            question,
            list(options),
            **arguments,  # type: ignore[arg-type]
        )
        await uow.commit()
        return poll.id


async def vote(coop: Cooperative, member_id: int, poll_id: int, choice: list[int]) -> None:
    async with coop.core.uow() as uow:
        await polls.vote(uow, member_id, poll_id, choice)
        await uow.commit()


async def snapshot(core: Core) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, sorted: more than row counts, it also sees updated rows."""
    async with core.uow() as uow:
        result: dict[str, list[tuple[Any, ...]]] = {}
        for table in Base.metadata.sorted_tables:
            rows = (await uow.session.execute(select(table))).all()
            result[table.name] = sorted((tuple(r) for r in rows), key=repr)
        return result


async def outbox_settled(
    core: Core, timeout: float = 15, *, set_aside_is_waiting: bool = False
) -> list[Notification]:
    """Wait until no outbox message is waiting (each delivered, given up or set aside); every row.

    The signal that a bot has said all it will say: a message is marked done only once the
    platform has it (or will never have it), so after this nothing more is on its way.
    `set_aside_is_waiting`: a message set aside counts as still waiting (every one must end).
    """
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        async with core.uow() as uow:
            rows = list(
                (await uow.session.execute(select(Notification).order_by(Notification.id)))
                .scalars()
                .all()
            )
        waiting = [
            r
            for r in rows
            if r.sent_at is None and (set_aside_is_waiting or r.set_aside_at is None)
        ]
        if not waiting:
            return rows
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(
                "still waiting in the outbox: "
                + ", ".join(f"#{r.id} {r.key[:30]!r} {r.last_error!r}" for r in waiting)
            )
        await asyncio.sleep(0.05)


def free_port() -> int:
    """A TCP port nothing listens on right now, on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cli_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, commands: Sequence[Sequence[str]] = ()
) -> str:
    """A fresh SQLite database for the `entraide` commands a test runs (the environment points
    at it, with no configuration file), prepared by running `commands`; its URL."""
    from typer.testing import CliRunner  # here: the CLI is only loaded by the tests of it

    from bots.cli import app

    url = f"sqlite+aiosqlite:///{tmp_path / 'entraide.sqlite3'}"
    monkeypatch.setenv("ENTRAIDE_DATABASE_URL", url)
    monkeypatch.setenv("ENTRAIDE_CONFIG_FILE", str(tmp_path / "absent.toml"))
    runner = CliRunner()
    for args in commands:
        result = runner.invoke(app, list(args))
        assert result.exit_code == 0, result.output
    return url

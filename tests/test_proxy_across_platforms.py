"""Issue 15's "Must show": Odette does not chat; Marie, her daughter, acts for her on Telegram;
a volunteer on Matrix helps. The Telegram bot (local Bot API server) and the Matrix bot (a real
Synapse) run side by side on ONE core (one SQLite file); the coordinator uses the command line.

A coordinator registers Odette (no chat) and names Marie her proxy, with Odette's consent.
Marie posts a shopping request for her mother in one message. Bob, on Matrix, accepts. Marie
gets Bob's first name; Bob gets Odette's phone and address and is told to call Odette in the
afternoon. The reminder reaches Marie and Bob. Marie thanks for her mother. `entraide export
--member Odette` shows it all, with Marie as the actor. The safety word ("Trust at the door")
reaches Marie and Bob, and nobody else.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from core.domain.model import HelpRequest
from core.domain.vocabulary import Category, Role
from core.services import requests, timed
from nlu.interpreter import BuiltinInterpreter
from tests.matrix.botkit import BotRunner, People, body_of, direct_chat
from tests.matrix.botkit import bot_fixture as bot_fixture
from tests.matrix.botkit import people_fixture as people_fixture
from tests.matrix.fixtures import homeserver_fixture as homeserver_fixture  # the fixtures
from tests.matrix.fixtures import matrix_client_fixture as matrix_client_fixture
from tests.telegram.bot_api import FakeBotApi, FakeMessage
from tests.telegram.harness import member_on_telegram, running_channel

pytestmark = [pytest.mark.slow, pytest.mark.matrix]

PHONE, ADDRESS = "02 40 11 22 33", "5 rue des Lilas"
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
async def telegram(bot: BotRunner) -> AsyncIterator[FakeBotApi]:
    """The local Bot API server, and the Telegram bot on the Matrix bot's core, as a task."""
    api = await FakeBotApi.start(bot_username="entraide_test_bot")
    try:
        async with running_channel(api, bot.core, interpreter=BuiltinInterpreter()):
            yield api
    finally:
        await api.stop()
    assert api.server_errors == []


async def entraide(bot: BotRunner, tmp_path: Path, *args: str) -> str:
    """`entraide ARGS` as a coordinator types it, on the bots' database; its output."""
    env = {
        **os.environ,
        "ENTRAIDE_DATABASE_URL": bot.core.settings.database_url,
        "ENTRAIDE_CONFIG_FILE": str(tmp_path / "absent.toml"),
        "ENTRAIDE_AUTO_MIGRATE": "false",  # the tests' schema is made by `create_schema`
        "PYTHONPATH": str(REPO),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bots.cli", *args,
        env=env, cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    return out.decode()


def with_text(api: FakeBotApi, user: Any, *words: str) -> FakeMessage | None:
    """The bot's last message to `user` on Telegram holding every one of `words`."""
    found = [m for m in api.sent(user) if all(w in (m.text or "") for w in words)]
    return found[-1] if found else None


async def test_marie_acts_for_odette_on_telegram_and_a_matrix_volunteer_helps(
    bot: BotRunner, people: People, telegram: FakeBotApi, tmp_path: Path
) -> None:
    api = telegram
    claire, bob = await people("claire"), await people("bob")
    coordinator = await bot.add_member(
        claire.user_id, "Claire Martin", roles=[Role.COORDINATOR], neighbourhood="Château"
    )
    bob_id = await bot.add_member(
        bob.user_id,
        "Bob Leroy",
        roles=[Role.VOLUNTEER],
        skills=[Category.SHOPPING],
        approve_by=coordinator,
    )
    marie = api.user(301, "Marie", started=True)
    await member_on_telegram(
        bot.core, await bot.territory(), marie, roles=[Role.VOLUNTEER], name="Marie"
    )

    # -- the coordinator registers Odette, who does not chat, and names Marie her proxy.
    added = await entraide(
        bot, tmp_path, "member", "add", "Odette", "--role", "requester", "--no-chat",
        "--territory", "Rezé", "--neighbourhood", "Trentemoult",
        "--phone", PHONE, "--address", ADDRESS, "--call-times", "l'après-midi",
    )  # fmt: skip
    assert "does not chat" in added
    named = await entraide(
        bot, tmp_path, "member", "proxy", "add", "Odette", "--proxy", "Marie",
        "--consent", "by phone, 2026-11-20",
    )  # fmt: skip
    assert "Marie now acts for Odette" in named
    listed = await entraide(bot, tmp_path, "member", "proxy", "list", "Odette")
    assert "Odette\tMarie\tby phone, 2026-11-20\t2026-11-20" in listed

    await bot.start()
    bob_dm = await direct_chat(bob, bot.user_id)
    await bob.next_from_bot(bob_dm)  # the menu: he is a member already
    # Marie learns that she now acts for her mother.
    await api.wait_until(lambda: with_text(api, marie, "agir pour Odette"), 15)

    # -- Marie posts a shopping request for her mother, in one message, and sends it.
    api.private_text(marie, "Il faudrait faire les courses de maman jeudi à 15h chez elle")
    summary = await api.wait_until(
        lambda: with_text(api, marie, "Voici la demande pour Odette"), 15
    )
    assert "courses" in (summary.text or "") and "à son domicile" in (summary.text or "")
    api.press(marie, summary, "confirm")

    # -- Bob, on Matrix, is offered it in his direct chat and accepts ("1": I'll help).
    mark = len(bob.seen())
    await bob.wait_for(
        lambda r, e: r == bob_dm and e.sender == bot.user_id and "Odette" in body_of(e),
        after=mark,
    )
    mark = len(bob.seen())
    await bob.say(bob_dm, "1")
    _, card = await bob.wait_for(
        lambda r, e: e.sender == bot.user_id and PHONE in body_of(e), after=mark
    )
    text = body_of(card)
    assert ADDRESS in text
    assert "Appelez Odette (l'après-midi)" in text  # whom to call, and when
    async with bot.core.uow() as uow:
        request = (await uow.session.execute(select(HelpRequest))).scalar_one()
        request_id, assignment = request.id, request.active_assignment
        assert request.requester.display_name == "Odette" and assignment is not None
        assignment_id = assignment.id
        word = assignment.safety_word
        assert word

    # -- Marie is told, for her mother, who comes: Bob's first name, never his address; and
    #    the safety word Bob will say at the door, which Bob is told too.
    told = await api.wait_until(lambda: with_text(api, marie, "Pour Odette", "Bob"), 15)
    assert PHONE not in (told.text or "")
    await api.wait_until(lambda: with_text(api, marie, "Pour Odette", word), 15)
    await bob.wait_for(lambda r, e: e.sender == bot.user_id and word in body_of(e))

    # -- The reminder (the scheduler's job, run now) reaches Marie and Bob.
    async with bot.core.uow() as uow:
        assert await timed.send_reminder(uow, request_id, assignment_id, 24) == timed.DONE
        await uow.commit()
    await api.wait_until(lambda: with_text(api, marie, "Pour Odette", "rappel", "Bob", word), 15)
    await bob.wait_for(
        lambda r, e: e.sender == bot.user_id and "rappel" in body_of(e) and PHONE in body_of(e)
    )

    # -- Bob marks it done; Marie thanks him for her mother, and he is told.
    async with bot.core.uow() as uow:
        await requests.complete(uow, bob_id, request_id, 1.5)
        await uow.commit()
    done = await api.wait_until(lambda: with_text(api, marie, "Pour Odette", "merci"), 15)
    assert done is not None
    mark = len(bob.seen())
    api.press(marie, done, f"thank:{request_id}")
    await api.wait_until(lambda: with_text(api, marie, "remerciements"), 15)
    await bob.wait_for(
        lambda r, e: e.sender == bot.user_id and "Odette" in body_of(e) and "merci" in body_of(e),
        after=mark,
    )

    # -- The export shows her proxy, with her consent, and Marie as the one who acted.
    exported: dict[str, Any] = json.loads(
        await entraide(bot, tmp_path, "export", "--member", "Odette")
    )
    assert exported["care"] == {
        "chats": False,
        "call_times": "l'après-midi",
        "volunteers_call": None,
        "proxies_told_too": False,
    }
    (proxy,) = exported["proxies"]
    assert (proxy["proxy"], proxy["consent"]) == ("Marie", "by phone, 2026-11-20")
    assert proxy["revoked_at"] is None
    (asked,) = exported["requests"]
    assert (asked["state"], asked["volunteer"]) == ("done", "Bob Leroy")
    acted = {(a["action"], a["by"], a["for_member"]) for a in asked["actions"]}
    assert ("request.post", "Marie", exported["member"]["id"]) in acted
    assert ("request.thank", "Marie", exported["member"]["id"]) in acted
    assert ("request.accept", "Bob Leroy", None) in acted
    assert exported["accounts"] == []  # she holds no platform account
    assert exported["notifications"] == []  # everything for her went to Marie
    bot.check_alive()

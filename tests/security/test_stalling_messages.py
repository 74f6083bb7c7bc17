"""One message must never stall the bot (finding 5) nor be dropped as a duplicate (16b).

A deep link, a button or a command carries identifiers typed by anyone: they are checked before
the database sees them (`core.dialogue.arguments`). An update whose handling keeps failing is
set aside as a dead letter after a bounded number of tries, the coordinators are told once,
and the bot moves on (`core.dialogue.inbound_failures`, `core.services.dead_letters`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DataError, IntegrityError, OperationalError

from core.app import Core
from core.dialogue import routing
from core.dialogue.arguments import MAX_ID, is_id, is_vote_argument, parse_id
from core.dialogue.engine import ConversationEngine
from core.dialogue.messages import Inbound
from core.dialogue.turn import Turn
from core.domain.errors import InvalidInput
from core.domain.model import (
    AuditEntry,
    DeadLetter,
    InboundReceipt,
    Notification,
    Territory,
)
from core.domain.vocabulary import Role
from core.persistence.faults import is_transient
from core.scheduling import retention
from core.services import dead_letters
from tests.conftest import Cooperative, _backends
from tests.matrix.botkit import BotRunner, People, Person, body_of, direct_chat
from tests.matrix.fixtures import ClientFactory
from tests.matrix.fixtures import homeserver_fixture as homeserver_fixture
from tests.matrix.fixtures import matrix_client_fixture as matrix_client_fixture
from tests.matrix.homeserver import Homeserver
from tests.telegram.harness import ptb_timedelta as ptb_timedelta  # autouse
from tests.telegram.harness import telegram_account

from .stalls_kit import TelegramBench, database_url, telegram_bench

STALE_FR = "Ce bouton ne marche plus. Voici le menu."
WELCOME_FR = "Quelle langue"
INVALID_INVITATION_FR = "Cette invitation n'est plus valable"
HUGE = "9" * 20
BEYOND_POSTGRES = str(2**31)  # one more than PostgreSQL's INTEGER holds


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("1", True),
        (str(MAX_ID), True),
        (BEYOND_POSTGRES, False),
        (HUGE, False),
        ("0", False),
        ("-1", False),
        ("", False),
        ("²", False),  # str.isdigit() says yes, int() says no
        ("١٢", False),  # Arabic-Indic digits: int() reads them, but no id is written so
        ("12 ", False),
        ("0012", True),
    ],
)
def test_an_id_from_outside_is_ascii_digits_that_postgresql_can_hold(
    text: str, valid: bool
) -> None:
    assert is_id(text) is valid
    if valid:
        assert parse_id(text) == int(text)
    else:
        with pytest.raises(InvalidInput):
            parse_id(text)


def test_a_vote_argument_is_a_poll_id_and_small_positions() -> None:
    assert is_vote_argument("3:0")
    assert is_vote_argument("3:", allow_list=True)
    assert is_vote_argument("3:0,2", allow_list=True)
    assert not is_vote_argument(f"{BEYOND_POSTGRES}:0")
    assert not is_vote_argument("3:99999999999")
    assert not is_vote_argument("3:0,99999999999", allow_list=True)
    assert not is_vote_argument("3:²")


async def _member_account(core: Core, member_id: int, ref: str) -> None:
    async with core.uow() as uow:
        await telegram_account(uow, ref, member_id=member_id)
        await uow.session.commit()


async def _count(core: Core, model: type) -> int:
    async with core.uow() as uow:
        return int(
            (await uow.session.execute(select(func.count()).select_from(model))).scalar_one()
        )


async def test_a_deep_link_with_a_huge_number_is_refused_kindly_and_the_newcomer_welcomed(
    core: Core,
) -> None:
    engine = ConversationEngine(core)
    for number, territory in enumerate([HUGE, BEYOND_POSTGRES, "²"]):
        user = str(555 + number)
        replies = await engine.handle(
            Inbound("telegram", user, user, action=f"join:{territory}", message_ref=user)
        )
        # An invitation is a random code now: a number is an invalid one, said kindly.
        assert [r for r in replies if INVALID_INVITATION_FR in r.text], territory
        assert [r for r in replies if WELCOME_FR in r.text], territory
    # ... and the next person is answered.
    replies = await engine.handle(Inbound("telegram", "560", "560", text="bonjour"))
    assert replies and WELCOME_FR in replies[0].text


FORGED = [
    f"accept:{BEYOND_POSTGRES}",
    f"accept:{HUGE}",
    "accept:²",
    f"cancel_yes:{BEYOND_POSTGRES}",
    f"withdraw:{BEYOND_POSTGRES}",
    f"approve:{HUGE}",
    f"vote:{BEYOND_POSTGRES}:0",
    "vote:1:99999999999",
    f"vote_set:{BEYOND_POSTGRES}:0",
    f"vote_send:{HUGE}",
    f"vote_retract:{BEYOND_POSTGRES}",
]


async def test_a_button_with_an_id_no_database_holds_gets_a_kind_answer_and_changes_nothing(
    coop: Cooperative,
) -> None:
    await _member_account(coop.core, coop.coordinator, "700")
    audit_before = await _count(coop.core, AuditEntry)
    engine = ConversationEngine(coop.core)
    answers = {}
    for number, action in enumerate(FORGED):
        inbound = Inbound("telegram", "700", "700", action=action, message_ref=f"b{number}")
        try:
            answers[action] = [reply.text for reply in await engine.handle(inbound)]
        except Exception as error:  # what stalls the bot today
            answers[action] = [repr(error)[:80]]
    assert answers == {action: [STALE_FR] for action in FORGED}
    assert await _count(coop.core, AuditEntry) == audit_before


# --- 16b: a constraint violation is not a duplicate --------------------------------------------


def _replace_action(monkeypatch: pytest.MonkeyPatch, name: str, handler: routing.Handler) -> None:
    """The action `name` runs `handler` instead (for this test only)."""
    monkeypatch.setitem(routing.ACTIONS, name, routing.Action(name, handler, routing.NoArg))


async def _name_an_existing_territory(turn: Turn) -> None:
    """A handler with a real fault: it breaks the unique name of territories."""
    turn.uow.session.add(
        Territory(name="Rezé", timezone="Europe/Paris", language="fr", created_at=turn.uow.now())
    )


async def test_a_constraint_violation_on_a_lone_message_surfaces_and_is_not_taken_for_a_duplicate(
    coop: Cooperative, monkeypatch: pytest.MonkeyPatch
) -> None:
    _replace_action(monkeypatch, "my_tasks", _name_an_existing_territory)
    await _member_account(coop.core, coop.bob, "701")
    engine = ConversationEngine(coop.core)
    with pytest.raises(IntegrityError):
        await engine.handle(Inbound("telegram", "701", "701", action="my_tasks", message_ref="c1"))
    assert await _count(coop.core, InboundReceipt) == 0


async def test_the_same_update_handled_twice_at_once_is_answered_once(
    coop: Cooperative, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Both copies pass the receipt check before either commits: the second one's receipt
    # conflicts. That conflict, and only that one, is a redelivery.
    async def nothing_handled(self, uow, inbounds):  # type: ignore[no-untyped-def]
        return set()

    monkeypatch.setattr(ConversationEngine, "_already_handled", nothing_handled)
    await _member_account(coop.core, coop.bob, "702")
    engine = ConversationEngine(coop.core)
    message = Inbound("telegram", "702", "702", action="help", message_ref="same")
    first = await engine.handle(message)
    second = await engine.handle(message)
    assert first and second == []


# --- dead letters ------------------------------------------------------------------------------


async def test_an_update_set_aside_twice_is_kept_once_capped_and_reported_once(
    coop: Cooperative,
) -> None:
    secret = "06 12 34 56 78"
    payload = f'{{"text": "{secret}"}}' + "x" * 10_000
    for _ in range(2):
        async with coop.core.uow() as uow:
            await dead_letters.set_aside(
                uow,
                "telegram",
                "700000123",
                payload=payload,
                error="DataError: out of range",
                attempts=3,
                territory_name="Rezé",
            )
            await uow.commit()
    async with coop.core.uow() as uow:
        [letter] = await dead_letters.list_dead_letters(uow)
        reports = list(
            (
                await uow.session.execute(
                    select(Notification).where(Notification.key == dead_letters.REPORT)
                )
            ).scalars()
        )
    assert (letter.source, letter.ref, letter.attempts) == ("telegram", "700000123", 6)
    assert len(letter.payload) <= dead_letters.MAX_PAYLOAD_CHARS
    assert letter.reported_at is not None
    assert [r.member_id for r in reports] == [coop.coordinator]
    assert secret not in str(reports[0].params) and "#" in str(reports[0].params)
    coop.core.clock.advance(days=31)  # type: ignore[attr-defined]
    deleted = await retention.prune(coop.core, coop.core.clock())  # the scheduler's sweep
    assert deleted["dead_letters"] == 1 and await _count(coop.core, DeadLetter) == 0


def test_a_data_error_is_never_transient_and_a_lost_connection_is() -> None:
    data = DataError("SELECT", {}, Exception("value out of int32 range"))
    integrity = IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed"))
    locked = OperationalError("BEGIN IMMEDIATE", {}, Exception("database is locked"))
    assert not is_transient(data) and not is_transient(integrity)
    assert not is_transient(OverflowError("int too large")) and not is_transient(ValueError())
    assert (
        is_transient(locked)
        and is_transient(ConnectionResetError())
        and is_transient(TimeoutError())
    )


# --- through the real Telegram adapter ---------------------------------------------------------


@pytest.fixture(params=_backends())
async def tg(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[TelegramBench]:
    async with telegram_bench(request.param, tmp_path) as bench:
        yield bench


@pytest.mark.slow
async def test_a_deep_link_with_an_id_no_database_holds_does_not_stall_the_telegram_bot(
    tg: TelegramBench,
) -> None:
    api = tg.api
    strangers = [api.user(900, "Eve", started=True), api.user(901, "Mallory", started=True)]
    other = tg.members[0]
    await tg.start()
    api.command(strangers[0], "/start", f"join_{HUGE}")
    api.command(strangers[1], "/start", f"join_{BEYOND_POSTGRES}")
    api.command(other, "/aide")
    [help_answer] = await api.wait_sent(other, 1, timeout=10)
    # Each stranger is told kindly that the invitation is not valid, then welcomed.
    answers = [await api.wait_sent(s, 2, timeout=10) for s in strangers]
    await api.wait_confirmed(timeout=10)
    for invalid, welcome, *_ in answers:
        assert INVALID_INVITATION_FR in (invalid.text or ""), invalid.text
        assert "bienvenue" in (welcome.text or ""), welcome.text
    assert help_answer.buttons
    assert await tg.dead_letters() == []


def _raise(error: Exception):  # type: ignore[no-untyped-def]
    async def handler(turn: Turn) -> None:
        raise error

    return handler


@pytest.mark.slow
async def test_a_telegram_update_that_fails_on_a_real_fault_is_set_aside_and_the_bot_moves_on(
    tg: TelegramBench, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 16b through the adapter: a real constraint violation on a lone message is neither
    # dropped as a duplicate nor retried forever; the sender's next message is answered.
    _replace_action(monkeypatch, "my_tasks", _name_an_existing_territory)
    api = tg.api
    member = tg.members[1]
    await tg.start()
    failing = api.command(member, "/mes_missions")
    assert failing is not None
    api.command(member, "/aide")
    [answer] = await api.wait_sent(member, 1, timeout=10)
    [told] = await api.wait_sent(tg.coordinator, 1, timeout=10)
    await api.wait_confirmed(timeout=10)
    [letter] = await tg.dead_letters()
    assert "Je mets en relation" in (answer.text or "")
    assert letter.source == "telegram" and letter.ref == str(failing["update_id"])
    assert "IntegrityError" in letter.error and "mes_missions" in letter.payload
    assert "mis de côté" in (told.text or "") and f"#{letter.id}" in (told.text or "")
    assert "Membre1" not in (told.text or "")


@pytest.mark.slow
async def test_a_telegram_update_meeting_a_passing_fault_again_and_again_is_set_aside(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = OperationalError("BEGIN IMMEDIATE", {}, Exception("database is locked"))
    _replace_action(monkeypatch, "my_tasks", _raise(locked))
    async with telegram_bench("sqlite", tmp_path, max_inbound_attempts=2) as bench:
        api = bench.api
        member = bench.members[2]
        await bench.start()
        failing = api.command(member, "/mes_missions")
        assert failing is not None
        api.command(member, "/aide")
        [answer] = await api.wait_sent(member, 1, timeout=15)
        await api.wait_confirmed(timeout=10)
        [letter] = await bench.dead_letters()
    assert letter.ref == str(failing["update_id"]) and letter.attempts == 2
    assert "OperationalError" in letter.error and answer.buttons


# --- through the real Matrix adapter (a real Synapse) ------------------------------------------


@pytest.fixture(params=_backends())
async def matrix_bot(
    request: pytest.FixtureRequest, homeserver: Homeserver, tmp_path: Path
) -> AsyncIterator[BotRunner]:
    """The Matrix bot on SQLite or PostgreSQL."""
    async with AsyncExitStack() as stack:
        runner = BotRunner(homeserver, tmp_path)
        if request.param == "postgres":
            await runner.core.close()
            url = await database_url(stack, "postgres", tmp_path)
            settings = runner.core.settings.model_copy(update={"database_url": url})
            runner.core = Core.open(settings, runner.core.clock)
        await runner.core.create_schema()
        stack.push_async_callback(runner.close)
        yield runner


async def _matrix_volunteer(bot: BotRunner, people: People) -> tuple[Person, str]:
    """An approved volunteer on Matrix with a direct chat open with the bot."""
    coordinator = await bot.add_member(
        f"@coord-{id(bot)}:localhost", "Claire", roles=[Role.COORDINATOR]
    )
    person = await people("victor")
    await bot.add_member(person.user_id, "Victor", roles=[Role.VOLUNTEER], approve_by=coordinator)
    await bot.start()
    room = await direct_chat(person, bot.user_id)
    await person.next_from_bot(room)  # the greeting of a new direct chat
    return person, room


@pytest.mark.matrix
async def test_take_with_an_id_beyond_postgresql_does_not_stall_the_matrix_bot(
    matrix_bot: BotRunner, matrix_client: ClientFactory
) -> None:
    people = People(matrix_client, matrix_bot)
    try:
        person, room = await _matrix_volunteer(matrix_bot, people)
        await person.say(room, "!prendre 9999999999")
        await person.say(room, f"!take #{HUGE}")
        answer = await person.ask(room, "!aide")
    finally:
        await people.stop()
    assert "Je mets en relation" in body_of(answer)
    assert await _letters(matrix_bot.core) == []


@pytest.mark.matrix
async def test_a_matrix_event_that_fails_on_a_data_error_is_set_aside_and_the_bot_moves_on(
    matrix_bot: BotRunner, matrix_client: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    out_of_range = DataError("SELECT", {}, Exception("value out of int32 range"))
    _replace_action(monkeypatch, "my_tasks", _raise(out_of_range))
    people = People(matrix_client, matrix_bot)
    try:
        person, room = await _matrix_volunteer(matrix_bot, people)
        failing = await person.say(room, "!mes_missions")
        answer = await person.ask(room, "!aide")
    finally:
        await people.stop()
    [letter] = await _letters(matrix_bot.core)
    assert "Je mets en relation" in body_of(answer)
    assert (letter.source, letter.ref, letter.attempts) == ("matrix", failing, 1)
    assert "DataError" in letter.error and "mes_missions" in letter.payload


async def _letters(core: Core) -> list[DeadLetter]:
    async with core.uow() as uow:
        return list((await uow.session.execute(select(DeadLetter))).scalars())


def test_telegram_retries_a_network_fault_but_not_a_refusal() -> None:
    from telegram.error import BadRequest, NetworkError, TimedOut

    from bots.telegram.updates import passes

    assert passes(NetworkError("Bad Gateway")) and passes(TimedOut())
    assert not passes(BadRequest("Query is too old")) and not passes(OverflowError())

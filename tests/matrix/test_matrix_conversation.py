"""The Matrix bot in direct chats, on a real Synapse: onboarding, numbered choices, commands,
encrypted direct chats, restarts of the bot and of the homeserver.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import nio
import pytest
from sqlalchemy import select

from core.domain.model import Member, PlatformAccount
from core.domain.vocabulary import Platform, Role
from core.services import identity, members, outbox
from tests.integration._support import outbox_settled
from tests.matrix.botkit import (
    BotRunner,
    People,
    Person,
    body_of,
    direct_chat,
    eventually,
    every_event,
    said,
)
from tests.matrix.botkit import bot_fixture as bot_fixture
from tests.matrix.botkit import people_fixture as people_fixture
from tests.matrix.fixtures import ClientFactory
from tests.matrix.fixtures import homeserver_fixture as homeserver_fixture  # the fixtures
from tests.matrix.fixtures import matrix_client_fixture as matrix_client_fixture
from tests.matrix.homeserver import Homeserver

pytestmark = [pytest.mark.matrix, pytest.mark.slow]

WELCOME = "Welcome, {name}! You can now ask for help whenever you need it."
NEW_PLAIN_CHAT = (
    "I cannot read encrypted messages. I am inviting you to a new chat without encryption: "
    "please accept it and write to me there."
)


async def test_onboarding_in_a_direct_chat_with_numbered_choices(
    bot: BotRunner, people: People
) -> None:
    await bot.territory()
    await bot.start()
    jeanne = await people("jeanne")

    room = await direct_chat(jeanne, bot.user_id)

    # Invited into a direct chat, the bot joins and greets at once, choices numbered.
    hello = await jeanne.next_from_bot(room)
    assert hello.source["content"]["msgtype"] == "m.notice"
    assert "1. Français" in body_of(hello) and "2. English" in body_of(hello)
    assert (
        "<ol><li>Français</li><li>English</li></ol>" in hello.source["content"]["formatted_body"]
    )
    await jeanne.ask(room, "1", contains="prénom")
    # (A first name alone: "Jeanne" or "Marie" are taken for emergencies by the built-in NLU.)
    role = await jeanne.ask(room, "Paulette", contains="Paulette")
    assert "1. " in body_of(role)
    await jeanne.ask(room, "1", contains="quartier")  # I would like some help
    await jeanne.ask(room, "1", contains="téléphone")  # Trentemoult
    await jeanne.ask(room, "06 11 22 33 44", contains="adresse")
    age = await jeanne.ask(room, "12 rue des Mouettes", contains="quel âge avez-vous")
    assert "5. Je préfère ne pas le dire" in body_of(age)
    welcome = await jeanne.ask(room, "5", contains=said("fr", WELCOME, name="Paulette"))

    assert "1. " in body_of(welcome)  # the menu, numbered
    async with bot.core.uow() as uow:
        account = (
            await uow.session.execute(
                select(PlatformAccount).where(
                    PlatformAccount.platform == Platform.MATRIX,
                    PlatformAccount.external_id == jeanne.user_id,
                )
            )
        ).scalar_one()
        member = await uow.session.get(Member, account.member_id)
    assert account.chat_ref == room
    assert member is not None
    assert (member.display_name, member.neighbourhood, member.language) == (
        "Paulette",
        "Trentemoult",
        "fr",
    )
    assert member.is_requester and member.phone == "06 11 22 33 44"
    bot.check_alive()


def bot_messages(person: Person, room: str) -> list[str]:
    return [body_of(e) for e in person.from_bot(room)]


async def test_a_restarted_bot_answers_what_it_missed_once_and_nothing_twice(
    homeserver: Homeserver, bot: BotRunner, people: People
) -> None:
    alice = await people("alice")
    await bot.add_member(alice.user_id, "Alice Durand", roles=[Role.REQUESTER])
    channel = await bot.start()
    device = channel.client.device_id if channel.client else None
    room = await direct_chat(alice, bot.user_id)
    await alice.next_from_bot(room)  # the menu
    await alice.ask(room, "!demande", contains="1. ")  # which kind of help? (numbered)
    saved = await bot.state_token()

    await alice.ask(room, "1", contains="Quand")  # shopping; when?
    # The bot stops in the middle of the conversation; Alice goes on meanwhile.
    await bot.stop()
    missed = await alice.say(room, "!aide")
    # As if it had crashed before saving its position: the sync token of two messages ago.
    await bot.set_state_token(saved)
    channel = await bot.start()

    await alice.next_from_bot(room, contains="coopérative")  # the help, missed while away
    # Any duplicate would be on the homeserver once the bot has handled the missed message
    # (and the one before it, in the same batch) and sent all it wrote; then Alice has it.
    await bot.handled(missed)
    await alice.caught_up(homeserver, room)
    answers = bot_messages(alice, room)
    assert len(answers) == 4, answers  # menu, kind of help, when, help: one each
    assert channel.client is not None and channel.client.device_id == device
    # No new login: the device and the access token were kept in our database.
    devices = homeserver.api("GET", "/_matrix/client/v3/devices", token=bot.user.access_token)
    assert len(devices["devices"]) == 2  # the registration's and the bot's
    bot.check_alive()


async def test_the_bot_reconnects_when_the_homeserver_comes_back_and_catches_up(
    homeserver: Homeserver, bot: BotRunner, people: People
) -> None:
    alice = await people("alice")
    alice_id = await bot.add_member(alice.user_id, "Alice Durand", roles=[Role.REQUESTER])
    channel = await bot.start()
    room = await direct_chat(alice, bot.user_id)
    await alice.next_from_bot(room)

    await asyncio.to_thread(homeserver.stop)
    try:
        # While Synapse is down, the core has something to tell Alice.
        async with bot.core.uow() as uow:
            member = await uow.session.get(Member, alice_id)
            outbox.write(
                uow,
                "Your membership is suspended. A coordinator will tell you why.",
                member=member,
            )
            await uow.commit()

        async def noticed() -> bool:
            return not channel.connected

        await eventually(noticed)
    finally:
        await asyncio.to_thread(homeserver.resume)

    await alice.next_from_bot(room, contains="suspendue")  # delivered once it is back
    await alice.ask(room, "!aide", contains="coopérative")  # and it listens again
    assert channel.connected
    bot.check_alive()


async def test_an_encrypted_direct_chat_is_read_and_answered_encrypted(
    homeserver: Homeserver, matrix_client: ClientFactory, tmp_path: Path
) -> None:
    bot = BotRunner(homeserver, tmp_path, encryption=True)
    await bot.core.create_schema()
    people = People(matrix_client, bot)
    try:
        await bot.territory()
        channel = await bot.start()
        assert channel.encrypted
        alice = await people("alice", encryption=True)
        room = await direct_chat(alice, bot.user_id, encrypted=True)

        hello = await alice.next_from_bot(room)  # decrypted by Alice's client
        assert "1. Français" in body_of(hello)
        assert isinstance(hello, nio.RoomMessageNotice)
        await alice.ask(room, "1", contains="prénom")

        # Restarted, the bot still reads the chat: its keys are in its persistent store.
        await bot.restart()
        await alice.ask(room, "Paulette", contains="Paulette")

        # On the homeserver, every message of the chat is encrypted.
        kinds = {
            e["type"]
            for e in every_event(homeserver, people.user(alice), room)
            if e["type"] in ("m.room.message", "m.room.encrypted")
        }
        assert kinds == {"m.room.encrypted"}
        bot.check_alive()
    finally:
        await people.stop()
        await bot.close()


async def test_after_a_long_absence_a_gappy_sync_misses_nothing(
    homeserver: Homeserver, bot: BotRunner, people: People
) -> None:
    bot.timeline_limit = 3  # a sync brings 3 events per room: the rest must be paginated
    alice = await people("alice")
    await bot.add_member(alice.user_id, "Alice Durand", roles=[Role.REQUESTER])
    await bot.start()
    room = await direct_chat(alice, bot.user_id)
    await alice.next_from_bot(room)
    await bot.stop()

    said = [await alice.say(room, "!aide") for _ in range(8)]
    await bot.start()

    async def all_answered() -> bool:
        return sum("coopérative" in text for text in bot_messages(alice, room)) >= 8

    await eventually(all_answered)
    await bot.handled(*said)  # every answer the bot will give is on the homeserver
    await alice.caught_up(homeserver, room)
    assert sum("coopérative" in text for text in bot_messages(alice, room)) == 8
    bot.check_alive()


async def test_without_encryption_support_the_bot_says_so_and_opens_a_plain_chat(
    bot: BotRunner, people: People
) -> None:
    await bot.territory()
    channel = await bot.start()
    assert not channel.encrypted  # this bot runs without an encryption store
    alice = await people("alice", encryption=True)
    room = await direct_chat(alice, bot.user_id, encrypted=True)
    await alice.say(room, "bonjour")

    told = await alice.next_from_bot(room, contains="chiffrés")
    assert said("fr", NEW_PLAIN_CHAT) in body_of(told)
    plain, hello = await alice.wait_for(
        lambda r, e: r != room and e.sender == bot.user_id and "1. Français" in body_of(e)
    )
    assert isinstance(hello, nio.RoomMessageNotice)
    await alice.ask(plain, "1", contains="prénom")  # the conversation goes on there
    bot.check_alive()


async def test_a_link_code_joins_a_matrix_account_to_a_member_of_another_platform(
    bot: BotRunner, people: People
) -> None:
    territory_id = await bot.territory()
    async with bot.core.uow() as uow:
        account = await identity.ensure_account(uow, Platform.TELEGRAM, "4242")
        member = await members.onboard_member(
            uow, territory_id, "Alice Durand", roles=[Role.REQUESTER], account=account
        )
        code = (await identity.issue_link_code(uow, member.id)).code
        await uow.commit()
    await bot.start()
    alice = await people("alice")
    room = await direct_chat(alice, bot.user_id)
    await alice.next_from_bot(room)  # a stranger for now: onboarding

    await alice.ask(room, f"!lier {code}", contains="Alice Durand")  # asked first, by name
    async with bot.core.uow() as uow:
        asked = await identity.account_for(uow, Platform.MATRIX, alice.user_id)
        assert asked is not None and asked.member_id is None  # nothing joined before the yes
    await alice.ask(room, "1", contains="reliés")  # "1. Oui, les relier"

    async with bot.core.uow() as uow:
        joined = await identity.account_for(uow, Platform.MATRIX, alice.user_id)
        assert joined is not None and joined.member_id == member.id
        assert joined.chat_ref == room
    bot.check_alive()


async def test_a_bot_on_a_new_database_does_not_answer_what_was_said_before_it_started(
    homeserver: Homeserver, bot: BotRunner, people: People, tmp_path: Path
) -> None:
    alice = await people("alice")
    await bot.add_member(alice.user_id, "Alice Durand", roles=[Role.REQUESTER])
    await bot.start()
    room = await direct_chat(alice, bot.user_id)
    await alice.next_from_bot(room)
    await bot.stop()
    await alice.say(room, "!aide")  # said while no bot runs

    # The same Matrix account, a brand-new database: the bot starts now.
    (tmp_path / "new").mkdir()
    again = BotRunner(homeserver, tmp_path / "new", user=bot.user)
    await again.core.create_schema()
    try:
        await again.start()  # its first sync handled and answered, if it answered anything
        await outbox_settled(again.core)
        await alice.caught_up(homeserver, room)
        assert len(bot_messages(alice, room)) == 1  # the old "!aide" is history
        mark = len(alice.seen())
        aide = await alice.say(room, "!aide")  # a stranger to this database: onboarding
        await alice.next_from_bot(room, after=mark)
        await again.handled(aide)
        await alice.caught_up(homeserver, room)
        assert len(bot_messages(alice, room)) == 2
        again.check_alive()
    finally:
        await again.close()

"""A coordinator answers a member across platforms (issue 13): the Telegram bot, on the local
Bot API server, and the Matrix bot, on a real Synapse, run side by side on ONE core.

Alice writes to the coordinators on one platform; Claire, on the other, presses "Répondre":
her next messages reach Alice signed "Claire (coordination)", Alice's answers come back to
Claire, and one of them closes the conversation, the other being told.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from core.domain.vocabulary import Role
from nlu.interpreter import BuiltinInterpreter
from tests.matrix.botkit import BotRunner, People, body_of, direct_chat
from tests.matrix.botkit import bot_fixture as bot_fixture
from tests.matrix.botkit import people_fixture as people_fixture
from tests.matrix.fixtures import homeserver_fixture as homeserver_fixture  # the fixtures
from tests.matrix.fixtures import matrix_client_fixture as matrix_client_fixture
from tests.telegram.bot_api import FakeBotApi
from tests.telegram.harness import member_on_telegram, running_channel
from tests.telegram.test_telegram_bot import press_button, text_arrives

pytestmark = [pytest.mark.slow, pytest.mark.matrix]

SIGNED = "Claire (coordination)\u00a0:"


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


async def test_a_coordinator_on_matrix_answers_a_member_on_telegram(
    bot: BotRunner, people: People, telegram: FakeBotApi
) -> None:
    api = telegram
    claire = await people("claire")
    await bot.add_member(
        claire.user_id, "Claire Martin", roles=[Role.COORDINATOR], neighbourhood="Château"
    )
    alice = api.user(301, "Alice", started=True)
    await member_on_telegram(
        bot.core,
        await bot.territory(),
        alice,
        roles=[Role.REQUESTER],
        name="Alice Durand",
        neighbourhood="Trentemoult",
        phone="06 12 34 56 78",
    )
    await bot.start()
    chat = await direct_chat(claire, bot.user_id)
    await claire.ask(chat, "menu", contains="Coordination")

    # -- Alice writes to the coordinators, on Telegram.
    api.command(alice, "/coordinateur")
    await text_arrives(api, alice.id, "coordinateur")
    mark = len(claire.seen())
    api.private_text(alice, "Pouvez-vous me rappeler ?")
    alert = await claire.next_from_bot(chat, contains="Pouvez-vous me rappeler", after=mark)
    assert "Alice Durand" in body_of(alert) and "Répondre" in body_of(alert)

    # -- Claire presses "Répondre" (its number), then writes: Alice reads her on Telegram.
    await claire.ask(chat, "1", contains="Écrivez votre message pour Alice Durand")
    await claire.ask(chat, "Bonjour Alice, je vous appelle demain à 10 heures.", contains="Envoy")
    await text_arrives(api, alice.id, SIGNED)
    signed = next(m for m in api.sent(alice.id) if SIGNED in (m.text or ""))
    assert "je vous appelle demain" in (signed.text or "")
    assert "06 12" not in (signed.text or "")  # no contact details in the thread

    # -- Alice answers, then closes: Claire reads both on Matrix.
    mark = len(claire.seen())
    api.private_text(alice, "Merci, je serai là.")
    await claire.next_from_bot(chat, contains="Merci, je serai là.", after=mark)
    mark = len(claire.seen())
    await press_button(api, alice, alice.id, "Fermer la conversation")
    await claire.next_from_bot(chat, contains="a terminé la conversation", after=mark)
    await text_arrives(api, alice.id, "La conversation est terminée.")


async def test_a_coordinator_on_telegram_answers_a_member_on_matrix(
    bot: BotRunner, people: People, telegram: FakeBotApi
) -> None:
    api = telegram
    alice_mx = await people("alice")
    await bot.add_member(alice_mx.user_id, "Alice Durand", roles=[Role.REQUESTER])
    claire = api.user(302, "Claire", started=True)
    await member_on_telegram(
        bot.core,
        await bot.territory(),
        claire,
        roles=[Role.COORDINATOR],
        name="Claire Martin",
        neighbourhood="Château",
    )
    await bot.start()
    chat = await direct_chat(alice_mx, bot.user_id)

    # -- Alice writes to the coordinators, on Matrix; Claire answers from Telegram.
    await alice_mx.ask(chat, "!coordinateur", contains="coordinateur")
    await alice_mx.ask(chat, "Mon rendez-vous de jeudi est annulé.", contains="envoyé")
    await text_arrives(api, claire.id, "Mon rendez-vous de jeudi")
    await press_button(api, claire, claire.id, "Répondre")
    await text_arrives(api, claire.id, "Écrivez votre message pour Alice Durand")
    mark = len(alice_mx.seen())
    api.private_text(claire, "Merci de nous prévenir, je note.")
    said = await alice_mx.next_from_bot(chat, contains=SIGNED, after=mark)
    assert "je note" in body_of(said)

    # -- Alice answers on Matrix; Claire reads it on Telegram, then ends with /fin.
    await alice_mx.ask(chat, "Très bien, bonne journée.", contains="coordination")
    await text_arrives(api, claire.id, "Très bien, bonne journée.")
    mark = len(alice_mx.seen())
    api.command(claire, "/fin")
    await alice_mx.next_from_bot(chat, contains="a terminé cette conversation", after=mark)
    await text_arrives(api, claire.id, "La conversation est terminée.")

"""A forwarded scam gets a kind warning and the offer of a coordinator's check; an ask the
cooperative does not cover gets an honest answer and the menu. Neither becomes a request."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.dialogue.engine import ConversationEngine
from core.dialogue.messages import Outgoing
from core.domain.model import Alert, Conversation, HelpRequest, Notification
from core.domain.vocabulary import MessageKind
from core.services import members
from nlu.interpreter import BuiltinInterpreter
from tests.conftest import Cooperative
from tests.integration.test_conversation import as_member, say

SCAMS = {
    "fr": [
        "Votre colis est en attente, des frais de livraison de 1,99 € sont à régler ici : "
        "https://colis-suivi-fr.info/p",
        "Bonjour, ici votre conseiller bancaire, votre compte est bloqué, donnez-moi le code "
        "reçu par SMS pour le débloquer",
    ],
    "en": [
        "Your parcel could not be delivered. Pay the £1.45 redelivery fee at "
        "http://royal-parcel.co/pay",
        "This is your bank advisor, there is a suspicious payment on your account, please "
        "read me the code we just texted you",
    ],
}
WARNING = {
    "fr": "Ne cliquez pas sur le lien, ne donnez aucun code",
    "en": "Do not click on the link, do not give any code",
}
OUT_OF_SCOPE = {
    "fr": [
        "qu'est-ce qu'il y a à la télé ce soir ?",
        "je cherche un appartement à louer dans le quartier",
        "pouvez-vous me prêter 200 euros jusqu'à la fin du mois",
    ],
    "en": [
        "what's on TV tonight",
        "can you find me a flat to rent",
        "could you lend me 50 pounds until Friday",
    ],
}
CASES = [(lang, text) for lang, texts in SCAMS.items() for text in texts]
ASKS = [(lang, text) for lang, texts in OUT_OF_SCOPE.items() for text in texts]


@pytest.fixture(scope="module")
def interpreter() -> BuiltinInterpreter:
    return BuiltinInterpreter()


async def alice_in(coop: Cooperative, language: str, interpreter: BuiltinInterpreter):
    async with coop.core.uow() as uow:
        await members.update_profile(uow, coop.alice, language=language)
        await uow.commit()
    await as_member(coop.core, "alice", coop.alice)
    return ConversationEngine(coop.core, interpreter)


async def count(coop: Cooperative, model: type) -> int:
    async with coop.core.uow() as uow:
        return (await uow.session.execute(select(func.count()).select_from(model))).scalar_one()


def actions(reply: Outgoing) -> list[str]:
    return [button.action for button in reply.buttons]


@pytest.mark.parametrize(("language", "text"), CASES)
async def test_a_forwarded_scam_gets_a_kind_warning_in_the_members_language_and_no_request(
    coop: Cooperative, interpreter: BuiltinInterpreter, language: str, text: str
) -> None:
    engine = await alice_in(coop, language, interpreter)
    [reply] = await say(engine, "alice", text)
    assert WARNING[language] in reply.text
    assert actions(reply) == ["scam_check", "menu"]
    assert await count(coop, HelpRequest) == 0
    assert await count(coop, Alert) == 0, "nobody is told before the member agrees"
    async with coop.core.uow() as uow:
        conversation = (await uow.session.execute(select(Conversation))).scalar_one()
    assert conversation.flow is None


@pytest.mark.parametrize("language", ["fr", "en"])
async def test_the_coordinators_get_a_scam_alert_when_the_member_agrees_to_a_check(
    coop: Cooperative, interpreter: BuiltinInterpreter, language: str
) -> None:
    engine = await alice_in(coop, language, interpreter)
    await say(engine, "alice", SCAMS[language][0])
    [reply] = await say(engine, "alice", action="scam_check")
    assert reply.key.startswith("Thank you. A coordinator will contact you")
    async with coop.core.uow() as uow:
        alert = (await uow.session.execute(select(Alert))).scalar_one()
        told = (
            await uow.session.execute(
                select(Notification).where(
                    Notification.member_id == coop.coordinator,
                    Notification.kind == MessageKind.ALERT,
                )
            )
        ).scalar_one()
    assert (alert.kind, alert.member_id, alert.territory_id) == (
        "scam",
        coop.alice,
        coop.territory_id,
    )
    assert "http" in alert.text
    assert "looks like a scam" in told.key
    assert await count(coop, HelpRequest) == 0
    # Pressed again (an old button): no second alert.
    again = await say(engine, "alice", action="scam_check")
    assert again[-1].key.startswith("Please send me the message again")
    assert await count(coop, Alert) == 1


@pytest.mark.parametrize(("language", "text"), ASKS)
async def test_an_ask_the_cooperative_does_not_cover_gets_an_honest_answer_and_the_menu(
    coop: Cooperative, interpreter: BuiltinInterpreter, language: str, text: str
) -> None:
    engine = await alice_in(coop, language, interpreter)
    [reply] = await say(engine, "alice", text)
    assert reply.key.startswith("I cannot help with that.")
    assert actions(reply) == ["need_help", "my_requests", "polls", "coordinator", "help"]
    assert await count(coop, HelpRequest) == 0
    assert await count(coop, Alert) == 0
    async with coop.core.uow() as uow:
        conversation = (await uow.session.execute(select(Conversation))).scalar_one()
    assert conversation.flow is None, "no request is started"

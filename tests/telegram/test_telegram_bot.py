"""The entraide Telegram bot end to end: the real PTB Application against our local Bot API.

A senior onboards and asks for help in one French message; volunteers race to accept from
the group; contact details reach only the winner; a native poll is voted, changed, retracted.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from bots.telegram.channel import TelegramChannel
from bots.telegram.links import invitation_link
from core.app import Core
from core.domain.model import HelpRequest, Member
from core.domain.vocabulary import Category, Role
from core.services import channels, invitations, members, polls
from nlu.interpreter import BuiltinInterpreter
from tests.conftest import make_settings
from tests.integration._support import outbox_settled
from tests.telegram.harness import ptb_timedelta as ptb_timedelta  # autouse

from .bot_api import FakeBotApi, FakeChat, FakeUser
from .harness import member_on_telegram, running_channel

PHONE, ADDRESS = "06 98 76 54 32", "12 rue des Lilas"
pytestmark = pytest.mark.slow


@dataclass
class Scene:
    api: FakeBotApi
    core: Core
    channel: TelegramChannel
    group: FakeChat
    coordinator: FakeUser
    volunteers: list[FakeUser]
    senior: FakeUser


@pytest.fixture
async def scene(tmp_path: Path, interpreter: BuiltinInterpreter) -> AsyncIterator[Scene]:
    api = await FakeBotApi.start(bot_username="entraide_test_bot")
    settings = make_settings(f"sqlite+aiosqlite:///{tmp_path / 'tg.sqlite3'}")
    core = Core.open(settings.model_copy(update={"default_territory": "Rezé"}))
    await core.create_schema()
    async with core.uow() as uow:
        territory = await members.add_territory(
            uow, "Rezé", neighbourhoods=["Trentemoult", "Château"]
        )
        await uow.commit()
    coordinator = api.user(100, "Claire", started=True)
    volunteers = [
        api.user(200 + i, name, started=True) for i, name in enumerate(["Bob", "Carol", "Dan"])
    ]
    senior = api.user(300, "Jeanne", language_code="fr")
    coordinator_id = await member_on_telegram(
        core, territory.id, coordinator, name="Claire", roles=[Role.COORDINATOR]
    )
    for user in volunteers:
        await member_on_telegram(
            core,
            territory.id,
            user,
            roles=[Role.VOLUNTEER],
            approve=True,
            skills=[Category.TRANSPORT, Category.SHOPPING],
            neighbourhood="Trentemoult",
            availability=(1 << 21) - 1,
        )
    group = api.group(title="Entraide Rezé")
    api.add_bot_to_group(group, coordinator)
    async with core.uow() as uow:
        await channels.link_channel(uow, coordinator_id, "telegram", str(group.id))
        await uow.commit()
    try:
        async with running_channel(api, core, interpreter=interpreter) as channel:
            yield Scene(api, core, channel, group, coordinator, volunteers, senior)
    finally:
        await core.close()
        await api.stop()
    assert api.server_errors == []


async def press_button(api: FakeBotApi, user: FakeUser, chat: int, label_part: str) -> None:
    """Press the button whose label contains `label_part` on the bot's last message there."""
    for message in reversed(api.sent(chat)):
        for button in message.buttons:
            if label_part.lower() in button["text"].lower():
                api.press(user, message, button["callback_data"])
                return
    raise AssertionError(f"no button {label_part!r} in chat {chat}")


async def text_arrives(api: FakeBotApi, chat: int, part: str, timeout: float = 8) -> None:
    await api.wait_until(lambda: any(part in (m.text or "") for m in api.sent(chat)), timeout)


async def onboard_senior(scene: Scene) -> None:
    api, senior = scene.api, scene.senior
    api.command(senior, "/start")
    await text_arrives(api, senior.id, "Qu'est-ce qui vous amène")
    await press_button(api, senior, senior.id, "aide")  # "J'aimerais un peu d'aide"
    await text_arrives(api, senior.id, "quartier")
    await press_button(api, senior, senior.id, "Trentemoult")
    await text_arrives(api, senior.id, "téléphone")
    api.private_text(senior, PHONE)
    await text_arrives(api, senior.id, "adresse")
    api.private_text(senior, ADDRESS)
    await text_arrives(api, senior.id, "quel âge avez-vous")
    await press_button(api, senior, senior.id, "préfère")  # "Je préfère ne pas le dire"
    await text_arrives(api, senior.id, "Bienvenue")


async def test_a_senior_onboards_in_french_and_gets_a_menu(scene: Scene) -> None:
    await onboard_senior(scene)
    async with scene.core.uow() as uow:
        jeanne = (
            await uow.session.execute(select(Member).where(Member.display_name == "Jeanne"))
        ).scalar_one()
    assert (jeanne.language, jeanne.phone, jeanne.address) == ("fr", PHONE, ADDRESS)
    assert scene.api.sent(scene.senior.id)[-1].buttons


async def test_a_request_in_one_message_reaches_volunteers_and_one_of_two_racing_accepts_wins(
    scene: Scene,
) -> None:
    api, senior = scene.api, scene.senior
    await onboard_senior(scene)
    api.private_text(
        senior,
        "Bonjour, j'aurais besoin qu'on m'accompagne chez le dentiste jeudi à 10h s'il vous plaît",
    )
    await text_arrives(api, senior.id, "Voici votre demande")
    await press_button(api, senior, senior.id, "Oui")
    await text_arrives(api, senior.id, "Votre demande est envoyée")
    for volunteer in scene.volunteers:
        await text_arrives(api, volunteer.id, "Nouvelle demande")
    await text_arrives(api, scene.group.id, "Nouvelle demande")
    group_post = api.sent(scene.group.id)[-1]
    assert "Jeanne" in group_post.text and PHONE not in group_post.text

    first, second = scene.volunteers[0], scene.volunteers[1]
    api.press(first, group_post, group_post.callback_data[0])
    await press_button(api, second, second.id, "occupe")  # from the private offer, same moment
    await api.wait_until(
        lambda: any(PHONE in (m.text or "") for v in scene.volunteers for m in api.sent(v.id)), 8
    )
    await text_arrives(api, scene.group.id, "prise en charge", timeout=8)

    winners = [v for v in scene.volunteers if any(PHONE in (m.text or "") for m in api.sent(v.id))]
    assert len(winners) == 1
    # Over every request the server received, the phone and address go to the winner only.
    for request in api.all_requests:
        payload = json.dumps(request.params, ensure_ascii=False)
        if PHONE in payload or ADDRESS in payload:
            assert str(request.params.get("chat_id")) == str(winners[0].id), request
    assert group_post.history, "the group post was edited, not reposted"
    async with scene.core.uow() as uow:
        request_row = (await uow.session.execute(select(HelpRequest))).scalar_one()
    assert request_row.state == "accepted"

    winner = winners[0]
    await press_button(api, winner, winner.id, "C'est fait")
    await text_arrives(api, winner.id, "combien d'heures")
    await press_button(api, winner, winner.id, "1,5")  # French: a decimal comma
    await text_arrives(api, winner.id, "Merci pour votre aide")
    async with scene.core.uow() as uow:
        request_row = (await uow.session.execute(select(HelpRequest))).scalar_one()
        assert request_row.state == "done"
        assert request_row.active_assignment is not None
        assert request_row.active_assignment.hours == 1.5


async def test_a_native_poll_counts_changed_and_retracted_votes_and_refuses_non_members(
    scene: Scene,
) -> None:
    api, coordinator = scene.api, scene.coordinator
    api.command(coordinator, "/sondage")
    await text_arrives(api, coordinator.id, "question")
    api.private_text(coordinator, "Quel jour pour la fête des voisins ?")
    # The guided flow of the desk: the kind, the answers one by one, how long, who votes.
    await text_arrives(api, coordinator.id, "genre de sondage")
    await press_button(api, coordinator, coordinator.id, "Un seul choix")
    await text_arrives(api, coordinator.id, "première réponse")
    api.private_text(coordinator, "Samedi")
    await text_arrives(api, coordinator.id, "noté\u00a0: Samedi")
    api.private_text(coordinator, "Dimanche")
    await text_arrives(api, coordinator.id, "noté\u00a0: Dimanche")
    await press_button(api, coordinator, coordinator.id, "C'est tout")
    await text_arrives(api, coordinator.id, "Combien de temps")
    await press_button(api, coordinator, coordinator.id, "3")
    await text_arrives(api, coordinator.id, "Qui vote\u00a0?")
    await press_button(api, coordinator, coordinator.id, "Tout le monde")
    await text_arrives(api, coordinator.id, "L'ouvrir maintenant\u00a0?")
    await press_button(api, coordinator, coordinator.id, "Oui, l'ouvrir")
    await api.wait_until(lambda: any(m.poll_id for m in api.sent(scene.group.id)), 8)
    poll_message = next(m for m in api.sent(scene.group.id) if m.poll_id)

    bob, carol, dan = scene.volunteers
    stranger = api.user(999, "Zoé", started=True)
    api.answer_poll(bob, poll_message.poll_id, [0])
    api.answer_poll(carol, poll_message.poll_id, [0])
    api.answer_poll(carol, poll_message.poll_id, [1])  # changed her mind
    api.answer_poll(dan, poll_message.poll_id, [1])
    api.answer_poll(dan, poll_message.poll_id, [])  # withdrew
    api.answer_poll(stranger, poll_message.poll_id, [0])
    await api.wait_confirmed()  # the bot confirms a batch once it has handled it
    await api.wait_until(lambda: api.sent(stranger.id), 8)  # told privately

    async with scene.core.uow() as uow:
        poll = (await polls.open_polls_for(uow, await _member_id(uow, "Claire")))[0]
        await polls.close_poll(uow, poll.id, by_id=None)
        await uow.commit()
    await api.wait_requests("stopPoll")
    await text_arrives(api, scene.group.id, "Sondage terminé")
    results = api.sent(scene.group.id)[-1].text or ""
    assert "- Samedi: 1" in results and "- Dimanche: 1" in results
    assert "Nombre de votants\u00a0: 2" in results


async def _member_id(uow, name: str) -> int:  # type: ignore[no-untyped-def]
    return (
        await uow.session.execute(select(Member.id).where(Member.display_name == name))
    ).scalar_one()


async def test_the_replies_to_quick_messages_of_one_person_come_in_their_order(
    scene: Scene,
) -> None:
    # Replies are sent while the next updates are handled: one person's still keep their order,
    # even when the first send is slow.
    api, claire = scene.api, scene.coordinator
    # The welcome messages of the scene first.
    await outbox_settled(scene.core, 10, set_aside_is_waiting=True)
    api.delay_next("sendMessage", 0.5)
    for command in ["/aide", "/sondages"] * 4:
        api.command(claire, command)
    await api.wait_sent(claire, 8)
    replies = [m.text or "" for m in api.sent(claire)]
    assert ["Je mets en relation" in text for text in replies] == [True, False] * 4
    # (A coordinator's /sondages is the territory's overview: no poll yet.)
    assert ["pas encore de sondage" in text for text in replies] == [False, True] * 4


async def test_a_newcomer_who_opens_a_territory_s_invitation_link_is_welcomed_there(
    scene: Scene,
) -> None:
    async with scene.core.uow() as uow:
        bouguenais = await members.add_territory(uow, "Bouguenais", neighbourhoods=["Les Couëts"])
        invitation = await invitations.create_invitation(uow, bouguenais.id, by_id=None)
        await uow.commit()
    odette = scene.api.user(400, "Odette", language_code="fr")
    # What Telegram sends when someone opens https://t.me/<bot>?start=join_<code>.
    scene.api.command(odette, "/start", invitation_link("b", invitation.code).split("=")[1])
    await text_arrives(scene.api, odette.id, "Bouguenais")

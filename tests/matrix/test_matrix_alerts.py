"""The coordinators' alerts on a real Synapse: a member's `m.audio` is forwarded to the
coordinators as an `m.audio` event reusing its mxc address, with the call-back alert and its
numbered choices; answering "1" takes it and the member is told who calls back."""

from __future__ import annotations

import io

import nio
import pytest
from sqlalchemy import select

from core.domain.model import Alert
from core.domain.vocabulary import Role
from tests.matrix.botkit import BotRunner, People, body_of, direct_chat
from tests.matrix.botkit import bot_fixture as bot_fixture
from tests.matrix.botkit import people_fixture as people_fixture
from tests.matrix.fixtures import homeserver_fixture as homeserver_fixture  # the fixtures
from tests.matrix.fixtures import matrix_client_fixture as matrix_client_fixture

pytestmark = [pytest.mark.matrix, pytest.mark.slow]

PHONE, ADDRESS = "06 12 34 56 78", "3 rue des Pêcheurs"


async def test_a_voice_message_reaches_the_coordinator_as_audio_with_the_call_back_alert(
    bot: BotRunner, people: People
) -> None:
    alice, claire = await people("alice"), await people("claire")
    coordinator = await bot.add_member(claire.user_id, "Claire Martin", roles=[Role.COORDINATOR])
    await bot.add_member(
        alice.user_id, "Alice Durand", roles=[Role.REQUESTER], phone=PHONE, address=ADDRESS
    )
    await bot.start()
    # Claire has talked with the bot before (a typed "1" answers the last choices of a chat
    # the bot keeps a conversation for).
    desk = await direct_chat(claire, bot.user_id)
    await claire.next_from_bot(desk)
    dm = await direct_chat(alice, bot.user_id)
    await alice.next_from_bot(dm)  # the menu
    voice = b"OggS\x00 a short voice message"
    uploaded, _keys = await alice.client.upload(
        lambda *_: io.BytesIO(voice), content_type="audio/ogg", filesize=len(voice)
    )
    assert isinstance(uploaded, nio.UploadResponse), uploaded
    mark = len(alice.seen())
    sent = await alice.client.room_send(
        dm,
        "m.room.message",
        {
            "msgtype": "m.audio",
            "body": "voice-message.ogg",
            "url": uploaded.content_uri,
            "info": {"mimetype": "audio/ogg", "duration": 3000, "size": len(voice)},
            "org.matrix.msc3245.voice": {},
        },
    )
    assert isinstance(sent, nio.RoomSendResponse), sent
    told = await alice.next_from_bot(dm, contains="Claire", after=mark)
    assert "message vocal" in body_of(told)

    room, audio = await claire.wait_for(
        lambda r, e: e.sender == bot.user_id and isinstance(e, nio.RoomMessageAudio)
    )
    assert room == desk and audio.url == uploaded.content_uri
    assert body_of(audio) == "Message vocal"
    alert = await claire.next_from_bot(room, contains="Merci de l'écouter")
    text = body_of(alert)
    assert "Alice Durand" in text and PHONE in text and ADDRESS in text
    assert "1. Je rappelle" in text
    mark = len(alice.seen())
    taken = await claire.ask(room, "1", contains="Vous vous occupez")
    assert PHONE in body_of(taken)
    await alice.next_from_bot(dm, contains="Claire, de l'équipe de coordination", after=mark)
    async with bot.core.uow() as uow:
        found = (await uow.session.execute(select(Alert))).scalar_one()
    assert found.taken_by == coordinator
    bot.check_alive()

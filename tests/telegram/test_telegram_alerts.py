"""The coordinators' alerts on Telegram: a senior's voice message is forwarded by its file id
(sendVoice) with the call-back alert and its buttons; the buttons take and close the alert;
an emergency carries the phone, the address and "Je l'appelle" / "C'est réglé"."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from core.app import Core
from core.domain.model import Alert
from core.domain.vocabulary import Role
from core.services import members
from tests.conftest import make_settings

from .bot_api import FakeBotApi, FakeUser
from .harness import member_on_telegram, running_channel

PHONE, ADDRESS = "06 98 76 54 32", "12 rue des Lilas"


@pytest.fixture(autouse=True)
def _ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@dataclass
class Desk:
    api: FakeBotApi
    core: Core
    senior: FakeUser
    claire: FakeUser
    denise: FakeUser


@pytest.fixture
async def desk(tmp_path: Path) -> AsyncIterator[Desk]:
    api = await FakeBotApi.start()
    core = Core.open(make_settings(f"sqlite+aiosqlite:///{tmp_path / 'tg.sqlite3'}"))
    await core.create_schema()
    async with core.uow() as uow:
        territory = await members.add_territory(uow, "Rezé", neighbourhoods=["Trentemoult"])
        await uow.commit()
    senior = api.user(300, "Jeanne", started=True)
    claire = api.user(100, "Claire", started=True)
    denise = api.user(101, "Denise", started=True)
    for user in (claire, denise):
        await member_on_telegram(core, territory.id, user, roles=[Role.COORDINATOR])
    await member_on_telegram(
        core,
        territory.id,
        senior,
        name="Jeanne Morel",
        roles=[Role.REQUESTER],
        neighbourhood="Trentemoult",
        phone=PHONE,
        address=ADDRESS,
    )
    try:
        yield Desk(api, core, senior, claire, denise)
    finally:
        await core.close()
        await api.stop()
    assert api.server_errors == []


async def _alert_id(core: Core) -> int:
    async with core.uow() as uow:
        return (await uow.session.execute(select(Alert.id))).scalar_one()


async def test_a_voice_message_reaches_the_coordinators_as_itself_with_a_call_back_button(
    desk: Desk,
) -> None:
    api = desk.api
    async with running_channel(api, desk.core):
        update = api.voice(desk.senior, duration=12)
        assert update is not None
        file_id = update["message"]["voice"]["file_id"]
        await api.wait_until(lambda: len(api.requests("sendVoice")) >= 2, 10)
        for coordinator in (desk.claire, desk.denise):
            [voice, alert] = await api.wait_sent(coordinator, 2)
            assert voice.extra["voice"]["file_id"] == file_id
            assert voice.extra["voice"]["duration"] == 12
            assert "Message vocal" in (alert.text or "") and PHONE in (alert.text or "")
            assert [b["text"] for b in alert.buttons] == ["Je rappelle", "C'est fait"]
        [told] = await api.wait_sent(desk.senior, 1)
        assert "Claire, Denise" in (told.text or "")
        alert_id = await _alert_id(desk.core)
        [_, claires] = api.sent(desk.claire)
        api.press(desk.claire, claires, f"alert_take:{alert_id}")
        await api.wait_until(
            lambda: any("Claire" in (m.text or "") for m in api.sent(desk.senior)[1:]), 10
        )
        await api.wait_until(
            lambda: any("Claire s'occupe" in (m.text or "") for m in api.sent(desk.denise)), 10
        )
        [_, denises, *_] = api.sent(desk.denise)
        api.press(desk.denise, denises, f"alert_take:{alert_id}")
        await api.wait_until(
            lambda: any("déjà" in (m.text or "") for m in api.sent(desk.denise)), 10
        )
    async with desk.core.uow() as uow:
        alert = await uow.session.get(Alert, alert_id)
        assert alert is not None and alert.taken_by is not None
    assert not api.unanswered_callbacks


async def test_an_audio_file_is_forwarded_with_send_audio(desk: Desk) -> None:
    api = desk.api
    async with running_channel(api, desk.core):
        update = api.audio(desk.senior)
        assert update is not None
        await api.wait_until(lambda: len(api.requests("sendAudio")) >= 2, 10)
        [audio, _alert] = await api.wait_sent(desk.claire, 2)
    assert audio.extra["audio"]["file_id"] == update["message"]["audio"]["file_id"]
    assert api.requests("sendVoice") == []


async def test_an_emergency_alert_has_the_contact_and_is_handled_from_its_button(
    desk: Desk,
) -> None:
    api = desk.api
    async with running_channel(api, desk.core):
        api.private_text(desk.senior, "Je suis tombée, au secours")
        [alert] = await api.wait_sent(desk.claire, 1)
        text = alert.text or ""
        assert "URGENCE" in text and PHONE in text and ADDRESS in text
        assert [b["text"] for b in alert.buttons] == ["Je l'appelle", "C'est réglé"]
        alert_id = await _alert_id(desk.core)
        api.press(desk.claire, alert, f"alert_done:{alert_id}")
        await api.wait_until(
            lambda: any("Claire a réglé" in (m.text or "") for m in api.sent(desk.denise)), 10
        )
    async with desk.core.uow() as uow:
        closed = await uow.session.get(Alert, alert_id)
        assert closed is not None and closed.done_by is not None

"""`entraide demo`: realistic made-up activity in a fresh database, every row marked as demo,
and never in a database that holds real members."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from bots.cli import app
from core.app import Core
from core.domain.errors import InvalidInput
from core.domain.model import Alert, Assignment, HelpRequest, Member, Poll, Vote
from core.domain.observatory_tables import ObservatorySetting
from core.observatory import demo, periods
from core.observatory.catalogue import compute
from tests.conftest import NOW, Cooperative

runner = CliRunner()


async def _count(core: Core, query) -> int:  # type: ignore[no-untyped-def]
    async with core.uow() as uow:
        return int((await uow.session.execute(query)).scalar_one())


async def test_the_demo_fills_seasons_unmet_requests_regular_pairs_and_polls(core: Core) -> None:
    async with core.uow() as uow:
        made = await demo.fill(uow.session, "Rezé", members=300, weeks=26, end=NOW)
        await uow.commit()
    assert made.requests == 624 and made.polls >= 3
    total = func.count()
    assert await _count(core, select(total).select_from(Member)) == 300
    assert await _count(core, select(total).where(HelpRequest.state == "expired")) > 10
    assert await _count(core, select(total).select_from(Vote)) > 100
    assert await _count(core, select(total).select_from(Alert).where(Alert.kind == "emergency"))
    # Every row with words says it is made up; the territory is flagged.
    assert not await _count(core, select(total).where(~Member.display_name.endswith(" (démo)")))
    assert not await _count(core, select(total).where(HelpRequest.description != "[démo]"))
    assert not await _count(core, select(total).where(~Poll.question.startswith("[démo]")))
    assert not await _count(core, select(total).where(Alert.text != "[démo]"))
    assert await _count(core, select(total).where(ObservatorySetting.demo.is_(True))) == 1
    # Regular pairs: most tasks are between people who met before.
    pairs = select(Assignment.volunteer_id, Assignment.requester_id).distinct().subquery()
    tasks = await _count(core, select(total).select_from(Assignment))
    assert await _count(core, select(total).select_from(pairs)) < tasks * 0.7
    async with core.uow() as uow:
        tz = "Europe/Paris"
        october = await compute(uow.session, made.territory_id, periods.month(2026, 10, tz))
        july = await compute(uow.session, made.territory_id, periods.month(2026, 7, tz))
    assert october["pairs_met_again"].value > 0
    # Seasons: more requests as winter comes than in summer.
    assert october["posted"].value > july["posted"].value


async def test_the_demo_refuses_a_database_with_real_members_and_changes_nothing(
    coop: Cooperative,
) -> None:
    before = await _count(coop.core, select(func.count()).select_from(Member))
    async with coop.core.uow() as uow:
        with pytest.raises(InvalidInput):
            await demo.fill(uow.session, "Rezé", members=50, weeks=4, end=NOW)
    assert await _count(coop.core, select(func.count()).select_from(Member)) == before
    assert await _count(coop.core, select(func.count()).select_from(HelpRequest)) == 0


def test_entraide_demo_on_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ENTRAIDE_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'd.sqlite3'}")
    monkeypatch.setenv("ENTRAIDE_CONFIG_FILE", str(tmp_path / "absent.toml"))
    args = ["demo", "--territory", "Rezé", "--members", "300", "--weeks", "26"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "300 members" in result.output and "demo" in result.output
    runner.invoke(app, ["member", "add", "Alice", "--role", "requester", "--territory", "Rezé"])
    again = runner.invoke(app, args)
    assert again.exit_code == 1
    assert "real members" in again.output

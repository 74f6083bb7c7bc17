"""`entraide jobs`, `entraide recurring`, `entraide digest`, and what erasure does to them."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from bots.cli import app
from core.app import Core
from core.config import Settings
from core.domain.model import Member, RecurringRequest
from core.services import alerts, identity, privacy, requests
from core.services.unit_of_work import system_clock
from tests.integration._support import cli_database

runner = CliRunner()
ALICE, BOB = 1, 2  # the order `database` adds them in


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    return cli_database(tmp_path, monkeypatch, [
        ["territory", "add", "Rezé", "-n", "Trentemoult"],
        ["member", "add", "Alice Durand", "--role", "requester", "--territory", "Rezé",
         "--neighbourhood", "Trentemoult", "--address", "3 rue des Pêcheurs"],
        ["member", "add", "Bob Leroy", "--role", "volunteer", "--skill", "shopping",
         "--territory", "Rezé", "--neighbourhood", "Trentemoult"],
        ["member", "approve", "Bob Leroy"],
    ])  # fmt: skip


def entraide(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def with_core(url: str, work, at: datetime | None = None):  # type: ignore[no-untyped-def]
    async def main():  # type: ignore[no-untyped-def]
        settings = Settings(database_url=url, _env_file=None)  # type: ignore[call-arg]
        core = Core.open(settings, (lambda: at) if at else system_clock)
        try:
            return await work(core)
        finally:
            await core.close()

    return asyncio.run(main())


def post_and_accept(url: str, when: datetime, at: datetime | None = None) -> int:
    async def work(core: Core) -> int:
        async with core.uow() as uow:
            request = await requests.post_request(
                uow, ALICE, category="shopping", when_start=when, place="Carrefour Market"
            )
            await uow.commit()
        async with core.uow() as uow:
            await requests.accept(uow, BOB, request.id)
            await uow.commit()
        return request.id

    return with_core(url, work, at)


def test_jobs_list_says_what_for_whom_and_when_in_local_time(database: str) -> None:
    when = (datetime.now(UTC) + timedelta(days=3)).replace(second=0, microsecond=0)
    request_id = post_and_accept(database, when)
    lines = entraide("jobs", "list", "--kind", "reminder", "--kind", "follow-up").splitlines()
    local = (when - timedelta(hours=1)).astimezone(ZoneInfo("Europe/Paris"))
    assert lines[1] == (
        f"{local:%Y-%m-%d %H:%M %Z}\treminder 1 h before, request #{request_id} (shopping)\t"
        "Bob Leroy (volunteer), Alice Durand (requester)\t[scheduled, not in the job store yet]"
    )
    assert lines[0].split("\t")[1].startswith("reminder 24 h before")
    assert lines[2].split("\t")[1] == f"follow-up, request #{request_id} (shopping)"
    assert len(lines) == 3

    everything = entraide("jobs", "list")
    assert "weekly digest" in everything or "expiry" not in everything
    bad = runner.invoke(app, ["jobs", "list", "--kind", "reminders"])
    assert bad.exit_code == 1 and "Unknown kind 'reminders'" in bad.output


def test_run_due_does_due_work_once_and_status_counts_it(database: str) -> None:
    now = datetime.now(UTC)
    # Accepted yesterday, for in half an hour: the 1 h reminder is due.
    post_and_accept(database, now + timedelta(minutes=30), at=now - timedelta(days=1))
    assert entraide("jobs", "run-due").splitlines() == ["1\tdone"]
    assert entraide("jobs", "run-due").splitlines() == ["Nothing was due."]
    status = entraide("jobs", "status")
    assert "jobs in the job store: 0" in status
    assert "last 24 h: 1\treminder\tdone" in status


def test_recurring_requests_from_the_command_line(database: str) -> None:
    said = entraide(
        "recurring", "add", "Alice Durand", "--every", "mardi", "--at", "10h",
        "--category", "shopping", "--duration", "90",
    )  # fmt: skip
    assert said.startswith("Recurring request #1: shopping every Tuesday at 10h, from ")
    assert "posted 7 days ahead" in said
    assert entraide("recurring", "list").split("\t")[:4] == [
        "#1",
        "Alice Durand",
        "shopping",
        "every Tuesday at 10:00",
    ]
    assert "posting of recurring request #1 (shopping)" in entraide(
        "jobs", "list", "--kind", "recurring"
    )
    assert entraide("jobs", "run-due", "--help")  # (run-due takes no option)
    entraide("recurring", "stop", "1")
    assert entraide("recurring", "list").strip() == "No recurring request."
    assert "stopped" in entraide("recurring", "list", "--all")
    for wrong in (["--at", "25:00"], ["--every", "someday"]):
        args = ["--every", "mardi", "--at", "10:00", *wrong]
        result = runner.invoke(
            app, ["recurring", "add", "Alice Durand", "--category", "shopping", *args]
        )
        assert result.exit_code == 1, result.output
        assert len(result.output.strip().splitlines()) == 1


def test_a_volunteer_can_be_taken_off_the_weekly_digest(database: str) -> None:
    assert entraide("digest", "Bob Leroy", "--off").strip() == "Weekly digest off for Bob Leroy."

    async def flag(core: Core) -> bool:
        async with core.uow() as uow:
            member = await uow.session.get(Member, BOB)
            assert member is not None
            return member.weekly_digest

    assert with_core(database, flag) is False
    entraide("digest", "Bob Leroy", "--on")
    assert with_core(database, flag) is True


def test_erasing_a_member_stops_her_recurring_requests_and_export_lists_them(
    database: str,
) -> None:
    entraide(
        "recurring", "add", "Alice Durand", "--every", "friday", "--at", "9:30",
        "--category", "shopping", "--description", "Bread from the market",
    )  # fmt: skip

    async def export_then_erase(core: Core) -> tuple[dict, RecurringRequest]:  # type: ignore[type-arg]
        async with core.uow() as uow:
            exported = await privacy.export_member(uow, ALICE)
            await privacy.erase_member(uow, ALICE, by_id=None)
            await uow.commit()
        async with core.uow() as uow:
            rule = await uow.session.get(RecurringRequest, 1)
            assert rule is not None
            return exported, rule

    exported, rule = with_core(database, export_then_erase)
    assert exported["recurring_requests"][0]["description"] == "Bread from the market"
    assert exported["member"]["weekly_digest"] is True
    assert (rule.active, rule.description, rule.place) == (False, "", None)


def test_jobs_list_names_the_loneliness_check_s_offer_and_whom_it_is_for(database: str) -> None:
    entraide("observatory", "loneliness", "on", "--territory", "Rezé")
    yesterday = datetime.now(UTC) - timedelta(days=1)
    request_id = post_and_accept(database, yesterday + timedelta(hours=1), at=yesterday)

    async def helped_in_her_chat(core: Core) -> None:
        async with core.uow() as uow:
            account = await identity.ensure_account(uow, "console", "alice", "alice")
            account.member_id = ALICE
            await requests.complete(uow, BOB, request_id, 1.0)
            await uow.commit()

    with_core(database, helped_in_her_chat, at=yesterday + timedelta(hours=2))
    lines = entraide("jobs", "list", "--kind", "loneliness-offer").splitlines()
    assert lines and all(
        line.split("\t")[1:3] == ["offer of the loneliness check", "Alice Durand"]
        for line in lines
    )


def test_jobs_list_names_an_alert_sent_again_and_to_whom(database: str) -> None:
    async def emergency(core: Core) -> None:
        async with core.uow() as uow:
            alerts.raise_alert(uow, 1, "emergency", ALICE, text="Je suis tombée")
            await uow.commit()

    with_core(database, emergency, at=datetime.now(UTC) - timedelta(minutes=1))
    lines = entraide("jobs", "list", "--kind", "alert-resend").splitlines()
    assert lines
    assert lines[0].split("\t")[1:3] == [
        "alert #1 (emergency) sent again, round 1",
        "coordinators of Rezé",
    ]

"""`entraide observatory report`: a printable report whose sentences and table carry the
figures of the period, with server-rendered SVG charts and nothing loaded from the internet."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bots.cli import app
from core.app import Core
from core.domain.model import Territory
from core.observatory import periods
from core.observatory.report import render
from tests.integration._observatory import build

runner = CliRunner()
MARCH = periods.month(2026, 3, "Europe/Paris")


async def _report(core: Core, language: str) -> str:
    history = await build(core)
    async with core.uow() as uow:
        territory = await uow.session.get(Territory, history.territory_id)
        assert territory is not None
        return await render(uow.session, territory, MARCH, language)


async def test_the_french_report_says_each_number_of_march_in_a_sentence(core: Core) -> None:
    html = await _report(core, "fr")
    for sentence in (
        "7 demandes d'aide ont été publiées.",
        "4 demandes ont été réalisées.",
        "2 demandes n'ont trouvé personne à temps.",
        "2 bénévoles ont aidé.",
        "2 personnes ont rejoint la coopérative.",
        "Un binôme s'est retrouvé.",
        "Parmi les demandes terminées, 57\u00a0% ont été réalisées.",
        "La moitié des demandes a trouvé une personne bénévole en 1 heure.",
        "Les bénévoles ont donné 7,5 heures d'aide.",
        "75\u00a0% des missions ont relié deux générations.",
        "Aux sondages, 43\u00a0% des votes possibles ont été exprimés.",
    ):
        assert sentence.replace("'", "&#39;") in html, sentence
    assert '<tr data-figure="posted"><td>Demandes publiées</td><td class="number">7</td>' in html


async def test_the_english_report_has_its_charts_as_inline_svg_and_loads_nothing(
    core: Core,
) -> None:
    html = await _report(core, "en")
    assert "7 requests for help were posted." in html
    # Eight charts, and the loneliness score's trend (the history has answers in March's quarter).
    assert html.count("<svg") == 9
    for chart in ("requests", "acceptance", "unmet_category", "generations"):
        assert f'id="chart-{chart}"' in html
    assert "<script" not in html and "<link" not in html
    loaded = re.findall(r'(?:src|href)="(https?:[^"]+)"', html)
    assert loaded == []
    assert "@import" not in html and "url(http" not in html


def _demo_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *extra: str):  # type: ignore[no-untyped-def]
    """A demo cooperative in a fresh database, then `entraide observatory report` for 2026
    into tmp_path/report.html with `extra` options; the CLI's result."""
    monkeypatch.setenv("ENTRAIDE_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'r.sqlite3'}")
    monkeypatch.setenv("ENTRAIDE_CONFIG_FILE", str(tmp_path / "absent.toml"))
    assert runner.invoke(app, ["demo", "--territory", "Rezé", "--members", "60"]).exit_code == 0
    args = ["observatory", "report", "--territory", "Rezé", "--from", "2026-01-01"]
    out = str(tmp_path / "report.html")
    return runner.invoke(app, [*args, "--to", "2026-12-31", "--out", out, *extra])


def test_entraide_observatory_report_on_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = _demo_report(tmp_path, monkeypatch)
    assert result.exit_code == 0, result.output
    out = tmp_path / "report.html"
    args = ["observatory", "report", "--territory", "Rezé", "--from", "2026-01-01"]
    html = out.read_text()
    assert "L&#39;impact de la coopérative" in html and "démonstration" in html
    unknown = runner.invoke(
        app, [*args, "--to", "2026-12-31", "--out", str(out), "--language", "de"]
    )
    assert unknown.exit_code != 0
    backwards = runner.invoke(
        app,
        [
            "observatory",
            "report",
            "--territory",
            "Rezé",
            "--from",
            "2026-12-31",
            "--to",
            "2026-01-01",
            "--out",
            str(out),
        ],
    )
    assert backwards.exit_code == 1 and "before its start" in backwards.output


@pytest.mark.browser
def test_the_report_is_printed_to_a_pdf_that_says_the_same_numbers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chromium prints the very HTML file (Debian's chromium, installed by CI: no skip)."""
    from pypdf import PdfReader

    html, pdf = tmp_path / "report.html", tmp_path / "report.pdf"
    result = _demo_report(tmp_path, monkeypatch, "--pdf", str(pdf))
    assert result.exit_code == 0, result.output
    assert pdf.read_bytes().startswith(b"%PDF-")
    text = " ".join((page.extract_text() or "") for page in PdfReader(pdf).pages)
    posted = re.search(r"(\d+) demandes d&#39;aide ont été publiées", html.read_text())
    assert posted is not None
    assert f"{posted.group(1)} demandes d" in " ".join(text.split())
    assert "impact de la coopérative" in text


def test_without_chromium_the_pdf_is_refused_clearly_and_the_html_is_still_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ENTRAIDE_CHROMIUM", str(tmp_path / "no-such-browser"))
    html, pdf = tmp_path / "report.html", tmp_path / "report.pdf"
    result = _demo_report(tmp_path, monkeypatch, "--pdf", str(pdf))
    assert result.exit_code == 1
    assert "could not print" in result.output and html.exists() and not pdf.exists()

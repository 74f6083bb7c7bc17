"""Names that impersonate (finding 13 of issue 10).

A member's name is shown to seniors, volunteers and coordinators: it is normalised (NFKC,
spaces collapsed) and refused, kindly, when it holds invisible, control or direction-changing
characters, or no letter at all, wherever it is set: onboarding (typed, or the platform's
display name), `entraide member add`, profile updates.
"""

from __future__ import annotations

import unicodedata
from functools import partial
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from typer.testing import CliRunner

from bots.cli import app
from core.dialogue.engine import ConversationEngine
from core.domain.errors import InvalidInput
from core.domain.model import Member
from core.domain.vocabulary import Role
from core.services import members
from core.services.text import clean_name
from tests.conftest import Cooperative
from tests.integration import _support

FORBIDDEN_CATEGORIES = {"Cc", "Cf", "Co", "Cs", "Zl", "Zp"}
# Zero-width space/joiners and marks, bidi embeddings and overrides, isolates, the BOM, and a
# few more kinds: a control character, a private-use one, the line and paragraph separators.
HOSTILE = [
    *(chr(c) for c in range(0x200B, 0x2010)),
    *(chr(c) for c in range(0x202A, 0x202F)),
    *(chr(c) for c in range(0x2066, 0x206A)),
    "\ufeff",
    "\x07",
    "\x1b",
    "\ue000",
    "\u2028",
    "\u2029",
    "\u00ad",  # a soft hyphen (Cf)
]
IMPERSONATION = "\u202eniatroM erialC"  # shows as "Claire Martin" reversed into place


def _hostile_id(ch: str) -> str:
    return f"U+{ord(ch):04X}"


say = partial(_support.say, platform="telegram")


async def names_in_database(coop: Cooperative) -> list[str]:
    async with coop.core.uow() as uow:
        return list((await uow.session.execute(select(Member.display_name))).scalars())


# --- The rule ---------------------------------------------------------------------------------


@pytest.mark.parametrize("hostile", HOSTILE, ids=_hostile_id)
def test_a_name_with_an_invisible_or_direction_changing_character_is_refused(
    hostile: str,
) -> None:
    with pytest.raises(InvalidInput):
        clean_name(f"Clai{hostile}re")


@pytest.mark.parametrize("typed", ["1234", "!!!", "🙂🙂", "- . -", "٣٤٥"])
def test_a_name_without_a_letter_is_refused(typed: str) -> None:
    with pytest.raises(InvalidInput):
        clean_name(typed)


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("  Ａｌｉｃｅ   Durand ", "Alice Durand"),  # full-width letters, runs of spaces
        ("Zoé\u00a0Martin", "Zoé Martin"),  # a no-break space
        ("Ze\u0301lie", "Zélie"),  # a combining accent, composed
        ("Jean-Pierre O'Neil", "Jean-Pierre O'Neil"),
        ("محمد", "محمد"),  # right-to-left script itself is fine
    ],
)
def test_a_name_is_normalised(typed: str, kept: str) -> None:
    assert clean_name(typed) == kept


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=100))
def test_no_accepted_name_holds_a_hidden_character(typed: str) -> None:
    try:
        name = clean_name(typed)
    except InvalidInput:
        return
    assert not {unicodedata.category(ch) for ch in name} & FORBIDDEN_CATEGORIES
    assert name == unicodedata.normalize("NFKC", name) == " ".join(name.split())
    assert any(ch.isalpha() for ch in name) and 0 < len(name) <= 80
    assert clean_name(name) == name


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.text(min_size=1, max_size=20),
    st.sampled_from(HOSTILE),
    st.text(max_size=20),
)
def test_a_hidden_character_anywhere_in_a_name_is_refused(
    before: str, hostile: str, after: str
) -> None:
    with pytest.raises(InvalidInput):
        clean_name(before + hostile + after)


# --- Where names are set ----------------------------------------------------------------------


async def test_onboarding_refuses_a_typed_impersonating_name_kindly(coop: Cooperative) -> None:
    engine = ConversationEngine(coop.core)
    await say(engine, "mallory", "bonjour", language="fr")  # no display name: asked

    refused = await say(engine, "mallory", IMPERSONATION)

    assert refused
    assert not [b for r in refused for b in r.buttons if b.action.startswith("role:")]
    accepted = await say(engine, "mallory", "Mallory")
    assert [b for r in accepted for b in r.buttons if b.action.startswith("role:")]


@pytest.mark.parametrize("hostile", ["\x07", "\u200b", "\u202e"], ids=_hostile_id)
async def test_a_platform_display_name_that_fails_the_check_is_asked_for_again(
    coop: Cooperative, hostile: str
) -> None:
    engine = ConversationEngine(coop.core)

    first = await say(engine, "zoe", "bonjour", language="fr", display_name=f"Zo{hostile}é")

    assert any("prénom" in r.text for r in first), [r.text for r in first]
    await say(engine, "zoe", "Zoé")
    await say(engine, "zoe", action="role:requester")
    await say(engine, "zoe", action="nb:none")
    await say(engine, "zoe", action="skip")
    await say(engine, "zoe", action="skip")
    done = await say(engine, "zoe", action="band:none")
    assert any("Zoé" in r.text for r in done), [r.text for r in done]
    assert "Zoé" in await names_in_database(coop)


async def test_a_platform_display_name_is_stored_normalised(coop: Cooperative) -> None:
    engine = ConversationEngine(coop.core)
    greeted = await say(engine, "zoe", "bonjour", language="fr", display_name=" Ｚｏé  ")
    assert any("Zoé" in r.text for r in greeted), [r.text for r in greeted]


@pytest.mark.parametrize("name", [IMPERSONATION, "Claire\u200bMartin", "12345"])
async def test_a_member_is_never_added_with_a_hidden_or_letterless_name(
    coop: Cooperative, name: str
) -> None:
    async with coop.core.uow() as uow:
        with pytest.raises(InvalidInput):
            await members.onboard_member(uow, coop.territory_id, name, roles=[Role.REQUESTER])
    assert name not in await names_in_database(coop)


async def test_a_profile_update_of_the_name_is_checked_and_normalised(coop: Cooperative) -> None:
    async with coop.core.uow() as uow:
        with pytest.raises(InvalidInput):
            await members.update_profile(uow, coop.alice, display_name=IMPERSONATION)
        changed = await members.update_profile(uow, coop.alice, display_name="Ａｌｉｃｅ  D.")
        assert changed.display_name == "Alice D."


def test_the_command_line_refuses_an_impersonating_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    monkeypatch.setenv("ENTRAIDE_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'e.sqlite3'}")
    monkeypatch.setenv("ENTRAIDE_CONFIG_FILE", str(tmp_path / "absent.toml"))
    assert runner.invoke(app, ["territory", "add", "Rezé"]).exit_code == 0

    refused = runner.invoke(
        app, ["member", "add", IMPERSONATION, "--territory", "Rezé", "--role", "requester"]
    )
    kept = runner.invoke(
        app, ["member", "add", " Ａｌｉｃｅ  Durand", "--territory", "Rezé", "--role", "requester"]
    )

    assert refused.exit_code != 0 and "\u202e" not in refused.output
    assert kept.exit_code == 0 and "Alice Durand added" in kept.output, kept.output

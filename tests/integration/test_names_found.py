"""A name is found as it is typed, whatever the case and the accents, on SQLite too (whose
lower() leaves "É" as is): "helene" finds "Hélène", "ECUYER" finds "Écuyer" (SQLite and
PostgreSQL)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.domain.people import name_key
from core.services import desk_work, members
from tests.conftest import Cooperative
from tests.integration._desk import Desk, actions


@pytest.fixture
async def helene(coop: Cooperative) -> int:
    async with coop.core.uow() as uow:
        member = await members.onboard_member(
            uow, coop.territory_id, "Hélène  Écuyer", roles=["requester"]
        )
        await uow.commit()
        return member.id


@pytest.mark.parametrize("typed", ["helene", "HÉLÈNE", "ecuyer", "Hélène Écuyer", "lène éc"])
async def test_a_coordinator_finds_a_member_however_her_name_is_typed(
    coop: Cooperative, helene: int, typed: str
) -> None:
    async with coop.core.uow() as uow:
        found = await desk_work.find_by_part(uow, coop.territory_id, typed, by_id=coop.coordinator)
    assert [m.id for m in found] == [helene]


async def test_a_member_is_found_by_her_whole_name_without_accents_or_capitals(
    coop: Cooperative, helene: int
) -> None:
    async with coop.core.uow() as uow:
        assert [m.id for m in await members.find_members(uow, "helene ecuyer")] == [helene]
        assert await members.find_members(uow, "helene") == []  # a whole name, not a part


async def test_a_renamed_member_is_found_by_her_new_name(coop: Cooperative, helene: int) -> None:
    async with coop.core.uow() as uow:
        await members.update_profile(uow, helene, display_name="Hélène Müller")
        await uow.commit()
    async with coop.core.uow() as uow:
        found = await desk_work.find_by_part(uow, coop.territory_id, "muller", by_id=None)
        assert [m.id for m in found] == [helene]
        assert await desk_work.find_by_part(uow, coop.territory_id, "ecuyer", by_id=None) == []


async def test_suspending_from_the_chat_finds_the_member_typed_without_accents(
    coop: Cooperative, helene: int
) -> None:
    desk = await Desk(coop).setup()
    await desk.say("claire", "/suspendre")
    assert f"desk_pick:{helene}" in actions(await desk.say("claire", "helene"))


async def test_a_percent_sign_or_underscore_in_a_search_matches_only_itself(
    coop: Cooperative, helene: int
) -> None:
    async with coop.core.uow() as uow:
        for typed in ("%", "_", "h_l"):
            assert await desk_work.find_by_part(uow, coop.territory_id, typed, by_id=None) == []


@given(st.text(max_size=40))
def test_a_name_key_is_idempotent_lower_case_and_without_combining_marks(name: str) -> None:
    key = name_key(name)
    assert name_key(key) == key
    assert key == key.casefold() or not key.isascii()
    assert "  " not in key and key == key.strip()
    assert len(key) <= 80

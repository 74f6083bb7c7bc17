"""The age band: optional, consented, changeable and removable; exported with the member's
data and gone when the member is erased; the intergenerational share counts it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.domain.errors import InvalidInput
from core.domain.observatory_tables import MemberAgeBand
from core.services import age_bands, privacy
from tests.conftest import Cooperative


async def _bands(coop: Cooperative) -> dict[int, str]:
    async with coop.core.uow() as uow:
        rows = (await uow.session.execute(select(MemberAgeBand))).scalars()
        return {r.member_id: r.band for r in rows}


async def test_a_member_gives_changes_and_removes_their_age_band(coop: Cooperative) -> None:
    assert await _bands(coop) == {}
    async with coop.core.uow() as uow:
        await age_bands.set_band(uow, coop.alice, "75_plus")
        await uow.commit()
    async with coop.core.uow() as uow:
        await age_bands.set_band(uow, coop.alice, "60_74")
        await uow.commit()
    assert await _bands(coop) == {coop.alice: "60_74"}
    async with coop.core.uow() as uow:
        await age_bands.remove_band(uow, coop.alice)
        await uow.commit()
    assert await _bands(coop) == {}


async def test_an_unknown_band_is_refused_and_changes_nothing(coop: Cooperative) -> None:
    async with coop.core.uow() as uow:
        with pytest.raises(InvalidInput):
            await age_bands.set_band(uow, coop.alice, "eighty")
    assert await _bands(coop) == {}


async def test_the_band_is_in_the_members_export_and_erased_with_them(coop: Cooperative) -> None:
    async with coop.core.uow() as uow:
        await age_bands.set_band(uow, coop.alice, "75_plus")
        await uow.commit()
    async with coop.core.uow() as uow:
        assert (await privacy.export_member(uow, coop.alice))["age_band"] == "75_plus"
    async with coop.core.uow() as uow:
        await privacy.erase_member(uow, coop.alice, by_id=coop.coordinator)
        await uow.commit()
    assert await _bands(coop) == {}

"""The coordinators' desk in the chat, for members, on SQLite and PostgreSQL: its menu, the
volunteers waiting for approval (approved or refused, and told), suspending a member with a
reason; each audited with its actor and refused to anyone but the territory's coordinators."""

from __future__ import annotations

import pytest

from core.domain.vocabulary import MemberStatus
from tests.conftest import Cooperative
from tests.integration._desk import FORGED, Desk, actions, keys

ONLY_COORDINATORS = "Only a coordinator of this territory can do that."
WAITING = "{name} ({neighbourhood}) wants to help.\nSkills: {skills}\nAvailable: {hours}"


@pytest.fixture
async def desk(coop: Cooperative) -> Desk:
    return await Desk(coop).setup()


async def test_a_coordinator_s_menu_ends_with_the_desk_and_others_do_not_see_it(
    desk: Desk,
) -> None:
    assert actions(await desk.press("claire", "menu"))[-1] == "desk_menu"
    for who in ("alice", "bob", "zoe"):
        shown = actions(await desk.press(who, "menu"))
        assert ("desk_menu" in shown) == (who == "zoe")  # Zoé coordinates Nantes
    opened = await desk.press("claire", "desk_menu")
    assert actions(opened) == [
        "desk_approvals",
        "post_for",
        "suspend",
        "polls",
        "new_poll",
        "menu",
    ]
    assert keys(await desk.press("bob", "desk_menu")) == ONLY_COORDINATORS


async def test_waiting_volunteers_are_shown_with_their_answers_and_approved_with_a_button(
    desk: Desk,
) -> None:
    listed = await desk.press("claire", "desk_approvals")
    (dan,) = [r for r in listed if r.key == WAITING]
    assert dan.params["name"] == "Dan Morel"
    assert dan.params["neighbourhood"] == "Pont-Rousseau"
    assert "jardinage" in dan.text and "bricolage" in dan.text
    assert "tout moment" in dan.text.lower()  # available at any time
    assert [b.action for b in dan.buttons] == [f"approve:{desk.dan}", f"desk_refuse:{desk.dan}"]
    await desk.press("claire", f"approve:{desk.dan}")
    assert (await desk.member(desk.dan)).status == MemberStatus.APPROVED
    told = [m.key for m in await desk.messages_to(desk.dan)]
    assert any("approved volunteer" in key for key in told)
    (line,) = [e for e in await desk.audit("member.approve") if e.subject == f"member:{desk.dan}"]
    assert line.actor_id == desk.coop.coordinator
    nobody = await desk.press("claire", "desk_approvals")
    assert keys(nobody) == "No volunteer is waiting for approval."


async def test_a_volunteer_refused_with_a_reason_is_told_it_and_the_reason_is_audited(
    desk: Desk,
) -> None:
    asked = await desk.press("claire", f"desk_refuse:{desk.dan}")
    assert "Why do you refuse {name}?" in keys(asked)
    done = await desk.say("claire", "Nous avons assez de jardiniers pour le moment.")
    assert keys(done) == "Done: {name} is told."
    dan = await desk.member(desk.dan)
    assert not dan.is_volunteer and dan.status == MemberStatus.PENDING
    (told,) = [m for m in await desk.messages_to(desk.dan) if "Thank you for offering" in m.key]
    assert told.params["reason"] == "Nous avons assez de jardiniers pour le moment."
    (line,) = await desk.audit("member.refuse")
    assert line.actor_id == desk.coop.coordinator
    assert line.details == {"reason": "Nous avons assez de jardiniers pour le moment."}
    again = await desk.press("claire", f"desk_refuse:{desk.dan}")
    assert keys(again) == "This member is not waiting for approval."


async def test_a_volunteer_refused_without_a_reason_is_thanked_all_the_same(desk: Desk) -> None:
    await desk.press("claire", f"desk_refuse:{desk.dan}")
    await desk.press("claire", "no_reason")
    (told,) = [m for m in await desk.messages_to(desk.dan) if "Thank you for offering" in m.key]
    assert "reason" not in told.params
    (line,) = await desk.audit("member.refuse")
    assert line.details == {"reason": ""}


async def test_only_the_territory_s_coordinators_approve_or_refuse_and_forgeries_change_nothing(
    desk: Desk,
) -> None:
    before = await desk.counts()
    for who in ("bob", "alice"):
        assert keys(await desk.press(who, "desk_approvals")) == ONLY_COORDINATORS
    # Zoé sees her own territory's volunteers: Dan is not one of them.
    assert (
        keys(await desk.press("zoe", "desk_approvals")) == "No volunteer is waiting for approval."
    )
    for who in ("bob", "alice", "zoe"):
        assert keys(await desk.press(who, f"desk_refuse:{desk.dan}")) == ONLY_COORDINATORS
        assert keys(await desk.press(who, f"approve:{desk.dan}")) == ONLY_COORDINATORS
    for forged in FORGED:
        assert await desk.press("claire", f"desk_refuse:{forged}")
    # Zoé's own members are not Claire's to refuse.
    assert keys(await desk.press("claire", f"desk_refuse:{desk.zoe}")) == ONLY_COORDINATORS
    assert await desk.counts() == before
    assert (await desk.member(desk.dan)).status == MemberStatus.PENDING


async def test_a_member_is_suspended_in_three_steps_with_the_reason_in_the_audit_log(
    desk: Desk,
) -> None:
    coop = desk.coop
    asked = await desk.say("claire", "/suspendre")
    assert "Who do you want to suspend?" in keys(asked)
    found = await desk.say("claire", "leroy")
    assert f"desk_pick:{coop.bob}" in actions(found)
    assert found[0].buttons[0].label == "Bob Leroy (Trentemoult)"
    why = await desk.press("claire", f"desk_pick:{coop.bob}")
    assert "Why suspend {name}?" in keys(why)
    confirm = await desk.say("claire", "Absences répétées sans prévenir")
    assert "suspend_yes" in actions(confirm)
    assert (await desk.member(coop.bob)).status == MemberStatus.APPROVED  # not before the yes
    done = await desk.press("claire", "suspend_yes")
    assert keys(done) == "Done: {name} is suspended."
    assert (await desk.member(coop.bob)).status == MemberStatus.SUSPENDED
    (line,) = await desk.audit("member.suspend")
    assert (line.actor_id, line.details) == (
        coop.coordinator,
        {"reason": "Absences répétées sans prévenir"},
    )
    told = [m for m in await desk.messages_to(coop.bob) if "suspended" in m.key]
    assert told and "Absences" not in str(told[0].params)  # the reason is told in person


async def test_a_name_nobody_has_is_asked_again_and_the_coordinator_never_finds_herself(
    desk: Desk,
) -> None:
    await desk.say("claire", "/suspendre")
    assert "I found nobody" in keys(await desk.say("claire", "Personne"))
    assert "I found nobody" in keys(await desk.say("claire", "Claire"))
    assert "I found nobody" in keys(await desk.say("claire", "Zoé"))  # another territory
    assert "Too many names" not in keys(await desk.say("claire", "a"))


async def test_only_the_territory_s_coordinators_suspend_and_forged_members_change_nothing(
    desk: Desk,
) -> None:
    coop = desk.coop
    before = await desk.counts()
    for who in ("bob", "alice"):
        assert keys(await desk.say(who, "/suspendre")) == ONLY_COORDINATORS
    # Zoé at her own step (she coordinates Nantes): Bob's id forged in her button is refused.
    await desk.say("zoe", "/suspendre")
    assert keys(await desk.press("zoe", f"desk_pick:{coop.bob}")) == ONLY_COORDINATORS
    await desk.say("claire", "/suspendre")
    for forged in FORGED:
        assert await desk.press("claire", f"desk_pick:{forged}")
    assert keys(await desk.press("claire", f"desk_pick:{desk.zoe}")) == ONLY_COORDINATORS
    assert await desk.press("claire", "suspend_yes")  # not a step of "who": refused kindly
    assert await desk.counts() == before
    assert (await desk.member(coop.bob)).status == MemberStatus.APPROVED

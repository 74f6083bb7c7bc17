"""The coordinators' desk in the chat, for requests and polls, on SQLite and PostgreSQL:
posting a request for someone who phoned (with or without a chat of their own), listing the
polls with participation and results, creating one step by step; each audited with its actor
and refused to anyone but the territory's coordinators."""

from __future__ import annotations

import pytest

from core.domain.model import HelpRequest, MatchOffer, Poll
from core.domain.vocabulary import MessageKind, PollKind, Role
from core.services import members, polls
from tests.conftest import Cooperative
from tests.integration._desk import FORGED, Desk, actions, keys

ONLY_COORDINATORS = "Only a coordinator of this territory can do that."
POSTED_FOR_YOU = (
    "{coordinator}, from the coordination, posted a request for you: "
    "{category}, {when}. I will write to you when someone accepts."
)


@pytest.fixture
async def desk(coop: Cooperative) -> Desk:
    return await Desk(coop).setup()


async def _without_chat(desk: Desk) -> int:
    """Gérard asks for help by phone only: no platform account."""
    async with desk.core.uow() as uow:
        gerard = await members.onboard_member(
            uow,
            desk.coop.territory_id,
            "Gérard Blanc",
            roles=[Role.REQUESTER],
            neighbourhood="Trentemoult",
            phone="06 98 76 54 32",
        )
        await uow.commit()
        return gerard.id


async def _post_for(desk: Desk, part: str, member_id: int, category: str = "shopping") -> None:
    await desk.say("claire", "/poster")
    found = await desk.say("claire", part)
    assert f"desk_pick:{member_id}" in actions(found)
    for step in (
        f"desk_pick:{member_id}",
        f"cat:{category}",
        "when:tomorrow_morning",
        "where:home",
    ):
        await desk.press("claire", step)


async def test_a_request_for_a_member_without_a_chat_reaches_volunteers_and_tells_her_nothing(
    desk: Desk,
) -> None:
    gerard = await _without_chat(desk)
    await _post_for(desk, "gérard", gerard)
    assert not await desk.rows(HelpRequest)  # nothing before the yes
    done = await desk.press("claire", "post_yes")
    assert "the request is posted (number {number}). The volunteers are told." in keys(done)
    (request,) = await desk.rows(HelpRequest)
    assert (request.requester_id, request.category, request.place) == (gerard, "shopping", None)
    offered = {o.volunteer_id for o in await desk.rows(MatchOffer)}
    assert offered == {desk.coop.bob, desk.coop.carol}
    posts = [m for m in await desk.messages_to(desk.coop.bob) if m.request_id == request.id]
    assert [m.kind for m in posts] == [MessageKind.REQUEST_POST]
    assert await desk.messages_to(gerard) == []  # no chat: the coordinator calls back
    (line,) = await desk.audit("request.post_on_behalf")
    assert (line.actor_id, line.details) == (desk.coop.coordinator, {"requester": gerard})


async def test_the_coordinator_changes_what_she_posted_and_is_recorded_for_the_member(
    desk: Desk,
) -> None:
    gerard = await _without_chat(desk)
    await _post_for(desk, "gérard", gerard)
    done = await desk.press("claire", "post_yes")
    (request,) = await desk.rows(HelpRequest)
    assert f"change_req:{request.id}" in actions(done)
    await desk.press("claire", f"change_req:{request.id}")
    await desk.press("claire", "change:what")
    summary = await desk.press("claire", "cat:transport")
    assert "change_yes" in actions(summary)
    await desk.press("claire", "change_yes")
    (request,) = await desk.rows(HelpRequest)
    assert request.category == "transport"
    (line,) = await desk.audit("request.change")
    assert (line.actor_id, line.details["for_member"]) == (desk.coop.coordinator, gerard)


async def test_a_request_for_a_member_who_chats_tells_her_a_coordinator_posted_it(
    desk: Desk,
) -> None:
    await _post_for(desk, "durand", desk.coop.alice)
    await desk.press("claire", "post_yes")
    (request,) = await desk.rows(HelpRequest)
    (told,) = [m for m in await desk.messages_to(desk.coop.alice) if m.key == POSTED_FOR_YOU]
    assert (told.params["coordinator"], told.request_id) == ("Claire", request.id)


async def test_only_requesters_are_offered_and_a_place_can_be_typed(desk: Desk) -> None:
    await desk.say("claire", "/poster")
    assert "I found nobody" in keys(await desk.say("claire", "Leroy"))  # Bob only volunteers
    found = await desk.say("claire", "Alice")
    await desk.press("claire", found[0].buttons[0].action)
    await desk.press("claire", "cat:transport")
    await desk.say("claire", "jeudi 10h")
    summary = await desk.say("claire", "la pharmacie du bourg")
    assert "post_yes" in actions(summary)
    await desk.press("claire", "post_yes")
    (request,) = await desk.rows(HelpRequest)
    assert (request.category, request.place) == ("transport", "la pharmacie du bourg")


async def test_only_the_territory_s_coordinators_post_for_someone_and_forgeries_change_nothing(
    desk: Desk,
) -> None:
    gerard = await _without_chat(desk)
    before = await desk.counts()
    for who in ("bob", "alice"):
        assert keys(await desk.say(who, "/poster")) == ONLY_COORDINATORS
    await desk.say("zoe", "/poster")  # she coordinates Nantes, not Gérard's Rezé
    assert "I found nobody" in keys(await desk.say("zoe", "Gérard"))
    assert keys(await desk.press("zoe", f"desk_pick:{gerard}")) == ONLY_COORDINATORS
    await desk.say("claire", "/poster")
    for forged in FORGED:
        assert await desk.press("claire", f"desk_pick:{forged}")
    assert await desk.press("claire", "post_yes")
    assert await desk.counts() == before


async def _create(desk: Desk, kind: str, *options: str, voters: str = "all") -> Poll:
    await desk.press("claire", "new_poll")  # /sondage on the platforms
    await desk.say("claire", "Quel jour pour la fête des voisins ?")
    kinds = await desk.press("claire", f"poll_kind:{kind}")
    for option in options:
        kinds = await desk.say("claire", option)
    if options:
        assert "options_done" in actions(kinds)
        await desk.press("claire", "options_done")
    await desk.press("claire", "poll_days:3d")
    summary = await desk.press("claire", f"poll_voters:{voters}")
    assert "poll_open" in actions(summary)
    assert not await desk.rows(Poll)  # nothing before the yes
    await desk.press("claire", "poll_open")
    (poll,) = await desk.rows(Poll)
    return poll


async def test_a_poll_is_created_step_by_step_with_options_one_by_one(desk: Desk) -> None:
    poll = await _create(desk, "multiple", "Samedi", "Dimanche", "Lundi", voters="volunteer")
    assert (poll.kind, poll.secret, poll.voter_role) == (PollKind.MULTIPLE, False, "volunteer")
    async with desk.core.uow() as uow:
        labels = [o.label for o in (await polls.get_poll(uow, poll.id)).options]
    assert labels == ["Samedi", "Dimanche", "Lundi"]
    (line,) = await desk.audit("poll.create")
    assert line.actor_id == desk.coop.coordinator


async def test_one_answer_is_not_enough_and_the_same_answer_twice_is_refused(desk: Desk) -> None:
    await desk.press("claire", "new_poll")
    await desk.say("claire", "Quel jour ?")
    await desk.press("claire", "poll_kind:single")
    first = await desk.say("claire", "Samedi")
    assert "options_done" not in actions(first)
    assert "between 2 and 10" in keys(await desk.press("claire", "options_done"))
    assert "the same" in keys(await desk.say("claire", "samedi"))


async def test_the_list_shows_participation_and_a_secret_ballot_s_results_wait_for_its_close(
    desk: Desk,
) -> None:
    poll = await _create(desk, "secret", "Samedi", "Dimanche")
    assert poll.secret and poll.kind == PollKind.SINGLE
    await desk.press("bob", f"vote:{poll.id}:1")
    listed = await desk.say("claire", "/sondages")
    (entry,) = [r for r in listed if r.key.startswith("Poll: {question}\nOpen until")]
    # Claire, Denise, Alice, Bob and Carol may vote (Dan waits for approval); Bob voted.
    assert (entry.params["voted"], entry.params["voters"]) == (1, 5)
    assert [b.action for b in entry.buttons] == [f"poll_results:{poll.id}"]
    waiting = await desk.press("claire", f"poll_results:{poll.id}")
    assert "secret ballot" in keys(waiting) and "Dimanche" not in waiting[0].text
    async with desk.core.uow() as uow:
        await polls.close_poll(uow, poll.id, by_id=desk.coop.coordinator)
        await uow.commit()
    shown = await desk.press("claire", f"poll_results:{poll.id}")
    assert "- Dimanche: 1" in shown[0].text and "- Samedi: 0" in shown[0].text


async def test_a_proposal_has_its_answers_and_a_member_s_poll_list_is_unchanged(
    desk: Desk,
) -> None:
    poll = await _create(desk, "proposal")
    assert poll.kind == PollKind.PROPOSAL
    listed = await desk.say("bob", "/sondages")
    assert not [r for r in listed if "poll_results" in " ".join(b.action for b in r.buttons)]
    assert f"vote:{poll.id}:0" in actions(listed)


async def test_only_the_territory_s_coordinators_see_results_or_create_polls(desk: Desk) -> None:
    poll = await _create(desk, "single", "Oui", "Non")
    before = await desk.counts()
    for who in ("bob", "alice", "zoe"):
        assert keys(await desk.press(who, f"poll_results:{poll.id}")) == ONLY_COORDINATORS
    for who in ("bob", "alice"):
        assert keys(await desk.press(who, "new_poll")) == ONLY_COORDINATORS
    for forged in FORGED:
        assert await desk.press("claire", f"poll_results:{forged}")
    await desk.press("claire", "new_poll")
    assert await desk.press("claire", "poll_open")  # not a step of the question
    assert await desk.counts() == before


async def test_a_request_no_volunteer_can_be_offered_says_so_and_the_alert_follows(
    desk: Desk,
) -> None:
    """Never "the volunteers are told" when none was: the coordinator gets the find-someone
    alert, with "Offer to…", right after her confirmation."""
    gerard = await _without_chat(desk)
    await _post_for(desk, "gérard", gerard, category="gardening")  # nobody offers gardening
    done = await desk.press("claire", "post_yes")
    assert "No volunteer could be offered it yet" in keys(done)
    assert "The volunteers are told" not in keys(done)
    alert = [r for r in done if r.kind == MessageKind.ALERT]
    assert alert and any(a.startswith("alert_offer:") for a in actions(alert))

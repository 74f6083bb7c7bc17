"""Matrix contents of the bot, without a homeserver: escaping, numbered choices, edits, polls."""

from __future__ import annotations

import pytest

from bots.matrix import render
from bots.matrix.channel import Backoff, _is_native_poll
from core.dialogue.messages import Button, Outgoing
from core.dialogue.words import PLATFORM_COMMANDS as COMMANDS


def test_a_notice_escapes_everything_and_numbers_the_choices() -> None:
    content = render.notice("Bonjour <b>Alice</b> & co\nÇa va ?", ["Oui <i>", "Non"])
    assert content["msgtype"] == "m.notice"
    assert content["format"] == "org.matrix.custom.html"
    assert content["body"] == "Bonjour <b>Alice</b> & co\nÇa va ?\n1. Oui <i>\n2. Non"
    assert content["formatted_body"] == (
        "Bonjour &lt;b&gt;Alice&lt;/b&gt; &amp; co<br/>Ça va ?"
        "<ol><li>Oui &lt;i&gt;</li><li>Non</li></ol>"
    )


def test_an_edit_replaces_the_whole_content() -> None:
    new = render.notice("#3 · Pris")
    edit = render.replacement("$post", new)
    assert edit["m.new_content"] == new
    assert edit["m.relates_to"] == {"rel_type": "m.replace", "event_id": "$post"}
    assert edit["body"] == "* #3 · Pris"


@pytest.mark.parametrize("key", ["✋", "✋️", "✋🏽", "✋🏿"])
def test_a_raised_hand_of_any_skin_tone_takes_a_request(key: str) -> None:
    assert render.is_hand(key)


@pytest.mark.parametrize("key", ["👍", "✋✋", "hand", ""])
def test_other_reactions_do_not(key: str) -> None:
    assert not render.is_hand(key)


def test_the_poll_start_is_the_unstable_form_element_renders() -> None:
    content = render.poll_start(
        "Quel jour ?", ["Samedi", "Dimanche"], intro="Sondage : Quel jour ?"
    )
    block = content[render.POLL_START]
    assert block["kind"] == render.POLL_DISCLOSED and block["max_selections"] == 1
    assert block["answers"] == [
        {"id": "answer-0", render.TEXT: "Samedi"},
        {"id": "answer-1", render.TEXT: "Dimanche"},
    ]
    assert content[render.TEXT] == "Sondage : Quel jour ?\n1. Samedi\n2. Dimanche"
    answers = render.PollAnswers.from_content(content)
    assert answers == render.PollAnswers(["answer-0", "answer-1"], 1)


def test_poll_responses_are_read_in_both_forms() -> None:
    relation = {"rel_type": "m.reference", "event_id": "$start"}
    unstable = render.poll_response(
        render.POLL_RESPONSE, {"m.relates_to": relation, render.POLL_RESPONSE: {"answers": ["a"]}}
    )
    stable = render.poll_response(
        render.STABLE_POLL_RESPONSE, {"m.relates_to": relation, "m.selections": ["a"]}
    )
    assert unstable == stable == render.PollResponse("$start", ["a"])
    assert render.poll_response("m.room.message", {"m.relates_to": relation}) is None
    assert render.poll_response(render.POLL_RESPONSE, {render.POLL_RESPONSE: {}}) is None
    not_a_reference = {"rel_type": "m.annotation", "event_id": "$start"}
    assert (
        render.poll_response(
            render.STABLE_POLL_RESPONSE, {"m.relates_to": not_a_reference, "m.selections": ["a"]}
        )
        is None
    )


@pytest.mark.parametrize(
    ("selections", "maximum", "positions"),
    [
        (["b"], 1, [1]),
        ([], 1, []),  # an empty selection withdraws the vote
        (["zzz"], 1, []),  # an unknown answer spoils the response: as if nothing were chosen
        (["a", "zzz"], 2, []),
        (["b", "zzz"], 1, [1]),  # truncated to max_selections first
        (["a", "a"], 2, [0]),  # each answer once
        (["c", "a"], 2, [2, 0]),
    ],
)
def test_chosen_positions_follow_msc3381(
    selections: list[str], maximum: int, positions: list[int]
) -> None:
    answers = render.PollAnswers(["a", "b", "c"], maximum)
    assert render.chosen_positions(render.PollResponse("$s", selections), answers) == positions


def test_a_reply_loses_its_quoted_fallback() -> None:
    content = {
        "body": "> <@bob:localhost> Qui peut ?\n> deuxième ligne\n\n!prendre 4",
        "m.relates_to": {"m.in_reply_to": {"event_id": "$x"}},
    }
    assert render.plain_body(content) == "!prendre 4"
    assert render.plain_body({"body": "> une citation\n\nbonjour"}) == "> une citation\n\nbonjour"


def test_commands_have_french_and_english_names() -> None:
    for french, english in [
        ("aide", "help"),
        ("demande", "request"),
        ("mes_demandes", "my_requests"),
        ("annuler", "cancel"),
        ("coordinateur", "coordinator"),
        ("lier", "link"),
        ("sondage", "poll"),
    ]:
        assert COMMANDS[french] == COMMANDS[english]


def outgoing(**fields: object) -> Outgoing:
    base: dict[str, object] = {
        "notification_id": 1,
        "text": "Sondage",
        "key": "New poll: {question}\nVote before {closes_at}.",
        "params": {"poll_id": 3, "secret": False, "kind": "single"},
        "buttons": [Button("Oui", "vote:3:0"), Button("Non", "vote:3:1")],
    }
    base.update(fields)
    return Outgoing(**base)  # type: ignore[arg-type]


def test_only_open_single_choice_polls_are_native() -> None:
    assert _is_native_poll(outgoing())
    assert not _is_native_poll(outgoing(params={"poll_id": 3, "secret": True, "kind": "single"}))
    assert not _is_native_poll(outgoing(params={"poll_id": 3, "kind": "multiple"}))
    assert not _is_native_poll(outgoing(key="Poll closed: {question}"))


def test_the_back_off_grows_to_its_maximum_then_starts_again() -> None:
    backoff = Backoff(0.5, 4.0)
    delays = [backoff.next() for _ in range(6)]
    assert 0.4 <= delays[0] <= 0.6 and all(d <= 4.0 * 1.2 for d in delays)
    assert delays[-1] >= 4.0 * 0.8
    backoff.reset()
    assert backoff.next() <= 0.6

"""Matrix contents of the bot, without a homeserver: escaping, numbered choices, edits, polls."""

from __future__ import annotations

import pytest

from bots.commands import PRIVATE_ACTIONS as COMMANDS
from bots.matrix import events, render
from bots.matrix.connection import Backoff
from bots.matrix.outbound import is_native_poll
from core.dialogue.messages import Button, Outgoing
from core.domain.vocabulary import MessageKind


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
    assert events.is_hand(key)


@pytest.mark.parametrize("key", ["👍", "✋✋", "hand", ""])
def test_other_reactions_do_not(key: str) -> None:
    assert not events.is_hand(key)


def test_the_poll_start_is_the_unstable_form_element_renders() -> None:
    content = render.poll_start(
        "Quel jour ?", ["Samedi", "Dimanche"], intro="Sondage : Quel jour ?"
    )
    block = content[events.POLL_START]
    assert block["kind"] == events.POLL_DISCLOSED and block["max_selections"] == 1
    assert block["answers"] == [
        {"id": "answer-0", events.TEXT: "Samedi"},
        {"id": "answer-1", events.TEXT: "Dimanche"},
    ]
    assert content[events.TEXT] == "Sondage : Quel jour ?\n1. Samedi\n2. Dimanche"
    answers = events.PollAnswers.from_content(content)
    assert answers == events.PollAnswers(["answer-0", "answer-1"], 1)


def test_poll_responses_are_read_in_both_forms() -> None:
    relation = {"rel_type": "m.reference", "event_id": "$start"}
    unstable = events.poll_response(
        events.POLL_RESPONSE, {"m.relates_to": relation, events.POLL_RESPONSE: {"answers": ["a"]}}
    )
    stable = events.poll_response(
        events.STABLE_POLL_RESPONSE, {"m.relates_to": relation, "m.selections": ["a"]}
    )
    assert unstable == stable == events.PollResponse("$start", ["a"])
    assert events.poll_response("m.room.message", {"m.relates_to": relation}) is None
    assert events.poll_response(events.POLL_RESPONSE, {events.POLL_RESPONSE: {}}) is None
    not_a_reference = {"rel_type": "m.annotation", "event_id": "$start"}
    assert (
        events.poll_response(
            events.STABLE_POLL_RESPONSE, {"m.relates_to": not_a_reference, "m.selections": ["a"]}
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
    answers = events.PollAnswers(["a", "b", "c"], maximum)
    assert events.chosen_positions(events.PollResponse("$s", selections), answers) == positions


def test_a_reply_loses_its_quoted_fallback() -> None:
    content = {
        "body": "> <@bob:localhost> Qui peut ?\n> deuxième ligne\n\n!prendre 4",
        "m.relates_to": {"m.in_reply_to": {"event_id": "$x"}},
    }
    assert events.plain_body(content) == "!prendre 4"
    assert events.plain_body({"body": "> une citation\n\nbonjour"}) == "> une citation\n\nbonjour"


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
        "kind": MessageKind.POLL_OPENED,
        "poll_id": 3,
        "params": {"poll_id": 3, "secret": False, "kind": "single"},
        "buttons": [Button("Oui", "vote:3:0"), Button("Non", "vote:3:1")],
    }
    base.update(fields)
    return Outgoing(**base)  # type: ignore[arg-type]


def test_only_open_single_choice_polls_are_native() -> None:
    assert is_native_poll(outgoing())
    assert not is_native_poll(outgoing(params={"poll_id": 3, "secret": True, "kind": "single"}))
    assert not is_native_poll(outgoing(params={"poll_id": 3, "kind": "multiple"}))
    assert not is_native_poll(
        outgoing(key="Poll closed: {question}", kind=MessageKind.POLL_CLOSED)
    )


def test_the_back_off_grows_to_its_maximum_then_starts_again() -> None:
    backoff = Backoff(0.5, 4.0)
    delays = [backoff.next() for _ in range(6)]
    assert 0.4 <= delays[0] <= 0.6 and all(d <= 4.0 * 1.2 for d in delays)
    assert delays[-1] >= 4.0 * 0.8
    backoff.reset()
    assert backoff.next() <= 0.6

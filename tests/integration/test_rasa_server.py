"""Our Rasa client against a real Rasa 3.6 server serving the model trained from nlu/.

The server comes from `scripts/rasa` (see tests/integration/rasa_server.py): the first run
installs Rasa in its own Python 3.10 environment, which takes minutes; later runs reuse it.
"""

from __future__ import annotations

import time

import pytest

from nlu.rasa_http import RasaHttpInterpreter, RasaUnavailable
from tests.integration._support import free_port
from tests.integration.rasa_server import rasa_url_fixture as rasa_url_fixture  # the fixture

pytestmark = [pytest.mark.rasa, pytest.mark.slow]

OUR_ENTITY_KEYS = {"entity", "value", "start", "end", "confidence_entity", "extractor"}


def assert_our_shape(parsed: dict, text: str) -> None:
    assert set(parsed) == {"text", "intent", "entities", "intent_ranking"}
    assert parsed["text"] == text
    assert set(parsed["intent"]) == {"name", "confidence"}
    assert 0.0 <= parsed["intent"]["confidence"] <= 1.0
    for entity in parsed["entities"]:
        assert set(entity) == OUR_ENTITY_KEYS
        assert 0.0 <= entity["confidence_entity"] <= 1.0
        assert text[entity["start"] : entity["end"]]
    assert parsed["intent_ranking"], "Rasa ranks every intent"
    for ranked in parsed["intent_ranking"]:
        assert set(ranked) == {"name", "confidence"}
        assert 0.0 <= ranked["confidence"] <= 1.0


async def test_a_french_request_for_help_is_understood(rasa_url: str) -> None:
    text = "J'aurais besoin qu'on m'accompagne chez le dentiste mardi prochain"
    rasa = RasaHttpInterpreter(rasa_url, timeout=10.0)

    raw = await rasa.parse_raw(text, message_id="test-1")
    parsed = await rasa.parse_normalised(text)

    assert raw["text"] == text
    assert_our_shape(parsed, text)
    assert parsed["intent"]["name"] == "request_help"
    assert parsed["intent"]["confidence"] > 0.5
    assert parsed["intent_ranking"][0]["name"] == "request_help"
    places = [entity for entity in parsed["entities"] if entity["entity"] == "place"]
    assert [text[place["start"] : place["end"]] for place in places] == ["chez le dentiste"]
    assert {entity["entity"] for entity in parsed["entities"]} <= {"category", "place"}


@pytest.mark.parametrize(
    "text",
    [
        "Au secours, je suis tombée dans la salle de bain et je ne peux plus me relever",
        "Help! I fell in the bathroom and I can't get up",
    ],
)
async def test_an_emergency_is_recognised(rasa_url: str, text: str) -> None:
    parsed = await RasaHttpInterpreter(rasa_url, timeout=10.0).parse_normalised(text)

    assert_our_shape(parsed, text)
    assert parsed["intent"]["name"] == "emergency"


async def test_a_server_that_is_down_is_reported_quickly() -> None:
    rasa = RasaHttpInterpreter(f"http://127.0.0.1:{free_port()}")  # nothing listens there

    started = time.monotonic()
    with pytest.raises(RasaUnavailable):
        await rasa.parse_raw("bonjour")

    assert time.monotonic() - started < rasa.timeout + 1.0

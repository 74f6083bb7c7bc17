"""`nlu.rasa_http.normalise` on answers captured from Rasa 3.6.21, and on damaged ones."""

from __future__ import annotations

import copy
import json
from typing import Any

import httpx
import pytest

from nlu import rasa_http
from nlu.rasa_http import RasaHttpInterpreter, RasaUnavailable, normalise

REQUEST = "J'aurais besoin qu'on m'accompagne chez le dentiste mardi prochain"
# What `POST /model/parse` answered for REQUEST (the ranking cut to three intents).
CAPTURED_REQUEST: dict[str, Any] = {
    "text": REQUEST,
    "intent": {"name": "request_help", "confidence": 0.9997033476829529},
    "entities": [
        {
            "entity": "place",
            "start": 35,
            "end": 51,
            "confidence_entity": 0.9875872731208801,
            "value": "chez le dentiste",
            "extractor": "DIETClassifier",
            "processors": ["EntitySynonymMapper"],
        }
    ],
    "text_tokens": [[0, 1], [2, 8], [9, 15], [16, 18], [19, 21], [22, 23], [24, 34]],
    "intent_ranking": [
        {"name": "request_help", "confidence": 0.9997033476829529},
        {"name": "accept_task", "confidence": 0.000285354966763407},
        {"name": "list_requests", "confidence": 2.8317483611317584e-06},
    ],
}
SHOPPING = "Could someone do my shopping on Thursday morning?"
CAPTURED_SYNONYM: dict[str, Any] = {
    "text": SHOPPING,
    "intent": {"name": "request_help", "confidence": 1.0},
    "entities": [
        {
            "entity": "category",
            "start": 14,
            "end": 28,
            "confidence_entity": 0.7207939028739929,
            "value": "shopping",
            "extractor": "DIETClassifier",
            "processors": ["EntitySynonymMapper"],
        }
    ],
    "text_tokens": [[0, 5], [6, 13], [14, 16], [17, 19], [20, 28], [29, 31], [32, 40], [41, 48]],
    "intent_ranking": [
        {"name": "request_help", "confidence": 1.0},
        {"name": "accept_task", "confidence": 3.8646905120565123e-10},
    ],
}
# The FallbackClassifier's answer when the best intent is under its threshold (0.3).
UNSURE = "xqzw blorp"
CAPTURED_FALLBACK: dict[str, Any] = {
    "text": UNSURE,
    "intent": {"name": "nlu_fallback", "confidence": 0.3},
    "entities": [],
    "text_tokens": [[0, 4], [5, 10]],
    "intent_ranking": [
        {"name": "nlu_fallback", "confidence": 0.3},
        {"name": "help", "confidence": 0.2731059670448303},
        {"name": "affirm", "confidence": 0.20177122950553894},
    ],
}


def test_a_captured_answer_keeps_only_our_fields() -> None:
    parsed = normalise(copy.deepcopy(CAPTURED_REQUEST), REQUEST)

    assert parsed == {
        "text": REQUEST,
        "intent": {"name": "request_help", "confidence": 0.9997033476829529},
        "entities": [
            {
                "entity": "place",
                "value": "chez le dentiste",
                "start": 35,
                "end": 51,
                "confidence_entity": 0.9875872731208801,
                "extractor": "DIETClassifier",
            }
        ],
        "intent_ranking": [
            {"name": "request_help", "confidence": 0.9997033476829529},
            {"name": "accept_task", "confidence": 0.000285354966763407},
            {"name": "list_requests", "confidence": 2.8317483611317584e-06},
        ],
    }
    entity = parsed["entities"][0]
    assert REQUEST[entity["start"] : entity["end"]] == "chez le dentiste"


def test_a_synonym_keeps_its_canonical_value_and_the_span_of_the_words() -> None:
    (entity,) = normalise(CAPTURED_SYNONYM, SHOPPING)["entities"]

    assert entity["value"] == "shopping"
    assert SHOPPING[entity["start"] : entity["end"]] == "do my shopping"


def test_nlu_fallback_stays_the_intent_with_the_real_guesses_ranked_after_it() -> None:
    parsed = normalise(CAPTURED_FALLBACK, UNSURE)

    assert parsed["intent"] == {"name": "nlu_fallback", "confidence": 0.3}
    assert parsed["intent"]["name"] == rasa_http.NLU_FALLBACK
    assert [ranked["name"] for ranked in parsed["intent_ranking"]] == [
        "nlu_fallback",
        "help",
        "affirm",
    ]
    assert parsed["entities"] == []


def test_rasa_3_extra_fields_are_dropped() -> None:
    answer = copy.deepcopy(CAPTURED_REQUEST)
    answer["id"] = "5d1a"
    answer["response_selector"] = {"all_retrieval_intents": [], "default": {}}
    answer["intent"]["id"] = 123
    answer["entities"][0] |= {"role": "destination", "group": "1", "additional_info": None}

    parsed = normalise(answer, REQUEST)

    assert set(parsed) == {"text", "intent", "entities", "intent_ranking"}
    assert set(parsed["intent"]) == {"name", "confidence"}
    assert set(parsed["entities"][0]) == {
        "entity",
        "value",
        "start",
        "end",
        "confidence_entity",
        "extractor",
    }


@pytest.mark.parametrize(
    "answer",
    [
        {},
        {"text": UNSURE},
        {"intent": None, "entities": None, "intent_ranking": None},
        {"intent": {"name": None, "confidence": 0.0}, "intent_ranking": []},  # no model trained
        {"intent": "greet", "entities": "place", "intent_ranking": "greet"},
    ],
)
def test_missing_or_broken_parts_give_no_intent_and_empty_lists(answer: dict[str, Any]) -> None:
    assert normalise(answer, UNSURE) == {
        "text": UNSURE,
        "intent": {"name": None, "confidence": 0.0},
        "entities": [],
        "intent_ranking": [],
    }


def test_broken_entities_and_rankings_are_dropped_or_mended() -> None:
    text = "courses à la pharmacie"
    answer = {
        "text": text,
        "intent": {"name": "request_help"},  # no confidence
        "entities": [
            {"entity": "place", "value": "pharmacie"},  # no span, no confidence: a rule's
            {"entity": "category", "value": "shopping", "start": 0, "end": 99},  # span too long
            {"value": "orphan", "start": 0, "end": 3},  # no entity name
            {"entity": "place", "start": 0, "end": 3},  # no value
            "place",
        ],
        "intent_ranking": [
            {"name": "request_help", "confidence": 7},
            {"name": "greet", "confidence": "high"},
            {"confidence": 0.5},
            None,
        ],
    }

    parsed = normalise(answer, text)

    assert parsed["intent"] == {"name": "request_help", "confidence": 0.0}
    assert parsed["entities"] == [
        {
            "entity": "place",
            "value": "pharmacie",
            "start": 13,
            "end": 22,
            "confidence_entity": 1.0,
            "extractor": None,
        },
        {
            "entity": "category",
            "value": "shopping",
            "start": None,
            "end": None,
            "confidence_entity": 1.0,
            "extractor": None,
        },
    ]
    assert parsed["intent_ranking"] == [
        {"name": "request_help", "confidence": 1.0},
        {"name": "greet", "confidence": 0.0},
    ]


def _interpreter(handler: Any, **kwargs: Any) -> RasaHttpInterpreter:
    """An interpreter whose HTTP requests are answered by `handler` (no network)."""
    return RasaHttpInterpreter(
        "http://rasa.test:5005/", transport=httpx.MockTransport(handler), **kwargs
    )


async def test_parse_posts_the_text_and_message_id_with_the_token() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=CAPTURED_REQUEST)

    rasa = _interpreter(answer, token="s3cret")
    parsed = await rasa.parse_normalised(REQUEST, message_id="m-1")

    assert parsed["intent"]["name"] == "request_help"
    (request,) = seen
    assert request.method == "POST"
    assert request.url.path == "/model/parse"
    assert request.url.params["token"] == "s3cret"
    assert json.loads(request.content) == {"text": REQUEST, "message_id": "m-1"}


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(500, text="Internal Server Error"),
        httpx.Response(409, json={"status": "failure", "reason": "No model loaded"}),
        httpx.Response(200, text="<html>not rasa</html>"),
        httpx.Response(200, json=["not", "an", "object"]),
    ],
)
async def test_failing_or_garbled_answers_raise_rasa_unavailable(response: httpx.Response) -> None:
    rasa = _interpreter(lambda request: response)

    with pytest.raises(RasaUnavailable):
        await rasa.parse_raw("bonjour")


async def test_a_connection_error_raises_rasa_unavailable() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(RasaUnavailable):
        await _interpreter(refuse).parse_raw("bonjour")

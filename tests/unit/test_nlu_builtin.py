"""The built-in NLU on the hold-out set it never trained on, and the shape of its answers."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from nlu import builtin
from nlu.evaluation import EVALUATION_NOW, Report, evaluate, load_cases
from nlu.interpreter import BuiltinInterpreter

HOLDOUT = Path(__file__).resolve().parents[1] / "data" / "nlu_holdout.jsonl"


@pytest.fixture(scope="module")
def report(interpreter: BuiltinInterpreter) -> Report:
    return asyncio.run(evaluate(interpreter, load_cases(HOLDOUT)))


def test_the_hold_out_set_has_at_least_300_messages() -> None:
    assert len(load_cases(HOLDOUT)) >= 300


def test_no_hold_out_message_is_in_the_training_data() -> None:
    from nlu.text import fold
    from nlu.training_data import load_training_data

    trained = {fold(e.text).strip() for e in load_training_data().examples}
    leaked = [c["text"] for c in load_cases(HOLDOUT) if fold(c["text"]).strip() in trained]
    assert leaked == []


def test_intent_accuracy_on_the_hold_out_is_at_least_92_percent(report: Report) -> None:
    assert report.accuracy >= 0.92, report.confusions


def test_every_emergency_of_the_hold_out_is_recognised(report: Report) -> None:
    missed = [e["text"] for e in report.errors if e["intent"] == "emergency"]
    assert report.emergency_recall == 1.0, missed


def test_category_accuracy_on_the_hold_out_is_at_least_90_percent(report: Report) -> None:
    assert report.category_accuracy >= 0.90


async def test_the_answer_has_the_shape_of_rasa_model_parse(
    interpreter: BuiltinInterpreter,
) -> None:
    understood = await interpreter.parse(
        "J'aurais besoin qu'on m'accompagne chez le dentiste mardi prochain vers 10h",
        timezone="Europe/Paris",
        now=EVALUATION_NOW,
    )
    answer = understood.as_rasa()
    assert set(answer) == {"text", "intent", "entities", "intent_ranking", "language"}
    assert answer["intent"]["name"] == "request_help" and 0 <= answer["intent"]["confidence"] <= 1
    assert answer["language"] == "fr"
    for found in answer["entities"]:
        assert {"entity", "value", "start", "end", "confidence_entity", "extractor"} <= set(found)
    assert {e["entity"]: e["value"] for e in answer["entities"]}["category"] == "transport"


async def test_an_sms_style_offer_is_understood_with_its_category_and_time(
    interpreter: BuiltinInterpreter,
) -> None:
    understood = await interpreter.parse(
        "yo dispo demain aprem pr des courses", timezone="Europe/Paris", now=EVALUATION_NOW
    )
    assert understood.intent == "offer_help"
    assert understood.entity("category") == "shopping"
    assert understood.entity("when") == {
        "from": "2026-11-24T14:00:00+01:00",
        "to": "2026-11-24T17:00:00+01:00",
        "kind": "afternoon",  # a window, shown as said: never "à 14:00"
    }


def test_the_cached_model_loads_in_under_two_seconds() -> None:
    builtin.load_or_train()  # make sure the cache exists
    started = time.perf_counter()
    builtin.load_or_train()
    assert time.perf_counter() - started < 2.0


@pytest.mark.parametrize("text", ["Jeanne", "Marie", "Simone", "Trentemoult", "3 rue des Lilas"])
def test_a_first_name_or_an_address_is_never_taken_for_an_emergency(
    interpreter: BuiltinInterpreter, text: str
) -> None:
    assert interpreter.parse_sync(text, now=EVALUATION_NOW).intent != "emergency"

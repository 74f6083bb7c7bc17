"""The built-in NLU on the independent hold-out set: the figures the README gives, as bars.

`tests/data/nlu_independent.jsonl` was written by people who never saw the training data (see
`tests/data/README.md`). These tests read only aggregate figures, copied into local names
before each assertion: a failure shows numbers, never a hold-out message, so that nobody tunes
the training data to them.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from pathlib import Path

import pytest

from nlu.evaluation import EVALUATION_NOW, Report, evaluate, load_cases
from nlu.intents import INTENTS
from nlu.interpreter import BuiltinInterpreter

INDEPENDENT = Path(__file__).resolve().parents[1] / "data" / "nlu_independent.jsonl"


def not_reached_yet(figure: str) -> pytest.MarkDecorator:
    """A target of the issue the model does not reach yet. The assertion keeps the target;
    strict, so that the day the model reaches it the test fails until this mark is removed."""
    return pytest.mark.xfail(strict=True, reason=f"target not reached yet: {figure}")


@pytest.fixture(scope="module")
def report(interpreter: BuiltinInterpreter) -> Report:
    return asyncio.run(evaluate(interpreter, load_cases(INDEPENDENT)))


def test_the_independent_set_covers_every_intent_with_at_least_30_messages() -> None:
    cases = load_cases(INDEPENDENT)
    assert len(cases) >= 600
    for intent in INTENTS:
        assert sum(c["intent"] == intent for c in cases) >= 30, intent


def test_intent_accuracy_is_at_least_92_percent(report: Report) -> None:
    accuracy = report.accuracy
    assert accuracy >= 0.92


@pytest.mark.parametrize("intent", INTENTS)
def test_every_intent_is_recognised_at_least_85_percent_of_the_time(
    report: Report, intent: str
) -> None:
    recall = report.per_intent[intent]["recall"]
    assert recall >= 0.85, f"{intent}: recall {recall:.2f}"


def test_category_accuracy_is_at_least_88_percent(report: Report) -> None:
    category_accuracy = report.category_accuracy
    assert category_accuracy >= 0.88


def test_every_emergency_is_recognised(report: Report) -> None:
    recall = report.emergency_recall
    assert recall == 1.0


def test_at_most_one_percent_of_calm_messages_are_taken_for_emergencies(report: Report) -> None:
    false_emergencies, rate = report.false_emergencies, report.false_emergency_rate
    assert rate <= 0.01, f"{false_emergencies} false emergencies"


def test_every_forwarded_scam_carries_the_scam_signal(report: Report) -> None:
    flagged = report.scam_recall
    assert flagged is not None
    assert flagged >= 0.9


def test_confidence_means_what_it_says(report: Report) -> None:
    """Calibrated: confidence and accuracy differ by little; what the bot acts on (confidence
    at least 0.45) is right more often than all messages together; few messages are asked."""
    calibration_error, acted_on, accuracy = (
        report.calibration_error,
        report.acted_on_accuracy,
        report.accuracy,
    )
    asked = report.ask_share
    assert calibration_error <= 0.08
    assert acted_on > accuracy
    assert asked <= 0.15


def test_a_message_takes_at_most_10_ms_of_processor_time_at_p99(
    interpreter: BuiltinInterpreter,
) -> None:
    """Measured in the parsing thread's own processor time (wall-clock figures are in
    `entraide nlu eval`). Other programs on a shared machine still slow it (caches, shared
    cores: 3.4 times on CI's busy machine), and only ever slow it: the figure is the best of
    three passes over the whole set, as `timeit` takes the best of its repeats. A pass never
    reuses the previous one's folded texts (781 messages, a cache of 256)."""
    cases = load_cases(INDEPENDENT)
    for case in cases[:20]:  # warm-up: the date parser loads its languages on first use
        interpreter.parse_sync(case["text"], now=EVALUATION_NOW)
    passes = []
    for _ in range(3):
        spent = []
        for case in cases:
            started = time.thread_time()
            interpreter.parse_sync(case["text"], language=case.get("lang"), now=EVALUATION_NOW)
            spent.append((time.thread_time() - started) * 1000)
        passes.append(statistics.quantiles(spent, n=100)[98])
    p99 = min(passes)
    assert p99 <= 10.0, f"p99 {p99:.2f} ms of processor time (passes: {passes})"

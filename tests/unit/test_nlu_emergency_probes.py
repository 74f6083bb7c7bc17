"""The emergency nets on their development set: no danger of any kind or shape is missed, and
few of the everyday messages that share its words sound the alarm.

`tests/data/nlu_emergency_probes.jsonl` was read and tuned on (see `tests/data/README.md`): a
failure here means a net lost a kind of danger it knew, and it may name the message.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from nlu.evaluation import EVALUATION_NOW, load_cases
from nlu.interpreter import BuiltinInterpreter

PROBES = Path(__file__).resolve().parents[1] / "data" / "nlu_emergency_probes.jsonl"
# Everyday messages taken for an emergency: at most this share (the independent set's bar is
# 1 %; these near misses were written to sound like dangers).
MAX_FALSE_ALARM_RATE = 0.02


@pytest.fixture(scope="module")
def verdicts(interpreter: BuiltinInterpreter) -> list[tuple[dict[str, str], str]]:
    async def read_all() -> list[tuple[dict[str, str], str]]:
        cases = load_cases(PROBES)
        understood = [
            await interpreter.parse(c["text"], language=c["lang"], now=EVALUATION_NOW)
            for c in cases
        ]
        return [(case, u.intent) for case, u in zip(cases, understood, strict=True)]

    return asyncio.run(read_all())


def test_the_probes_hold_dangers_of_every_shape_and_near_misses() -> None:
    cases = load_cases(PROBES)
    emergencies = [c for c in cases if c["intent"] == "emergency"]
    assert len(emergencies) >= 1000 and len(cases) - len(emergencies) >= 700
    assert {c["set"] for c in cases} == {f"probe{n}" for n in range(1, 10)}


def test_no_danger_of_the_probes_is_missed(verdicts: list[tuple[dict[str, str], str]]) -> None:
    missed = [c["text"] for c, intent in verdicts if c["intent"] == "emergency" != intent]
    assert missed == []


def test_few_everyday_messages_of_the_probes_sound_the_alarm(
    verdicts: list[tuple[dict[str, str], str]],
) -> None:
    calm = [(c, intent) for c, intent in verdicts if c["intent"] != "emergency"]
    alarms = [c["text"] for c, intent in calm if intent == "emergency"]
    assert len(alarms) <= MAX_FALSE_ALARM_RATE * len(calm), alarms

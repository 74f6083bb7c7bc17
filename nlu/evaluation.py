"""Evaluate an interpreter on labelled messages: `{"text","lang","intent","category"}` lines."""

from __future__ import annotations

import json
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from nlu.interpreter import Understanding

# A fixed "now" so that dates in the evaluation never drift with the calendar.
EVALUATION_NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
# Below this confidence the bot asks what the member meant instead of acting: the dialogue's
# LOW_CONFIDENCE (core/dialogue/flows/understanding.py; a unit test keeps the two equal).
ACT_THRESHOLD = 0.45
EMERGENCY = "emergency"


class Parser(Protocol):
    async def parse(
        self,
        text: str,
        *,
        language: str | None = ...,
        timezone: str = ...,
        now: datetime | None = ...,
    ) -> Understanding: ...


@dataclass
class Report:
    total: int
    accuracy: float
    macro_f1: float
    per_intent: dict[str, dict[str, float]]
    confusions: list[tuple[str, str, int]]
    category_accuracy: float
    category_total: int
    emergency_recall: float
    latency_p50_ms: float
    latency_p99_ms: float
    # Of the messages the bot acts on (confidence >= ACT_THRESHOLD), the share it got right;
    # and the share of all messages it asks about instead.
    acted_on_accuracy: float = 1.0
    ask_share: float = 0.0
    # Non-emergency messages answered as emergencies, and their share of all non-emergencies.
    false_emergencies: int = 0
    false_emergency_rate: float = 0.0
    # How far confidence is from accuracy: the mean gap over ten bins of confidence, weighted by
    # their size (expected calibration error; 0 is perfect).
    calibration_error: float = 0.0
    # Messages labelled `"scam": true` that carry the scam signal (None without such labels).
    scam_recall: float | None = None
    accuracy_by_language: dict[str, float] = field(default_factory=dict)
    # The misread messages themselves: shown only on request (`--errors`), never in the repr,
    # so that a failing test's report does not print the texts of a hold-out set.
    errors: list[dict[str, Any]] = field(default_factory=list, repr=False)


def load_cases(path: Path) -> list[dict[str, Any]]:
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            case = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{number}: not JSON ({exc.msg}).") from exc
        if not {"text", "intent"} <= case.keys():
            raise ValueError(f'{path}:{number}: needs at least "text" and "intent".')
        cases.append(case)
    return cases


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def evaluate(
    parser: Parser, cases: list[dict[str, Any]], *, timezone: str = "Europe/Paris"
) -> Report:
    """Run every case through `parser` and compute the figures of `entraide nlu eval`."""
    gold: list[str] = []
    predicted: list[str] = []
    confidences: list[float] = []
    latencies: list[float] = []
    category_hits = category_total = 0
    acted = acted_right = 0
    scams = scams_flagged = 0
    by_language: dict[str, list[bool]] = {}
    errors: list[dict[str, Any]] = []
    for case in cases:
        started = time.perf_counter()
        understood = await parser.parse(
            case["text"], language=case.get("lang"), timezone=timezone, now=EVALUATION_NOW
        )
        latencies.append((time.perf_counter() - started) * 1000)
        gold.append(case["intent"])
        predicted.append(understood.intent)
        right = understood.intent == case["intent"]
        confidences.append(understood.confidence)
        by_language.setdefault(str(case.get("lang") or "?"), []).append(right)
        if understood.confidence >= ACT_THRESHOLD:
            acted += 1
            acted_right += right
        if case.get("scam"):
            scams += 1
            scams_flagged += understood.entity("scam") is not None
        wrong_category = False
        if case.get("category"):
            category_total += 1
            if understood.entity("category") == case["category"]:
                category_hits += 1
            else:
                wrong_category = True
        if understood.intent != case["intent"] or wrong_category:
            errors.append(
                {
                    "text": case["text"],
                    "intent": case["intent"],
                    "predicted": understood.intent,
                    "category": case.get("category"),
                    "predicted_category": understood.entity("category"),
                }
            )
    per_intent = _per_intent(gold, predicted)
    confusions = Counter((g, p) for g, p in zip(gold, predicted, strict=True) if g != p)
    emergencies = [p for g, p in zip(gold, predicted, strict=True) if g == EMERGENCY]
    calm = [p for g, p in zip(gold, predicted, strict=True) if g != EMERGENCY]
    false_emergencies = sum(p == EMERGENCY for p in calm)
    return Report(
        total=len(cases),
        accuracy=sum(g == p for g, p in zip(gold, predicted, strict=True)) / max(len(cases), 1),
        macro_f1=statistics.fmean(s["f1"] for s in per_intent.values()) if per_intent else 0.0,
        per_intent=per_intent,
        confusions=[(g, p, n) for (g, p), n in confusions.most_common(10)],
        category_accuracy=category_hits / category_total if category_total else 1.0,
        category_total=category_total,
        emergency_recall=(
            sum(p == "emergency" for p in emergencies) / len(emergencies) if emergencies else 1.0
        ),
        latency_p50_ms=percentile(latencies, 0.50),
        latency_p99_ms=percentile(latencies, 0.99),
        acted_on_accuracy=acted_right / acted if acted else 1.0,
        ask_share=1 - acted / len(cases) if cases else 0.0,
        calibration_error=calibration_error(
            confidences, [g == p for g, p in zip(gold, predicted, strict=True)]
        ),
        false_emergencies=false_emergencies,
        false_emergency_rate=false_emergencies / len(calm) if calm else 0.0,
        scam_recall=scams_flagged / scams if scams else None,
        accuracy_by_language={k: sum(v) / len(v) for k, v in sorted(by_language.items())},
        errors=errors,
    )


def calibration_error(confidences: list[float], right: list[bool], bins: int = 10) -> float:
    """Expected calibration error: |accuracy - mean confidence| per bin, weighted by size."""
    groups: dict[int, list[tuple[float, bool]]] = {}
    for confidence, ok in zip(confidences, right, strict=True):
        groups.setdefault(min(int(confidence * bins), bins - 1), []).append((confidence, ok))
    total = len(confidences)
    return (
        sum(
            len(group)
            / total
            * abs(
                statistics.fmean(ok for _c, ok in group) - statistics.fmean(c for c, _ok in group)
            )
            for group in groups.values()
        )
        if total
        else 0.0
    )


def _per_intent(gold: list[str], predicted: list[str]) -> dict[str, dict[str, float]]:
    scores: dict[str, dict[str, float]] = {}
    for intent in sorted(set(gold)):
        tp = sum(g == p == intent for g, p in zip(gold, predicted, strict=True))
        fp = sum(p == intent and g != intent for g, p in zip(gold, predicted, strict=True))
        fn = sum(g == intent and p != intent for g, p in zip(gold, predicted, strict=True))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores[intent] = {
            "precision": precision,
            "recall": recall,
            "f1": f1,
            "support": float(tp + fn),
        }
    return scores


def format_report(report: Report) -> str:
    lines = [
        f"messages: {report.total}",
        f"accuracy: {report.accuracy:.3f}   macro-F1: {report.macro_f1:.3f}",
        f"category accuracy: {report.category_accuracy:.3f} (on {report.category_total})",
        f"emergency recall: {report.emergency_recall:.3f}   false emergencies: "
        f"{report.false_emergencies} ({report.false_emergency_rate:.1%} of non-emergencies)",
        f"acted on (confidence >= {ACT_THRESHOLD}): accuracy {report.acted_on_accuracy:.3f}   "
        f"asked about: {report.ask_share:.1%} of messages   "
        f"calibration error: {report.calibration_error:.3f}",
        "accuracy by language: "
        + "   ".join(f"{k} {v:.3f}" for k, v in report.accuracy_by_language.items()),
        *(
            [f"scam texts flagged: {report.scam_recall:.3f}"]
            if report.scam_recall is not None
            else []
        ),
        f"latency p50: {report.latency_p50_ms:.2f} ms   p99: {report.latency_p99_ms:.2f} ms",
        "",
        f"{'intent':<16}{'precision':>10}{'recall':>8}{'f1':>7}{'n':>5}",
    ]
    for intent, s in report.per_intent.items():
        lines.append(
            f"{intent:<16}{s['precision']:>10.2f}{s['recall']:>8.2f}{s['f1']:>7.2f}"
            f"{int(s['support']):>5}"
        )
    if report.confusions:
        lines += ["", "most frequent confusions (expected -> predicted):"]
        lines += [f"  {g} -> {p}: {n}" for g, p, n in report.confusions]
    return "\n".join(lines)

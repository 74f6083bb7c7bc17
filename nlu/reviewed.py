"""Reviewed messages as training data, and the guard that keeps a new model only if it is not
worse than the old one on the hold-out sets.

`write_reviewed` adds the examples a coordinator labelled (`entraide nlu review`) to
`nlu/data/<lang>/reviewed.yml`, in Rasa's format (the category annotated on the words that name
it, never on an elided article: "l'", "m'"), and returns what the files held before, so that a
rejected model leaves the data as it was (`restore`). `compare` scores the old and the new model
on each hold-out set; `worse` says why a new model would lose something.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from nlu.builtin import BuiltinModel
from nlu.evaluation import Report, evaluate, load_cases
from nlu.interpreter import BuiltinInterpreter
from nlu.training_data import ENTITY_PATTERN, block_examples

REVIEWED_FILE = "reviewed.yml"
HEADER = (
    'version: "3.1"\n\n'
    "# Messages of members, anonymised, labelled by a coordinator with `entraide nlu review`.\n"
    "# Written by that command: a model trained with them is kept only if it is not worse on\n"
    "# the hold-out sets.\n\n"
    "nlu:\n"
)
# An annotation never starts on an elided article or pronoun (Rasa's tokens would split it).
_ELIDED = re.compile(r"^(?:[lmdnjstc]|qu)['’]", re.IGNORECASE)
_BRACKETS = str.maketrans({"[": "(", "]": ")", "{": "(", "}": ")"})


@dataclass(frozen=True)
class ReviewedExample:
    text: str
    intent: str
    language: str
    category: str | None = None
    span: tuple[int, int] | None = None  # where the words naming the category are


def clean_text(text: str) -> str:
    """One line, no brackets that Rasa would read as an annotation."""
    return " ".join(text.translate(_BRACKETS).split())


def category_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The span of `text` that names a category, trimmed of spaces, punctuation and a leading
    elided article ("l'épicerie" -> "épicerie"); None if nothing is left."""
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    if (elided := _ELIDED.match(text[start:end])) is not None:
        start += elided.end()
    return (start, end) if start < end else None


def annotated(example: ReviewedExample) -> str:
    """The example as a line of Rasa's training data."""
    text = example.text
    if example.category is None or example.span is None:
        return text
    start, end = example.span
    words = text[start:end]
    value = '{"entity": "category", "value": "' + example.category + '"}'
    return f"{text[:start]}[{words}]{value}{text[end:]}"


def _read(path: Path) -> dict[str, list[str]]:
    """The annotated lines of a reviewed.yml, by intent (this module's own files)."""
    import yaml

    if not path.exists():
        return {}
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    found: dict[str, list[str]] = {}
    for item in document.get("nlu") or []:
        if isinstance(item, dict) and "intent" in item:
            lines = block_examples(item.get("examples"), f"{path} intent {item['intent']}")
            found.setdefault(str(item["intent"]), []).extend(lines)
    return found


def _plain(line: str) -> str:
    return " ".join(ENTITY_PATTERN.sub(lambda m: m.group("entity_text"), line).lower().split())


def write_reviewed(root: Path, examples: list[ReviewedExample]) -> dict[Path, str | None]:
    """Add `examples` to `<root>/<lang>/reviewed.yml` (a message already there is not added
    twice); return each file's previous content (None: there was none)."""
    previous: dict[Path, str | None] = {}
    for language in sorted({e.language for e in examples}):
        path = root / language / REVIEWED_FILE
        previous[path] = path.read_text(encoding="utf-8") if path.exists() else None
        lines = _read(path)
        known = {_plain(line) for group in lines.values() for line in group}
        for example in examples:
            if example.language != language:
                continue
            line = annotated(
                ReviewedExample(
                    clean_text(example.text),
                    example.intent,
                    language,
                    example.category,
                    example.span if clean_text(example.text) == example.text else None,
                )
            )
            if line and _plain(line) not in known:
                known.add(_plain(line))
                lines.setdefault(example.intent, []).append(line)
        body = "".join(
            f"- intent: {intent}\n  examples: |\n" + "".join(f"    - {x}\n" for x in group)
            for intent, group in sorted(lines.items())
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(HEADER + body, encoding="utf-8")
    return previous


def restore(previous: dict[Path, str | None]) -> None:
    """Put the reviewed files back as they were before `write_reviewed`."""
    for path, content in previous.items():
        if content is None:
            path.unlink(missing_ok=True)
        else:
            path.write_text(content, encoding="utf-8")


@dataclass
class Comparison:
    """One hold-out set scored by the old and the new model."""

    holdout: Path
    old: Report
    new: Report

    def worse(self, tolerance: float = 0.0) -> list[str]:
        """What the new model loses on this set (empty: it is not worse)."""
        name = self.holdout.name
        figures = (
            ("intent accuracy", self.old.accuracy, self.new.accuracy),
            ("category accuracy", self.old.category_accuracy, self.new.category_accuracy),
            ("emergency recall", self.old.emergency_recall, self.new.emergency_recall),
        )
        reasons = [
            f"{label} on {name} would drop from {old:.3f} to {new:.3f}"
            for label, old, new in figures
            if new < old - tolerance
        ]
        if self.new.false_emergencies > self.old.false_emergencies:
            reasons.append(
                f"false emergencies on {name} would rise from {self.old.false_emergencies} "
                f"to {self.new.false_emergencies}"
            )
        return reasons

    def summary(self) -> str:
        return (
            f"{self.holdout.name}: intent accuracy {self.old.accuracy:.3f} -> "
            f"{self.new.accuracy:.3f}, category accuracy {self.old.category_accuracy:.3f} -> "
            f"{self.new.category_accuracy:.3f}"
        )


async def compare(old: BuiltinModel, new: BuiltinModel, holdouts: list[Path]) -> list[Comparison]:
    """Score both models on every hold-out set (aggregate figures only: no message is shown)."""
    comparisons = []
    for path in holdouts:
        cases = load_cases(path)
        before = await evaluate(BuiltinInterpreter(old), cases)
        after = await evaluate(BuiltinInterpreter(new), cases)
        comparisons.append(Comparison(path, before, after))
    return comparisons

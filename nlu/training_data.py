"""Reading the Rasa 3 NLU training data of `nlu/data/<language>/*.yml` without Rasa.

The files are in Rasa's YAML training-data format (`version: "3.1"`): intents with
`examples: |` block lists, entity annotations `[span](entity)`, `[span](entity:value)` or
`[span]{"entity": "...", "value": "..."}`, and `synonym:` / `lookup:` entries. This module
parses them the way Rasa does (same annotation pattern, same offsets), so that the built-in
model can learn from the very data Rasa trains on, and the tests can check that data.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from nlu.text import fold

DATA_ROOT = Path(__file__).resolve().parent / "data"

# Rasa's own pattern (rasa/shared/nlu/training_data/entities_parser.py):
# `[entity_text]((entity_type(:entity_synonym)?)|{entity_dict}|[list_entity_dicts])`
ENTITY_PATTERN = re.compile(
    r"\[(?P<entity_text>[^\]]+?)\]"
    r"(\((?P<entity>[^:)]+?)(?::(?P<value>[^)]+))?\)"
    r"|\{(?P<entity_dict>[^}]+?)\}"
    r"|\[(?P<list_entity_dicts>.*?)\])"
)
EXAMPLE_PREFIX = "- "
_ENTITY_DICT_KEYS = {"entity", "value", "role", "group"}


class TrainingDataError(ValueError):
    """The training data is not what Rasa would load."""


@dataclass(frozen=True)
class EntitySpan:
    entity: str
    value: str
    start: int  # offsets into the example's clean text
    end: int
    text: str


@dataclass(frozen=True)
class Example:
    text: str  # annotations removed
    intent: str
    language: str
    entities: list[EntitySpan] = field(default_factory=list)
    # A scam text a member forwards (fake parcel fee, fake bank adviser...): intent out_of_scope,
    # marked in the YAML by the intent item's `metadata: {scam: true}` (Rasa accepts metadata).
    scam: bool = False


@dataclass
class TrainingData:
    examples: list[Example] = field(default_factory=list)
    synonyms: dict[str, str] = field(default_factory=dict)  # folded variant -> value
    lookups: dict[str, list[str]] = field(default_factory=dict)

    @property
    def languages(self) -> list[str]:
        return sorted({example.language for example in self.examples})

    def for_language(self, language: str) -> list[Example]:
        return [example for example in self.examples if example.language == language]

    def intents(self, language: str | None = None) -> dict[str, list[Example]]:
        found: dict[str, list[Example]] = {}
        for example in self.examples:
            if language is None or example.language == language:
                found.setdefault(example.intent, []).append(example)
        return found


def fold_key(text: str) -> str:
    """The key under which a synonym variant is stored: folded, spaces collapsed."""
    return " ".join(fold(text).split())


def parse_example(
    raw: str, synonyms: dict[str, str] | None = None
) -> tuple[str, list[EntitySpan]]:
    """The clean text of an annotated example and its entities, as Rasa reads them.

    The value of an entity is the explicit one (`(entity:value)` or `"value"`), else the
    synonym of its text (when `synonyms` knows it), else its text.
    """
    synonyms = synonyms or {}
    entities: list[EntitySpan] = []
    pieces: list[str] = []
    position = 0  # in the raw text
    length = 0  # of the clean text so far
    for match in ENTITY_PATTERN.finditer(raw):
        pieces.append(raw[position : match.start()])
        length += match.start() - position
        span_text = match.group("entity_text")
        if match.group("list_entity_dicts") is not None:
            raise TrainingDataError(f"lists of entity dicts are not used here: {raw!r}")
        if match.group("entity_dict") is not None:
            entity, value = _read_entity_dict(match.group("entity_dict"), raw)
        else:
            entity, value = match.group("entity").strip(), match.group("value")
        if not entity:
            raise TrainingDataError(f"empty entity name in {raw!r}")
        if value is None:
            value = synonyms.get(fold_key(span_text), span_text)
        entities.append(EntitySpan(entity, value, length, length + len(span_text), span_text))
        pieces.append(span_text)
        length += len(span_text)
        position = match.end()
    pieces.append(raw[position:])
    return "".join(pieces), entities


def _read_entity_dict(body: str, raw: str) -> tuple[str, str | None]:
    try:
        data = json.loads("{" + body + "}")
    except json.JSONDecodeError as error:
        raise TrainingDataError(f"bad entity dict in {raw!r}: {error}") from error
    if not isinstance(data, dict) or not isinstance(data.get("entity"), str):
        raise TrainingDataError(f"entity dict without an 'entity' string in {raw!r}")
    unknown = set(data) - _ENTITY_DICT_KEYS
    if unknown:
        raise TrainingDataError(f"unknown keys {sorted(unknown)} in {raw!r}")
    for key in ("value", "role", "group"):
        if key in data and not isinstance(data[key], str):
            raise TrainingDataError(f"{key!r} must be a string in {raw!r}")
    return data["entity"], data.get("value")


def block_examples(block: object, where: str) -> list[str]:
    """The items of an `examples: |` block: each line starts with '- ' (blank lines skipped)."""
    if not isinstance(block, str):
        raise TrainingDataError(f"{where}: 'examples' must be a block string ('examples: |')")
    items: list[str] = []
    for line in block.splitlines():
        if not line.strip():
            continue
        if not line.startswith(EXAMPLE_PREFIX):
            raise TrainingDataError(f"{where}: example does not start with '- ': {line!r}")
        text = line[len(EXAMPLE_PREFIX) :].strip()
        if not text:
            raise TrainingDataError(f"{where}: empty example")
        items.append(text)
    return items


def _read_file(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as stream:
        document = yaml.safe_load(stream)
    if not isinstance(document, dict):
        raise TrainingDataError(f"{path}: not a YAML mapping")
    version = document.get("version")
    if not isinstance(version, str) or not version.startswith("3."):
        raise TrainingDataError(f'{path}: needs version: "3.x" (a string), got {version!r}')
    items = document.get("nlu")
    if not isinstance(items, list):
        raise TrainingDataError(f"{path}: 'nlu' must be a list")
    for item in items:
        if not isinstance(item, dict):
            raise TrainingDataError(f"{path}: every 'nlu' item must be a mapping")
        kinds = [kind for kind in ("intent", "synonym", "lookup") if kind in item]
        if len(kinds) != 1 or set(item) - {kinds[0], "examples", "metadata"}:
            raise TrainingDataError(f"{path}: unexpected item keys {sorted(item)}")
        if not isinstance(item[kinds[0]], str) or not item[kinds[0]]:
            raise TrainingDataError(f"{path}: {kinds[0]} name must be a non-empty string")
        if "metadata" in item and not isinstance(item["metadata"], dict):
            raise TrainingDataError(f"{path}: 'metadata' must be a mapping")
    return items


def load_training_data(root: Path = DATA_ROOT) -> TrainingData:
    """Every `<root>/<language>/*.yml`, the language being the folder's name."""
    files = sorted(path for path in Path(root).glob("*/*.yml") if path.is_file())
    if not files:
        raise TrainingDataError(f"no training data under {root}")
    parsed = [(path, path.parent.name, _read_file(path)) for path in files]
    data = TrainingData()
    # Synonyms and lookups first: the values of `[span](entity)` annotations depend on them.
    for path, _language, items in parsed:
        for item in items:
            if "synonym" in item:
                value = item["synonym"]
                for variant in block_examples(item.get("examples"), f"{path} synonym {value}"):
                    key = fold_key(variant)
                    known = data.synonyms.get(key)
                    if known is not None and known != value:
                        raise TrainingDataError(
                            f"{path}: synonym {variant!r} maps to both {known!r} and {value!r}"
                        )
                    data.synonyms[key] = value
            elif "lookup" in item:
                name = item["lookup"]
                entries = block_examples(item.get("examples"), f"{path} lookup {name}")
                known_entries = data.lookups.setdefault(name, [])
                known_entries.extend(entry for entry in entries if entry not in known_entries)
    for path, language, items in parsed:
        for item in items:
            if "intent" not in item:
                continue
            intent = item["intent"]
            scam = bool(item.get("metadata", {}).get("scam", False))
            for raw in block_examples(item.get("examples"), f"{path} intent {intent}"):
                text, entities = parse_example(raw, data.synonyms)
                data.examples.append(Example(text, intent, language, entities, scam))
    return data

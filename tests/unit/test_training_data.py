"""The Rasa NLU training data: loads, every intent well covered, annotations well formed."""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from core.domain.vocabulary import LANGUAGES, Category
from nlu.intents import CATEGORIES, ENTITIES, INTENTS
from nlu.training_data import (
    DATA_ROOT,
    TrainingData,
    TrainingDataError,
    fold_key,
    load_training_data,
    parse_example,
)

MIN_EXAMPLES = 25
MIN_EXAMPLES_BY_INTENT = {"request_help": 40, "offer_help": 40, "emergency": 40}
# What a stray annotation leaves behind once the Rasa pattern has been applied.
LEFTOVER = re.compile(r"[\[\]{}]|\]\(")


@cache
def data() -> TrainingData:
    return load_training_data()


def test_categories_are_the_domain_categories() -> None:
    assert set(CATEGORIES) == {category.value for category in Category}
    assert len(set(INTENTS)) == len(INTENTS)


def test_every_language_has_a_file() -> None:
    for language in LANGUAGES:
        assert (DATA_ROOT / language / "nlu.yml").is_file()
    assert data().languages == sorted(LANGUAGES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_intent_has_enough_examples(language: str) -> None:
    counts = Counter(example.intent for example in data().for_language(language))
    assert set(counts) == set(INTENTS), "intents in the data and nlu.intents.INTENTS differ"
    for intent in INTENTS:
        wanted = MIN_EXAMPLES_BY_INTENT.get(intent, MIN_EXAMPLES)
        assert counts[intent] >= wanted, f"{language}/{intent}: {counts[intent]} < {wanted}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_emergency_has_at_least_40_examples(language: str) -> None:
    emergencies = [e for e in data().for_language(language) if e.intent == "emergency"]
    assert len(emergencies) >= 40


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_leftover_annotation_syntax(language: str) -> None:
    for example in data().for_language(language):
        assert not LEFTOVER.search(example.text), f"stray bracket in {example.text!r}"
        assert example.text == example.text.strip()
        assert example.text


@pytest.mark.parametrize("language", LANGUAGES)
def test_entity_offsets_slice_the_clean_text(language: str) -> None:
    for example in data().for_language(language):
        previous_end = 0
        for span in example.entities:
            assert example.text[span.start : span.end] == span.text, example.text
            assert span.text == span.text.strip(), f"span with spaces in {example.text!r}"
            assert span.start >= previous_end, f"overlapping entities in {example.text!r}"
            previous_end = span.end


@pytest.mark.parametrize("language", LANGUAGES)
def test_spans_are_whole_words(language: str) -> None:
    """Rasa warns about (and mislearns) entities that cut a token in two."""
    for example in data().for_language(language):
        for span in example.entities:
            before = example.text[span.start - 1] if span.start else " "
            after = example.text[span.end] if span.end < len(example.text) else " "
            assert not before.isalnum(), f"{span.text!r} starts inside a word: {example.text!r}"
            assert not after.isalnum(), f"{span.text!r} ends inside a word: {example.text!r}"


def test_entities_and_category_values_are_known() -> None:
    for example in data().examples:
        for span in example.entities:
            assert span.entity in ENTITIES, f"unknown entity {span.entity!r}"
            if span.entity == "category":
                assert span.value in CATEGORIES, f"{span.value!r} in {example.text!r}"
                Category(span.value)


def test_synonym_values_are_categories() -> None:
    assert data().synonyms
    for variant, value in data().synonyms.items():
        assert value in CATEGORIES, f"synonym {variant!r} -> {value!r}"


def test_annotations_agree_with_synonyms() -> None:
    """A span annotated with a value maps to one value only, the synonym's if it has one."""
    seen: dict[str, str] = dict(data().synonyms)
    for example in data().examples:
        for span in example.entities:
            if span.entity != "category":
                continue
            key = fold_key(span.text)
            known = seen.setdefault(key, span.value)
            assert known == span.value, f"{span.text!r} is {known!r} and {span.value!r}"


def test_lookups() -> None:
    lookups = data().lookups
    assert {"place", "category"} <= set(lookups)
    for name, entries in lookups.items():
        assert entries, name
        assert len(entries) == len(set(entries)), f"duplicate entries in lookup {name}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_duplicate_examples(language: str) -> None:
    counts = Counter(" ".join(e.text.casefold().split()) for e in data().for_language(language))
    duplicates = sorted(text for text, count in counts.items() if count > 1)
    assert not duplicates


@pytest.mark.parametrize("language", LANGUAGES)
def test_help_requests_name_their_category(language: str) -> None:
    """Most requests and offers carry a category: the model needs many annotated spans."""
    for intent in ("request_help", "offer_help"):
        examples = [e for e in data().for_language(language) if e.intent == intent]
        annotated = [e for e in examples if any(s.entity == "category" for s in e.entities)]
        assert len(annotated) >= 0.8 * len(examples), f"{language}/{intent}"
        values = {s.value for e in annotated for s in e.entities if s.entity == "category"}
        assert values == set(CATEGORIES), f"{language}/{intent} misses {set(CATEGORIES) - values}"


# Rasa 3.6's WhitespaceTokenizer (rasa/nlu/tokenizers/whitespace_tokenizer.py): these characters
# become spaces, then the text is split on spaces. An apostrophe between letters is one of them.
RASA_SEPARATORS = re.compile(
    r"[^\w#@&]+(?=\s|$)|(\s|^)[^\w#@&]+(?=[^0-9\s])|"
    r"(?<=[^0-9\s])[^\w._~:/?#\[\]()@!$&*+,;=-]+(?=[^0-9\s])"
)


def rasa_token_bounds(text: str) -> tuple[set[int], set[int]]:
    """Where Rasa's whitespace tokens of `text` start and end."""
    cleaned = RASA_SEPARATORS.sub(lambda m: " " * len(m.group()), text)
    bounds = [(m.start(), m.end()) for m in re.finditer(r"\S+", cleaned)]
    return {start for start, _end in bounds}, {end for _start, end in bounds}


def test_rasa_tokens_split_elisions_and_keep_words() -> None:
    starts, ends = rasa_token_bounds("Besoin d'un lift, svp")
    assert starts == {0, 7, 9, 12, 18} and ends == {6, 8, 11, 16, 21}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entity_starts_and_ends_on_a_rasa_token(language: str) -> None:
    """Rasa warns about, and mislearns, an entity that does not start and end on its tokens
    (a span starting after an elided article, "d'[un lift]", must start on the token)."""
    for example in data().for_language(language):
        starts, ends = rasa_token_bounds(example.text)
        for span in example.entities:
            assert span.start in starts and span.end in ends, f"{span.text!r}: {example.text!r}"


def test_scam_texts_are_marked_by_the_metadata_of_their_intent(tmp_path: Path) -> None:
    folder = tmp_path / "en"
    folder.mkdir()
    (folder / "nlu.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: out_of_scope\n  metadata:\n    scam: true\n'
        "  examples: |\n    - pay the parcel fee at this link\n"
        "- intent: out_of_scope\n  examples: |\n    - what's on telly tonight\n",
        encoding="utf-8",
    )
    examples = load_training_data(tmp_path).examples
    assert [(e.intent, e.scam) for e in examples] == [
        ("out_of_scope", True),
        ("out_of_scope", False),
    ]
    scams = [e for e in data().examples if e.scam]
    assert len(scams) >= 60 and {e.intent for e in scams} == {"out_of_scope"}


def test_parse_example_follows_rasa() -> None:
    text, entities = parse_example(
        'take me [to the dentist](place) and [shop]{"entity": "category", "value": "shopping"}'
        " [here](place:home) [courses](category)",
        {"courses": "shopping"},
    )
    assert text == "take me to the dentist and shop here courses"
    assert [(e.entity, e.value, e.text) for e in entities] == [
        ("place", "to the dentist", "to the dentist"),
        ("category", "shopping", "shop"),
        ("place", "home", "here"),
        ("category", "shopping", "courses"),
    ]
    assert all(text[e.start : e.end] == e.text for e in entities)


@pytest.mark.parametrize(
    "raw",
    [
        '[x]{"entity": }',
        '[x]{"value": "shopping"}',
        '[x]{"entity": "category", "colour": "red"}',
    ],
)
def test_parse_example_rejects_bad_annotations(raw: str) -> None:
    with pytest.raises(TrainingDataError):
        parse_example(raw)


def test_loader_rejects_a_line_without_the_dash(tmp_path: Path) -> None:
    folder = tmp_path / "fr"
    folder.mkdir()
    (folder / "nlu.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - bonjour\n    salut\n',
        encoding="utf-8",
    )
    with pytest.raises(TrainingDataError):
        load_training_data(tmp_path)

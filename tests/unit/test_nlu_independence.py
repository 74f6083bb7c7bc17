"""The training data stays apart from the hold-out sets: no example is a near-copy of a test line.

A measure is honest only if the model never saw the messages it is measured on, nor a light
rewording of them. Similarity is the cosine of character 3-5-gram TF-IDF vectors of the folded
texts (accents and case removed), so a copy with a typo fixed, a word added or the punctuation
changed is caught as well as an exact one. Offenders are named by their place in the training
files only: the hold-out messages themselves are never printed, so that nobody tunes to them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from nlu.evaluation import load_cases
from nlu.text import fold
from nlu.training_data import DATA_ROOT, EXAMPLE_PREFIX, parse_example

HOLD_OUTS = Path(__file__).resolve().parents[1] / "data"
HOLD_OUT_FILES = ("nlu_independent.jsonl", "nlu_independent2.jsonl", "nlu_holdout.jsonl")
# Above this cosine two messages are the same message reworded, not two ways of asking.
NEAR_DUPLICATE = 0.8
# Stock phrases of fewer words ("oui merci", "ok", "bonjour") are the language itself: every
# speaker writes them alike, so they cannot be copied from a hold-out and are not compared.
MIN_WORDS = 4
_NOT_ALPHANUMERIC = re.compile(r"[^a-z0-9]+")


def plain(text: str) -> str:
    """Folded, punctuation and apostrophes as spaces ("Pourriez-vous m'aider" is
    "pourriez vous m aider")."""
    return " ".join(_NOT_ALPHANUMERIC.sub(" ", fold(text)).split())


@dataclass(frozen=True)
class Located:
    where: str  # "fr/nlu.yml:123"
    text: str


def training_examples(root: Path = DATA_ROOT) -> list[Located]:
    """Every training example with its file and line (annotations removed)."""
    found = []
    for path in sorted(root.glob("*/*.yml")):
        in_examples = False
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            stripped = line.strip()
            if line.startswith("- "):
                # A new item: only intents hold messages (synonyms and lookups are words).
                in_examples = line.startswith("- intent:")
                continue
            if in_examples and stripped.startswith(EXAMPLE_PREFIX):
                text, _entities = parse_example(stripped[len(EXAMPLE_PREFIX) :])
                found.append(Located(f"{path.relative_to(root)}:{number}", text))
    return found


def near_duplicates(
    training: list[Located], held_out: list[str], threshold: float = NEAR_DUPLICATE
) -> list[tuple[str, float]]:
    """Training locations whose text is at least `threshold` similar to a held-out text
    (training examples of fewer than `MIN_WORDS` words are stock phrases, not compared)."""
    training = [t for t in training if len(fold(t.text).split()) >= MIN_WORDS]
    vectorizer = TfidfVectorizer(
        preprocessor=plain,
        analyzer="char_wb",
        ngram_range=(3, 5),
        sublinear_tf=True,
    )
    vectorizer.fit([t.text for t in training] + held_out)
    trained = vectorizer.transform([t.text for t in training])
    similarity = trained @ vectorizer.transform(held_out).T
    best = similarity.max(axis=1).toarray().ravel()
    return [
        (example.where, round(float(score), 2))
        for example, score in zip(training, best, strict=True)
        if score >= threshold
    ]


def exact_copies(training: list[Located], held_out: list[str]) -> list[str]:
    """Training locations whose text is a held-out text, whatever its length ("volontiers")."""
    held = {plain(text) for text in held_out}
    return [example.where for example in training if plain(example.text) in held]


@cache
def held_out_texts(name: str) -> tuple[str, ...]:
    return tuple(case["text"] for case in load_cases(HOLD_OUTS / name))


def test_the_training_files_are_read_with_their_locations() -> None:
    examples = training_examples()
    assert len(examples) > 1000
    assert all(":" in e.where and e.text for e in examples)
    assert {e.where.split("/")[0] for e in examples} == {"fr", "en"}


def test_a_reworded_copy_is_caught_and_a_different_message_is_not() -> None:
    training = [
        Located("fr/nlu.yml:1", "Pourriez-vous m'emmener chez le dentiste mardi ?"),
        Located("fr/nlu.yml:2", "Je voudrais de l'aide pour remplir ma déclaration d'impôts"),
    ]
    held_out = ["pourriez vous m emmener chez le dentiste mardi", "qui peut arroser mes tomates"]
    assert [where for where, _score in near_duplicates(training, held_out)] == ["fr/nlu.yml:1"]


@pytest.mark.parametrize("hold_out", HOLD_OUT_FILES)
def test_no_training_example_is_a_copy_of_a_hold_out_message(hold_out: str) -> None:
    offenders = exact_copies(training_examples(), list(held_out_texts(hold_out)))
    assert offenders == [], f"training examples equal to lines of {hold_out}: {offenders}"


@pytest.mark.parametrize("hold_out", HOLD_OUT_FILES)
def test_no_training_example_is_a_near_duplicate_of_a_hold_out_message(hold_out: str) -> None:
    offenders = near_duplicates(training_examples(), list(held_out_texts(hold_out)))
    # Only the training side is shown: the hold-out messages must stay unseen.
    assert offenders == [], f"training examples too close to {hold_out}: {offenders}"

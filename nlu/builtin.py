"""The built-in NLU model: offline, trained in seconds from `nlu/data`, cached on disk.

Intents: TF-IDF over character n-grams (robust to typos, missing accents, SMS spelling) and
words, then a logistic regression whose probabilities are the confidences. Categories: the
lexicon learned from the annotations first, a second classifier when no word names one.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline, make_pipeline

from core.domain.vocabulary import Category
from nlu.entities import CategoryLexicon, entity
from nlu.text import fold
from nlu.training_data import DATA_ROOT, TrainingData, load_training_data

MODEL_VERSION = "2"
CATEGORY_INTENTS = ("request_help", "offer_help")
CATEGORY_VALUES = frozenset(c.value for c in Category)
# Without a word naming a category, the classifier alone must be at least this sure.
CATEGORY_THRESHOLD = 0.35


def _features() -> FeatureUnion:
    return FeatureUnion(
        [
            (
                "chars",
                TfidfVectorizer(
                    preprocessor=fold,
                    analyzer="char_wb",
                    ngram_range=(2, 5),
                    sublinear_tf=True,
                    min_df=1,
                ),
            ),
            (
                "words",
                TfidfVectorizer(
                    preprocessor=fold,
                    analyzer="word",
                    ngram_range=(1, 2),
                    token_pattern=r"(?u)\b\w[\w']*\b",
                    sublinear_tf=True,
                ),
            ),
        ]
    )


@dataclass
class BuiltinModel:
    """What training produces: two classifiers and the category lexicon."""

    intents: Pipeline
    categories: Pipeline | None
    lexicon: CategoryLexicon
    data_hash: str

    def intent_ranking(self, text: str) -> list[tuple[str, float]]:
        probabilities = self.intents.predict_proba([text])[0]
        ranked = sorted(
            zip(self.intents.classes_, probabilities, strict=True), key=lambda pair: -pair[1]
        )
        return [(str(name), float(p)) for name, p in ranked]

    def category(self, text: str, *, asks_or_offers: bool) -> dict[str, Any] | None:
        """The category of `text` as an entity: the classifier's probabilities plus the votes
        of the words that name a category; without such a word, only for requests and offers
        and only when the classifier is fairly sure."""
        votes, spans = self.lexicon.evidence(text)
        scores = dict(votes)
        if self.categories is not None:
            for name, p in zip(
                self.categories.classes_, self.categories.predict_proba([text])[0], strict=True
            ):
                scores[str(name)] = scores.get(str(name), 0.0) + float(p)
        if not scores:
            return None
        best = max(scores, key=lambda name: scores[name])
        confidence = min(1.0, scores[best] / max(sum(scores.values()), 1e-9) + 0.25 * bool(votes))
        if best in spans:
            start, end = spans[best]
        elif votes or not asks_or_offers or scores[best] < CATEGORY_THRESHOLD:
            return None
        else:
            start, end = 0, len(text)
        return entity("category", best, start, end, confidence)


def train(data: TrainingData, progress: Callable[[str], None] | None = None) -> BuiltinModel:
    """Fit the intent and category classifiers and the lexicon on the training examples."""
    say = progress or (lambda _message: None)
    texts = [e.text for e in data.examples]
    labels = [e.intent for e in data.examples]
    say(f"intents: {len(texts)} examples, {len(set(labels))} intents")
    intents = make_pipeline(
        _features(), LogisticRegression(C=20, max_iter=3000, class_weight="balanced")
    )
    intents.fit(texts, labels)
    spans = [
        (span.text, span.value)
        for e in data.examples
        for span in e.entities
        if span.entity == "category"
    ]
    say(f"categories: {len(spans)} annotated spans, {len(data.synonyms)} synonyms")
    lexicon = CategoryLexicon.learn(
        spans, {k: v for k, v in data.synonyms.items() if v in CATEGORY_VALUES}
    )
    labelled = [
        (e.text, span.value)
        for e in data.examples
        if e.intent in CATEGORY_INTENTS
        for span in e.entities
        if span.entity == "category"
    ]
    categories = None
    if len({value for _text, value in labelled}) >= 2:
        categories = make_pipeline(_features(), LogisticRegression(C=20, max_iter=3000))
        categories.fit([t for t, _v in labelled], [v for _t, v in labelled])
    say("done")
    return BuiltinModel(intents, categories, lexicon, data_hash="")


def data_fingerprint(root: Path = DATA_ROOT) -> str:
    """A hash of the training files and of this model's version: the cache key."""
    digest = hashlib.sha256(MODEL_VERSION.encode())
    for path in sorted(root.rglob("*.yml")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cache_dir() -> Path:
    base = os.environ.get("ENTRAIDE_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "entraide"
    )
    return Path(base) / "nlu"


def load_or_train(
    root: Path = DATA_ROOT, *, retrain: bool = False, progress: Callable[[str], None] | None = None
) -> BuiltinModel:
    """The model for the current training data: from the cache, or trained and cached."""
    fingerprint = data_fingerprint(root)
    path = cache_dir() / f"builtin-{fingerprint}.pkl"
    if path.exists() and not retrain:
        try:
            with path.open("rb") as handle:
                model: Any = pickle.load(handle)  # our own cache file, written below
            if isinstance(model, BuiltinModel) and model.data_hash == fingerprint:
                return model
        except (OSError, pickle.UnpicklingError, AttributeError, EOFError):
            pass  # a stale or broken cache is simply rebuilt
    model = train(load_training_data(root), progress)
    model.data_hash = fingerprint
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    with temporary.open("wb") as handle:
        pickle.dump(model, handle)
    temporary.replace(path)  # atomic: a concurrent reader sees the old file or the new one
    return model

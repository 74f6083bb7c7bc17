"""The built-in NLU model: offline, trained in seconds from `nlu/data`, cached on disk.

Intents: a linear support vector machine over TF-IDF character n-grams and words
(`nlu.features`), its scores turned into confidences by a softmax whose temperature is fitted on
held-out folds of the training data, so that a confidence of 0.45 means about 45 % right
(`nlu.calibration`). It measured better than a logistic regression on the independent hold-out
(0.908 against 0.889 before any rule) and trains in a second instead of half a minute.
Scams: a logistic regression tells a scam text (out_of_scope) from everything else.
Categories: the lexicon learned from the annotations first, a third classifier when no word
names one.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from core.domain.vocabulary import Category
from nlu.calibration import fit_temperature, softmax
from nlu.entities import CategoryLexicon, entity
from nlu.features import FeatureSpace, LinearScorer, TextClassifier
from nlu.training_data import DATA_ROOT, TrainingData, load_training_data

MODEL_VERSION = "3"
CATEGORY_INTENTS = ("request_help", "offer_help")
CATEGORY_VALUES = frozenset(c.value for c in Category)
# Without a word naming a category, the classifier alone must be at least this sure.
CATEGORY_THRESHOLD = 0.35
FEATURE_BLOCKS = ("chars", "words")
INTENT_C = 1.0  # inverse regularisation: chosen by cross-validation on the training data
SCAM_C = 10.0
CATEGORY_C = 10.0
SCAM = "scam"


@dataclass
class BuiltinModel:
    """What training produces: one feature space, three linear scorers over it, a temperature
    and the category lexicon."""

    space: FeatureSpace
    intents: LinearScorer
    temperature: float
    scams: LinearScorer | None
    categories: LinearScorer | None
    lexicon: CategoryLexicon
    data_hash: str

    def intent_ranking(self, text: str) -> list[tuple[str, float]]:
        scores = self.intents.scores(self.space.vector(text))
        probabilities = softmax(scores / self.temperature)
        ranked = sorted(
            zip(self.intents.classes, probabilities, strict=True), key=lambda pair: -pair[1]
        )
        return [(str(name), float(p)) for name, p in ranked]

    def scam_probability(self, text: str) -> float:
        """How likely `text` is a scam a member forwards (a fake parcel fee, a fake adviser)."""
        if self.scams is None:
            return 0.0
        probabilities = softmax(self.scams.scores(self.space.vector(text)))
        return float(probabilities[self.scams.classes.index(SCAM)])

    def category(self, text: str, *, asks_or_offers: bool) -> dict[str, Any] | None:
        """The category of `text` as an entity: the classifier's probabilities plus the votes
        of the words that name a category; without such a word, only for requests and offers
        and only when the classifier is fairly sure."""
        votes, spans = self.lexicon.evidence(text)
        scores = dict(votes)
        if self.categories is not None:
            probabilities = softmax(self.categories.scores(self.space.vector(text)))
            for name, p in zip(self.categories.classes, probabilities, strict=True):
                scores[name] = scores.get(name, 0.0) + float(p)
        if not scores:
            return None
        best = max(scores, key=lambda name: scores[name])
        confidence = min(1.0, scores[best] / max(sum(scores.values()), 1e-9) + 0.25 * bool(votes))
        if best in spans:
            start, end = spans[best]
        elif not asks_or_offers or scores[best] < CATEGORY_THRESHOLD:
            return None
        else:
            start, end = 0, len(text)
        return entity("category", best, start, end, confidence)


def svm(matrix: Any, labels: list[str]) -> LinearScorer:
    """A linear SVM, every class weighted alike (no intent absorbs the others)."""
    from sklearn.svm import LinearSVC  # training only: answering needs numpy alone

    model = LinearSVC(C=INTENT_C, class_weight="balanced", max_iter=10_000, random_state=0)
    return scorer_of(model.fit(matrix, labels))


def logistic(matrix: Any, labels: list[str], c: float, *, balanced: bool) -> LinearScorer:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=c, max_iter=5000, class_weight="balanced" if balanced else None)
    return scorer_of(model.fit(matrix, labels))


def scorer_of(model: Any) -> LinearScorer:
    """A fitted scikit-learn linear classifier as plain arrays (nothing of scikit-learn is
    pickled, so that loading the model does not import it: the bot stays smaller)."""
    classes = [str(name) for name in model.classes_]
    weights, bias = model.coef_.T, model.intercept_
    if len(classes) == 2:  # scikit-learn keeps one column for two classes: make it a softmax
        weights = np.hstack([-weights / 2, weights / 2])
        bias = np.array([-bias[0] / 2, bias[0] / 2])
    return LinearScorer(np.ascontiguousarray(weights), np.asarray(bias), classes)


def fit_intents(texts: list[str], labels: list[str]) -> TextClassifier:
    """The intent classifier alone, on its own feature space (for the calibration folds)."""
    space, matrix = FeatureSpace.fit(FEATURE_BLOCKS, texts)
    return TextClassifier(space, svm(matrix, labels))


def train(data: TrainingData, progress: Callable[[str], None] | None = None) -> BuiltinModel:
    """Fit the intent, scam and category classifiers and the lexicon on the training examples."""
    say = progress or (lambda _message: None)
    texts = [e.text for e in data.examples]
    labels = [e.intent for e in data.examples]
    say(f"intents: {len(texts)} examples, {len(set(labels))} intents")
    space, matrix = FeatureSpace.fit(FEATURE_BLOCKS, texts)
    intents = svm(matrix, labels)
    temperature = fit_temperature(texts, labels, fit_intents, folds=5)
    scam_labels = [SCAM if e.scam else "other" for e in data.examples]
    scams = logistic(matrix, scam_labels, SCAM_C, balanced=True) if SCAM in scam_labels else None
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
    # Every category named in a request or an offer is one example (a message naming two
    # categories counts for both).
    rows, values = [], []
    for row, example in enumerate(data.examples):
        if example.intent in CATEGORY_INTENTS:
            for span in example.entities:
                if span.entity == "category":
                    rows.append(row)
                    values.append(span.value)
    categories = None
    if len(set(values)) >= 2:
        categories = logistic(matrix[rows], values, CATEGORY_C, balanced=False)
    say(f"done (temperature {temperature:.2f})")
    return BuiltinModel(space, intents, temperature, scams, categories, lexicon, data_hash="")


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


# Seconds of training per example on an ordinary laptop (about 20 s for 3 500 examples): what
# the first start announces before it trains.
SECONDS_PER_EXAMPLE = 0.006


def model_path(root: Path = DATA_ROOT) -> Path:
    """Where the model trained from the current data is cached."""
    return cache_dir() / f"builtin-{data_fingerprint(root)}.pkl"


def needs_training(root: Path = DATA_ROOT) -> bool:
    """Whether the next `load_or_train` trains (no cached model for the current data)."""
    return not model_path(root).exists()


def training_estimate(root: Path = DATA_ROOT) -> int:
    """Roughly how many seconds training takes, from the number of training examples."""
    return max(5, round(len(load_training_data(root).examples) * SECONDS_PER_EXAMPLE))


def load_or_train(
    root: Path = DATA_ROOT, *, retrain: bool = False, progress: Callable[[str], None] | None = None
) -> BuiltinModel:
    """The model for the current training data: from the cache, or trained and cached."""
    fingerprint = data_fingerprint(root)
    path = model_path(root)
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

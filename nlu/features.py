"""What the built-in classifiers see of a message, and a fast linear scorer over it.

A message becomes two bags of features, each TF-IDF weighted and normalised:
- character n-grams (2 to 5, inside word boundaries) of the normalised text: robust to typos,
  missing accents, SMS spelling ("jai", "qqn", "pr") and words glued together;
- words and word pairs, with the words that follow a negation marked ("pas_dispo",
  "not_available"), so that "je ne suis pas dispo" does not read like "je suis dispo".

Training uses scikit-learn; answering one message does not: `FeatureSpace` computes the same
TF-IDF vectors with plain dictionaries and `LinearScorer` sums rows of the weight matrix, which
takes a small fraction of a millisecond where scikit-learn's validation layers take several.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from nlu.text import fold

_REPEATED = re.compile(r"(\w)\1{2,}")  # "merciiii" -> "merci", "nooon" -> "noon"
_SPACES = re.compile(r"\s+")
_NOT_WORD = re.compile(r"[^a-z0-9]+")
_WORD = re.compile(r"[a-z0-9]+")
# Written elisions and SMS forms read as the words they stand for.
_REWRITES = [
    (re.compile(r"\bcan'?t\b"), "can not"),
    (re.compile(r"\bwon'?t\b"), "will not"),
    # don't, isnt, couldn't -> do not, is not, could not
    (
        re.compile(r"\b(do|does|did|is|are|was|were|have|has|had|could|would|should|ai)n'?t\b"),
        r"\1 not",
    ),
    (re.compile(r"\b(j|m|t|s|l|d|n|qu|c)'"), r"\1e "),  # j'ai -> je ai, l'aide -> le aide
]
NEGATIONS = frozenset(["pas", "plus", "jamais", "rien", "not", "no", "never", "nothing", "nobody"])
_NEGATION_REACH = 2  # words after a negation that it qualifies


def normalise(text: str) -> str:
    """Folded (lower case, no accents), letters repeated for emphasis squeezed, spaces single."""
    folded = _REPEATED.sub(r"\1\1", fold(text))
    return _SPACES.sub(" ", folded).strip()


def words_of(text: str) -> list[str]:
    """The words of a normalised text, elisions spelled out ("j'ai" -> "je ai")."""
    for pattern, replacement in _REWRITES:
        text = pattern.sub(replacement, text)
    return _WORD.findall(text)


def char_features(text: str) -> list[str]:
    """Character 2- to 5-grams of each word padded with spaces (as scikit-learn's char_wb)."""
    grams: list[str] = []
    for word in _NOT_WORD.sub(" ", normalise(text)).split():
        padded = f" {word} "
        size = len(padded)
        for n in range(2, 6):
            if n > size:
                break
            grams.extend(padded[i : i + n] for i in range(size - n + 1))
    return grams


def word_features(text: str) -> list[str]:
    """Words, the words a negation qualifies (again, marked), word pairs, a marker of the
    message's length (one word, two or three, more), its first word and first two words, and
    whether it asks a question."""
    words = words_of(normalise(text))
    negated_words: list[str] = []
    reach = 0
    for word in words:
        if word in NEGATIONS:
            reach = _NEGATION_REACH
        elif reach:
            negated_words.append(f"not_{word}")
            reach -= 1
    pairs = [f"{a} {b}" for a, b in itertools.pairwise(words)]
    length = "len:" + ("1" if len(words) <= 1 else "2-3" if len(words) <= 3 else "4+")
    # How a message opens tells a lot: "comment ..." asks how, "je prends ..." takes a task.
    opening = [f"first:{w}" for w in words[:1]] + [f"first2:{' '.join(words[:2])}"] * (
        len(words) > 1
    )
    question = ["q:?"] if "?" in text else []
    return [*words, *negated_words, *pairs, length, *opening, *question]


ANALYZERS: dict[str, Callable[[str], list[str]]] = {
    "chars": char_features,
    "words": word_features,
}


def vectorizer(name: str, min_df: int = 1) -> Any:
    """scikit-learn's TF-IDF for training (imported only then: answering needs numpy alone)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(analyzer=ANALYZERS[name], sublinear_tf=True, min_df=min_df)


@dataclass
class Block:
    """One fitted TF-IDF bag: its analyzer's name, vocabulary and inverse document frequencies."""

    analyzer: str
    vocabulary: dict[str, int]
    idf: np.ndarray
    offset: int  # where this block's columns start in the stacked weight matrix

    @classmethod
    def of(cls, name: str, fitted: Any, offset: int) -> Block:
        vocabulary = {str(k): int(v) for k, v in fitted.vocabulary_.items()}
        return cls(name, vocabulary, np.asarray(fitted.idf_, dtype=np.float64), offset)

    def vector(self, text: str) -> tuple[list[int], list[float]]:
        """Column indices and values of the L2-normalised sublinear TF-IDF vector of `text`."""
        counts = Counter(
            self.vocabulary[g] for g in ANALYZERS[self.analyzer](text) if g in self.vocabulary
        )
        if not counts:
            return [], []
        columns = list(counts)
        values = [(1.0 + math.log(counts[c])) * float(self.idf[c]) for c in columns]
        norm = math.sqrt(sum(v * v for v in values))
        return [self.offset + c for c in columns], [v / norm for v in values]


Vector = tuple[list[int], list[float]]  # column indices and values of a sparse vector


@dataclass
class FeatureSpace:
    """The fitted blocks side by side. The vector of the last text read is kept: the intent,
    scam and category scorers of one message share it, so the text is read only once."""

    blocks: list[Block]

    def __post_init__(self) -> None:
        self._last: tuple[str, Vector] | None = None

    @property
    def width(self) -> int:
        return sum(len(block.vocabulary) for block in self.blocks)

    def vector(self, text: str) -> Vector:
        last = self._last  # one read: another thread may replace it meanwhile
        if last is not None and last[0] == text:
            return last[1]
        columns: list[int] = []
        values: list[float] = []
        for block in self.blocks:
            c, v = block.vector(text)
            columns += c
            values += v
        self._last = (text, (columns, values))
        return columns, values

    def __getstate__(self) -> dict[str, object]:
        return {"blocks": self.blocks}  # the memo is not worth storing

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._last = None

    @classmethod
    def fit(cls, names: Sequence[str], texts: Sequence[str]):  # type: ignore[no-untyped-def]
        """Fit one vectorizer per analyzer on `texts`: the space and the texts' matrix."""
        from scipy.sparse import hstack

        blocks: list[Block] = []
        matrices = []
        offset = 0
        for name in names:
            fitted = vectorizer(name)
            matrices.append(fitted.fit_transform(texts))
            blocks.append(Block.of(name, fitted, offset))
            offset += len(fitted.vocabulary_)
        return cls(blocks), hstack(matrices).tocsr()


@dataclass
class LinearScorer:
    """Scores of a linear model over a feature space: weights[columns] · values + bias."""

    weights: np.ndarray  # (features, classes)
    bias: np.ndarray  # (classes,)
    classes: list[str]

    def scores(self, vector: Vector) -> np.ndarray:
        columns, values = vector
        if not columns:
            return self.bias.copy()
        return np.asarray(values) @ self.weights[columns] + self.bias


@dataclass
class TextClassifier:
    """A feature space and a scorer over it: scores straight from a text."""

    space: FeatureSpace
    scorer: LinearScorer

    @property
    def classes(self) -> list[str]:
        return self.scorer.classes

    def scores(self, text: str) -> np.ndarray:
        return self.scorer.scores(self.space.vector(text))


def transform(space: FeatureSpace, texts: Sequence[str]):  # type: ignore[no-untyped-def]
    """The sparse matrix of `texts` in a fitted space (for evaluations and experiments)."""
    from scipy.sparse import csr_matrix

    rows: list[int] = []
    columns: list[int] = []
    values: list[float] = []
    for row, text in enumerate(texts):
        c, v = space.vector(text)
        rows += [row] * len(c)
        columns += c
        values += v
    return csr_matrix((values, (rows, columns)), shape=(len(texts), space.width))

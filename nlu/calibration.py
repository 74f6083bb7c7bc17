"""Confidences that mean what they say: temperature scaling fitted on held-out folds.

A linear classifier's scores are no probabilities, and a model trained to fit its data is
over-sure of itself on messages it never saw. Its scores are divided by one temperature T before
the softmax; T is the value that makes the confidences of out-of-fold predictions (each training
example scored by a model that did not see it) best match how often they are right (lowest
log-loss). One number: it cannot overfit, and the ranking of the intents, hence accuracy, is
unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np

TEMPERATURES = np.exp(np.linspace(np.log(0.02), np.log(5.0), 111))


class Scorer(Protocol):
    classes: list[str]

    def scores(self, text: str) -> np.ndarray: ...


def softmax(scores: np.ndarray) -> np.ndarray:
    shifted = np.exp(scores - scores.max())
    return shifted / shifted.sum()


def out_of_fold_scores(
    texts: Sequence[str],
    labels: Sequence[str],
    fit: Callable[[list[str], list[str]], Scorer],
    folds: int,
    seed: int = 0,
) -> tuple[np.ndarray, list[str]]:
    """Each example's scores from a model trained on the other folds; the class order."""
    from sklearn.model_selection import StratifiedKFold  # training only

    classes = sorted(set(labels))
    scores = np.zeros((len(texts), len(classes)))
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train_rows, test_rows in splitter.split(np.zeros(len(labels)), labels):
        scorer = fit([texts[i] for i in train_rows], [labels[i] for i in train_rows])
        order = [scorer.classes.index(name) for name in classes]
        for row in test_rows:
            scores[row] = scorer.scores(texts[row])[order]
    return scores, classes


def best_temperature(scores: np.ndarray, gold: np.ndarray) -> float:
    """The temperature of lowest log-loss for these scores and gold class indices."""

    def log_loss(temperature: float) -> float:
        scaled = scores / temperature
        scaled = scaled - scaled.max(axis=1, keepdims=True)
        log_norm = np.log(np.exp(scaled).sum(axis=1))
        return float(np.mean(log_norm - scaled[np.arange(len(gold)), gold]))

    return float(min(TEMPERATURES, key=log_loss))


def fit_temperature(
    texts: Sequence[str],
    labels: Sequence[str],
    fit: Callable[[list[str], list[str]], Scorer],
    folds: int = 5,
) -> float:
    scores, classes = out_of_fold_scores(texts, labels, fit, folds)
    gold = np.array([classes.index(label) for label in labels])
    return best_temperature(scores, gold)

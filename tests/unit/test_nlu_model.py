"""The pieces of the built-in model: features, the fast scorer, calibration, the scam signal."""

from __future__ import annotations

import numpy as np
import pytest

from core.dialogue.flows.understanding import LOW_CONFIDENCE
from nlu.calibration import best_temperature, softmax
from nlu.evaluation import ACT_THRESHOLD, EVALUATION_NOW, calibration_error
from nlu.features import FeatureSpace, char_features, transform, word_features
from nlu.interpreter import SCAM_THRESHOLD, BuiltinInterpreter


def test_the_words_after_a_negation_are_marked() -> None:
    features = word_features("Je ne suis pas dispo demain")
    assert "not_dispo" in features and "dispo" in features
    assert "not_available" in word_features("I won't be available")
    assert "not_available" not in word_features("I'm available tomorrow")


def test_elisions_accents_and_repeated_letters_are_read_alike() -> None:
    assert word_features("J'ai FINI !!") == [
        *("je", "ai", "fini", "je ai", "ai fini"),
        *("len:2-3", "first:je", "first2:je ai"),
    ]
    assert set(char_features("mercii")) == set(char_features("MERCIIIII"))
    assert set(char_features("Réparé")) == set(char_features("repare"))


def test_the_fast_vectors_are_those_of_scikit_learn() -> None:
    texts = ["je prends la mission de jeudi", "I'll take thursday's job", "au secours"]
    space, matrix = FeatureSpace.fit(("chars", "words"), texts)
    again = transform(space, [*texts, "un message jamais vu"])
    assert np.allclose(again[:3].toarray(), matrix.toarray())
    assert again[3].nnz > 0  # unseen words still share character n-grams


def test_the_temperature_that_fits_is_found() -> None:
    rng = np.random.default_rng(0)
    scores = rng.normal(size=(4000, 3)) * 3
    true_temperature = 2.0
    gold = np.array([rng.choice(3, p=softmax(row / true_temperature)) for row in scores])
    assert best_temperature(scores, gold) == pytest.approx(true_temperature, rel=0.15)


def test_calibration_error_is_zero_when_confidence_matches_accuracy() -> None:
    assert calibration_error([0.75] * 4, [True, True, True, False]) == pytest.approx(0.0)
    assert calibration_error([0.9] * 2, [False, False]) == pytest.approx(0.9)


def test_the_evaluation_counts_as_acted_on_what_the_dialogue_acts_on() -> None:
    assert ACT_THRESHOLD == LOW_CONFIDENCE


@pytest.mark.parametrize(
    "text",
    [
        "Votre colis est en attente, réglez 1,99€ de frais ici : http://suivi-colis.example",
        "Hi mum, new number, I need £400 for a bill today, can you transfer it?",
        "Bonjour, conseiller bancaire, donnez-moi le code reçu par SMS pour bloquer la fraude",
    ],
)
def test_a_forwarded_scam_is_out_of_scope_and_carries_the_scam_signal(
    interpreter: BuiltinInterpreter, text: str
) -> None:
    understood = interpreter.parse_sync(text, now=EVALUATION_NOW)
    assert understood.intent == "out_of_scope"
    assert understood.scam >= SCAM_THRESHOLD
    assert understood.entity("scam") == "scam"
    assert understood.entity("category") is None
    scam = next(e for e in understood.as_rasa()["entities"] if e["entity"] == "scam")
    assert scam["confidence_entity"] == pytest.approx(understood.scam, abs=1e-3)


@pytest.mark.parametrize(
    "text",
    [
        "Pourriez-vous m'emmener chez le cardiologue mardi ?",
        "I need someone to collect a parcel from the post office for me",
        "qqn pour payer ma facture en ligne avec moi ? je n'y arrive pas",
    ],
)
def test_a_genuine_request_carries_no_scam_signal(
    interpreter: BuiltinInterpreter, text: str
) -> None:
    understood = interpreter.parse_sync(text, now=EVALUATION_NOW)
    assert understood.intent == "request_help"
    assert understood.scam < SCAM_THRESHOLD
    assert understood.entity("scam") is None


@pytest.mark.parametrize(
    "text",
    [
        "pouvez-vous m'emmener chez le cardiologue jeudi ?",
        "I fell last week, could someone come shopping with me",
        "ce n'est pas urgent mais mon robinet fuit",
    ],
)
def test_a_calm_health_request_is_no_emergency(interpreter: BuiltinInterpreter, text: str) -> None:
    assert interpreter.parse_sync(text, now=EVALUATION_NOW).intent == "request_help"

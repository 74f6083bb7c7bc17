"""The first start says what it does: the language model's training is announced, with its
duration and a progress bar, and only when there is no trained model yet (issue 11)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bots import bootstrap
from nlu import builtin


def test_without_a_cached_model_the_next_start_trains_and_says_about_how_long(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ENTRAIDE_CACHE_DIR", str(tmp_path))
    assert builtin.needs_training()
    seconds = builtin.training_estimate()
    examples = len(builtin.load_training_data().examples)
    assert seconds == max(5, round(examples * builtin.SECONDS_PER_EXAMPLE))
    builtin.model_path().parent.mkdir(parents=True)
    builtin.model_path().write_bytes(b"")
    assert not builtin.needs_training()


def test_the_first_training_is_announced_in_french_and_english_with_its_progress(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    steps: list[str] = []

    def train(*, progress: object = None) -> None:
        assert callable(progress)
        for step in ("intents", "categories", "done"):
            progress(step)
            steps.append(step)

    monkeypatch.setattr(builtin, "needs_training", lambda: True)
    monkeypatch.setattr(builtin, "training_estimate", lambda: 21)
    monkeypatch.setattr(builtin, "load_or_train", train)
    out = io.StringIO()
    bootstrap.prepare_language_model(out)
    printed = out.getvalue()
    assert "Première fois\u00a0: entraînement du modèle de langue, environ 21 s" in printed
    assert "First start: training the language model, about 21 s" in printed
    assert steps == ["intents", "categories", "done"]
    assert printed.index("environ 21 s") < printed.index("Language model ready")


def test_a_cached_model_starts_without_a_word(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(builtin, "needs_training", lambda: False)
    out = io.StringIO()
    bootstrap.prepare_language_model(out)
    assert out.getvalue() == ""

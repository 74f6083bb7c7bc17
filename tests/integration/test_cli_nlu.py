"""`entraide nlu parse` and `entraide nlu eval` as a script would use them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def entraide(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("RASA_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "bots.cli", *args],
        input=stdin,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_nlu_parse_prints_one_rasa_shaped_json_object_per_line() -> None:
    done = entraide(
        "nlu",
        "parse",
        stdin="au secours je suis tombée\n\nI need a lift to the doctor on Friday\n",
    )
    assert done.returncode == 0, done.stderr
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert [a["intent"]["name"] for a in answers] == ["emergency", "request_help"]
    assert [a["language"] for a in answers] == ["fr", "en"]
    assert all({"text", "intent", "entities", "intent_ranking"} <= set(a) for a in answers)


def test_nlu_parse_uses_the_language_it_is_given() -> None:
    done = entraide("nlu", "parse", "--lang", "en", stdin="merci beaucoup\n")
    assert json.loads(done.stdout)["language"] == "en"


def test_nlu_eval_reports_accuracy_recall_and_latency(tmp_path: Path) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text(
        json.dumps(
            {
                "text": "je ne peux plus respirer",
                "lang": "fr",
                "intent": "emergency",
                "category": None,
            }
        )
        + "\n"
        + json.dumps(
            {
                "text": "could someone walk my dog tomorrow?",
                "lang": "en",
                "intent": "request_help",
                "category": "pets",
            }
        )
        + "\n",
        encoding="utf-8",
    )
    done = entraide("nlu", "eval", str(cases))
    assert done.returncode == 0, done.stderr
    for figure in ("accuracy", "macro-F1", "category accuracy", "emergency recall", "p50"):
        assert figure in done.stdout


def test_nlu_eval_refuses_a_malformed_file_in_one_sentence(tmp_path: Path) -> None:
    broken = tmp_path / "broken.jsonl"
    broken.write_text("{not json\n", encoding="utf-8")
    done = entraide("nlu", "eval", str(broken))
    assert done.returncode == 1 and "Traceback" not in done.stderr and "not JSON" in done.stderr


def test_the_rasa_backend_without_a_server_address_is_a_clear_error() -> None:
    done = entraide("nlu", "parse", "--backend", "rasa", stdin="bonjour\n")
    assert done.returncode == 1 and "RASA_URL" in done.stderr and "Traceback" not in done.stderr

"""`entraide nlu parse|eval|train`: the NLU from the command line."""

from __future__ import annotations

import asyncio
import json
import sys
from enum import StrEnum
from pathlib import Path

import typer

from core.config import load_settings

app = typer.Typer(
    help="Understanding free text (intents, categories, dates).", no_args_is_help=True
)


class Backend(StrEnum):
    BUILTIN = "builtin"
    RASA = "rasa"


class Language(StrEnum):
    FR = "fr"
    EN = "en"


def _interpreter(backend: Backend | None):
    from nlu.interpreter import interpreter_from_settings

    try:
        return interpreter_from_settings(
            load_settings().rasa_url, backend.value if backend else None
        )
    except ValueError as exc:
        typer.secho(str(exc), err=True, fg=typer.colors.RED)
        raise typer.Exit(1) from exc


@app.command()
def parse(
    lang: Language | None = typer.Option(None, "--lang", help="Otherwise it is detected."),
    backend: Backend | None = typer.Option(None, "--backend", help="Default: rasa if RASA_URL."),
) -> None:
    """Read one message per line on stdin; print one JSON object per line (Rasa's shape)."""
    interpreter = _interpreter(backend)
    timezone = load_settings().default_timezone

    async def run() -> None:
        for line in sys.stdin:
            text = line.rstrip("\n")
            if not text.strip():
                continue
            understood = await interpreter.parse(
                text, language=lang.value if lang else None, timezone=timezone
            )
            result = understood.as_rasa()
            if lang:
                result["language"] = lang.value
            sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
            sys.stdout.flush()

    asyncio.run(run())


@app.command("eval")
def evaluate(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="JSONL test set."),
    backend: Backend | None = typer.Option(None, "--backend"),
    errors: bool = typer.Option(False, "--errors", help="Also list every misclassified message."),
) -> None:
    """Accuracy, macro-F1, per-intent precision/recall, confusions, category accuracy, emergency
    recall and false-emergency rate, the accuracy of what the bot acts on (confidence >= 0.45)
    and the share it asks about, calibration error, scam texts flagged, latency."""
    from nlu.evaluation import evaluate as run_evaluation
    from nlu.evaluation import format_report, load_cases

    try:
        cases = load_cases(file)
    except ValueError as exc:
        typer.secho(str(exc), err=True, fg=typer.colors.RED)
        raise typer.Exit(1) from exc
    report = asyncio.run(run_evaluation(_interpreter(backend), cases))
    typer.echo(format_report(report))
    if errors:
        for error in report.errors:
            typer.echo(json.dumps(error, ensure_ascii=False))


@app.command()
def train() -> None:
    """Retrain the built-in model from nlu/data and store it in the cache."""
    from nlu.builtin import cache_dir, load_or_train

    with typer.progressbar(length=4, label="Training the built-in model") as bar:
        steps: list[str] = []

        def progress(message: str) -> None:
            steps.append(message)
            bar.update(1)

        load_or_train(retrain=True, progress=progress)
        bar.update(4 - len(steps))
    for step in steps:
        typer.echo(f"  {step}")
    typer.echo(f"Model stored in {cache_dir()}")

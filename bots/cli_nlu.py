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


@app.command()
def review(
    lang: Language | None = typer.Option(None, "--lang", help="Only messages in this language."),
    limit: int = typer.Option(50, "--limit", min=1, max=200, help="At most this many messages."),
    holdout: list[Path] = typer.Option(
        [],
        "--holdout",
        exists=True,
        dir_okay=False,
        help="A hold-out set (JSONL) the new model must not be worse on; repeat for several. "
        "Default: tests/data/nlu_holdout.jsonl and tests/data/nlu_independent.jsonl.",
    ),
    data: Path | None = typer.Option(
        None, "--data", file_okay=False, help="The training data (default: nlu/data)."
    ),
) -> None:
    """Label the messages the bot was unsure of or that members corrected (Enter accepts the
    proposed label, a number picks another, s skips, d drops, q quits); write them to
    nlu/data/<lang>/reviewed.yml, retrain, and keep the new model only if it is not worse on
    the hold-out sets."""
    from bots import cli_common
    from bots.cli_review import DEFAULT_HOLDOUTS, review_session
    from nlu.training_data import DATA_ROOT

    holdouts = list(holdout) or [path for path in DEFAULT_HOLDOUTS if path.exists()]
    if not holdouts:
        cli_common.fail("No hold-out set to measure a new model on: give one with --holdout.")
    cli_common.run_with_core(
        lambda core: review_session(
            core,
            read=sys.stdin.readline,
            say=typer.echo,
            root=data or DATA_ROOT,
            holdouts=holdouts,
            language=lang.value if lang else None,
            limit=limit,
        )
    )

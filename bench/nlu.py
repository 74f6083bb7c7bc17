"""Built-in NLU versus a real Rasa 3.6 (DIET on the same nlu/data), on the independent hold-out.

Prints accuracy, emergency recall, category accuracy and per-message latency side by side, then
the contract line: `builtin_accuracy=<a> rasa_accuracy=<b> builtin_p50_ms=<c> rasa_p50_ms=<d>`.
Rasa is set up, trained and served on loopback by `scripts/rasa` (cached between runs).

The default set is `tests/data/nlu_independent.jsonl`, written by people who never saw the
training data (`tests/data/README.md`); `--holdout` measures on another one.

    python bench/nlu.py [--holdout tests/data/nlu_independent.jsonl] [--port 5077]
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nlu.evaluation import Report, evaluate, load_cases  # noqa: E402
from nlu.interpreter import BuiltinInterpreter, RasaInterpreter  # noqa: E402

RASA = ROOT / "scripts" / "rasa"


def start_rasa(port: int) -> subprocess.Popen[bytes]:
    """Set up, train and serve Rasa; return the server once it answers."""
    subprocess.run([str(RASA), "setup"], check=True)
    subprocess.run([str(RASA), "train"], check=True, stdout=subprocess.DEVNULL)
    server = subprocess.Popen(
        [str(RASA), "serve", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("the Rasa server stopped while starting")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2):
                return server
        except OSError:
            time.sleep(2)
    server.terminate()
    raise SystemExit("the Rasa server did not answer within 300 s")


def row(name: str, report: Report) -> str:
    return (
        f"{name:<22}{report.accuracy:>9.3f}{report.macro_f1:>9.3f}"
        f"{report.emergency_recall:>11.3f}{report.false_emergency_rate:>11.3f}"
        f"{report.category_accuracy:>10.3f}"
        f"{report.latency_p50_ms:>10.2f}{report.latency_p99_ms:>10.2f}"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--holdout", type=Path, default=ROOT / "tests/data/nlu_independent.jsonl")
    parser.add_argument("--port", type=int, default=5077)
    args = parser.parse_args()
    cases = load_cases(args.holdout)

    builtin = BuiltinInterpreter()
    await evaluate(builtin, cases[:20])  # warm-up, as for Rasa below
    builtin_report = await evaluate(builtin, cases)

    server = start_rasa(args.port)
    try:
        rasa = RasaInterpreter(f"http://127.0.0.1:{args.port}", builtin, timeout=10)
        await evaluate(rasa, cases[:20])
        rasa_report = await evaluate(rasa, cases)
    finally:
        server.terminate()
        server.wait(timeout=30)
    if rasa.fallbacks:
        raise SystemExit(f"Rasa failed {rasa.fallbacks} times during the run: no fair comparison")

    print(f"hold-out: {len(cases)} messages ({args.holdout.name})")
    print(
        f"{'backend':<22}{'accuracy':>9}{'macro-F1':>9}{'emerg. rec':>11}{'false em.':>11}"
        f"{'category':>10}"
        f"{'p50 ms':>10}{'p99 ms':>10}"
    )
    print(row("built-in", builtin_report))
    print(row("rasa 3.6 DIET", rasa_report))
    speedup = rasa_report.latency_p50_ms / max(builtin_report.latency_p50_ms, 1e-6)
    print(
        f"built-in is {speedup:.1f}x faster per message (p50); both backends share our date "
        f"resolver and the emergency safety net"
    )
    print(
        f"builtin_accuracy={builtin_report.accuracy:.3f} rasa_accuracy={rasa_report.accuracy:.3f} "
        f"builtin_p50_ms={builtin_report.latency_p50_ms:.2f} "
        f"rasa_p50_ms={rasa_report.latency_p50_ms:.2f}"
    )


if __name__ == "__main__":
    asyncio.run(main())

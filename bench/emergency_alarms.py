"""How the conversation's emergency rule treats a labelled set of messages: alarms, questions.

A message outside any flow sounds the alarm on the keyword net
(`danger_words.looks_like_emergency`) or a clear score of the built-in NLU
(`emergency.CLEAR_EMERGENCY`); a weaker emergency guess asks "Are you in danger?". Prints
only counts (never a message), by true label and verdict, then
`false_alarms=<n> asked=<m> others=<t> missed_emergencies=<k> emergencies=<e>`.

    python bench/emergency_alarms.py [tests/data/nlu_independent.jsonl]
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.dialogue.danger_words import looks_like_emergency  # noqa: E402
from core.dialogue.flows.emergency import CLEAR_EMERGENCY  # noqa: E402
from nlu.interpreter import EMERGENCY, BuiltinInterpreter  # noqa: E402

ALARM_NET, ALARM_SCORE, ASKED, NOTHING = "alarm (keyword net)", "alarm (clear score)", "asked", "-"


async def verdict(nlu: BuiltinInterpreter, text: str, language: str | None) -> str:
    """What the conversation does with `text` written outside any flow."""
    if looks_like_emergency(text):
        return ALARM_NET
    understood = await nlu.parse(text, language=language, timezone="Europe/Paris", now=None)
    if understood.intent != EMERGENCY:
        return NOTHING
    return ALARM_SCORE if understood.confidence >= CLEAR_EMERGENCY else ASKED


async def main(path: Path) -> None:
    nlu = BuiltinInterpreter()
    counts: Counter[tuple[str, str]] = Counter()
    for line in path.read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        truth = EMERGENCY if case["intent"] == EMERGENCY else "other"
        counts[truth, await verdict(nlu, case["text"], case.get("lang"))] += 1
    for truth in ("other", EMERGENCY):
        print(f"{truth}: {sum(n for (t, _), n in counts.items() if t == truth)}")
        for (t, seen), n in sorted(counts.items()):
            if t == truth:
                print(f"  {seen}: {n}")
    others = sum(n for (t, _), n in counts.items() if t == "other")
    emergencies = sum(n for (t, _), n in counts.items() if t == EMERGENCY)
    print(
        f"false_alarms={counts['other', ALARM_NET] + counts['other', ALARM_SCORE]}"
        f" asked={counts['other', ASKED]} others={others}"
        f" missed_emergencies={counts[EMERGENCY, NOTHING]} emergencies={emergencies}"
    )


DEFAULT_SET = ROOT / "tests" / "data" / "nlu_independent.jsonl"

if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SET))

"""`entraide nlu review`: a coordinator labels, in the terminal, the messages the bot kept.

For each message (anonymised, see `core/services/learning.py`): Enter accepts the proposed
intent (the member's pick if they made one, else the bot's guess), a number picks another,
`s` skips it (it stays for later), `d` drops it, `q` quits (what was labelled so far is used).
For a request or an offer, the category is asked the same way, `n` for none.

Then the labelled messages are written to `nlu/data/<lang>/reviewed.yml`, the built-in model is
retrained, and the new model is kept only if it is not worse than the old one on every hold-out
set (intent and category accuracy, emergency recall, false emergencies); otherwise the files
are put back as they were, so the old model stays in use, and the reviewer is told why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from core.app import Core
from core.domain.review import ReviewStatus
from core.services import learning
from nlu.builtin import CATEGORY_INTENTS, BuiltinModel, load_or_train
from nlu.intents import CATEGORIES, INTENTS
from nlu.reviewed import ReviewedExample, category_span, compare, restore, write_reviewed

ROOT = Path(__file__).resolve().parents[1]
# The hold-out sets a new model is measured on, when they are present (a source checkout).
DEFAULT_HOLDOUTS = (
    ROOT / "tests" / "data" / "nlu_holdout.jsonl",
    ROOT / "tests" / "data" / "nlu_independent.jsonl",
)
SKIP, DROP, QUIT = "skip", "drop", "quit"


@dataclass
class Pending:
    """A message to review, read out of its transaction."""

    id: int
    text: str
    language: str
    reason: str
    guessed_intent: str
    confidence: float
    guessed_category: str | None
    picked_intent: str | None
    picked_category: str | None


class Reviewer:
    """The questions of one review session, on a line reader and a printer."""

    def __init__(self, read: Callable[[], str], say: Callable[[str], None]) -> None:
        self.read, self.say = read, say

    def choose(self, what: str, options: tuple[str, ...], default: str | None, none: bool) -> str:
        """An option (Enter: the default), SKIP, DROP, QUIT, or "" for none."""
        keys = "s = skip, d = drop, q = quit" + (", n = none" if none else "")
        proposed = f"Enter = {default}, " if default else ""
        self.say(f"{what}? {proposed}a number, or {keys}")
        self.say("  " + "  ".join(f"{n} {o}" for n, o in enumerate(options, start=1)))
        while True:
            line = self.read()
            if not line:  # end of input: stop here
                return QUIT
            answer = line.strip().lower()
            if answer == "" and default:
                return default
            if answer in ("s", "d", "q"):
                return {"s": SKIP, "d": DROP, "q": QUIT}[answer]
            if answer == "n" and none:
                return ""
            if answer.isdigit() and 1 <= int(answer) <= len(options):
                return options[int(answer) - 1]
            if answer in options:
                return answer
            self.say(f"Please type a number from 1 to {len(options)}, or {keys}.")

    def words_for(self, text: str, category: str) -> tuple[int, int] | None:
        """The words of `text` that name the category, typed by the reviewer (Enter: none)."""
        self.say(f"Which words say {category}? Type them as written (Enter: none)")
        typed = " ".join(self.read().split())
        start = text.lower().find(typed.lower()) if typed else -1
        if start < 0:
            if typed:
                self.say("These words are not in the message: no category words kept.")
            return None
        return category_span(text, start, start + len(typed))


def span_of(model: BuiltinModel, text: str, category: str) -> tuple[int, int] | None:
    """Where the model's lexicon sees `category` named in `text`."""
    _votes, spans = model.lexicon.evidence(text)
    if category not in spans:
        return None
    return category_span(text, *spans[category])


async def review_session(
    core: Core,
    *,
    read: Callable[[], str],
    say: Callable[[str], None],
    root: Path,
    holdouts: list[Path],
    language: str | None = None,
    limit: int = 50,
) -> str:
    """Label, write, retrain, keep or reject; return "kept", "rejected" or "nothing"."""
    async with core.uow() as uow:
        items = [
            Pending(
                i.id,
                i.text,
                i.language,
                i.reason,
                i.guessed_intent,
                i.confidence,
                i.guessed_category,
                i.picked_intent,
                i.picked_category,
            )
            for i in await learning.pending(uow, language=language, limit=limit)
        ]
    if not items:
        say("Nothing to review.")
        return "nothing"
    model = load_or_train(root)
    reviewer = Reviewer(read, say)
    labelled: list[tuple[Pending, ReviewedExample]] = []
    dropped: list[int] = []
    for number, item in enumerate(items, start=1):
        decision = _review_one(reviewer, model, item, number, len(items))
        if decision == QUIT:
            break
        if decision == DROP:
            dropped.append(item.id)
        elif isinstance(decision, ReviewedExample):
            labelled.append((item, decision))
    async with core.uow() as uow:
        for item, example in labelled:
            await learning.label(
                uow, item.id, intent=example.intent, category=example.category, intents=INTENTS
            )
        await learning.settle(uow, dropped, ReviewStatus.DROPPED)
        await uow.commit()
    say(f"{len(labelled)} labelled, {len(dropped)} dropped.")
    if not labelled:
        return "nothing"
    return await _retrain(core, say, root, holdouts, model, labelled)


def _review_one(
    reviewer: Reviewer, model: BuiltinModel, item: Pending, number: int, total: int
) -> ReviewedExample | str:
    say = reviewer.say
    say("")
    say(f"Message {number} of {total} ({item.language}, {item.reason}): {item.text}")
    picked = f"; the member picked {item.picked_intent}" if item.picked_intent else ""
    say(f"The bot understood {item.guessed_intent} ({item.confidence:.2f}){picked}.")
    intent = reviewer.choose("Intent", INTENTS, item.picked_intent or item.guessed_intent, False)
    if intent in (SKIP, DROP, QUIT):
        return intent
    category: str | None = None
    span = None
    if intent in CATEGORY_INTENTS:
        proposed = item.picked_category or item.guessed_category
        chosen = reviewer.choose("Category", CATEGORIES, proposed, True)
        if chosen in (SKIP, DROP, QUIT):
            return chosen
        category = chosen or None
        if category is not None:
            span = span_of(model, item.text, category) or reviewer.words_for(item.text, category)
    return ReviewedExample(item.text, intent, item.language, category if span else None, span)


async def _retrain(
    core: Core,
    say: Callable[[str], None],
    root: Path,
    holdouts: list[Path],
    old: BuiltinModel,
    labelled: list[tuple[Pending, ReviewedExample]],
) -> str:
    previous = write_reviewed(root, [example for _item, example in labelled])
    say(f"Written to {', '.join(str(p) for p in previous)}. Training the new model...")
    new = load_or_train(root, retrain=True)
    comparisons = await compare(old, new, holdouts)
    reasons = [reason for c in comparisons for reason in c.worse()]
    for comparison in comparisons:
        say("  " + comparison.summary())
    ids = [item.id for item, _example in labelled]
    async with core.uow() as uow:
        if reasons:
            restore(previous)
            await learning.settle(uow, ids, ReviewStatus.REJECTED)
        else:
            await learning.settle(uow, ids, ReviewStatus.WRITTEN)
        await uow.commit()
    names = ", ".join(path.name for path in holdouts)
    if reasons:
        load_or_train(root)  # the old model, from the cache, for the data as it was
        say(f"Kept the old model: the new one is worse on the hold-out sets ({names}).")
        for reason in reasons:
            say(f"  - {reason}")
        say("The reviewed examples were not added to the training data.")
        return "rejected"
    say(f"Kept the new model: it is not worse on the hold-out sets ({names}).")
    say("Restart the bot to use it.")
    return "kept"

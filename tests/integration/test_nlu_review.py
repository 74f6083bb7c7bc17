"""Learning from use, the whole cycle: a member's unclear message is kept (with her consent,
anonymised), her pick is added, a coordinator labels it with `entraide nlu review` through
stdin, it is written to reviewed.yml, the model is retrained, and the new model is kept only
if it is not worse on the hold-out set (otherwise the old one stays and the reviewer is told).

The training data here is a small one written for these tests (a model trains in a second);
the real data and the real hold-out sets are left alone.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner, Result

from bots.cli import app
from core.dialogue.engine import ConversationEngine
from core.domain.model import ReviewConsent, ReviewItem
from core.scheduling.retention import prune
from nlu.builtin import load_or_train
from nlu.interpreter import BuiltinInterpreter
from tests.conftest import Cooperative, FrozenClock
from tests.integration.test_conversation import as_member, say

EXAMPLES = {
    "greet": [
        "bonjour",
        "bonjour à tous",
        "salut",
        "coucou",
        "bonsoir",
        "bonjour madame",
        "bonjour tout le monde",
        "hello",
    ],
    "thanks": [
        "merci",
        "merci beaucoup",
        "merci bien",
        "grand merci",
        "merci pour tout",
        "merci infiniment",
        "je vous remercie",
        "mille mercis",
    ],
    "task_done": [
        "c'est fait",
        "j'ai terminé",
        "mission terminée",
        "c'est fini",
        "terminé",
        "j'ai fini la mission",
        "tout est fait",
        "c'est bon c'est fait",
    ],
    "cancel_request": [
        "annulez ma demande",
        "je veux annuler",
        "annuler la demande",
        "plus besoin, annulez",
        "supprimez ma demande",
        "annulation svp",
        "j'annule",
        "oubliez ma demande",
    ],
    "request_help": [
        'il me faut de l\'aide pour [les courses]{"entity": "category", "value": "shopping"}',
        'quelqu\'un pour [les courses]{"entity": "category", "value": "shopping"} jeudi',
        'aide pour [faire mes courses]{"entity": "category", "value": "shopping"}',
        'j\'ai besoin d\'aide pour [tondre]{"entity": "category", "value": "gardening"}',
        'quelqu\'un pour [tondre la pelouse]{"entity": "category", "value": "gardening"}',
        'aide pour [le jardin]{"entity": "category", "value": "gardening"} samedi',
        'besoin d\'un coup de main pour [les courses]{"entity": "category", "value": "shopping"}',
        'qui peut [tailler la haie]{"entity": "category", "value": "gardening"}',
    ],
}
UNCLEAR = "Le petit de Mme Martin a rangé la remise, appelez-moi au 06 11 22 33 44"


def write_data(root: Path) -> None:
    (root / "fr").mkdir(parents=True)
    body = "".join(
        f"- intent: {intent}\n  examples: |\n" + "".join(f"    - {e}\n" for e in examples)
        for intent, examples in EXAMPLES.items()
    )
    (root / "fr" / "nlu.yml").write_text('version: "3.1"\nnlu:\n' + body, encoding="utf-8")


def write_holdout(path: Path, cases: list[tuple[str, str]]) -> Path:
    path.write_text(
        "".join(json.dumps({"text": t, "lang": "fr", "intent": i}) + "\n" for t, i in cases),
        encoding="utf-8",
    )
    return path


@dataclass
class Unsure:
    """An NLU that is never sure (so the bot offers meanings), task_done first."""

    understood: list[str] = field(default_factory=list)

    async def parse(self, text: str, **_: Any) -> Any:
        from nlu.interpreter import Understanding

        ranking = [("task_done", 0.3), ("request_help", 0.25), ("greet", 0.2)]
        return Understanding(text, "task_done", 0.3, ranking, [], "fr")


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ENTRAIDE_CACHE_DIR", str(tmp_path / "cache"))
    root = tmp_path / "data"
    write_data(root)
    return root


async def review(
    coop: Cooperative, *args: str, stdin: str, monkeypatch: pytest.MonkeyPatch
) -> Result:
    """`entraide nlu review ...` on this test's database, run as a coordinator would."""
    monkeypatch.setenv("ENTRAIDE_DATABASE_URL", coop.core.settings.database_url)
    monkeypatch.setenv("ENTRAIDE_AUTO_MIGRATE", "false")
    monkeypatch.setenv("ENTRAIDE_CONFIG_FILE", "/nonexistent/entraide.toml")
    monkeypatch.delenv("RASA_URL", raising=False)
    result = await asyncio.to_thread(CliRunner().invoke, app, ["nlu", "review", *args], stdin)
    assert "Traceback" not in result.output
    return result


async def kept_messages(coop: Cooperative) -> list[ReviewItem]:
    async with coop.core.uow() as uow:
        return list(
            (await uow.session.execute(select(ReviewItem).order_by(ReviewItem.id))).scalars()
        )


async def an_unclear_message_from_bob(coop: Cooperative, text: str = UNCLEAR) -> None:
    """Bob said yes to keeping his messages, wrote an unclear one, then pressed "My tasks"."""
    engine = ConversationEngine(coop.core, Unsure())
    await as_member(coop.core, "bob", coop.bob)
    await say(engine, "bob", action="learning_on")
    replies = await say(engine, "bob", text)
    assert replies[-1].key.startswith("I am not sure I understood")
    await say(engine, "bob", action="my_tasks")


async def test_without_consent_nothing_is_kept_and_saying_no_deletes_what_was_kept(
    coop: Cooperative,
) -> None:
    engine = ConversationEngine(coop.core, Unsure())
    await as_member(coop.core, "bob", coop.bob)
    await say(engine, "bob", "il a rangé la remise")
    assert await kept_messages(coop) == []
    await an_unclear_message_from_bob(coop)
    assert len(await kept_messages(coop)) == 1
    await say(engine, "bob", action="learning_off")
    assert await kept_messages(coop) == []
    async with coop.core.uow() as uow:
        assert await uow.session.get(ReviewConsent, coop.bob) is None


async def test_an_unclear_message_is_kept_anonymised_with_the_meaning_the_member_picked(
    coop: Cooperative,
) -> None:
    await an_unclear_message_from_bob(coop)
    [item] = await kept_messages(coop)
    assert "Martin" not in item.text and "06 11" not in item.text
    assert "<name>" in item.text and "<phone>" in item.text
    assert (item.guessed_intent, item.picked_intent, item.status) == (
        "task_done",
        "task_done",
        "pending",
    )


async def test_messages_kept_for_review_are_deleted_after_the_retention_period(
    coop: Cooperative, clock: FrozenClock
) -> None:
    await an_unclear_message_from_bob(coop)
    clock.advance(days=coop.core.settings.retention_days - 1)
    assert (await prune(coop.core, clock()))["nlu_reviews"] == 0
    clock.advance(days=2)
    assert (await prune(coop.core, clock()))["nlu_reviews"] == 1
    assert await kept_messages(coop) == []


async def test_a_reviewed_message_is_learned_and_the_new_model_kept_when_not_worse(
    coop: Cooperative, data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    phrasing = "il a rangé la remise"
    await an_unclear_message_from_bob(coop, phrasing)
    old = load_or_train(data)
    assert old.intent_ranking(phrasing)[0][0] != "task_done"
    holdout = write_holdout(
        tmp_path / "holdout.jsonl", [("bonjour", "greet"), ("merci", "thanks")]
    )
    # Enter accepts the member's pick (task_done).
    result = await review(coop, "--data", str(data), "--holdout", str(holdout),
                          stdin="\n", monkeypatch=monkeypatch)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Kept the new model" in result.output and "holdout.jsonl" in result.output
    written = (data / "fr" / "reviewed.yml").read_text(encoding="utf-8")
    assert "- intent: task_done" in written and phrasing in written
    [item] = await kept_messages(coop)
    assert (item.label_intent, item.status) == ("task_done", "written")
    new = load_or_train(data)
    understood = await BuiltinInterpreter(new).parse(phrasing)
    assert understood.intent == "task_done"


async def test_a_new_model_worse_on_the_hold_out_is_rejected_and_the_data_left_as_it_was(
    coop: Cooperative, data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await an_unclear_message_from_bob(coop, "bonjour la compagnie")
    before = sorted(p.name for p in (data / "fr").iterdir())
    holdout = write_holdout(tmp_path / "holdout.jsonl", [("bonjour la compagnie", "greet")])
    # The coordinator mislabels it: 6 is cancel_request.
    result = await review(coop, "--data", str(data), "--holdout", str(holdout),
                          stdin="6\n", monkeypatch=monkeypatch)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Kept the old model" in result.output
    assert "intent accuracy on holdout.jsonl would drop from 1.000" in result.output
    assert sorted(p.name for p in (data / "fr").iterdir()) == before  # no reviewed.yml
    [item] = await kept_messages(coop)
    assert (item.label_intent, item.status) == ("cancel_request", "rejected")
    assert load_or_train(data).intent_ranking("bonjour la compagnie")[0][0] == "greet"


async def test_the_reviewer_can_skip_drop_and_quit_and_a_request_gets_its_category(
    coop: Cooperative, data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for text in ("il a rangé la remise", "euh voilà", "pour les courses de Mme Martin", "bof"):
        await an_unclear_message_from_bob(coop, text)
    holdout = write_holdout(tmp_path / "holdout.jsonl", [("bonjour", "greet")])
    # skip the first, drop the second, request_help + shopping for the third, then quit.
    result = await review(coop, "--data", str(data), "--holdout", str(holdout),
                          stdin="s\nd\n1\n1\nq\n", monkeypatch=monkeypatch)  # fmt: skip
    assert result.exit_code == 0, result.output
    statuses = [(i.status, i.label_intent, i.label_category) for i in await kept_messages(coop)]
    assert statuses == [
        ("pending", None, None),
        ("dropped", None, None),
        ("written", "request_help", "shopping"),
        ("pending", None, None),
    ]
    written = (data / "fr" / "reviewed.yml").read_text(encoding="utf-8")
    assert 'courses]{"entity": "category", "value": "shopping"}' in written
    assert "Martin" not in written and "<name>" in written


async def test_review_with_nothing_kept_says_so_and_changes_nothing(
    coop: Cooperative, data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    holdout = write_holdout(tmp_path / "holdout.jsonl", [("bonjour", "greet")])
    result = await review(coop, "--data", str(data), "--holdout", str(holdout), stdin="",
                          monkeypatch=monkeypatch)  # fmt: skip
    assert result.exit_code == 0 and "Nothing to review." in result.output
    assert not (data / "fr" / "reviewed.yml").exists()


@pytest.fixture(scope="module")
def builtin() -> BuiltinInterpreter:
    return BuiltinInterpreter()


async def test_a_request_whose_category_the_member_corrected_is_kept_with_her_choice(
    coop: Cooperative, builtin: BuiltinInterpreter
) -> None:
    engine = ConversationEngine(coop.core, builtin)
    await as_member(coop.core, "alice", coop.alice)
    await say(engine, "alice", action="learning_on")
    text = "Bonjour, pourriez-vous m'aider à faire mes courses au marché jeudi à 10h ? Alice"
    summary = await say(engine, "alice", text)
    assert summary[-1].key.startswith("Here is your request")
    await say(engine, "alice", action="change:what")
    await say(engine, "alice", action="cat:gardening")
    sent = await say(engine, "alice", action="confirm")
    assert sent[-1].key.startswith("Your request is s")  # sent, or saved: nobody gardens
    [item] = await kept_messages(coop)
    assert (item.reason, item.guessed_category, item.picked_category) == (
        "corrected",
        "shopping",
        "gardening",
    )
    assert item.picked_intent == "request_help" and "Alice" not in item.text


async def test_a_request_sent_as_understood_keeps_nothing(
    coop: Cooperative, builtin: BuiltinInterpreter
) -> None:
    engine = ConversationEngine(coop.core, builtin)
    await as_member(coop.core, "alice", coop.alice)
    await say(engine, "alice", action="learning_on")
    await say(engine, "alice", "pourriez-vous m'aider à faire mes courses jeudi à 10h ?")
    await say(engine, "alice", action="confirm")
    assert await kept_messages(coop) == []


async def test_an_unclear_reply_under_an_offered_request_is_kept_without_a_pick(
    coop: Cooperative,
) -> None:
    from core.dialogue.port import ChannelPort
    from tests.integration._support import post

    engine = ConversationEngine(coop.core, Unsure())
    await as_member(coop.core, "bob", coop.bob)
    await say(engine, "bob", action="learning_on")
    request_id = await post(coop)
    offers = await ChannelPort(engine.core).pending("console", member_ids={coop.bob})
    await engine.mark_delivered(offers)
    replies = await say(engine, "bob", "bon ben on verra")
    assert f"accept:{request_id}" in [b.action for b in replies[-1].buttons]
    await say(engine, "bob", action=f"accept:{request_id}")
    [item] = await kept_messages(coop)
    assert (item.text, item.picked_intent, item.status) == ("bon ben on verra", None, "pending")

"""One turn of a conversation: who speaks, where they are in a flow, and the replies to send."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from core.dialogue.messages import Inbound
from core.dialogue.shown_choices import LAST_CHOICES
from core.domain.model import Conversation, Member, PlatformAccount, Territory
from core.domain.vocabulary import LANGUAGES, MessageKind
from core.services import outbox
from core.services.outbox import Choice
from core.services.unit_of_work import UnitOfWork


class Understanding(Protocol):
    """What the NLU understood of a free-text message (see `nlu/interpreter.py`)."""

    text: str
    intent: str
    confidence: float
    ranking: list[tuple[str, float]]
    # Rasa's shape: entity, value, start, end, confidence_entity.
    entities: list[dict[str, Any]]

    def entity(self, name: str) -> Any: ...


class Interpreter(Protocol):
    """An NLU (see `nlu/`): free text -> intent, confidence, ranking and entities."""

    async def parse(
        self, text: str, *, language: str | None, timezone: str, now: datetime | None
    ) -> Understanding: ...


# What a chat keeps whatever flow it enters: its language, the last buttons shown (for numbered
# answers) and, for a newcomer, the territory of the invitation link they came with (and its
# code, so that opening the same link again does not count as a second use).
KEPT_ACROSS_FLOWS = ("language", LAST_CHOICES, "territory_id", "invitation")
# Where a step keeps the question it asked (its message, with its buttons), to ask it again
# when the flow comes back from being on hold (see `flows/emergency.py`).
ASKED = "asked"


@dataclass
class Turn:
    uow: UnitOfWork
    inbound: Inbound
    account: PlatformAccount
    conversation: Conversation
    territory: Territory
    member: Member | None = None
    replies: list[Any] = field(default_factory=list)
    understood: Understanding | None = None
    # Whether this turn moved to a step: its replies are then that step's question.
    moved: bool = False

    @property
    def language(self) -> str:
        if self.member is not None:
            return self.member.language
        chosen = self.conversation.data.get("language")
        # Before a newcomer chooses, their app's language (Telegram's `language_code`): a
        # first message in distress is answered in words they understand.
        hint = (self.inbound.language or "")[:2].lower()
        return str(chosen or (hint if hint in LANGUAGES else self.territory.language))

    def reply(
        self,
        key: str,
        *,
        choices: list[Choice] | tuple[Choice, ...] = (),
        kind: MessageKind = MessageKind.TEXT,
        request_id: int | None = None,
        poll_id: int | None = None,
        refusal: bool = False,
        **params: Any,
    ) -> None:
        """Answer in this chat (through the outbox, so a crash cannot lose the answer).

        `kind`, `request_id` and `poll_id` say what the answer is and what it is about. A
        `refusal` (an answer that fits nothing, with the list again) changes nothing of the
        conversation: the step's question stays the one it asked.
        """
        row = outbox.write(
            self.uow,
            key,
            account=self.account,
            choices=choices,
            kind=kind,
            request_id=request_id,
            poll_id=poll_id,
            **params,
        )
        self.replies.append(row)
        # The question of the step the conversation waits at: what this turn asked on moving
        # there, or asked again with its buttons (a kind refusal without buttons is not it).
        if (
            not refusal
            and self.conversation.step is not None
            and (self.moved or choices)
            and kind != MessageKind.CONTACT_CARD  # details are built afresh, never copied
        ):
            self.set_data(
                **{
                    ASKED: {
                        "key": key,
                        "params": row.params,
                        "choices": row.choices,
                        "kind": str(kind),
                        "request_id": request_id,
                        "poll_id": poll_id,
                    }
                }
            )

    async def take_back_replies(self, since: int) -> None:
        """Drop the replies written since the `since`-th: they are not sent yet (they are rows
        of this transaction), so nobody ever sees them."""
        dropped = self.replies[since:]
        session = self.uow.session
        for row in dropped:
            if row in session.new:
                session.expunge(row)
            else:
                await session.delete(row)
        del self.replies[since:]

    def ask_again(self, asked: dict[str, Any]) -> None:
        """Show again a question recorded under `ASKED` (as it was, with its buttons)."""
        self.replies.append(
            outbox.write(
                self.uow,
                str(asked["key"]),
                account=self.account,
                choices=[
                    Choice(c["label"], c["action"], c.get("params")) for c in asked["choices"]
                ],
                kind=MessageKind(asked["kind"]),
                request_id=asked.get("request_id"),
                poll_id=asked.get("poll_id"),
                params=asked["params"],
            )
        )

    def goto(self, flow: str | None, step: str | None = None, **data: Any) -> None:
        """Move the conversation to a flow's step, keeping (and updating) its data.

        The only way a flow moves: within the same flow its data is kept; entering another
        flow keeps only what every flow keeps (`KEPT_ACROSS_FLOWS`).
        """
        conversation = self.conversation
        keep = {k: v for k, v in conversation.data.items() if k in KEPT_ACROSS_FLOWS}
        if flow is not None and flow == conversation.flow:
            keep = {**conversation.data}
        self._move(flow, step, {**keep, **data})

    def come_back(self, flow: str, step: str, data: dict[str, Any]) -> None:
        """Back to a step the conversation was put on hold at (by an emergency), with the data
        it had then; what every flow keeps is today's. The caller checks the step exists."""
        keep = {k: v for k, v in self.conversation.data.items() if k in KEPT_ACROSS_FLOWS}
        held = {k: v for k, v in data.items() if k not in KEPT_ACROSS_FLOWS}
        self._move(flow, step, {**keep, **held})

    def _move(self, flow: str | None, step: str | None, data: dict[str, Any]) -> None:
        conversation = self.conversation
        conversation.flow, conversation.step = flow, step
        conversation.data = data
        conversation.updated_at = self.uow.now()
        self.moved = step is not None

    def set_data(self, **data: Any) -> None:
        self.conversation.data = {**self.conversation.data, **data}
        self.conversation.updated_at = self.uow.now()

    def data(self, name: str, default: Any = None) -> Any:
        return self.conversation.data.get(name, default)

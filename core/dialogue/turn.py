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
        **params: Any,
    ) -> None:
        """Answer in this chat (through the outbox, so a crash cannot lose the answer).

        `kind`, `request_id` and `poll_id` say what the answer is and what it is about.
        """
        self.replies.append(
            outbox.write(
                self.uow,
                key,
                account=self.account,
                choices=choices,
                kind=kind,
                request_id=request_id,
                poll_id=poll_id,
                **params,
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
        conversation.flow, conversation.step = flow, step
        conversation.data = {**keep, **data}
        conversation.updated_at = self.uow.now()

    def set_data(self, **data: Any) -> None:
        self.conversation.data = {**self.conversation.data, **data}
        self.conversation.updated_at = self.uow.now()

    def data(self, name: str, default: Any = None) -> Any:
        return self.conversation.data.get(name, default)

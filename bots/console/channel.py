"""`entraide chat --as NAME`: one member's chat in a terminal, with their notifications live.

Like `rasa shell`: the console trusts whoever runs it, so NAME acts as the existing member of
that name, or onboards a new one. Choices are numbered; answer with the number or the text.
When stdin is not a terminal it reads one message per line, so conversations can be scripted.
"""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO

from core.dialogue.engine import ConversationEngine
from core.dialogue.messages import Inbound, Outgoing
from core.domain.vocabulary import Platform
from core.services import identity, members

POLL_SECONDS = 0.3


class ConsoleChannel:
    """Translate lines of a terminal into `Inbound` messages and replies into printed text."""

    def __init__(
        self,
        engine: ConversationEngine,
        name: str,
        territory: str | None,
        out: TextIO = sys.stdout,
    ) -> None:
        self.engine = engine
        self.name = name.strip()
        self.territory = territory
        self.out = out
        self.user_ref = self.name.casefold()
        self.member_id: int | None = None

    async def run(self, lines: asyncio.Queue[str | None]) -> None:
        """Greet, then answer each line until the input ends, printing notifications meanwhile."""
        await self._attach_existing_member()
        await self._send(
            Inbound(
                Platform.CONSOLE,
                self.user_ref,
                self.user_ref,
                action="menu",
                display_name=self.name,
                territory=self.territory,
            )
        )
        while True:
            await self._deliver_notifications()
            try:
                line = await asyncio.wait_for(lines.get(), timeout=POLL_SECONDS)
            except TimeoutError:
                continue
            if line is None:
                break
            if line.strip():
                await self._send(
                    Inbound(
                        Platform.CONSOLE,
                        self.user_ref,
                        self.user_ref,
                        text=line,
                        display_name=self.name,
                        territory=self.territory,
                    )
                )
        await self._deliver_notifications()

    async def _attach_existing_member(self) -> None:
        async with self.engine.core.uow() as uow:
            account = await identity.ensure_account(
                uow, Platform.CONSOLE, self.user_ref, self.user_ref
            )
            if account.member_id is None:
                territory = None
                if self.territory:
                    territory = await members.territory_named(uow, self.territory)
                found = await members.find_members(
                    uow, self.name, territory.id if territory else None
                )
                if len(found) == 1:
                    account.member_id = found[0].id
                    if found[0].preferred_platform is None:
                        found[0].preferred_platform = Platform.CONSOLE
            self.member_id = account.member_id
            await uow.commit()

    async def _send(self, inbound: Inbound) -> None:
        replies = await self.engine.handle(inbound)
        self._print(replies)
        await self.engine.mark_delivered(replies)
        if self.member_id is None:
            await self._attach_existing_member()

    async def _deliver_notifications(self) -> None:
        if self.member_id is None:
            return
        pending = await self.engine.pending(Platform.CONSOLE, member_ids={self.member_id})
        self._print(pending)
        await self.engine.mark_delivered(pending)

    def _print(self, messages: list[Outgoing]) -> None:
        for message in messages:
            self.out.write(format_message(message))
        self.out.flush()


def format_message(message: Outgoing) -> str:
    """A message as printed: the text, then one numbered line per choice."""
    lines = [f"bot> {line}" for line in message.text.splitlines() or [""]]
    lines += [f"  {i}. {button.label}" for i, button in enumerate(message.buttons, start=1)]
    return "\n".join(lines) + "\n"


async def read_lines(stream: TextIO, queue: asyncio.Queue[str | None]) -> None:
    """Feed `queue` from a blocking stream (a terminal or a pipe), then None at its end."""
    loop = asyncio.get_running_loop()
    while True:
        interactive = stream.isatty()
        if interactive:
            sys.stdout.write("> ")
            sys.stdout.flush()
        line = await loop.run_in_executor(None, stream.readline)
        if not line:
            await queue.put(None)
            return
        await queue.put(line.rstrip("\n"))

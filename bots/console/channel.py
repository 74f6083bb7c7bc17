"""`entraide chat --as NAME`: one member's chat in a terminal, with their notifications live.

Like `rasa shell`: the console trusts whoever runs it, so NAME acts as the existing member of
that name, or onboards a new one. Choices are numbered; answer with the number or the text.
When stdin is not a terminal it reads one message per line, so conversations can be scripted.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from typing import TextIO

from bots.channel import Published
from bots.failures import DeliveryFailure
from bots.pump import OutboxPump
from core.app import Core
from core.dialogue.engine import ConversationEngine
from core.dialogue.messages import Inbound, Outgoing
from core.dialogue.port import ChannelPort
from core.domain.vocabulary import Platform

POLL_SECONDS = 0.3


class ConsoleChannel:
    """Translate lines of a terminal into `Inbound` messages and messages into printed text."""

    platform = Platform.CONSOLE
    connected = True

    def __init__(
        self,
        engine: ConversationEngine,
        port: ChannelPort,
        name: str,
        territory: str | None,
        lines: asyncio.Queue[str | None],
        out: TextIO = sys.stdout,
    ) -> None:
        self.engine = engine
        self.port = port
        self.name = name.strip()
        self.territory = territory
        self.lines = lines
        self.out = out
        self.user_ref = self.name.casefold()
        # Only this member's messages: other consoles (other people) print theirs.
        self.pump = OutboxPump(self, port, engine, member_ids=set())

    async def run(self, stop: asyncio.Event) -> None:
        """Greet, then answer each line until the input ends (or `stop`), printing the
        member's notifications meanwhile."""
        await self._speak_as_member()
        await self._say(action="menu")
        while not stop.is_set():
            await self._notifications()
            try:
                line = await asyncio.wait_for(self.lines.get(), timeout=POLL_SECONDS)
            except TimeoutError:
                continue
            if line is None:
                break
            if line.strip():
                await self._say(text=line)
        await self._notifications()

    async def _speak_as_member(self) -> None:
        member_id = await self.port.member_named(
            Platform.CONSOLE, self.user_ref, self.name, self.territory
        )
        self.pump.member_ids = {member_id} if member_id is not None else set()

    async def _say(self, *, text: str | None = None, action: str | None = None) -> None:
        inbound = Inbound(
            Platform.CONSOLE,
            self.user_ref,
            self.user_ref,
            text=text,
            action=action,
            display_name=self.name,
            territory=self.territory,
        )
        await self.pump.deliver(await self.engine.handle(inbound))
        if not self.pump.member_ids:  # a newcomer becomes a member by onboarding
            await self._speak_as_member()

    async def _notifications(self) -> None:
        if self.pump.member_ids:
            await self.pump.round()

    # --- the Channel primitives (see bots/channel.py): a terminal only prints --------------------

    async def chat_for(self, message: Outgoing) -> str | None:
        return message.chat_ref

    async def send(self, message: Outgoing) -> None:
        self.out.write(format_message(message))
        self.out.flush()

    async def edit(self, message: Outgoing, ref: str) -> bool:
        return False  # what is printed stays printed

    async def remove_buttons(self, message: Outgoing, ref: str) -> None:
        """Nothing to take back in a terminal."""

    def shows_natively(self, message: Outgoing) -> bool:
        return False  # a poll is a numbered list

    async def open_poll(self, message: Outgoing) -> Published:
        raise NotImplementedError("the console shows no native poll")

    async def close_polls(self, message: Outgoing, refs: list[str]) -> str | None:
        return None

    async def in_group(self, group_ref: str, user_ref: str) -> bool:
        return False

    def classify(self, error: Exception) -> DeliveryFailure | None:
        return None


def format_message(message: Outgoing) -> str:
    """A message as printed: the text, then one numbered line per choice."""
    lines = [f"bot> {line}" for line in message.text.splitlines() or [""]]
    lines += [f"  {i}. {button.label}" for i, button in enumerate(message.buttons, start=1)]
    return "\n".join(lines) + "\n"


async def chat(
    core: Core, name: str, territory: str | None, stop: asyncio.Event | None = None
) -> None:
    """The console chat of `name` on this process's stdin and stdout."""
    from bots.bootstrap import build_engine

    lines: asyncio.Queue[str | None] = asyncio.Queue()
    read_stdin_in_background(lines)
    channel = ConsoleChannel(build_engine(core), ChannelPort(core), name, territory, lines)
    await channel.run(stop or asyncio.Event())


def read_stdin_in_background(lines: asyncio.Queue[str | None]) -> None:
    """Feed `lines` from stdin in a daemon thread (then None at its end), which a signal's
    stop never waits for.

    (A blocking read in the loop's default executor would keep `asyncio.run` from returning
    after SIGTERM until someone presses Enter.)
    """
    loop = asyncio.get_running_loop()

    def read() -> None:
        while True:
            if sys.stdin.isatty():
                sys.stdout.write("> ")
                sys.stdout.flush()
            line = sys.stdin.readline()
            try:
                loop.call_soon_threadsafe(lines.put_nowait, line.rstrip("\n") if line else None)
            except RuntimeError:  # the loop is closed: we are exiting
                return
            if not line:
                return

    threading.Thread(target=read, name="entraide-stdin", daemon=True).start()

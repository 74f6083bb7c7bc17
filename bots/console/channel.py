"""`entraide chat --as NAME`: one member's chat in a terminal, with their notifications live.

Like `rasa shell`: the console trusts whoever runs it, so NAME acts as the existing member of
that name, or onboards a new one. Choices are numbered; answer with the number or the text.
When stdin is not a terminal it reads one message per line, so conversations can be scripted.

In a terminal it says how to quit, shows the prompt again once the bot has answered (never
before), and Ctrl-C or Ctrl-D ends it at once with a goodbye, never a traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
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
from core.i18n import N_, translate

POLL_SECONDS = 0.3
PROMPT = "> "
# Said once at the start and once at the end, in French then in English (the member's language
# is not known before onboarding).
HOW_TO_QUIT = N_("To quit, press Ctrl-D or Ctrl-C.")
GOODBYE = N_("Goodbye! Your messages are kept.")


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
        *,
        prompt: bool = False,
    ) -> None:
        self.engine = engine
        self.port = port
        self.name = name.strip()
        self.territory = territory
        self.lines = lines
        self.out = out
        self.prompt = prompt  # a person at a terminal: show "> " when it is their turn
        self._printed = False
        self.user_ref = self.name.casefold()
        # Only this member's messages: other consoles (other people) print theirs.
        self.pump = OutboxPump(self, port, engine, member_ids=set())

    async def run(self, stop: asyncio.Event) -> None:
        """Greet, then answer each line until the input ends (or `stop`), printing the
        member's notifications meanwhile."""
        self._bilingual(HOW_TO_QUIT)
        await self._speak_as_member()
        await self._say(action="menu")
        self._your_turn()
        while not stop.is_set():
            await self._notifications()
            self._your_turn()
            try:
                line = await asyncio.wait_for(self.lines.get(), timeout=POLL_SECONDS)
            except TimeoutError:
                continue
            if line is None:
                break
            if line.strip():
                await self._say(text=line)
            self._printed = True  # the person pressed Enter: the prompt is theirs again
            self._your_turn()
        await self._notifications()
        if self.prompt:
            self.out.write("\n")
        self._bilingual(GOODBYE)

    def _bilingual(self, key: str) -> None:
        self.out.write(f"{translate('fr', key)} / {translate('en', key)}\n")
        self.out.flush()

    def _your_turn(self) -> None:
        """The prompt, after whatever the bot printed (never before its answer)."""
        if self.prompt and self._printed:
            self.out.write(PROMPT)
            self.out.flush()
        self._printed = False

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
        if self.prompt and not self._printed:
            self.out.write("\r")  # over a prompt shown while the person had nothing typed
        self.out.write(format_message(message))
        self.out.flush()
        self._printed = True

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

    stop = stop or asyncio.Event()
    stop_on_interrupt(stop)
    lines: asyncio.Queue[str | None] = asyncio.Queue()
    read_stdin_in_background(lines)
    channel = ConsoleChannel(
        build_engine(core), ChannelPort(core), name, territory, lines, prompt=sys.stdin.isatty()
    )
    await channel.run(stop)


def stop_on_interrupt(stop: asyncio.Event) -> None:
    """Ctrl-C (SIGINT) and SIGTERM end the chat at once and kindly, without a traceback."""
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signum, stop.set)


def read_stdin_in_background(lines: asyncio.Queue[str | None]) -> None:
    """Feed `lines` from stdin in a daemon thread (then None at its end), which a signal's
    stop never waits for.

    (A blocking read in the loop's default executor would keep `asyncio.run` from returning
    after SIGTERM until someone presses Enter.)
    """
    loop = asyncio.get_running_loop()

    def read() -> None:
        while True:
            try:
                line = sys.stdin.readline()
            except (OSError, ValueError):  # stdin closed under us: the chat ends
                line = ""
            try:
                loop.call_soon_threadsafe(lines.put_nowait, line.rstrip("\n") if line else None)
            except RuntimeError:  # the loop is closed: we are exiting
                return
            if not line:
                return

    threading.Thread(target=read, name="entraide-stdin", daemon=True).start()

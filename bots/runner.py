"""`entraide run`: the channels and the scheduler in one process, until the end of input or a
signal (SIGTERM, SIGINT).

With no chat platform configured it opens the console chat when there is a terminal, and runs
the scheduler alone otherwise (as a service under systemd, or the second process of a pair on
PostgreSQL). The scheduler's life (active or standby) is logged on stderr.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from typing import Any

from core import redaction
from core.app import Core
from core.scheduling import SchedulerService

log = logging.getLogger("entraide.scheduler")
STOP_TIMEOUT = 15.0


def configure_logging(verbose: bool) -> None:
    """The scheduler's state on stderr; APScheduler's per-job chatter only when it goes wrong.

    Every record is redacted: tokens, passwords and URL credentials never reach the log (the
    configured secrets are added when the settings are read, see `core.redaction.install`).
    """
    redaction.install()
    logging.basicConfig(
        level=logging.WARNING,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("entraide").setLevel(logging.INFO if verbose else logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


async def serve(core: Core, *, speaker: str | None = None, territory: str | None = None) -> None:
    """Run the scheduler (if enabled) and the console chat of `speaker` (if any) until done."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    scheduler: asyncio.Task[None] | None = None
    if core.settings.scheduler_enabled:
        scheduler = asyncio.create_task(SchedulerService(core).run(stop), name="scheduler")
    channels = [
        asyncio.create_task(channel.run(stop), name=type(channel).__name__)
        for channel in chat_channels(core)
    ]
    if core.settings.web_port is not None:  # the coordinators' console, in this event loop
        from bots.web.app import serve as serve_console

        console = serve_console(core, core.settings.web_host, core.settings.web_port, stop)
        channels.append(asyncio.create_task(console, name="WebConsole"))
    try:
        if speaker is not None:
            from bots.console.channel import chat

            await chat(core, speaker, territory, stop)
        else:
            waiting = asyncio.create_task(stop.wait())
            watched = {waiting, *channels, *([scheduler] if scheduler is not None else [])}
            await asyncio.wait(watched, return_when=asyncio.FIRST_COMPLETED)
            waiting.cancel()
    finally:
        stop.set()
        for task in channels:
            try:
                await asyncio.wait_for(task, STOP_TIMEOUT)
            except TimeoutError:
                log.warning("%s did not stop in %.0f s", task.get_name(), STOP_TIMEOUT)
        if scheduler is not None:
            try:
                await asyncio.wait_for(scheduler, STOP_TIMEOUT)
            except TimeoutError:
                log.warning("The scheduler did not stop in %.0f s", STOP_TIMEOUT)
        for signum in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(signum)
    if scheduler is not None and scheduler.done() and not scheduler.cancelled():
        scheduler.result()  # a crash of the scheduler is an error of `entraide run`
    for task in channels:
        if task.done() and not task.cancelled():
            task.result()  # and so is a crash of a chat channel


def chat_channels(core: Core) -> list[Any]:
    """The chat platforms configured, each an object with `async run(stop: asyncio.Event)`.

    They share one engine (one NLU model in memory, and one group commit for all platforms)
    and one port.
    """
    from bots.bootstrap import build_engine
    from bots.matrix import channel_from_settings as matrix
    from bots.telegram import channel_from_settings as telegram
    from core.dialogue.port import ChannelPort

    if not core.settings.telegram_bot_token and not core.settings.matrix_homeserver:
        return []
    engine, port = build_engine(core), ChannelPort(core)
    return [c for c in (telegram(core, engine, port), matrix(core, engine, port)) if c]

"""The dead-letter rule for inbound updates, the same for every platform.

A channel tells `InboundFailures` each time an update or event could not be handled. A fault
that passes (the database or the network away) is tried again, with the channel's back-off, up
to `max_inbound_attempts` times; a data error or a bug is never worth another try. Either way
the update is then set aside (`core.services.dead_letters`) and the channel moves on past it:
one message can no longer stop the bot answering everybody else.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from core.persistence.faults import describe, is_transient

if TYPE_CHECKING:
    from core.dialogue.engine import ConversationEngine

log = logging.getLogger(__name__)


class InboundFailures:
    """Counts the failed tries of each update (in memory) and decides: again, or set aside."""

    def __init__(
        self,
        engine: ConversationEngine,
        source: str,
        *,
        transient: Callable[[BaseException], bool] = is_transient,
    ) -> None:
        self.engine = engine
        self.source = source
        self.max_attempts = engine.core.settings.max_inbound_attempts
        self._transient = transient
        self._tries: dict[str, int] = {}

    def succeeded(self, ref: str) -> None:
        """The update was handled after all: forget its failures."""
        self._tries.pop(ref, None)

    async def failed(self, ref: str, error: BaseException, payload: Callable[[], str]) -> bool:
        """Record a failure; True when the update is settled (set aside): move past it.

        False: try it again later (a fault that passes, or the dead letter could not be
        written because the database is away: nothing is lost).
        """
        tries = self._tries[ref] = self._tries.get(ref, 0) + 1
        if self._transient(error) and tries < self.max_attempts:
            log.warning(
                "%s %s failed (%s), try %d of %d: tried again later",
                self.source,
                ref,
                describe(error, 300),
                tries,
                self.max_attempts,
            )
            return False
        try:
            await self.engine.set_aside(self.source, ref, payload(), describe(error), tries)
        except Exception as failure:
            if self._transient(failure):
                log.warning("%s %s could not be set aside yet: %s", self.source, ref, failure)
                return False
            # Keeping it would stall everything behind it: it is in the log, and skipped.
            log.exception("%s %s could not be set aside: skipped", self.source, ref)
        self._tries.pop(ref, None)
        return True

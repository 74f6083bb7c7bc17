"""Per-sender rate limiting: one account writing very fast must not starve everyone else.

Each sender has a token bucket, in the memory of the process that runs the engine: `burst`
messages at once, then `per_minute` more each minute. A message over the limit is dropped
before it reaches the database (it costs a dictionary look-up, not a transaction); the first
one tells the sender, kindly, at most once a minute. An emergency always goes through,
whatever the bucket says: the keyword net that recognises one is cheap.

The buckets are not shared between processes: each process that runs an engine limits what
it receives (one bot process per platform in practice), and a restart forgets them.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from enum import Enum

from core.dialogue.messages import Inbound
from core.i18n import N_

SLOW_DOWN = N_("You are writing very fast. I will answer again in a moment.")
WARN_EVERY_S = 60.0
# Senders remembered at most; the least recently seen are forgotten first (a forgotten
# sender starts again with a full bucket, as after a minute of silence).
MAX_SENDERS = 10_000


class Verdict(Enum):
    PASS = "pass"  # handled as usual
    WARN = "warn"  # over the limit: answered only with the kind "slow down" message
    DROP = "drop"  # over the limit, already told: nothing is written, nothing answered


@dataclass
class _Bucket:
    tokens: float
    at: float
    warned_at: float | None = None


class SlowDown(Inbound):
    """A message over the limit, whose only answer is `SLOW_DOWN` (through the outbox)."""

    @classmethod
    def of(cls, inbound: Inbound) -> SlowDown:
        return cls(**{name: getattr(inbound, name) for name in Inbound.__dataclass_fields__})


class FloodGate:
    """Token buckets per sender: `admit(sender, urgent=...)` says what to do with a message."""

    def __init__(
        self,
        burst: int,
        per_minute: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_senders: int = MAX_SENDERS,
    ) -> None:
        self.burst = float(burst)
        self.rate = per_minute / 60.0  # tokens per second
        self.clock = clock
        self.max_senders = max_senders
        self._buckets: OrderedDict[Hashable, _Bucket] = OrderedDict()

    def __len__(self) -> int:
        return len(self._buckets)

    def admit(self, sender: Hashable, *, urgent: Callable[[], bool]) -> Verdict:
        """Take a token for one message of `sender`; `urgent()` is asked only when none is
        left (an emergency goes through without one)."""
        now = self.clock()
        bucket = self._buckets.get(sender)
        if bucket is None:
            bucket = self._buckets[sender] = _Bucket(self.burst, now)
            self._forget_oldest()
        else:
            self._buckets.move_to_end(sender)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.at) * self.rate)
            bucket.at = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return Verdict.PASS
        if urgent():
            return Verdict.PASS
        if bucket.warned_at is None or now - bucket.warned_at >= WARN_EVERY_S:
            bucket.warned_at = now
            return Verdict.WARN
        return Verdict.DROP

    def _forget_oldest(self) -> None:
        while len(self._buckets) > self.max_senders:
            self._buckets.popitem(last=False)

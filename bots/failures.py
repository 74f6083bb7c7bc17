"""How a send failed, in the four ways the outbox tells apart, whatever the platform.

An adapter maps its platform's errors to these (`Channel.classify`); `OutboxPump` decides what
follows from them, the same for every platform:

- `RetryLater`: nothing arrived; the outbox tries again after `after` (each try counts: past
  `max_delivery_attempts` the message is set aside for a person to look at);
- `Uncertain`: no answer in time, it may have arrived: never sent again (a contact card is
  followed by a short message with the details, see `core.dialogue.delivery.record_sends`);
- `Refused`: the platform refused this message for good (too long, bad markup...);
- `Unreachable`: the person blocked the bot or left (the room shut it out): nothing more is
  written there, and the coordinators are told.
"""

from __future__ import annotations

from datetime import timedelta

RETRY_BACKOFF = timedelta(seconds=5)


class DeliveryFailure(Exception):
    """A send that did not end as sent; the message (`str`) is stored, redacted."""


class RetryLater(DeliveryFailure):
    def __init__(self, error: str, after: timedelta = RETRY_BACKOFF) -> None:
        super().__init__(error)
        self.after = after


class Uncertain(DeliveryFailure):
    pass


class Refused(DeliveryFailure):
    pass


class Unreachable(DeliveryFailure):
    pass


def described(error: BaseException) -> str:
    """`Type: message`, as failures quote the platform's error."""
    return f"{type(error).__name__}: {error}"

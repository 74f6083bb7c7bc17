"""Parameters of an outbox message that must not outlive its delivery.

A one-time login link: the database keeps only its hash, so the message that carried it keeps
no copy either. A flow declares them where it defines the message (`keep_secret`); the outbox
blanks them once the delivery is over, sent or set aside (`forget_secrets`).
"""

from __future__ import annotations

from core.domain.model import Notification

# By message key, the names of its parameters to forget.
SECRET_PARAMS: dict[str, frozenset[str]] = {}
FORGOTTEN = "…"


def keep_secret(key: str, *names: str) -> str:
    """Declare parameters of the message `key` that are forgotten once it is delivered (or
    set aside); returns the key, so a flow can declare it where it defines it."""
    SECRET_PARAMS[key] = frozenset(names)
    return key


def forget_secrets(notification: Notification) -> None:
    """Blank the secret parameters of a message whose delivery is over."""
    names = SECRET_PARAMS.get(notification.key)
    if names and notification.params:
        notification.params = {
            name: FORGOTTEN if name in names else value
            for name, value in notification.params.items()
        }

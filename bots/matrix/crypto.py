"""End-to-end encryption: the devices the bot trusts, its keys, and the encrypted messages
whose key has not come yet.

The devices of the people the bot talks to are trusted the first time they are seen (trust
on first use); nio keeps their first keys, so a device whose keys later change is refused.
"""

from __future__ import annotations

import contextlib
import logging
import time

import nio

log = logging.getLogger("entraide.matrix")

# How long an encrypted message may wait for its key before the sender is told.
UNDECRYPTED_PATIENCE_S = 30.0


def trust_on_first_use(client: nio.AsyncClient) -> None:
    """Trust each device the first time it is seen (before any encrypted send)."""
    if client.olm is None:
        return
    for device in client.device_store:
        if not (device.verified or device.blacklisted or device.deleted):
            client.verify_device(device)


async def keep_keys(client: nio.AsyncClient) -> None:
    """What nio's `sync_forever` does between syncs: upload, query and claim keys."""
    if client.olm is None:
        return
    try:
        if client.should_upload_keys:
            await client.keys_upload()
        if client.should_query_keys:
            await client.keys_query()
        if client.should_claim_keys:
            await client.keys_claim(client.get_users_for_key_claiming())
        await client.send_to_device_messages()
    except Exception as error:  # retried after the next sync
        log.info("key maintenance postponed: %s", error)
    trust_on_first_use(client)


class Undecrypted:
    """Encrypted messages waiting for their key (it often arrives just after the message)."""

    def __init__(self) -> None:
        self._waiting: dict[str, tuple[str, nio.MegolmEvent, float]] = {}

    async def wait_for_key(
        self, client: nio.AsyncClient, room: nio.MatrixRoom, event: nio.MegolmEvent
    ) -> None:
        """Keep the message, and ask the sender's devices for its key."""
        self._waiting.setdefault(event.event_id, (room.room_id, event, time.monotonic()))
        with contextlib.suppress(nio.LocalProtocolError):
            await client.request_room_key(event)

    def due(
        self, client: nio.AsyncClient
    ) -> tuple[list[tuple[nio.MatrixRoom, nio.Event]], list[nio.MatrixRoom]]:
        """The messages readable now (with their room), and the rooms of those given up."""
        readable: list[tuple[nio.MatrixRoom, nio.Event]] = []
        given_up: list[nio.MatrixRoom] = []
        for event_id, (room_id, event, since) in list(self._waiting.items()):
            room = client.rooms.get(room_id)
            decrypted = client.decrypt_event(event) if room is not None else event
            if room is not None and not isinstance(decrypted, nio.MegolmEvent):
                del self._waiting[event_id]
                readable.append((room, decrypted))
            elif time.monotonic() - since > UNDECRYPTED_PATIENCE_S:
                del self._waiting[event_id]
                if room is not None:
                    given_up.append(room)
        return readable, given_up

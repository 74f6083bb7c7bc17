"""The Matrix channel (matrix-nio): direct chats, territory rooms and native MSC3381 polls."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bots.matrix.channel import MatrixChannel
    from core.app import Core
    from core.dialogue.engine import ConversationEngine
    from core.dialogue.port import ChannelPort


def channel_from_settings(
    core: Core, engine: ConversationEngine | None = None, port: ChannelPort | None = None
) -> MatrixChannel | None:
    """The Matrix channel if MATRIX_HOMESERVER is set (ValueError if a setting is missing)."""
    if not core.settings.matrix_homeserver:
        return None
    from bots.bootstrap import build_engine
    from bots.matrix.channel import MatrixChannel
    from bots.matrix.connection import MatrixSettings
    from core.dialogue.port import ChannelPort

    return MatrixChannel(
        engine or build_engine(core),
        port or ChannelPort(core),
        MatrixSettings.from_settings(core.settings),
    )

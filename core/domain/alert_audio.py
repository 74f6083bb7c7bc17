"""The audio of a voice message a member left for the coordinators ("listen and call back").

Kept beside its alert (`alerts`, kind `voice_message`): the platform it came from and that
platform's own reference to it (a Telegram file id, a Matrix `mxc://` address). The bot never
downloads it: a coordinator's chat on the same platform receives the audio itself by that
reference; on another platform only the text of the alert.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from core.domain.base import Base

# The longest platform reference kept (Telegram file ids are ~80 characters, mxc URLs ~100).
MAX_AUDIO_REF = 500


class AlertAudio(Base):
    """A voice message forwarded with its alert (one per alert)."""

    __tablename__ = "alert_audio"

    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    # Opaque to the core: only the adapter of `platform` reads it.
    audio_ref: Mapped[str] = mapped_column(String(MAX_AUDIO_REF))
    received_at: Mapped[datetime]

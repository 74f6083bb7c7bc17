"""The bot's audio: sendVoice and sendAudio, by the file id of a file the server knows.

Faithful details (each is what Telegram does, core.telegram.org/bots/api#sendvoice):
- `voice` / `audio` is required: without it, 400 "there is no voice in the request" (or audio).
- A file id is one Telegram gave: one the server never issued is 400 "wrong file identifier/HTTP
  URL specified"; a file id of another type of file (an audio file given as a voice) is 400
  "type of file mismatch". The returned Message carries the same file (`voice` or `audio`).
- `caption`: 0-1024 characters after entities parsing ("message caption is too long"), with
  `parse_mode` and `caption_entities` as for a text; `reply_markup` and `reply_parameters` as
  for sendMessage. `duration` is taken from the file.
- HTTP URLs and uploads are not modelled (the bot forwards files by id only, and this server
  fetches nothing): a URL is answered as a wrong identifier.
"""

from __future__ import annotations

from .messages import Messages
from .protocol import JSON, Params, api_method, bad_request

MAX_CAPTION_LENGTH = 1024


class Media(Messages):
    """Sending a voice message or an audio file again, by its file id."""

    # file_id -> (type, the Voice or Audio object): filled when a person sends one.
    files: dict[str, tuple[str, JSON]]

    @api_method("sendVoice")
    async def _send_voice(self, p: Params) -> JSON:
        """A voice message (OGG/OPUS) from the bot, shown with a play button."""
        return self._send_file(p, "voice")

    @api_method("sendAudio")
    async def _send_audio(self, p: Params) -> JSON:
        """An audio file from the bot, shown in the music player."""
        return self._send_file(p, "audio")

    def _send_file(self, p: Params, kind: str) -> JSON:
        chat = self._sendable_chat(p)
        reference = p.str(kind)
        if not reference:
            raise bad_request(f"there is no {kind} in the request")
        known = getattr(self, "files", {}).get(reference)
        if known is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        file_kind, file = known
        if file_kind != kind:
            raise bad_request("type of file mismatch")
        source = p.str("caption") or ""
        plain, entities = self._format(source, p.str("parse_mode"), p.json("caption_entities"))
        if len(plain) > MAX_CAPTION_LENGTH:
            raise bad_request("message caption is too long")
        inline, other = self._markup(p)
        extra: JSON = {kind: dict(file)}
        if plain:
            extra["caption"] = plain
            if entities:
                extra["caption_entities"] = entities
        msg = self._new_message(
            chat,
            date=self._now(),
            from_bot=True,
            sender=self._bot_json(),
            reply_markup=inline,
            other_markup=other,
            reply_to=self._reply_target(chat, p),
            extra=extra,
        )
        return self._message_json(msg)

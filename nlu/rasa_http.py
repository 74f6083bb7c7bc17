"""A client for a Rasa 3 server's parse API (`rasa run --enable-api`), answering in our shape.

`RasaHttpInterpreter(url).parse_raw(text)` posts to `{url}/model/parse` and returns Rasa's answer
as it came; `normalise(answer, text)` turns any such answer into exactly the shape the rest of
entraide reads::

    {"text": str,
     "intent": {"name": str | None, "confidence": float},
     "entities": [{"entity", "value", "start", "end", "confidence_entity", "extractor"}],
     "intent_ranking": [{"name": str, "confidence": float}]}

Rasa adds fields from version to version (`id`, `response_selector`, `role`, `group`, ...): they
are dropped. When the FallbackClassifier put `nlu_fallback` on top, it is kept as the intent (the
caller decides what an unsure guess means). A server that is down or slow, or that answers
anything but a JSON object with a 2xx status, raises `RasaUnavailable` within `timeout` seconds.
"""

from __future__ import annotations

import asyncio
import math
from typing import Any

import httpx

NLU_FALLBACK = "nlu_fallback"


class RasaUnavailable(Exception):
    """The Rasa server could not give an answer (down, too slow, failing or garbled)."""


class RasaHttpInterpreter:
    """Parse messages with a Rasa server at `url` (e.g. http://127.0.0.1:5005)."""

    def __init__(
        self,
        url: str,
        timeout: float = 2.0,
        token: str | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        """`timeout` bounds a whole parse, in seconds; `token` is the server's `--auth-token`;
        `transport` replaces the network (tests)."""
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.token = token
        self._transport = transport

    async def parse_raw(self, text: str, message_id: str | None = None) -> dict[str, Any]:
        """Return Rasa's answer to `POST /model/parse` for `text`, as a dict."""
        body: dict[str, str] = {"text": text}
        if message_id is not None:
            body["message_id"] = message_id
        params = {"token": self.token} if self.token else None
        try:
            async with (
                asyncio.timeout(self.timeout),  # httpx's own timeout is per phase, not in all
                httpx.AsyncClient(timeout=self.timeout, transport=self._transport) as client,
            ):
                response = await client.post(f"{self.url}/model/parse", json=body, params=params)
        except (httpx.HTTPError, httpx.InvalidURL, TimeoutError) as error:  # refused, reset...
            raise RasaUnavailable(f"Rasa at {self.url} did not answer: {error!r}") from error
        if not response.is_success:  # 5xx, and 4xx too: a bad token, or no model loaded (409)
            raise RasaUnavailable(f"Rasa at {self.url} answered HTTP {response.status_code}")
        try:
            answer = response.json()
        except ValueError as error:
            raise RasaUnavailable(f"Rasa at {self.url} answered no JSON") from error
        if not isinstance(answer, dict):
            raise RasaUnavailable(
                f"Rasa at {self.url} answered {type(answer).__name__}, not an object"
            )
        return answer

    async def parse_normalised(self, text: str, message_id: str | None = None) -> dict[str, Any]:
        """Parse `text` and return the answer in our shape (see `normalise`)."""
        return normalise(await self.parse_raw(text, message_id), text)


def normalise(answer: dict[str, Any], text: str) -> dict[str, Any]:
    """Return Rasa's `answer` to `text` in exactly our shape, whatever it lacks or adds."""
    intent = answer.get("intent") if isinstance(answer.get("intent"), dict) else {}
    name = intent.get("name") if isinstance(intent.get("name"), str) and intent["name"] else None
    ranking = [
        {"name": item["name"], "confidence": _confidence(item.get("confidence"))}
        for item in _dicts(answer.get("intent_ranking"))
        if isinstance(item.get("name"), str) and item["name"]
    ]
    return {
        "text": answer["text"] if isinstance(answer.get("text"), str) else text,
        "intent": {
            "name": name,
            "confidence": _confidence(intent.get("confidence")) if name else 0.0,
        },
        "entities": [
            entity
            for raw in _dicts(answer.get("entities"))
            if (entity := _entity(raw, text)) is not None
        ],
        "intent_ranking": ranking,
    }


def _entity(raw: dict[str, Any], text: str) -> dict[str, Any] | None:
    """One entity in our shape, or None when it has no name or no value."""
    name, value = raw.get("entity"), raw.get("value")
    if not isinstance(name, str) or not name or value is None:
        return None
    start, end = raw.get("start"), raw.get("end")
    if not (_is_index(start) and _is_index(end) and start <= end <= len(text)):
        start, end = _locate(str(value), text)
    return {
        "entity": name,
        "value": value,
        "start": start,
        "end": end,
        # Rule-based extractors (regex, duckling) give no confidence: they are sure.
        "confidence_entity": _confidence(raw.get("confidence_entity"), default=1.0),
        "extractor": raw["extractor"] if isinstance(raw.get("extractor"), str) else None,
    }


def _locate(value: str, text: str) -> tuple[int | None, int | None]:
    """Where `value` appears in `text` (ignoring case), for an entity that came without a span."""
    at = text.lower().find(value.lower()) if value else -1
    return (at, at + len(value)) if at >= 0 else (None, None)


def _is_index(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _confidence(value: Any, default: float = 0.0) -> float:
    """A confidence in [0, 1]: `default` when missing, 0 when it is not a number."""
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        return 0.0
    return min(max(float(value), 0.0), 1.0)


def _dicts(value: Any) -> list[dict[str, Any]]:
    """The dicts of a list, or nothing when `value` is not a list."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []

"""The Bot API's wire format: error answers, request parameters, and the method registry.

Answers are {"ok": true, "result": ...}; errors exactly {"ok": false, "error_code": N,
"description": "..."} (plus "parameters" for 429). Requests may be JSON, form-encoded or
multipart; form values that are not plain strings arrive JSON-encoded and are decoded.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from aiohttp import web

JSON = dict[str, Any]

# Parameters that are plain strings: never JSON-decoded even when they look like JSON ("123").
# Only those of the methods this server implements.
STRING_PARAMS = frozenset(
    {
        "text",
        "question",
        "explanation",
        "callback_query_id",
        "url",
        "secret_token",
        "ip_address",
        "parse_mode",
        "question_parse_mode",
        "explanation_parse_mode",
        "language_code",
        "type",
    }
)


class ApiError(Exception):
    """An error answer of the Bot API."""

    def __init__(self, code: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def body(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(description: str, parameters: JSON | None = None) -> ApiError:
    return ApiError(400, f"Bad Request: {description}", parameters)


def forbidden(description: str) -> ApiError:
    return ApiError(403, f"Forbidden: {description}")


def default_description(status: int) -> str:
    """Telegram's description for an error status given without one."""
    return {
        400: "Bad Request",
        401: "Unauthorized",
        403: "Forbidden",
        404: "Not Found",
        409: "Conflict",
        500: "Internal Server Error",
    }.get(status, "Error")


class Params:
    """Decoded request parameters with Telegram's coercions."""

    def __init__(self, raw: JSON, request: web.Request | None = None) -> None:
        self.raw = raw
        self.request = request

    def client_gone(self) -> bool:
        """Whether the client closed the connection (it gave up waiting)."""
        transport = self.request.transport if self.request is not None else None
        return self.request is not None and (transport is None or transport.is_closing())

    def has(self, name: str) -> bool:
        return self.raw.get(name) is not None

    def str(self, name: str, default: str | None = None) -> str | None:
        value = self.raw.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return "true" if value else "false"
        return value if isinstance(value, str) else json.dumps(value)

    def int(self, name: str, default: int | None = None) -> int | None:
        value = self.raw.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return int(value)
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def bool(self, name: str, default: bool = False) -> bool:
        value = self.raw.get(name)
        if value is None:
            return default
        if isinstance(value, str):
            return value.strip().lower() in ("true", "1", "yes", "on")
        return bool(value)

    def json(self, name: str, default: Any = None) -> Any:
        value = self.raw.get(name)
        if value is None:
            return default
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                if name == "reply_markup":
                    raise bad_request("can't parse reply keyboard markup JSON object") from None
                raise bad_request(f"can't parse {name} JSON object") from None
        return value


async def read_params(request: web.Request) -> tuple[JSON, JSON]:
    """Query string and body (JSON, form or multipart), JSON-encoded values decoded.

    Returns (parameters, files): multipart files are only described (name, type, size)."""
    raw: JSON = dict(request.query)
    files: JSON = {}
    if request.can_read_body:
        ctype = request.content_type
        if ctype == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise bad_request("can't parse JSON encoded request") from None
            if not isinstance(body, dict):
                raise bad_request("request body must be a JSON object")
            raw.update(body)
        elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for name, value in form.items():
                if isinstance(value, web.FileField):
                    content = value.file.read()
                    files[name] = {
                        "filename": value.filename,
                        "content_type": value.content_type,
                        "size": len(content),
                    }
                else:
                    raw[name] = value
        else:
            await request.read()
    params = {name: _decode(name, value) for name, value in raw.items()}
    return params, files


def _decode(name: str, value: Any) -> Any:
    if not isinstance(value, str) or name in STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


# --- the registry of implemented methods -------------------------------------------------------

Handler = TypeVar("Handler", bound=Callable[..., Awaitable[Any]])
_API_NAME = "_bot_api_method"


def api_method(name: str) -> Callable[[Handler], Handler]:
    """Mark a coroutine method as the implementation of the Bot API method `name`."""

    def mark(handler: Handler) -> Handler:
        setattr(handler, _API_NAME, name)
        return handler

    return mark


def implemented_methods(owner: object) -> dict[str, tuple[str, Callable[[Params], Any]]]:
    """{lower-case name: (canonical name, bound handler)} of `owner`'s `api_method`s.

    Telegram's method names are case-insensitive: requests are matched in lower case."""
    found: dict[str, tuple[str, Callable[[Params], Any]]] = {}
    for klass in type(owner).__mro__:
        for attribute, function in vars(klass).items():
            name = getattr(function, _API_NAME, None)
            if name is not None and name.lower() not in found:
                found[name.lower()] = (name, getattr(owner, attribute))
    return found

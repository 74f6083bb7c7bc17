"""Signed session cookies and CSRF tokens of the console (no server-side session store).

The cookie holds the coordinator's id, a random nonce and the time of the last click, signed
with HMAC-SHA256 under the install's session key; it is HttpOnly, SameSite=Strict, and Secure
behind https. A session idle longer than `web_session_minutes` is refused. The CSRF token of a
form is an HMAC of the session's nonce: a page of another site can neither read nor forge it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass

COOKIE = "entraide_session"


@dataclass(frozen=True)
class Session:
    member_id: int | None
    nonce: str
    seen: float

    @classmethod
    def anonymous(cls) -> Session:
        return cls(None, secrets.token_urlsafe(16), time.time())

    @classmethod
    def of(cls, member_id: int) -> Session:
        """A fresh session for a coordinator who just logged in (a new nonce: no fixation)."""
        return cls(member_id, secrets.token_urlsafe(16), time.time())

    def touched(self) -> Session:
        return Session(self.member_id, self.nonce, time.time())


class Signer:
    """Signs and checks cookies and CSRF tokens with one key."""

    def __init__(self, key: str, idle_seconds: float) -> None:
        self._key = key.encode()
        self.idle_seconds = idle_seconds

    def _mac(self, data: bytes) -> str:
        return hmac.new(self._key, data, hashlib.sha256).hexdigest()

    def dump(self, session: Session) -> str:
        payload = json.dumps([session.member_id, session.nonce, int(session.seen)]).encode()
        body = base64.urlsafe_b64encode(payload).decode().rstrip("=")
        return f"{body}.{self._mac(body.encode())}"

    def load(self, cookie: str | None) -> Session | None:
        """The session of a cookie, or None if it is forged, malformed or idle too long."""
        if not cookie or "." not in cookie or len(cookie) > 400:
            return None
        body, mac = cookie.rsplit(".", 1)
        if not hmac.compare_digest(mac, self._mac(body.encode())):
            return None
        try:
            member_id, nonce, seen = json.loads(base64.urlsafe_b64decode(body + "=" * 4))
        except (ValueError, TypeError):
            return None
        if time.time() - float(seen) > self.idle_seconds:
            return None
        if member_id is not None and not isinstance(member_id, int):
            return None
        return Session(member_id, str(nonce), float(seen))

    def csrf(self, session: Session) -> str:
        return self._mac(b"csrf:" + session.nonce.encode())

    def csrf_ok(self, session: Session, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(str(token), self.csrf(session))

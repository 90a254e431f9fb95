"""CSRF tokens for the board's forms (double submit, signed).

The first page a browser reads sets a random cookie (HttpOnly, SameSite=Strict, the board's path only); every form
carries HMAC(secret, cookie) in a hidden field. A POST is taken only when the field matches the cookie it came
with: another site can make a browser send the cookie but can neither read it nor compute the field. The secret is
made at start, so a restart makes open forms stale: the sender is asked to send again, with the text kept."""

from __future__ import annotations

import hashlib
import hmac
import secrets

COOKIE = "gc_board"


class Csrf:
    def __init__(self, secret: bytes | None = None) -> None:
        self.secret = secret or secrets.token_bytes(32)

    @staticmethod
    def new_cookie() -> str:
        return secrets.token_urlsafe(32)

    def token(self, cookie: str) -> str:
        return hmac.new(self.secret, cookie.encode("utf-8", "surrogateescape"), hashlib.sha256).hexdigest()

    def valid(self, cookie: str, token: str) -> bool:
        if not cookie or len(cookie) > 100 or len(token) != 64:
            return False
        return hmac.compare_digest(self.token(cookie), token.encode("ascii", "replace").decode())

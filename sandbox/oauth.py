"""Tempo's OAuth 2.0 token endpoint, imitated for the sandbox: ``POST /oauth/token/``.

Tempo documents (reference/tempo-facts.md): the token endpoint takes a form-encoded body, an access token
lasts 60 days, and every refresh returns a NEW refresh token while the old one stops working at once.

Behaviour the sandbox ASSUMES where Tempo's documentation is silent (RFC 6749 section 5.2)::

    grant_type=refresh_token&client_id=..&client_secret=..&refresh_token=..   (form-encoded)
      -> 200 {"access_token", "token_type": "Bearer", "expires_in", "refresh_token", "scope"}
    unknown client or wrong secret          -> 401 {"error": "invalid_client"}
    unknown, already used or revoked token  -> 400 {"error": "invalid_grant"}
    another grant_type                      -> 400 {"error": "unsupported_grant_type"}
    a body that is not form-encoded         -> 400 {"error": "invalid_request"}

Access tokens it issues are accepted by every ``/4`` route with every scope, until they expire
(``access_token_lifetime`` seconds, 60 days by default) or ``expire_access_tokens()`` is called; then the
API answers 401 like for any unknown token.  Tests drive it with the Python API (``sandbox.oauth``) or
``/_control/oauth`` (GET -> stats(); POST {"expire_access_tokens": true, "revoke_refresh_tokens": true,
"access_token_lifetime": N, "fail_next": [[status, body], ...]}).
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from typing import Any
from urllib.parse import parse_qsl

CLIENT_ID = "sandbox-oauth-client-7c1e"
CLIENT_SECRET = "sandbox-oauth-secret-5d20b9"
TOKEN_PATH = "/oauth/token/"
SIXTY_DAYS = 60 * 24 * 3600


class OAuthServer:
    """The token endpoint's state: the client, live refresh tokens, access tokens and their expiry."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.access_token_lifetime = SIXTY_DAYS
        self._refresh_tokens: set[str] = set()
        self._access_tokens: dict[str, float] = {}  # token -> expiry (time.time())
        self._refresh_calls = 0
        self._rejected = 0
        self._fail_next: list[tuple[int, bytes]] = []
        self.received_refresh_tokens: list[str] = []
        self._issued: list[str] = []  # every token ever issued, for tests that look for leaks

    # -- tests -------------------------------------------------------------------------
    def issue_refresh_token(self) -> str:
        """A refresh token as the consent gives one (the start of a test)."""
        token = f"sbx-rt-{secrets.token_hex(12)}"
        with self._lock:
            self._refresh_tokens.add(token)
            self._issued.append(token)
        return token

    def issue_access_token(self, lifetime: float | None = None) -> str:
        token = f"sbx-at-{secrets.token_hex(12)}"
        with self._lock:
            self._issued.append(token)
            self._access_tokens[token] = time.time() + (self.access_token_lifetime if lifetime is None else lifetime)
        return token

    def expire_access_tokens(self) -> None:
        """Every access token issued so far is refused from now on (as if its 60 days had passed)."""
        with self._lock:
            self._access_tokens = {token: 0.0 for token in self._access_tokens}

    def revoke_refresh_tokens(self) -> None:
        """The user revoked the app: no refresh token works any more."""
        with self._lock:
            self._refresh_tokens.clear()

    def fail_next(self, status: int, body: bytes | str) -> None:
        """The next token request gets this answer (queued; e.g. 503, 429, a malformed body)."""
        with self._lock:
            self._fail_next.append((status, body.encode() if isinstance(body, str) else body))

    def clear_faults(self) -> None:
        with self._lock:
            self._fail_next.clear()

    def stats(self) -> dict[str, Any]:
        with self._lock:
            return {
                "refresh_calls": self._refresh_calls,
                "rejected": self._rejected,
                "live_refresh_tokens": len(self._refresh_tokens),
                "live_access_tokens": sum(1 for expiry in self._access_tokens.values() if expiry > time.time()),
            }

    @property
    def refresh_calls(self) -> int:
        return self.stats()["refresh_calls"]

    def issued_tokens(self) -> list[str]:
        """Every refresh and access token issued so far, oldest first."""
        with self._lock:
            return list(self._issued)

    def live_refresh_tokens(self) -> set[str]:
        with self._lock:
            return set(self._refresh_tokens)

    # -- the API -----------------------------------------------------------------------
    def accepts(self, access_token: str | None) -> bool:
        with self._lock:
            return access_token is not None and self._access_tokens.get(access_token, 0.0) > time.time()

    def handle_token(self, method: str, content_type: str, body: bytes) -> tuple[int, bytes]:
        if method != "POST":
            return 405, _error("invalid_request", "use POST")
        with self._lock:
            self._refresh_calls += 1
            if self._fail_next:
                return self._fail_next.pop(0)
        if "application/x-www-form-urlencoded" not in (content_type or ""):
            return self._reject(400, "invalid_request", "the body must be form-encoded")
        try:
            form = dict(parse_qsl(body.decode(), keep_blank_values=True, strict_parsing=bool(body)))
        except (ValueError, UnicodeDecodeError):
            return self._reject(400, "invalid_request", "unreadable form body")
        if form.get("grant_type") != "refresh_token":
            return self._reject(400, "unsupported_grant_type", "only refresh_token is supported here")
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            return self._reject(401, "invalid_client", "Client authentication failed")
        refresh_token = form.get("refresh_token", "")
        with self._lock:
            self.received_refresh_tokens.append(refresh_token)
            if refresh_token not in self._refresh_tokens:
                self._rejected += 1
                return 400, _error("invalid_grant", "The refresh token is invalid, expired or revoked")
            self._refresh_tokens.discard(refresh_token)  # rotation: the old one stops working at once
            new_refresh = f"sbx-rt-{secrets.token_hex(12)}"
            self._refresh_tokens.add(new_refresh)
            access = f"sbx-at-{secrets.token_hex(12)}"
            self._access_tokens[access] = time.time() + self.access_token_lifetime
            self._issued += [new_refresh, access]
            lifetime = self.access_token_lifetime
        body_out = {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": lifetime,
            "refresh_token": new_refresh,
            "scope": "read",
        }
        return 200, json.dumps(body_out).encode()

    def _reject(self, status: int, error: str, description: str) -> tuple[int, bytes]:
        with self._lock:
            self._rejected += 1
        return status, _error(error, description)

    def handle_control(self, method: str, changes: dict[str, Any]) -> dict[str, Any]:
        if method == "POST":
            if changes.get("expire_access_tokens"):
                self.expire_access_tokens()
            if changes.get("revoke_refresh_tokens"):
                self.revoke_refresh_tokens()
            if changes.get("access_token_lifetime") is not None:
                self.access_token_lifetime = float(changes["access_token_lifetime"])
            for status, body in changes.get("fail_next") or []:
                self.fail_next(int(status), body)
        return self.stats()


def _error(error: str, description: str) -> bytes:
    return json.dumps({"error": error, "error_description": description}).encode()

"""Shared fixtures: a running local Tempo sandbox (see sandbox/)."""

from __future__ import annotations

from typing import Any, Callable, Iterator

import pytest

from sandbox import TempoSandbox
from sandbox import oauth as sandbox_oauth

DEFAULT_WORKLOGS = 3000
DEFAULT_SEED = 42


@pytest.fixture
def sandbox() -> Iterator[TempoSandbox]:
    """A fresh, started sandbox with the default data set (3,000 worklogs, seed 42).

    Cheap per test: the seeded data is generated once per process and cached.
    """
    sb = TempoSandbox(worklogs=DEFAULT_WORKLOGS, seed=DEFAULT_SEED)
    sb.start()
    try:
        yield sb
    finally:
        sb.stop()


@pytest.fixture
def sandbox_factory() -> Iterator[Callable[..., TempoSandbox]]:
    """``make(**kwargs) -> started TempoSandbox``; every sandbox made is stopped at teardown.

    kwargs are TempoSandbox's: ``worklogs``, ``seed``, ``port``, ``faults`` and any
    SandboxFaults field (e.g. ``rate_limit_per_second=5``).
    """
    started: list[TempoSandbox] = []

    def make(**kwargs: Any) -> TempoSandbox:
        kwargs.setdefault("worklogs", DEFAULT_WORKLOGS)
        kwargs.setdefault("seed", DEFAULT_SEED)
        sb = TempoSandbox(**kwargs)
        sb.start()
        started.append(sb)
        return sb

    try:
        yield make
    finally:
        for sb in started:
            sb.stop()


class Auth:
    """One way of signing in to the sandbox: its config part, and the secrets no output may show."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def __repr__(self) -> str:
        return self.kind

    def config(self, sandbox: TempoSandbox) -> dict[str, Any]:
        if self.kind == "api_token":
            return {"api_token": sandbox.token}  # the older flat shape, as most configs in use are
        return {
            "credentials": {
                "auth_type": "oauth2.0",
                "client_id": sandbox_oauth.CLIENT_ID,
                "client_secret": sandbox_oauth.CLIENT_SECRET,
                "refresh_token": sandbox.oauth.issue_refresh_token(),  # what the consent would have given
            }
        }

    def secrets(self, sandbox: TempoSandbox) -> list[str]:
        if self.kind == "api_token":
            return [sandbox.token]
        return [sandbox_oauth.CLIENT_SECRET, *sandbox.oauth.issued_tokens()]


@pytest.fixture(params=["api_token", "oauth2.0"])
def auth(request: pytest.FixtureRequest) -> Auth:
    """Runs the test once with an API token and once with OAuth 2.0 (a refresh token from the sandbox)."""
    return Auth(request.param)

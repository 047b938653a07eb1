"""Shared fixtures: a running local Tempo sandbox (see sandbox/), and the two kinds of credentials.

Safe under pytest-xdist (`.ci/run` runs the tests in parallel workers): every sandbox binds a free port (port 0)
but the acceptance tests' one, which binds TEMPO_SANDBOX_PORT (default 18765, the port of the static configs);
in a worker that variable is set to a port of the worker's own (`_free_port_for_this_worker`), so that workers,
and test runs side by side on one machine, never compete for 18765.
"""

from __future__ import annotations

import os
import random
import socket
from typing import Any, Callable, Iterator

import pytest

from sandbox import TempoSandbox
from sandbox import oauth as sandbox_oauth

DEFAULT_WORKLOGS = 3000
DEFAULT_SEED = 42
AUTH_KINDS = ("api_token", "oauth2.0")


def _free_port_for_this_worker() -> int:
    """A port free now and below the kernel's ephemeral range, which port-0 listeners and outgoing connections
    draw from: between now and the moment the acceptance sandbox binds it, nothing else is handed that port."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as ports:
            ephemeral_from = int(ports.read().split()[0])
    except (OSError, ValueError, IndexError):
        ephemeral_from = 32768
    candidates = list(range(20000, max(ephemeral_from, 20001)))
    random.SystemRandom().shuffle(candidates)
    for port in candidates[:200]:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port between 20000 and the ephemeral range for the acceptance sandbox")


if os.environ.get("PYTEST_XDIST_WORKER") and not os.environ.get("TEMPO_SANDBOX_PORT"):
    os.environ["TEMPO_SANDBOX_PORT"] = str(_free_port_for_this_worker())


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


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test that takes `auth` runs once per kind of credentials: both (API token, OAuth 2.0) unless it is
    marked `@pytest.mark.auth_kinds(...)` with the kinds its outcome can depend on (see that marker's use)."""
    if "auth" in metafunc.fixturenames:
        marker = metafunc.definition.get_closest_marker("auth_kinds")
        kinds = list(marker.args) if marker else list(AUTH_KINDS)
        unknown = set(kinds) - set(AUTH_KINDS)
        assert kinds and not unknown, f"auth_kinds takes some of {AUTH_KINDS}, got {kinds}"
        metafunc.parametrize("auth", kinds, indirect=True)


@pytest.fixture
def auth(request: pytest.FixtureRequest) -> Auth:
    """How the test signs in: an API token, or OAuth 2.0 (a refresh token from the sandbox); see
    pytest_generate_tests for which tests run with which."""
    return Auth(request.param)

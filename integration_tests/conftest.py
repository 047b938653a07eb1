"""Shared fixtures: a running local Tempo sandbox (see integration_tests/sandbox)."""

from __future__ import annotations

from typing import Any, Callable, Iterator

import pytest

from integration_tests.sandbox import TempoSandbox

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

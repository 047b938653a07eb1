"""Test-session speed-up shared by unit_tests and integration_tests: the manifest is prepared once per process.

Building a `SourceTempo` parses manifest.yaml and the CDK's declarative_component_schema.yaml, resolves every
`$ref` and propagates types and `$parameters` through the manifest, then validates the result against the
schema: about 0.6 s of CPU, the same work for every test that builds a source (most unit tests, the in-process
standard suite), and most of the unit suite's time. Each of those three steps is a pure function of its input,
so `cache_manifest_preparation` memoizes them for the test session, keyed by the exact input:

* YAML parsing (`safe_load_yaml`, as the CDK calls it for the manifest and for its component schema), keyed by
  the text parsed;
* the CDK's reference resolution and type propagation, keyed by the parsed manifest;
* the CDK's validation of the resolved manifest, skipped only for a resolved manifest that already passed it
  in this process (a failing one is validated, and fails, every time).

The two CDK methods are private (`MANIFEST_PREPARATION_STEPS` in source_tempo/cdk_internals.py, checked by
unit_tests/test_cdk_internals.py).

Keys and stored results are pickles (exact for the plain YAML values a manifest holds), and every call gets a
fresh copy of the result (`pickle.loads`), so no source sees another one's mutations. A changed manifest, a
manifest built in a test, or another component schema is another key: it is parsed, resolved and validated as
without the cache. The `source-tempo` processes the integration tests start are not affected.

The rest prepares the parallel run of `.ci/run` (pytest-xdist, `--dist loadfile`, refined below).
"""

from __future__ import annotations

import os
import pickle
from typing import Any, Callable, Iterator

import pytest
from airbyte_cdk.sources.declarative import concurrent_declarative_source, yaml_declarative_source
from airbyte_cdk.sources.declarative.concurrent_declarative_source import ConcurrentDeclarativeSource

from source_tempo.cdk_internals import MANIFEST_PREPARATION_STEPS, validation_input

try:
    from xdist.scheduler import LoadScopeScheduling
except ImportError:  # pytest-xdist (a dev dependency) not installed: the tests run in one process
    LoadScopeScheduling = object  # type: ignore[assignment,misc]


def _key(value: Any) -> bytes | None:
    """An exact key for a plain value (equal pickles mean equal values of equal types), None if unpicklable."""
    try:
        return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 -- anything pickle refuses is simply not cached
        return None


class _Memo:
    """Results by key, stored pickled so that each hit returns a fresh, unshared copy."""

    def __init__(self) -> None:
        self._results: dict[bytes, bytes] = {}

    def get(self, key: bytes | None, compute: Callable[[], Any]) -> Any:
        if key is None:
            return compute()
        if key not in self._results:
            result = compute()
            stored = _key(result)
            if stored is None:
                return result
            self._results[key] = stored
        return pickle.loads(self._results[key])


@pytest.fixture(scope="session", autouse=True)
def cache_manifest_preparation() -> Iterator[None]:
    """Parses, resolves and validates each distinct manifest once per test process (see the module docstring)."""
    parsed, resolved, validated = _Memo(), _Memo(), set()
    load_yaml = yaml_declarative_source.safe_load_yaml
    pre_process_name, validate_name = MANIFEST_PREPARATION_STEPS
    pre_process = getattr(ConcurrentDeclarativeSource, pre_process_name)
    validate = getattr(ConcurrentDeclarativeSource, validate_name)

    def cached_load_yaml(stream: Any) -> Any:
        text = stream if isinstance(stream, (str, bytes)) else stream.read()
        return parsed.get(_key(text), lambda: load_yaml(text))

    def cached_pre_process(self: ConcurrentDeclarativeSource, manifest: dict[str, Any]) -> dict[str, Any]:
        return resolved.get(_key(manifest), lambda: pre_process(self, manifest))

    def cached_validate(self: ConcurrentDeclarativeSource) -> None:
        key = _key(validation_input(self))
        if key is not None and key in validated:
            return
        validate(self)
        if key is not None:
            validated.add(key)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(yaml_declarative_source, "safe_load_yaml", cached_load_yaml)
        patch.setattr(concurrent_declarative_source, "safe_load_yaml", cached_load_yaml)
        patch.setattr(ConcurrentDeclarativeSource, pre_process_name, cached_pre_process)
        patch.setattr(ConcurrentDeclarativeSource, validate_name, cached_validate)
        yield


# The test modules whose tests `.ci/run` spreads over the xdist workers one by one: every test sets up its own
# sandbox and connector (no fixture of theirs is shared beyond one test; checked in every worker below), and many take
# from 10 s to over a minute. Every other module runs on one worker as a whole, as with `--dist loadfile`, so that the
# fixtures it shares between its tests are set up once: the acceptance sandbox and the reads all its tests check, the
# Docker image (built in build/, which two builds would share), the installed wheel, PyAirbyte's venv.
# In the order they start: the longest tests first (test_secrets' two take one to two minutes each).
SPREAD_MODULES = tuple(
    f"integration_tests/{name}.py"
    for name in (
        "test_secrets",
        "test_faults",
        "test_end_to_end",
        "test_oauth",
        "test_more_streams_end_to_end",
        "test_catalog_streams_end_to_end",
        "test_reporting_streams_end_to_end",
        "test_faults_data",
        "test_finance_streams_end_to_end",
        "test_jira_end_to_end",
        "test_first_hour",
        "test_more_data_streams_end_to_end",
    )
)


def _module_of(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


class _LoadFileSpreadingLongModules(LoadScopeScheduling):
    """`--dist loadfile`, except that the tests of SPREAD_MODULES are scheduled one by one.

    (`--dist loadgroup` with `xdist_group` marks would say the same per test, but pytest-xdist 3.8 cannot group
    under pytest 9.2: it renames the node ids, which pytest 9.2 no longer lets it do; pytest-xdist issue 1386.)
    """

    def _split_scope(self, nodeid: str) -> str:
        return nodeid if _module_of(nodeid) in SPREAD_MODULES else _module_of(nodeid)


@pytest.hookimpl(tryfirst=True, optionalhook=True)  # before xdist's own, which would answer for these modes
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> LoadScopeScheduling | None:
    """`--dist loadfile` and `--dist load` (what a bare `-n N` means) both schedule as above: with plain `load`,
    two workers could build the Docker image at once. (`.ci/run` adds --no-loadscope-reorder, which keeps the order
    pytest_collection_modifyitems gives; the default order puts the modules with most tests first.)"""
    if config.getoption("dist") in ("load", "loadfile"):
        return _LoadFileSpreadingLongModules(config, log)
    return None


def _shares_a_fixture_of_its_module(item: pytest.Item) -> bool:
    """Whether the test takes a module-, package- or session-scoped fixture defined in its own test module."""
    module = getattr(item, "module", None)
    fixtureinfo = getattr(item, "_fixtureinfo", None)
    if module is None or fixtureinfo is None:
        return False
    return any(
        definition.scope != "function" and getattr(definition.func, "__module__", None) == module.__name__
        for definitions in fixtureinfo.name2fixturedefs.values()
        for definition in definitions
    )


_SHARED_IN_A_SPREAD_MODULE = pytest.StashKey[str]()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """In an xdist worker: fails (at setup) the tests of SPREAD_MODULES that share a fixture of their module, and
    orders the tests so that the long ones start first: the slow modules that run as a whole (they also set up the
    image, the wheel, the acceptance reads), then the other slow tests in SPREAD_MODULES' order, then the many short
    ones, which fill the workers at the end. (Every worker orders the same way; xdist checks that they collected the
    same list.)"""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return
    for item in items:
        if _module_of(item.nodeid) in SPREAD_MODULES and _shares_a_fixture_of_its_module(item):
            item.stash[_SHARED_IN_A_SPREAD_MODULE] = (
                f"{_module_of(item.nodeid)} shares a module- or session-scoped fixture between its tests, so it must "
                "run on one worker: remove it from SPREAD_MODULES in conftest.py"
            )

    def order(item: pytest.Item) -> tuple[int, int]:
        module = _module_of(item.nodeid)
        if item.get_closest_marker("slow") is None:
            return 2, 0
        return (1, SPREAD_MODULES.index(module)) if module in SPREAD_MODULES else (0, 0)

    items.sort(key=order)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    problem = item.stash.get(_SHARED_IN_A_SPREAD_MODULE, None)
    if problem:
        pytest.fail(problem, pytrace=False)

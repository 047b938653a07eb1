"""Test-session speed-up shared by unit_tests and integration_tests: the manifest is prepared once per process.

Building a `SourceTempo` parses manifest.yaml and the CDK's declarative_component_schema.yaml, resolves every
`$ref` and propagates types and `$parameters` through the manifest, then validates the result against the
schema: about 0.6 s of CPU, the same work for every test that builds a source (most unit tests, the in-process
standard suite), and most of the unit suite's time. Each of those three steps is a pure function of its input,
so `cache_manifest_preparation` memoizes them for the test session, keyed by the exact input:

* YAML parsing (`safe_load_yaml`, as the CDK calls it for the manifest and for its component schema), keyed by
  the text parsed;
* `ConcurrentDeclarativeSource._pre_process_manifest` (reference resolution and type propagation), keyed by
  the parsed manifest;
* `ConcurrentDeclarativeSource._validate_source`, skipped only for a resolved manifest that already passed it
  in this process (a failing one is validated, and fails, every time).

Keys and stored results are pickles (exact for the plain YAML values a manifest holds), and every call gets a
fresh copy of the result (`pickle.loads`), so no source sees another one's mutations. A changed manifest, a
manifest built in a test, or another component schema is another key: it is parsed, resolved and validated as
without the cache. The `source-tempo` processes the integration tests start are not affected.

`pytest_collection_modifyitems` prepares the parallel run of `.ci/run` (pytest-xdist, `--dist loadgroup`).
"""

from __future__ import annotations

import os
import pickle
from typing import Any, Callable, Iterator

import pytest
from airbyte_cdk.sources.declarative import concurrent_declarative_source, yaml_declarative_source
from airbyte_cdk.sources.declarative.concurrent_declarative_source import ConcurrentDeclarativeSource


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
    pre_process = ConcurrentDeclarativeSource._pre_process_manifest
    validate = ConcurrentDeclarativeSource._validate_source

    def cached_load_yaml(stream: Any) -> Any:
        text = stream if isinstance(stream, (str, bytes)) else stream.read()
        return parsed.get(_key(text), lambda: load_yaml(text))

    def cached_pre_process(self: ConcurrentDeclarativeSource, manifest: dict[str, Any]) -> dict[str, Any]:
        return resolved.get(_key(manifest), lambda: pre_process(self, manifest))

    def cached_validate(self: ConcurrentDeclarativeSource) -> None:
        key = _key((self._source_config, self._declarative_component_schema))
        if key is not None and key in validated:
            return
        validate(self)
        if key is not None:
            validated.add(key)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(yaml_declarative_source, "safe_load_yaml", cached_load_yaml)
        patch.setattr(concurrent_declarative_source, "safe_load_yaml", cached_load_yaml)
        patch.setattr(ConcurrentDeclarativeSource, "_pre_process_manifest", cached_pre_process)
        patch.setattr(ConcurrentDeclarativeSource, "_validate_source", cached_validate)
        yield


def _uses_a_fixture_of_its_module_shared_beyond_the_test(item: pytest.Item) -> bool:
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


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Two things for a parallel run with pytest-xdist:

    * The tests of a module that shares a fixture beyond one test (the acceptance sandbox on its own port and the
      reads made once for all its tests, the Docker image built in build/, the installed wheel) go to one worker
      together (`xdist_group`, honoured by `--dist loadgroup`): split, every worker would set the fixture up again,
      and two image builds would share build/wheels. Every other test is scheduled on its own.
    * In a worker, the `slow` tests come first, so that the long end-to-end ones start early and the many short
      unit tests fill the workers at the end. (xdist checks that every worker collected the same order.)
    """
    for item in items:
        if _uses_a_fixture_of_its_module_shared_beyond_the_test(item):
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))
    if os.environ.get("PYTEST_XDIST_WORKER"):
        items.sort(key=lambda item: item.get_closest_marker("slow") is None)

"""Shared fixtures and helpers of the source-tempo unit tests.

Two fixtures apply to every test, so that no test sleeps:

* `retry_waits`: the CDK waits between retries (429 and 5xx) with `time.sleep` inside
  airbyte_cdk.sources.streams.http.rate_limiting, and source_tempo.components.errors sleeps the first part of a
  long wait in steps; both modules' `time` is replaced by a recorder, so a test can assert how long the
  connector *would* have waited.
* `budget_waits`: the manifest's api_budget (5 requests/second) blocks the 6th request of a second;
  its blocking wait is recorded instead of slept, the call still counts against the budget.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any, Iterable, List, Mapping

import orjson
import pytest
import requests_cache
from airbyte_cdk.models import AirbyteMessageSerializer, AirbyteStateMessage, SyncMode
from airbyte_cdk.sources.streams import call_rate
from airbyte_cdk.sources.streams.http import rate_limiting
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from airbyte_cdk.test.entrypoint_wrapper import EntrypointOutput, read
from airbyte_cdk.test.mock_http import HttpMocker
from airbyte_cdk.test.models.outcome import ExpectedOutcome

from source_tempo import SourceTempo
from source_tempo.cdk_internals import (
    API_BUDGET_ACQUIRE,
    assert_every_mocked_request_sent,
    request_cache_lock,
    run_entrypoint_command,
)
from source_tempo.components import errors

INCREMENTAL_STREAMS = frozenset({"worklogs", "plans", "timesheet-approvals", "worklog-deletions"})
# Where the CDK keeps the responses of parent streams (`use_cache`) when REQUEST_CACHE_PATH is not set:
# one in-memory database for the whole process.
_REQUEST_CACHE = "file::memory:?cache=shared"


class _RecordingTime:
    """Stands in for the `time` module where the CDK sleeps between retries."""

    def __init__(self, waits: List[float]) -> None:
        self._waits = waits

    def sleep(self, seconds: float) -> None:
        self._waits.append(seconds)


@pytest.fixture(autouse=True)
def retry_waits(monkeypatch: pytest.MonkeyPatch) -> List[float]:
    """Seconds the CDK would have slept before each retry, in order."""
    waits: List[float] = []
    monkeypatch.setattr(rate_limiting, "time", _RecordingTime(waits))
    monkeypatch.setattr(errors, "time", _RecordingTime(waits))  # the steps of a wait over 30 s
    return waits


@pytest.fixture(autouse=True)
def budget_waits(monkeypatch: pytest.MonkeyPatch) -> List[float]:
    """Seconds the api_budget would have blocked a request for; the request then proceeds."""
    waits: List[float] = []

    def acquire_without_blocking(self: Any, request: Any, policy: Any, block: bool, timeout: float | None) -> None:
        try:
            policy.try_acquire(request, weight=1)
        except call_rate.CallRateLimitHit as hit:
            waits.append(hit.time_to_wait.total_seconds())

    monkeypatch.setattr(call_rate.APIBudget, API_BUDGET_ACQUIRE, acquire_without_blocking)
    return waits


def _empty_request_cache() -> None:
    with request_cache_lock():
        requests_cache.SQLiteCache(_REQUEST_CACHE, fast_save=True, wal=True).clear()


@pytest.fixture(autouse=True)
def empty_request_cache() -> Iterable[None]:
    """Parent streams (teams, holiday-schemes) cache their responses for the sync, in one in-memory database
    per process: emptied around every test, so that no test is served the responses another one mocked."""
    _empty_request_cache()
    yield
    _empty_request_cache()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture
def http_mocker(request: pytest.FixtureRequest) -> Iterable[HttpMocker]:
    """An HttpMocker for the test; like `@HttpMocker()`, a test that passes fails if a mocked request was
    never sent (checked only when the test body passed, so a real failure is not hidden by this one)."""
    with HttpMocker() as mocker:
        yield mocker
    report = getattr(request.node, "report_call", None)
    if report is not None and report.passed:
        assert_every_mocked_request_sent(mocker)


def get_source(
    config: Mapping[str, Any], state: List[AirbyteStateMessage] | None = None, catalog: Any = None
) -> SourceTempo:
    """SourceTempo as the platform builds it: config, catalog and state go to the constructor."""
    return SourceTempo(catalog=catalog, config=dict(config), state=state)


def catalog_for(*streams: str, sync_mode: SyncMode | None = None) -> Any:
    """A configured catalog; the INCREMENTAL_STREAMS default to incremental, the other streams to full refresh."""
    builder = CatalogBuilder()
    for stream in streams:
        mode = sync_mode or (SyncMode.incremental if stream in INCREMENTAL_STREAMS else SyncMode.full_refresh)
        builder.with_stream(stream, mode)
    return builder.build()


def read_streams(
    config: Mapping[str, Any],
    *streams: str,
    state: List[AirbyteStateMessage] | None = None,
    sync_mode: SyncMode | None = None,
    expect_failure: bool = False,
    debug: bool = False,
) -> EntrypointOutput:
    """Runs `read` for the given streams through the CDK entrypoint, as the platform would."""
    catalog = catalog_for(*streams, sync_mode=sync_mode)
    source = get_source(config, state=state, catalog=catalog)
    outcome = ExpectedOutcome.EXPECT_EXCEPTION if expect_failure else ExpectedOutcome.EXPECT_SUCCESS
    return read(source, config=dict(config), catalog=catalog, state=state, expected_outcome=outcome, debug=debug)


def run_check(config: Mapping[str, Any]) -> EntrypointOutput:
    """Runs `check` through the CDK entrypoint (entrypoint_wrapper has no `check` helper)."""
    source = get_source(config)
    with tempfile.TemporaryDirectory() as directory:
        config_path = Path(directory) / "config.json"
        config_path.write_text(json.dumps(dict(config)))
        return run_entrypoint_command(
            source, ["check", "--config", str(config_path)], expected_outcome=ExpectedOutcome.ALLOW_ANY
        )


def records_of(output: EntrypointOutput, stream: str) -> List[Mapping[str, Any]]:
    return [message.record.data for message in output.records if message.record.stream == stream]


def ids_of(output: EntrypointOutput, stream: str, id_field: str = "id") -> List[Any]:
    return [record[id_field] for record in records_of(output, stream)]


def states_of(output: EntrypointOutput, stream: str) -> List[Mapping[str, Any]]:
    """Every state message's stream_state for one stream, in emission order, as plain dicts."""
    return [
        dict(message.state.stream.stream_state.__dict__)
        for message in output.state_messages
        if message.state.stream.stream_descriptor.name == stream
    ]


def error_messages(output: EntrypointOutput) -> List[str]:
    """The user-facing message of every error trace."""
    return [message.trace.error.message for message in output.errors]


def stream_error_messages(output: EntrypointOutput, stream: str) -> List[str]:
    return [
        message.trace.error.message
        for message in output.errors
        if message.trace.error.stream_descriptor and message.trace.error.stream_descriptor.name == stream
    ]


def all_output_text(output: EntrypointOutput) -> str:
    """Every message the connector emitted (records, state, logs, traces, statuses), serialized."""
    return "\n".join(
        orjson.dumps(AirbyteMessageSerializer.dump(message)).decode() for message in output.get_message_iterator()
    )


def assert_no_errors(output: EntrypointOutput) -> None:
    assert not output.errors, error_messages(output)


def messages_in_order(output: EntrypointOutput, stream: str) -> Iterable[Any]:
    """Records and states of one stream in emission order: ("record", data) or ("state", stream_state)."""
    for message in output.records_and_state_messages:
        if message.record is not None and message.record.stream == stream:
            yield "record", message.record.data
        elif message.state is not None and message.state.stream.stream_descriptor.name == stream:
            yield "state", dict(message.state.stream.stream_state.__dict__)

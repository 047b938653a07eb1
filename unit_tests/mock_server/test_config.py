"""Config validation, check, discover and spec.

A config that is invalid must be refused with a config error naming the field, before any request is
sent. Two entrypoints are exercised: the console script `source-tempo` (source_tempo.run.run, what the
image and the platform execute) and the CDK's AirbyteEntrypoint (what entrypoint_wrapper and the CDK's
standard tests drive).
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
from pathlib import Path
from typing import Any, Dict, Iterable, List, Tuple

import pytest
import requests_mock
from airbyte_cdk.models import ConfiguredAirbyteCatalogSerializer, FailureType, Status, SyncMode
from airbyte_cdk.test.entrypoint_wrapper import EntrypointOutput, discover
from airbyte_cdk.test.mock_http import HttpMocker

from source_tempo.run import run
from unit_tests.conftest import (
    assert_no_errors,
    catalog_for,
    error_messages,
    get_source,
    read_streams,
    run_check,
)
from unit_tests.mock_server.config import API_TOKEN, ConfigBuilder
from unit_tests.mock_server.probes import mock_check
from unit_tests.mock_server.request_builder import TempoRequestBuilder
from unit_tests.mock_server.response_builder import TempoPageBuilder, error_response, workload_scheme

# (field, invalid value): each must be refused naming the field.
_INVALID = [
    ("api_url", "http://tempo.example.com/4"),
    ("api_url", "http://localhost.evil.example/4"),
    ("api_url", "ftp://api.tempo.io/4"),
    ("start_date", "2024/01/01"),
    ("start_date", "2024-13-01"),
    ("start_date", "2024-02-30"),
    ("page_size", 0),
    ("page_size", 5001),
    ("lookback_window_minutes", -5),
    ("region", "mars"),
    ("api_token", ""),
]


def _ids(cases: Iterable[Tuple[str, Any]]) -> List[str]:
    return [f"{name}={value!r}" for name, value in cases]


def _invalid_config(name: str, value: Any) -> Dict[str, Any]:
    return ConfigBuilder().with_field(name, value).build()


@pytest.fixture
def network() -> Iterable[requests_mock.Mocker]:
    """Records every HTTP request; a refused config must send none."""
    with requests_mock.Mocker() as mocker:
        mocker.register_uri(requests_mock.ANY, requests_mock.ANY, status_code=500, json={})
        yield mocker


def _run_console(
    tmp_path: Path, command: str, config: Dict[str, Any], streams: Tuple[str, ...] = ()
) -> Tuple[EntrypointOutput, int]:
    """Runs the `source-tempo` console script in-process; returns its messages and exit code."""
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps(config))
    args = [command, "--config", str(config_path)]
    if command == "read":
        catalog_path = tmp_path / "catalog.json"
        catalog_path.write_text(json.dumps(ConfiguredAirbyteCatalogSerializer.dump(catalog_for(*streams))))
        args += ["--catalog", str(catalog_path)]
    stdout = io.StringIO()
    exit_code = 0
    with contextlib.redirect_stdout(stdout):
        try:
            run(args)
        except SystemExit as exit_:
            exit_code = int(exit_.code or 0)
    lines = [line for line in stdout.getvalue().splitlines() if line.strip()]
    return EntrypointOutput(messages=lines), exit_code


def _failed_status_message(output: EntrypointOutput) -> str | None:
    statuses = [message.connectionStatus for message in output.connection_status_messages]
    assert statuses, "no CONNECTION_STATUS message"
    assert statuses[-1].status == Status.FAILED
    return statuses[-1].message


# --- the console script: what users run ------------------------------------------------------------------


@pytest.mark.parametrize("name, value", _INVALID, ids=_ids(_INVALID))
def test_console_check_refuses_the_field_before_any_request(tmp_path, network, name: str, value: Any) -> None:
    output, exit_code = _run_console(tmp_path, "check", _invalid_config(name, value))

    message = _failed_status_message(output)
    assert f"`{name}`" in message, message
    assert network.call_count == 0
    assert exit_code == 0  # a failed check is an answer, not a crash


@pytest.mark.parametrize("name, value", _INVALID, ids=_ids(_INVALID))
def test_console_read_refuses_the_field_before_any_request(tmp_path, network, name: str, value: Any) -> None:
    output, exit_code = _run_console(tmp_path, "read", _invalid_config(name, value), streams=("workload-schemes",))

    assert output.records == []
    assert [error.trace.error.failure_type for error in output.errors] == [FailureType.config_error]
    assert f"`{name}`" in error_messages(output)[0], error_messages(output)
    assert network.call_count == 0
    assert exit_code != 0


def test_console_config_error_does_not_show_the_token(tmp_path, network) -> None:
    config = ConfigBuilder().with_page_size(0).build()

    output, _ = _run_console(tmp_path, "check", config)

    assert API_TOKEN not in (_failed_status_message(output) or "")


# --- the CDK entrypoint (entrypoint_wrapper) ----------------------------------------------------------


@pytest.mark.parametrize("name, value", _INVALID, ids=_ids(_INVALID))
def test_read_refuses_an_invalid_config_before_any_request(network, name: str, value: Any) -> None:
    output = read_streams(_invalid_config(name, value), "workload-schemes", expect_failure=True)

    assert output.records == []
    assert FailureType.config_error in [error.trace.error.failure_type for error in output.errors]
    assert network.call_count == 0


@pytest.mark.parametrize("name, value", _INVALID, ids=_ids(_INVALID))
def test_check_fails_on_an_invalid_config_before_any_request(network, name: str, value: Any) -> None:
    output = run_check(_invalid_config(name, value))

    _failed_status_message(output)
    assert network.call_count == 0


@pytest.mark.parametrize("name, value", _INVALID, ids=_ids(_INVALID))
def test_read_config_error_names_the_field(network, name: str, value: Any) -> None:
    output = read_streams(_invalid_config(name, value), "workload-schemes", expect_failure=True)

    messages = error_messages(output)
    assert messages and f"`{name}`" in messages[0], messages


# --- valid configs ---------------------------------------------------------------------------------------


def test_check_succeeds_by_reading_one_worklog(http_mocker: HttpMocker) -> None:
    core_read = mock_check(http_mocker)[0]  # and the probes of the other streams: see test_check.py

    output = run_check(ConfigBuilder().build())

    statuses = output.connection_status_messages
    assert statuses and statuses[-1].connectionStatus.status == Status.SUCCEEDED
    http_mocker.assert_number_of_calls(core_read, 1)


@pytest.mark.parametrize(
    "api_url", ["http://localhost:8765/4", "http://127.0.0.1:8765/4", "https://tempo-proxy.example.com/tempo/4"]
)
def test_local_http_and_any_https_api_url_are_accepted(http_mocker: HttpMocker, api_url: str) -> None:
    mock_check(http_mocker, base_url=api_url)

    output = run_check(ConfigBuilder().with_api_url(api_url).build())

    assert output.connection_status_messages[-1].connectionStatus.status == Status.SUCCEEDED


@pytest.mark.parametrize("region, host", [("eu", "https://api.eu.tempo.io/4"), ("us", "https://api.us.tempo.io/4")])
def test_check_uses_the_region_host(http_mocker: HttpMocker, region: str, host: str) -> None:
    mock_check(http_mocker, base_url=host)

    output = run_check(ConfigBuilder().with_region(region).build())

    assert output.connection_status_messages[-1].connectionStatus.status == Status.SUCCEEDED


def test_check_with_a_rejected_token_fails_saying_so(http_mocker: HttpMocker) -> None:
    mock_check(http_mocker, core=error_response(401, "The access token is invalid"), with_probes=False)

    output = run_check(ConfigBuilder().build())

    message = _failed_status_message(output)
    assert "token" in message and "region" in message, message
    assert API_TOKEN not in message


def test_page_size_is_the_limit_of_every_request(http_mocker: HttpMocker) -> None:
    http_mocker.get(
        TempoRequestBuilder.workload_schemes_endpoint().with_limit(5000).build(),
        TempoPageBuilder.workload_schemes().with_limit(5000).with_records([workload_scheme(1)]).build(),
    )

    output = read_streams(ConfigBuilder().with_page_size(5000).build(), "workload-schemes")

    assert_no_errors(output)


def test_discover_lists_every_stream_without_a_request(network) -> None:
    config = ConfigBuilder().build()
    output = discover(get_source(config), config)

    streams = {stream.name: stream for stream in output.catalog.catalog.streams}
    added = {  # stream -> (primary key, cursor)
        "teams": ([["id"]], None),
        "plans": ([["id"]], ["updatedAt"]),
        "timesheet-approvals": ([["teamId"], ["period_from"], ["userAccountId"]], ["period_from"]),
        "holiday-schemes": ([["id"]], None),
        "holidays": ([["id"], ["date"]], None),
        "holiday-scheme-members": ([["schemeId"], ["accountId"]], None),
        "worklog-deletions": ([["tempoWorklogId"]], ["deletedAt"]),
        "account-categories": ([["id"]], None),
        "account-category-types": ([["name"]], None),
        "work-attributes": ([["key"]], None),
        "roles": ([["id"]], None),
        "programs": ([["id"]], None),
        "generic-resources": ([["id"]], None),
        "skills": ([["id"]], None),
        "periods": ([["from"], ["to"]], None),
        "global-configuration": (None, None),
        "team-memberships": ([["id"]], None),
        "workload-scheme-members": ([["schemeId"], ["accountId"]], None),
        "account-links": ([["id"]], None),
        "user-schedules": ([["accountId"], ["date"]], ["date"]),
        "timesheet-approval-logs": ([["userAccountId"], ["period_from"], ["updatedAt"]], ["updatedAt"]),
    }
    assert list(streams) == ["accounts", "customers", "workload-schemes", "worklogs", *added]
    assert {
        name: (streams[name].source_defined_primary_key, streams[name].default_cursor_field) for name in added
    } == added
    assert streams["worklogs"].source_defined_primary_key == [["tempoWorklogId"]]
    assert streams["worklogs"].default_cursor_field == ["updatedAt"]
    assert SyncMode.incremental in streams["worklogs"].supported_sync_modes
    for name in ("accounts", "customers", "workload-schemes"):
        assert streams[name].source_defined_primary_key == [["id"]]
        assert streams[name].supported_sync_modes == [SyncMode.full_refresh]
    assert network.call_count == 0


def test_spec_marks_the_token_secret() -> None:
    properties = (
        get_source(ConfigBuilder().build()).spec(logging.getLogger("airbyte")).connectionSpecification["properties"]
    )

    assert properties["api_token"]["airbyte_secret"] is True  # the older shape, still read
    kinds = {
        branch["properties"]["auth_type"]["const"]: branch["properties"]
        for branch in properties["credentials"]["oneOf"]
    }
    assert kinds["api_token"]["api_token"]["airbyte_secret"] is True
    for name in ("client_id", "client_secret", "refresh_token", "access_token"):
        assert kinds["oauth2.0"][name]["airbyte_secret"] is True, name
    assert properties["page_size"]["minimum"] == 1 and properties["page_size"]["maximum"] == 5000
    assert properties["region"]["enum"] == ["global", "eu", "us"]

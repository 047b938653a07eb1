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
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, Iterable, List, Tuple
from unittest import mock

import pytest
import requests_mock
from airbyte_cdk.logger import PRINT_BUFFER
from airbyte_cdk.models import ConfiguredAirbyteCatalogSerializer, FailureType, Status, SyncMode
from airbyte_cdk.test.entrypoint_wrapper import EntrypointOutput, discover
from airbyte_cdk.test.mock_http import HttpMocker
from airbyte_cdk.test.state_builder import StateBuilder

from source_tempo.run import run
from unit_tests.conftest import (
    assert_no_errors,
    catalog_for,
    error_messages,
    get_source,
    ids_of,
    read_streams,
    run_check,
)
from unit_tests.mock_server.config import API_TOKEN, ConfigBuilder
from unit_tests.mock_server.probes import mock_check
from unit_tests.mock_server.request_builder import WORKLOGS_LIMIT, TempoRequestBuilder
from unit_tests.mock_server.response_builder import TempoPageBuilder, error_response, workload_scheme, worklog

TODAY = datetime.now(timezone.utc).date()
TOMORROW = (TODAY + timedelta(days=1)).isoformat()

_API_URL_SHAPE = "Config field `api_url` must look like https://host/4 (http only for localhost), got"
_SPACE_INSIDE = "has a space or a line break inside, which no Tempo secret has: copy it again without them."

# (field, invalid value, the message that refuses it): for `check` (its status) and `read` (its error) alike.
_REFUSED = [
    ("api_url", "http://tempo.example.com/4", f"{_API_URL_SHAPE} 'http://tempo.example.com/4'."),
    ("api_url", "http://localhost.evil.example/4", f"{_API_URL_SHAPE} 'http://localhost.evil.example/4'."),
    ("api_url", "ftp://api.tempo.io/4", f"{_API_URL_SHAPE} 'ftp://api.tempo.io/4'."),
    (
        "api_url",
        "https://tempo-proxy.example.com",
        "Config field `api_url` must end with /4, the version of Tempo's REST API that the connector reads "
        "(e.g. https://tempo-proxy.example.com/4), got 'https://tempo-proxy.example.com'.",
    ),
    ("start_date", "2024/01/01", "Config field `start_date` must look like YYYY-MM-DD, got '2024/01/01'."),
    ("start_date", "2024-13-01", "Config field `start_date` must look like YYYY-MM-DD, got '2024-13-01'."),
    (
        "start_date",
        "2024-02-30",
        "Config field `start_date` must be a real calendar date in YYYY-MM-DD form, got '2024-02-30'.",
    ),
    (
        "start_date",
        TOMORROW,
        f"Config field `start_date` must not be after today ({TODAY.isoformat()} in UTC), got '{TOMORROW}': nothing "
        "dated after today can be read yet. Set it to today or earlier, or leave it empty.",
    ),
    ("page_size", 0, "Config field `page_size` must be between 1 and 5000, got 0."),
    ("page_size", 5001, "Config field `page_size` must be between 1 and 5000, got 5001."),
    ("page_size", " 0 ", "Config field `page_size` must be between 1 and 5000, got 0."),
    ("page_size", "a hundred", "Config field `page_size` must be a whole number, got 'a hundred'."),
    ("num_workers", "ten", "Config field `num_workers` must be a whole number, got 'ten'."),
    ("requests_per_second", 2.5, "Config field `requests_per_second` must be a whole number, got 2.5."),
    ("lookback_window_minutes", -5, "Config field `lookback_window_minutes` must be between 0 and 43200, got -5."),
    ("worklog_tombstones", "yes", "Config field `worklog_tombstones` must be true or false, got 'yes'."),
    ("region", "mars", "Config field `region` must be one of global, eu, us, got 'mars'."),
    ("api_token", "", "Config field `api_token` must not be empty."),
    ("api_token", " \n", "Config field `api_token` must not be empty."),
    ("api_token", 12345, "Config field `api_token` must be text, got (hidden)."),
    ("api_token", "tempo-unit-test\ntoken", f"Config field `api_token` {_SPACE_INSIDE}"),
    ("credentials", "tempo-unit-test-token", "Config field `credentials` must be an object, got (hidden)."),
    (
        "credentials",
        {"auth_type": "api_token", "api_token": "tempo unit token"},
        f"Config field `credentials.api_token` {_SPACE_INSIDE}",
    ),
]
_INVALID = [(name, value) for name, value, _ in _REFUSED]
# The rules the spec's JSON schema cannot state. The CDK's own JSON-schema check of the config, which its entrypoint
# runs before the connector's code, answers the others first where the `source-tempo` command is not used (see
# SourceTempo.validate_config); its message does not name the field.
_BEYOND_THE_SCHEMA = [
    ("api_url", "https://tempo-proxy.example.com"),
    ("start_date", "2024-02-30"),
    ("start_date", TOMORROW),
    ("api_token", "tempo-unit-test\ntoken"),
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


def _site_without_work_attributes(network: requests_mock.Mocker) -> None:
    """What discover asks for besides the manifest: the work attributes that become worklogs columns (none here)."""
    page = TempoPageBuilder("work-attributes").build_body()
    network.register_uri("GET", "https://api.tempo.io/4/work-attributes?limit=1000", json=page)


def _run_console(
    tmp_path: Path, command: str, config: Dict[str, Any], streams: Tuple[str, ...] = (), debug: bool = False
) -> Tuple[EntrypointOutput, int]:
    """Runs the `source-tempo` console script in-process; returns its messages and exit code."""
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps(config))
    args = [command, "--config", str(config_path)] if command != "spec" else [command]
    if debug:
        args.append("--debug")
    if command == "read":
        catalog_path = tmp_path / "catalog.json"
        catalog_path.write_text(json.dumps(ConfiguredAirbyteCatalogSerializer.dump(catalog_for(*streams))))
        args += ["--catalog", str(catalog_path)]
    stdout = io.StringIO()
    exit_code = 0
    # The CDK's print buffer (messages of `read`, log lines) writes to sys.__stdout__.
    with contextlib.redirect_stdout(stdout), mock.patch.object(sys, "__stdout__", stdout):
        try:
            run(args)
        except SystemExit as exit_:
            exit_code = int(exit_.code or 0)
        except Exception as error:  # what the interpreter does with it: the CDK's hook prints it, the exit code is 1
            sys.excepthook(type(error), error, error.__traceback__)
            exit_code = 1
        PRINT_BUFFER.flush()
    lines = [line for line in stdout.getvalue().splitlines() if line.strip()]
    return EntrypointOutput(messages=lines), exit_code


def _failed_status_message(output: EntrypointOutput) -> str | None:
    statuses = [message.connectionStatus for message in output.connection_status_messages]
    assert statuses, "no CONNECTION_STATUS message"
    assert statuses[-1].status == Status.FAILED
    return statuses[-1].message


# --- the console script: what users run ------------------------------------------------------------------


@pytest.mark.parametrize("name, value, message", _REFUSED, ids=_ids(_INVALID))
def test_console_check_refuses_the_field_before_any_request(tmp_path, network, name: str, value: Any, message) -> None:
    output, exit_code = _run_console(tmp_path, "check", _invalid_config(name, value))

    assert _failed_status_message(output) == message
    assert network.call_count == 0
    assert exit_code == 0  # a failed check is an answer, not a crash


@pytest.mark.parametrize("name, value, message", _REFUSED, ids=_ids(_INVALID))
def test_console_read_refuses_the_field_before_any_request(tmp_path, network, name: str, value: Any, message) -> None:
    output, exit_code = _run_console(tmp_path, "read", _invalid_config(name, value), streams=("workload-schemes",))

    assert output.records == []
    assert [error.trace.error.failure_type for error in output.errors] == [FailureType.config_error]
    assert error_messages(output) == [message]
    assert network.call_count == 0
    assert exit_code != 0


@pytest.mark.parametrize("command", ["check", "discover", "read"])
def test_console_refuses_a_config_without_sign_in(tmp_path, network, command: str) -> None:
    output, _ = _run_console(tmp_path, command, ConfigBuilder().without_field("api_token").build(), ("customers",))

    shown = _failed_status_message(output) if command == "check" else error_messages(output)[0]
    assert shown.startswith("Config field `credentials` is required: How the connector signs in to Tempo")
    assert network.call_count == 0


def test_console_config_error_does_not_show_the_token(tmp_path, network) -> None:
    config = ConfigBuilder().with_page_size(0).build()

    output, _ = _run_console(tmp_path, "check", config)

    assert API_TOKEN not in (_failed_status_message(output) or "")


def test_console_logs_nothing_about_the_fields_left_out(tmp_path, network) -> None:
    """The CDK's validators log a notice for every optional field a config leaves out, each time they run: a config
    with a token only would print a dozen of them per command (source_tempo/components/config.py drops them)."""
    _site_without_work_attributes(network)
    output, exit_code = _run_console(tmp_path, "discover", ConfigBuilder().build())

    assert exit_code == 0 and output.catalog
    assert [log.log.message for log in output.logs if "Validation skipped" in log.log.message] == []


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


@pytest.mark.parametrize("name, value", _BEYOND_THE_SCHEMA, ids=_ids(_BEYOND_THE_SCHEMA))
def test_read_names_the_field_for_the_rules_beyond_the_json_schema(network, name: str, value: Any) -> None:
    output = read_streams(_invalid_config(name, value), "workload-schemes", expect_failure=True)

    messages = error_messages(output)
    assert messages and messages[0].startswith(f"Config field `{name}` "), messages


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


def test_discover_lists_every_stream_with_one_request_for_the_work_attributes(network) -> None:
    _site_without_work_attributes(network)
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
        # Financial Manager: all full refresh (no change filter)
        "projects": ([["id"]], None),
        "portfolios": ([["id"]], None),
        "portfolio-projects": ([["portfolioId"], ["id"]], None),
        "project-attributes": ([["id"]], None),
        "billing-rates-tables": ([["id"]], None),
        "billing-rates": ([["billingRatesTableId"], ["roleId"]], None),
        "global-rates": ([["rateCategory"], ["roleId"]], None),
        "project-budgets": ([["projectId"]], None),
        "project-budget-milestones": ([["id"]], None),
        "project-expenses": ([["id"]], None),
        "project-fixed-revenues": ([["id"]], None),
        "project-labor-actuals": ([["projectId"], ["timeRecordId"]], None),
        "project-expense-actuals": ([["projectId"], ["expenseId"], ["date"]], None),
        "project-planned-labor": ([["projectId"], ["planId"], ["date"]], None),
        "project-team-member-roles": ([["projectId"], ["teamMemberId"]], None),
        "project-team-member-rates": ([["projectId"], ["teamMemberId"]], None),
        "project-time-approvals": ([["projectId"], ["teamMemberId"], ["period_from"]], None),
        "project-financial-summaries": ([["projectId"]], None),
        "project-scope-tasks": ([["projectId"], ["id"]], None),
        "project-timeframes": ([["projectId"]], None),
        "permission-roles": ([["id"]], None),
        "global-permission-roles": ([["id"]], None),
        "skill-assignments": ([["assigneeId"], ["assigneeType"]], None),
        "flex-plans": ([["id"]], None),
        "plan-days": ([["planId"], ["date"]], ["updatedAt"]),
        "worklog-attribute-values": ([["tempoWorklogId"], ["key"]], ["updatedAt"]),
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
    assert [request.path for request in network.request_history] == ["/4/work-attributes"]


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


# --- values given as text --------------------------------------------------------------------------------


def test_numbers_given_as_text_are_read_as_numbers_everywhere(tmp_path, http_mocker: HttpMocker) -> None:
    """A config edited by hand: every number as text, with spaces around. The concurrency level, the request
    budget and the paging all use the numbers (the page size of 2 is the limit and the step of the offset)."""
    schemes = TempoRequestBuilder.workload_schemes_endpoint()
    http_mocker.get(
        schemes.with_limit(2).build(),
        TempoPageBuilder.workload_schemes()
        .with_limit(2)
        .with_records([workload_scheme(1), workload_scheme(2)])
        .with_next_page()
        .build(),
    )
    http_mocker.get(
        schemes.with_limit(2).with_offset(2).build(),
        TempoPageBuilder.workload_schemes().with_limit(2).with_offset(2).with_records([workload_scheme(3)]).build(),
    )
    config = (
        ConfigBuilder()
        .with_page_size(" 2 ")
        .with_num_workers("3")  # type: ignore[arg-type]
        .with_field("requests_per_second", "7")
        .with_field("lookback_window_minutes", "60")
        .build()
    )

    output, exit_code = _run_console(tmp_path, "read", config, streams=("workload-schemes",))

    assert [record.record.data["id"] for record in output.records] == [1, 2, 3]
    assert output.errors == [] and exit_code == 0


def test_false_given_as_text_turns_tombstones_off(http_mocker: HttpMocker) -> None:
    """`"false"` is false: the incremental worklogs sync asks for worklogs only, not for the audit log."""
    http_mocker.post(
        TempoRequestBuilder.worklogs_endpoint()
        .with_limit(WORKLOGS_LIMIT)
        .with_updated_from("2024-05-01T00:00:00Z")
        .build(),
        TempoPageBuilder.worklogs().with_records([worklog(7, "2024-05-02T00:00:00Z")]).build(),
    )
    state = StateBuilder().with_stream_state("worklogs", {"updatedAt": "2024-05-01T00:00:00Z"}).build()

    output = read_streams(ConfigBuilder().with_field("worklog_tombstones", "false").build(), "worklogs", state=state)

    assert_no_errors(output)
    assert ids_of(output, "worklogs", "tempoWorklogId") == [7]

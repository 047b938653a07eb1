"""jira-issues: the Jira issues the synced worklogs reference, fetched in bulk (POST /rest/api/3/issue/bulkfetch,
100 ids per request) after the Tempo streams of the sync; incremental on what changed (new ids, and referenced
issues that Jira's search finds updated since the last sync). See source_tempo/components/jira.py."""

from __future__ import annotations

import logging

from airbyte_cdk.models import SyncMode
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from airbyte_cdk.test.entrypoint_wrapper import ExpectedOutcome, read
from airbyte_cdk.test.mock_http import HttpMocker
from airbyte_cdk.test.state_builder import StateBuilder

from source_tempo.components.jira import STATE_IDS_KEY, STATE_SYNCED_KEY
from unit_tests.conftest import all_output_text, assert_no_errors, get_source, records_of, states_of
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.jira_builders import (
    JIRA_TOKEN,
    bulkfetch_request,
    bulkfetch_response,
    epic,
    issue,
    jira_config,
    jira_error,
    jira_time,
    minutes_ago,
    search_response,
    search_updated_since_request,
)
from unit_tests.mock_server.more_data_builders import work_attributes_page, work_attributes_request
from unit_tests.mock_server.request_builder import FIRST_SYNC_UPDATED_FROM, WORKLOGS_LIMIT, TempoRequestBuilder
from unit_tests.mock_server.response_builder import TempoPageBuilder, worklog

_STREAM = "jira-issues"
T1 = "2024-05-01T10:00:01Z"


def _worklogs_request(updated_from: str = FIRST_SYNC_UPDATED_FROM):
    return (
        TempoRequestBuilder.worklogs_endpoint()
        .with_updated_from(updated_from)
        .with_offset(0)
        .with_limit(WORKLOGS_LIMIT)
    )


def _worklogs(*issue_ids: int) -> TempoPageBuilder:
    records = [
        worklog(n, T1, issue={"self": f"https://x.atlassian.net/rest/api/2/issue/{i}", "id": i})
        for n, i in enumerate(issue_ids, start=1)
    ]
    return TempoPageBuilder.worklogs().with_records(records).with_limit(WORKLOGS_LIMIT)


def _read(config, state=None, expect_failure=False):
    catalog = (
        CatalogBuilder()
        .with_stream("worklogs", SyncMode.incremental)
        .with_stream(_STREAM, SyncMode.incremental)
        .build()
    )
    source = get_source(config, state=state, catalog=catalog)
    outcome = ExpectedOutcome.EXPECT_EXCEPTION if expect_failure else ExpectedOutcome.EXPECT_SUCCESS
    return read(source, config=dict(config), catalog=catalog, state=state, expected_outcome=outcome)


def _warnings(output) -> list[str]:
    return [m.log.message for m in output.logs if m.log.level.name == "WARN"]


def test_first_sync_fetches_every_referenced_issue_once_and_reports_the_missing(http_mocker: HttpMocker) -> None:
    http_mocker.post(_worklogs_request().build(), _worklogs(124, 125, 124, 126).build())
    fetch = bulkfetch_request(124, 125, 126)
    # 125 is deleted (or hidden): Jira leaves it out of `issues`, and does not list it in issueErrors
    http_mocker.post(fetch, bulkfetch_response([issue(124, "CTP-1", parent=epic(100, "CTP-0")), issue(126, "OPS-9")]))

    output = _read(jira_config())

    assert_no_errors(output)
    records = records_of(output, _STREAM)
    assert [r["id"] for r in records] == ["124", "126"]
    assert records[0] == {
        "id": "124",
        "key": "CTP-1",
        "summary": "Summary of CTP-1",
        "project": {"id": "10000", "key": "CTP", "name": "Project CTP"},
        "issuetype": {"id": "10001", "name": "Story", "subtask": False, "hierarchyLevel": 0},
        "status": {
            "id": "3",
            "name": "In Progress",
            "statusCategory": {"id": 4, "key": "indeterminate", "name": "In Progress"},
        },
        "parent": {
            "id": "100",
            "key": "CTP-0",
            "summary": "Epic CTP-0",
            "issuetype": {"id": "10000", "name": "Epic", "subtask": False, "hierarchyLevel": 1},
        },
        "labels": ["backend"],
        "created": "2025-01-02T08:00:00.000+00:00",
        "updated": "2025-06-01T12:30:00.000+00:00",
    }
    assert records[1].get("parent") is None  # null (the CDK leaves null values out of the output)
    assert any("Jira did not return 1 issue(s)" in w and w.endswith(": 125") for w in _warnings(output))
    http_mocker.assert_number_of_calls(fetch, 1)
    state = states_of(output, _STREAM)[-1]
    assert state[STATE_IDS_KEY] == "124,126"  # the deleted issue is not asked for again
    assert state[STATE_SYNCED_KEY]
    assert JIRA_TOKEN not in all_output_text(output)


def test_issues_are_fetched_100_ids_per_request(http_mocker: HttpMocker) -> None:
    ids = list(range(1000, 1150))
    http_mocker.post(_worklogs_request().build(), _worklogs(*ids).build())
    first, second = bulkfetch_request(*ids[:100]), bulkfetch_request(*ids[100:])
    http_mocker.post(first, bulkfetch_response([issue(i, f"A-{i}") for i in ids[:100]]))
    http_mocker.post(second, bulkfetch_response([issue(i, f"A-{i}") for i in ids[100:]]))

    output = _read(jira_config())

    assert_no_errors(output)
    assert [r["id"] for r in records_of(output, _STREAM)] == [str(i) for i in ids]
    http_mocker.assert_number_of_calls(first, 1)
    http_mocker.assert_number_of_calls(second, 1)


def test_incremental_sync_fetches_new_ids_and_referenced_issues_updated_in_jira(http_mocker: HttpMocker) -> None:
    """124 and 125 were synced before; 125 moved to another project since (new key), 999 changed too but no
    worklog references it, 130 is referenced by a worklog new in this sync. 124 costs no request."""
    read_at = minutes_ago(30)
    http_mocker.post(_worklogs_request(T1).build(), _worklogs(130).build())
    http_mocker.post(search_updated_since_request(read_at), search_response(125, 999))
    fetch = bulkfetch_request(125, 130)
    moved = issue(125, "OPS-77", updated=jira_time(minutes_ago(5)))
    http_mocker.post(fetch, bulkfetch_response([moved, issue(130, "CTP-30")]))
    previous = {
        "updated": "2025-06-01T12:30:00.000000+0000",
        STATE_IDS_KEY: "124-125",
        STATE_SYNCED_KEY: read_at.strftime("%Y-%m-%dT%H:%M:%S.%f%z"),
    }
    state = StateBuilder().with_stream_state("worklogs", {"updatedAt": T1}).with_stream_state(_STREAM, previous).build()
    output = _read(jira_config(), state=state)

    assert_no_errors(output)
    assert [(r["id"], r["key"]) for r in records_of(output, _STREAM)] == [("125", "OPS-77"), ("130", "CTP-30")]
    http_mocker.assert_number_of_calls(fetch, 1)
    final = states_of(output, _STREAM)[-1]
    assert final[STATE_IDS_KEY] == "124-125,130"
    assert final[STATE_SYNCED_KEY] > previous[STATE_SYNCED_KEY]


def test_a_429_waits_as_long_as_retry_after_says(http_mocker: HttpMocker, retry_waits) -> None:
    http_mocker.post(_worklogs_request().build(), _worklogs(124).build())
    fetch = bulkfetch_request(124)
    http_mocker.post(
        fetch,
        [jira_error(429, "Rate limit exceeded.", {"Retry-After": "7"}), bulkfetch_response([issue(124, "CTP-1")])],
    )

    output = _read(jira_config())

    assert_no_errors(output)
    assert [r["key"] for r in records_of(output, _STREAM)] == ["CTP-1"]
    assert 7 <= retry_waits[0] <= 8  # Retry-After (the CDK adds up to a second)
    http_mocker.assert_number_of_calls(fetch, 2)


def test_a_401_names_the_jira_fields_and_tempo_streams_still_sync(http_mocker: HttpMocker) -> None:
    http_mocker.post(_worklogs_request().build(), _worklogs(124).build())
    http_mocker.post(bulkfetch_request(124), jira_error(401, "Client must be authenticated to access this resource."))

    output = _read(jira_config(), expect_failure=True)

    assert [r["tempoWorklogId"] for r in records_of(output, "worklogs")] == [1]
    errors = [m.trace.error.message for m in output.errors]
    assert any("Jira refused the `jira` credentials (HTTP 401" in e and "`jira.api_token`" in e for e in errors)
    assert any(e.startswith("The sync did not read 1 stream(s): jira-issues.") for e in errors), errors
    assert "Read completely: worklogs." in errors[-1]
    assert JIRA_TOKEN not in all_output_text(output)


def test_without_jira_config_no_jira_stream_exists(http_mocker: HttpMocker) -> None:
    http_mocker.get(work_attributes_request(), work_attributes_page())  # discover reads the work attributes
    config = ConfigBuilder().build()
    source = get_source(config)
    streams = {s.name for s in source.discover(logging.getLogger("test"), config).streams}
    every_stream = {stream["name"] for stream in source.resolved_manifest["streams"]}
    assert streams == every_stream - {"jira-issues", "jira-users"}

"""Worklogs enriched from Jira (`jira.enrich_worklogs`): each page's issues and authors are looked up in bulk, and
the records carry issue.key, issue.summary, issue.projectKey, issue.parentKey and author.displayName (null when Jira
does not know or show them). jira-issues then finds those issues in the cache."""

from __future__ import annotations

from airbyte_cdk.test.mock_http import HttpMocker

from unit_tests.conftest import all_output_text, assert_no_errors, read_streams, records_of
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.jira_builders import (
    AUTHOR,
    JIRA_TOKEN,
    bulkfetch_request,
    bulkfetch_response,
    epic,
    issue,
    jira_config,
    jira_error,
    user,
    user_bulk_request,
    users_response,
)
from unit_tests.mock_server.request_builder import FIRST_SYNC_UPDATED_FROM, WORKLOGS_LIMIT, TempoRequestBuilder
from unit_tests.mock_server.response_builder import TempoPageBuilder, worklog

T1 = "2024-05-01T10:00:01Z"
STRANGER = "557058:ffffffff-0000-1111-2222-333333333333"


def _worklogs_request():
    builder = TempoRequestBuilder.worklogs_endpoint().with_updated_from(FIRST_SYNC_UPDATED_FROM)
    return builder.with_offset(0).with_limit(WORKLOGS_LIMIT).build()


def _page():
    records = [
        worklog(1, T1, issue={"self": "https://x/rest/api/2/issue/124", "id": 124}),
        worklog(2, T1, issue={"self": "https://x/rest/api/2/issue/125", "id": 125}),  # deleted in Jira
        worklog(3, T1, issue={"self": "https://x/rest/api/2/issue/124", "id": 124}, author={"accountId": STRANGER}),
    ]
    return TempoPageBuilder.worklogs().with_records(records).with_limit(WORKLOGS_LIMIT).build()


def test_worklogs_carry_the_issue_key_summary_project_parent_and_author_name(http_mocker: HttpMocker) -> None:
    http_mocker.post(_worklogs_request(), _page())
    fetch = bulkfetch_request(124, 125)
    http_mocker.post(fetch, bulkfetch_response([issue(124, "CTP-1", parent=epic(100, "CTP-0"))]))
    people = user_bulk_request(AUTHOR, STRANGER)
    http_mocker.get(people, users_response([user(AUTHOR, "Ada Lovelace")]))

    output = read_streams(jira_config(enrich_worklogs=True), "worklogs", "jira-issues")

    assert_no_errors(output)
    first, deleted, stranger = records_of(output, "worklogs")
    assert first["issue"] == {
        "self": "https://x/rest/api/2/issue/124",
        "id": 124,
        "key": "CTP-1",
        "summary": "Summary of CTP-1",
        "projectKey": "CTP",
        "parentKey": "CTP-0",
    }
    assert first["author"]["displayName"] == "Ada Lovelace"
    # Jira does not know the issue or the person: delivered without enrichment, the fields null
    assert deleted["issue"] == {
        "self": "https://x/rest/api/2/issue/125",
        "id": 125,
        "key": None,
        "summary": None,
        "projectKey": None,
        "parentKey": None,
    }
    assert stranger["issue"]["key"] == "CTP-1" and stranger["author"] == {"accountId": STRANGER, "displayName": None}
    # jira-issues found 124 in the cache, and 125 known missing: one bulkfetch in the whole sync
    assert [r["key"] for r in records_of(output, "jira-issues")] == ["CTP-1"]
    http_mocker.assert_number_of_calls(fetch, 1)
    http_mocker.assert_number_of_calls(people, 1)
    assert JIRA_TOKEN not in all_output_text(output)


def test_without_enrichment_worklogs_are_tempos_own_and_jira_gets_no_request(http_mocker: HttpMocker) -> None:
    """No Jira request is mocked: one would fail the test."""
    http_mocker.post(_worklogs_request(), _page())

    for config in (ConfigBuilder().build(), jira_config(enrich_worklogs=False)):
        output = read_streams(config, "worklogs")

        assert_no_errors(output)
        first = records_of(output, "worklogs")[0]
        assert first["issue"] == {"self": "https://x/rest/api/2/issue/124", "id": 124}
        assert "displayName" not in first["author"]


def test_with_enrichment_a_jira_401_fails_worklogs_naming_the_jira_fields(http_mocker: HttpMocker) -> None:
    http_mocker.post(_worklogs_request(), _page())
    http_mocker.post(bulkfetch_request(124, 125), jira_error(401, "Client must be authenticated."))

    output = read_streams(jira_config(enrich_worklogs=True), "worklogs", expect_failure=True)

    errors = [m.trace.error.message for m in output.errors]
    assert any("Jira refused the `jira` credentials (HTTP 401" in e for e in errors), errors
    assert JIRA_TOKEN not in all_output_text(output)

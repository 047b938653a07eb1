"""project-financial-summaries: GET /projects/{id}/financials/summary for every project (no `date`: today), one
object each: the whole body is the record, with `projectId` added (the key)."""

from __future__ import annotations

from airbyte_cdk.test.mock_http import HttpMocker

from unit_tests.conftest import assert_no_errors, read_streams, records_of
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.finance_builders import body, financial_summary, given_projects, unpaged_request

_STREAM = "project-financial-summaries"


def test_one_summary_per_project(http_mocker: HttpMocker) -> None:
    given_projects(http_mocker, "p-1", "p-2")
    summaries = {"p-1": financial_summary("p-1", 1200.0, 300.0), "p-2": financial_summary("p-2", 0.0, 0.0)}
    for project_id, summary in summaries.items():
        http_mocker.get(unpaged_request(f"projects/{project_id}/financials/summary"), body(summary))

    output = read_streams(ConfigBuilder().build(), _STREAM)

    assert_no_errors(output)
    by_project = {record["projectId"]: record for record in records_of(output, _STREAM)}
    assert by_project == {project_id: {**summary, "projectId": project_id} for project_id, summary in summaries.items()}

"""project-timeframes: GET /projects/{id}/timeframe for every project, one object each with `projectId` added (the
key). A project without a timeframe (none fixed, nothing logged) answers 204 No Content: no record, no retry."""

from __future__ import annotations

from airbyte_cdk.test.mock_http import HttpMocker

from unit_tests.conftest import assert_no_errors, read_streams, records_of
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.finance_builders import body, given_projects, no_content, timeframe, unpaged_request

_STREAM = "project-timeframes"


def test_each_project_has_its_timeframe_and_one_without_has_none(http_mocker: HttpMocker) -> None:
    given_projects(http_mocker, "p-1", "p-2", "p-3")
    http_mocker.get(unpaged_request("projects/p-1/timeframe"), body(timeframe("p-1", "2024-01-01", "2024-06-30")))
    without = unpaged_request("projects/p-2/timeframe")
    http_mocker.get(without, no_content())
    http_mocker.get(unpaged_request("projects/p-3/timeframe"), body(timeframe("p-3", "2023-02-01", "2025-01-31")))

    output = read_streams(ConfigBuilder().build(), _STREAM)

    assert_no_errors(output)
    by_project = {record["projectId"]: record for record in records_of(output, _STREAM)}
    assert by_project == {
        "p-1": {**timeframe("p-1", "2024-01-01", "2024-06-30"), "projectId": "p-1"},
        "p-3": {**timeframe("p-3", "2023-02-01", "2025-01-31"), "projectId": "p-3"},
    }
    http_mocker.assert_number_of_calls(without, 1)

"""project-budgets: GET /projects/{id}/budget for every project, one object each, with `projectId` added (the key).
A project without a budget answers 204 No Content: no record, no retry, the others are read."""

from __future__ import annotations

from airbyte_cdk.test.mock_http import HttpMocker

from unit_tests.conftest import assert_no_errors, read_streams, records_of
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.finance_builders import body, budget, given_projects, no_content, unpaged_request

_STREAM = "project-budgets"


def test_each_project_has_its_budget_and_one_without_has_none(http_mocker: HttpMocker) -> None:
    given_projects(http_mocker, "p-1", "p-2")
    http_mocker.get(unpaged_request("projects/p-1/budget"), body(budget("p-1", 25000)))
    without = unpaged_request("projects/p-2/budget")
    http_mocker.get(without, no_content())

    output = read_streams(ConfigBuilder().build(), _STREAM)

    assert_no_errors(output)
    assert records_of(output, _STREAM) == [{**budget("p-1", 25000), "projectId": "p-1"}]
    http_mocker.assert_number_of_calls(without, 1)
    assert output.is_in_logs("Stream project-budgets: Tempo answered 204 No Content")

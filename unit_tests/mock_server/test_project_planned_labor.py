"""project-planned-labor: GET /projects/{id}/plans/labor for every project (no from/to: the whole project),
offset/limit paging; one record per plan and day, projectId + planId + date identify it."""

from __future__ import annotations

from airbyte_cdk.test.mock_http import HttpMocker

from unit_tests.conftest import assert_no_errors, read_streams, records_of
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.finance_builders import given_projects, page, paged_request, planned_day

_STREAM = "project-planned-labor"


def test_every_planned_day_of_every_project(http_mocker: HttpMocker) -> None:
    given_projects(http_mocker, "p-1", "p-2")
    days = [planned_day(7, "2024-05-06"), planned_day(7, "2024-05-07", 14400)]
    http_mocker.get(paged_request("projects/p-1/plans/labor"), page("projects/p-1/plans/labor", *days).build())
    http_mocker.get(
        paged_request("projects/p-2/plans/labor"),
        page("projects/p-2/plans/labor", planned_day(8, "2024-05-06")).build(),
    )

    output = read_streams(ConfigBuilder().build(), _STREAM)

    assert_no_errors(output)
    keys = sorted((r["projectId"], r["planId"], r["date"], r["plannedSeconds"]) for r in records_of(output, _STREAM))
    assert keys == [("p-1", 7, "2024-05-06", 28800), ("p-1", 7, "2024-05-07", 14400), ("p-2", 8, "2024-05-06", 28800)]

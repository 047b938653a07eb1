"""project-labor-actuals: GET /projects/{id}/actuals/labor for every project (no `to`: up to Tempo's today),
offset/limit paging. A time record may count in several projects: projectId + timeRecordId identify it."""

from __future__ import annotations

from airbyte_cdk.test.mock_http import HttpMocker

from unit_tests.conftest import assert_no_errors, read_streams, records_of
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.finance_builders import given_projects, labor_actual, page, paged_request

_STREAM = "project-labor-actuals"


def test_the_same_time_record_in_two_projects_is_a_record_of_each(http_mocker: HttpMocker) -> None:
    given_projects(http_mocker, "p-1", "p-2")
    http_mocker.get(
        paged_request("projects/p-1/actuals/labor"),
        page("projects/p-1/actuals/labor", labor_actual("t-1"), labor_actual("t-2")).build(),
    )
    http_mocker.get(
        paged_request("projects/p-2/actuals/labor"), page("projects/p-1/actuals/labor", labor_actual("t-1")).build()
    )

    output = read_streams(ConfigBuilder().build(), _STREAM)

    assert_no_errors(output)
    keys = sorted((record["projectId"], record["timeRecordId"]) for record in records_of(output, _STREAM))
    assert keys == [("p-1", "t-1"), ("p-1", "t-2"), ("p-2", "t-1")]
    assert {**labor_actual("t-2"), "projectId": "p-1"} in records_of(output, _STREAM)


def test_labor_actuals_are_paged_by_offset(http_mocker: HttpMocker) -> None:
    given_projects(http_mocker, "p-1", limit=1)
    http_mocker.get(
        paged_request("projects/p-1/actuals/labor", 1),
        page("projects/p-1/actuals/labor", labor_actual("t-1"), limit=1).with_next_page().build(),
    )
    http_mocker.get(
        paged_request("projects/p-1/actuals/labor", 1, offset=1),
        page("projects/p-1/actuals/labor", labor_actual("t-2"), limit=1, offset=1).build(),
    )

    output = read_streams(ConfigBuilder().with_page_size(1).build(), _STREAM)

    assert_no_errors(output)
    assert [record["timeRecordId"] for record in records_of(output, _STREAM)] == ["t-1", "t-2"]

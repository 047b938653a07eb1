"""project-expenses: GET /projects/{id}/expenses for every project, offset/limit paging; each expense gains
`projectId`. A project deleted after the projects were listed answers 404: skipped, the others are read."""

from __future__ import annotations

from airbyte_cdk.test.mock_http import HttpMocker

from unit_tests.conftest import assert_no_errors, ids_of, read_streams, records_of
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.finance_builders import expense, given_projects, page, paged_request
from unit_tests.mock_server.response_builder import error_response

_STREAM = "project-expenses"


def test_expenses_of_every_project_carry_its_id(http_mocker: HttpMocker) -> None:
    given_projects(http_mocker, "p-1", "p-2")
    http_mocker.get(
        paged_request("projects/p-1/expenses"), page("projects/p-1/expenses", expense("e-1", "p-1")).build()
    )
    http_mocker.get(
        paged_request("projects/p-2/expenses"), page("projects/p-2/expenses", expense("e-2", "p-2")).build()
    )

    output = read_streams(ConfigBuilder().build(), _STREAM)

    assert_no_errors(output)
    assert sorted((r["projectId"], r["id"]) for r in records_of(output, _STREAM)) == [("p-1", "e-1"), ("p-2", "e-2")]
    assert {**expense("e-1", "p-1"), "projectId": "p-1"} in records_of(output, _STREAM)


def test_expenses_of_one_project_are_paged_by_offset(http_mocker: HttpMocker) -> None:
    given_projects(http_mocker, "p-1", limit=2)
    first = page("projects/p-1/expenses", expense("e-1", "p-1"), expense("e-2", "p-1"), limit=2).with_next_page()
    http_mocker.get(paged_request("projects/p-1/expenses", 2), first.build())
    http_mocker.get(
        paged_request("projects/p-1/expenses", 2, offset=2),
        page("projects/p-1/expenses", expense("e-3", "p-1"), limit=2, offset=2).build(),
    )

    output = read_streams(ConfigBuilder().with_page_size(2).build(), _STREAM)

    assert_no_errors(output)
    assert ids_of(output, _STREAM) == ["e-1", "e-2", "e-3"]


def test_a_project_deleted_during_the_sync_is_skipped(http_mocker: HttpMocker) -> None:
    given_projects(http_mocker, "p-1", "p-2")
    http_mocker.get(paged_request("projects/p-1/expenses"), error_response(404, "Project cannot be found"))
    http_mocker.get(
        paged_request("projects/p-2/expenses"), page("projects/p-2/expenses", expense("e-2", "p-2")).build()
    )

    output = read_streams(ConfigBuilder().build(), _STREAM)

    assert_no_errors(output)
    assert ids_of(output, _STREAM) == ["e-2"]
    assert output.is_in_logs("Stream project-expenses: Tempo answered 404 Not Found")

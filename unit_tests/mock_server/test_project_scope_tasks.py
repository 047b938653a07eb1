"""project-scope-tasks: GET /projects/{id}/scope/tasks for every project, offset/limit paging; projectId + id
identify a task of a project's scope."""

from __future__ import annotations

from airbyte_cdk.test.mock_http import HttpMocker

from unit_tests.conftest import assert_no_errors, read_streams, records_of
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.finance_builders import given_projects, page, paged_request, scope_task

_STREAM = "project-scope-tasks"


def test_the_tasks_of_every_project_scope(http_mocker: HttpMocker) -> None:
    given_projects(http_mocker, "p-1", "p-2")
    http_mocker.get(
        paged_request("projects/p-1/scope/tasks"), page("projects/p-1/scope/tasks", scope_task("k-1", 10001)).build()
    )
    http_mocker.get(
        paged_request("projects/p-2/scope/tasks"),
        page("projects/p-2/scope/tasks", scope_task("k-2", 10002), scope_task("k-3", 10003)).build(),
    )

    output = read_streams(ConfigBuilder().build(), _STREAM)

    assert_no_errors(output)
    keys = sorted((r["projectId"], r["id"], r["taskLink"]["linked"]["originId"]) for r in records_of(output, _STREAM))
    assert keys == [("p-1", "k-1", "10001"), ("p-2", "k-2", "10002"), ("p-2", "k-3", "10003")]

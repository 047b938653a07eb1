"""project-budget-milestones: GET /projects/{id}/budget-milestones for every project, {milestones, self} in one
piece; each milestone gains `projectId`."""

from __future__ import annotations

from airbyte_cdk.test.mock_http import HttpMocker

from unit_tests.conftest import assert_no_errors, read_streams, records_of
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.finance_builders import body, given_projects, milestone, unpaged_request
from unit_tests.mock_server.response_builder import TEMPO_PUBLIC_API

_STREAM = "project-budget-milestones"


def _milestones(project_id: str, *milestones: dict) -> dict:
    return {"milestones": list(milestones), "self": f"{TEMPO_PUBLIC_API}/projects/{project_id}/budget-milestones"}


def test_the_milestones_of_every_project_carry_its_id(http_mocker: HttpMocker) -> None:
    given_projects(http_mocker, "p-1", "p-2")
    first, second = milestone("m-1", "2024-03-31", 10000), milestone("m-2", "2024-06-30", 25000)
    http_mocker.get(unpaged_request("projects/p-1/budget-milestones"), body(_milestones("p-1", first, second)))
    http_mocker.get(unpaged_request("projects/p-2/budget-milestones"), body(_milestones("p-2")))

    output = read_streams(ConfigBuilder().build(), _STREAM)

    assert_no_errors(output)
    assert records_of(output, _STREAM) == [{**first, "projectId": "p-1"}, {**second, "projectId": "p-1"}]

"""project-team-member-rates: GET /projects/{id}/team-members/rates for every project, {rates} in one piece; each
member's cost and billing rates gain `projectId` and `teamMemberId`, which identify them."""

from __future__ import annotations

from airbyte_cdk.test.mock_http import HttpMocker

from unit_tests.conftest import assert_no_errors, read_streams, records_of
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.finance_builders import body, given_projects, team_member_rate, unpaged_request

_STREAM = "project-team-member-rates"


def test_each_member_rates_name_its_project_and_member(http_mocker: HttpMocker) -> None:
    given_projects(http_mocker, "p-1")
    rates = [team_member_rate("u-1", 60.0), team_member_rate("u-2", 80.0)]
    http_mocker.get(unpaged_request("projects/p-1/team-members/rates"), body({"rates": rates}))

    output = read_streams(ConfigBuilder().build(), _STREAM)

    assert_no_errors(output)
    assert records_of(output, _STREAM) == [
        {**rates[0], "projectId": "p-1", "teamMemberId": "u-1"},
        {**rates[1], "projectId": "p-1", "teamMemberId": "u-2"},
    ]

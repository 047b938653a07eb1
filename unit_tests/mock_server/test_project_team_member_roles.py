"""project-team-member-roles: GET /projects/{id}/team-members/roles for every project, {roles} in one piece; each
gains `projectId` and `teamMemberId` (teamMember.id), which identify it."""

from __future__ import annotations

from airbyte_cdk.test.mock_http import HttpMocker

from unit_tests.conftest import assert_no_errors, read_streams, records_of
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.finance_builders import body, given_projects, team_member_role, unpaged_request

_STREAM = "project-team-member-roles"


def test_each_member_role_names_its_project_and_member(http_mocker: HttpMocker) -> None:
    given_projects(http_mocker, "p-1", "p-2")
    roles = [team_member_role("u-1", 3), team_member_role("u-2", 1)]
    http_mocker.get(unpaged_request("projects/p-1/team-members/roles"), body({"roles": roles}))
    http_mocker.get(unpaged_request("projects/p-2/team-members/roles"), body({"roles": [team_member_role("u-1", 2)]}))

    output = read_streams(ConfigBuilder().build(), _STREAM)

    assert_no_errors(output)
    keys = sorted((r["projectId"], r["teamMemberId"], r["role"]["id"]) for r in records_of(output, _STREAM))
    assert keys == [("p-1", "u-1", 3), ("p-1", "u-2", 1), ("p-2", "u-1", 2)]
    assert {**roles[1], "projectId": "p-1", "teamMemberId": "u-2"} in records_of(output, _STREAM)

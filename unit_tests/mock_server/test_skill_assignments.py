"""skill-assignments: POST /skill-assignments/search for every user with a team membership and every generic
resource, 100 of them per search (Tempo's most), each once; read in full every sync (no change filter).

The parents are POST /team-memberships/search (member.accountId: assigneeType USER) and POST
/generic-resources/search (id: GENERIC, sent as text like every assigneeId); assigneeId + assigneeType identify
a record."""

from __future__ import annotations

from airbyte_cdk.test.mock_http import HttpMocker

from unit_tests.conftest import assert_no_errors, read_streams, records_of
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.more_data_builders import (
    generic_resources_request,
    skill_assignment,
    skill_assignments_request,
)
from unit_tests.mock_server.reporting_builders import team_membership, team_memberships_request
from unit_tests.mock_server.response_builder import TempoPageBuilder, catalog_record

_STREAM = "skill-assignments"


def _given_resources(http_mocker: HttpMocker, members: list[tuple[int, str]], generic_ids: list[int]) -> None:
    """Team memberships as (team id, accountId), and generic resources by id."""
    memberships = [team_membership(n, team, account_id) for n, (team, account_id) in enumerate(members, start=1)]
    http_mocker.post(
        team_memberships_request(), TempoPageBuilder("team-memberships/search").with_records(memberships).build()
    )
    resources = [catalog_record("generic-resources", id=resource_id) for resource_id in generic_ids]
    http_mocker.post(
        generic_resources_request(), TempoPageBuilder("generic-resources/search").with_records(resources).build()
    )


def test_users_and_generic_resources_are_searched_together_each_once(http_mocker: HttpMocker) -> None:
    _given_resources(http_mocker, [(3, "u1"), (3, "u2"), (8, "u1")], [7])  # u1 is in both teams
    assignments = [
        skill_assignment("u1", "USER", 9, 10),
        skill_assignment("u2", "USER"),
        skill_assignment("7", "GENERIC", 9),
    ]
    request = skill_assignments_request([("u1", "USER"), ("u2", "USER"), ("7", "GENERIC")])
    http_mocker.post(request, TempoPageBuilder(_STREAM).with_records(assignments).build())

    output = read_streams(ConfigBuilder().build(), _STREAM)

    assert_no_errors(output)
    assert records_of(output, _STREAM) == assignments
    http_mocker.assert_number_of_calls(request, 1)


def test_more_than_100_resources_take_one_search_per_100(http_mocker: HttpMocker) -> None:
    users = [f"user-{n:03d}" for n in range(101)]
    _given_resources(http_mocker, [(3, user) for user in users], [])
    first = skill_assignments_request([(user, "USER") for user in users[:100]])
    second = skill_assignments_request([(users[100], "USER")])
    http_mocker.post(first, TempoPageBuilder(_STREAM).with_records([skill_assignment(users[0], "USER", 1)]).build())
    http_mocker.post(second, TempoPageBuilder(_STREAM).with_records([skill_assignment(users[100], "USER", 2)]).build())

    output = read_streams(ConfigBuilder().build(), _STREAM)

    assert_no_errors(output)
    assert [(r["assigneeId"], [s["id"] for s in r["skills"]]) for r in records_of(output, _STREAM)] == [
        ("user-000", [1]),
        ("user-100", [2]),
    ]

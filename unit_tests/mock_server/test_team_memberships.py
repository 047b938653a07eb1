"""team-memberships: POST /team-memberships/search with no filter (every membership of every team the token may view,
inactive ones included), offset/limit paging, full refresh. It is the parent of user-schedules: read once when both
are selected."""

from __future__ import annotations

from airbyte_cdk.test.mock_http import HttpMocker

from unit_tests.conftest import assert_no_errors, ids_of, read_streams, records_of
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.reporting_builders import team_membership, team_memberships_request
from unit_tests.mock_server.response_builder import TempoPageBuilder

_STREAM = "team-memberships"


def _page(*memberships: dict, limit: int = 1000, offset: int = 0) -> TempoPageBuilder:
    return TempoPageBuilder("team-memberships/search").with_records(memberships).with_limit(limit).with_offset(offset)


def test_memberships_of_every_team_are_read_as_sent(http_mocker: HttpMocker) -> None:
    memberships = [team_membership(1, 3, "u1"), team_membership(2, 3, "u2"), team_membership(3, 8, "u1")]
    http_mocker.post(team_memberships_request(), _page(*memberships).build())

    output = read_streams(ConfigBuilder().build(), _STREAM)

    assert_no_errors(output)
    assert records_of(output, _STREAM) == memberships


def test_memberships_are_paged_by_offset(http_mocker: HttpMocker) -> None:
    http_mocker.post(
        team_memberships_request(2), _page(team_membership(1, 3, "u1"), team_membership(2, 3, "u2"), limit=2)
        .with_next_page().build()
    )  # fmt: skip
    http_mocker.post(
        team_memberships_request(2, offset=2), _page(team_membership(3, 8, "u3"), limit=2, offset=2).build()
    )

    output = read_streams(ConfigBuilder().with_page_size(2).build(), _STREAM)

    assert_no_errors(output)
    assert ids_of(output, _STREAM) == [1, 2, 3]

"""teams: GET /teams, offset/limit paging until metadata.next is absent (the shared list paging)."""

from __future__ import annotations

from airbyte_cdk.test.mock_http import HttpMocker

from unit_tests.conftest import assert_no_errors, ids_of, read_streams, records_of
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.request_builder import TempoRequestBuilder
from unit_tests.mock_server.response_builder import TempoPageBuilder, team

_STREAM = "teams"


def _request(limit: int = 1000, offset: int | None = None):
    request = TempoRequestBuilder.teams_endpoint().with_limit(limit)
    return (request.with_offset(offset) if offset is not None else request).build()


def test_teams_are_read_with_their_lead_and_program(http_mocker: HttpMocker) -> None:
    program = {"self": "https://api.tempo.io/4/programs/100201", "id": 100201, "name": "Platform"}
    http_mocker.get(_request(), TempoPageBuilder("teams").with_records([team(1, program=program), team(2)]).build())

    output = read_streams(ConfigBuilder().build(), _STREAM)

    assert_no_errors(output)
    assert ids_of(output, _STREAM) == [1, 2]
    first = records_of(output, _STREAM)[0]
    assert first["program"] == program
    assert first["lead"]["accountId"] == "5b10ac8d82e05b22cc7d4ef5"


def test_teams_are_paged_by_offset(http_mocker: HttpMocker) -> None:
    requests = [_request(2), _request(2, offset=2)]
    http_mocker.get(
        requests[0], TempoPageBuilder("teams").with_records([team(1), team(2)]).with_limit(2).with_next_page().build()
    )
    http_mocker.get(requests[1], TempoPageBuilder("teams").with_records([team(3)]).with_limit(2).with_offset(2).build())

    output = read_streams(ConfigBuilder().with_page_size(2).build(), _STREAM)

    assert_no_errors(output)
    assert ids_of(output, _STREAM) == [1, 2, 3]
    for request in requests:
        http_mocker.assert_number_of_calls(request, 1)

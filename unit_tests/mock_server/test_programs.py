"""programs: GET /programs, one unpaginated answer, with their teams and manager."""

from __future__ import annotations

from airbyte_cdk.test.mock_http import HttpMocker

from unit_tests.conftest import assert_no_errors, ids_of, read_streams, records_of
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.request_builder import TempoRequestBuilder
from unit_tests.mock_server.response_builder import TempoResultsBuilder, catalog_record

_STREAM = "programs"


def test_programs_come_in_one_request_with_their_teams(http_mocker: HttpMocker) -> None:
    request = TempoRequestBuilder("get", "programs").build()
    unmanaged = catalog_record(_STREAM, id=100202, teams={"self": "https://api.tempo.io/4/programs/100202/teams"})
    del unmanaged["manager"]
    http_mocker.get(
        request, TempoResultsBuilder(_STREAM).with_records([catalog_record(_STREAM, id=100201), unmanaged]).build()
    )

    output = read_streams(ConfigBuilder().build(), _STREAM)

    assert_no_errors(output)
    assert ids_of(output, _STREAM) == [100201, 100202]
    assert records_of(output, _STREAM)[0]["teams"]["values"][0]["id"] == 12345
    http_mocker.assert_number_of_calls(request, 1)

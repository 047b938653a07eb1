"""roles: GET /roles, one unpaginated answer."""

from __future__ import annotations

from airbyte_cdk.test.mock_http import HttpMocker

from unit_tests.conftest import assert_no_errors, ids_of, read_streams, records_of
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.request_builder import TempoRequestBuilder
from unit_tests.mock_server.response_builder import TempoResultsBuilder, catalog_record

_STREAM = "roles"


def test_roles_come_in_one_request(http_mocker: HttpMocker) -> None:
    request = TempoRequestBuilder("get", "roles").build()
    roles = [catalog_record(_STREAM, id=1, name="Member", default=True), catalog_record(_STREAM, id=2, default=False)]
    http_mocker.get(request, TempoResultsBuilder(_STREAM).with_records(roles).build())

    output = read_streams(ConfigBuilder().build(), _STREAM)

    assert_no_errors(output)
    assert ids_of(output, _STREAM) == [1, 2]
    assert [role["default"] for role in records_of(output, _STREAM)] == [True, False]
    http_mocker.assert_number_of_calls(request, 1)

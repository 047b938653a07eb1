"""account-category-types: GET /account-category-types, unpaginated; a type is only a name, its key."""

from __future__ import annotations

from airbyte_cdk.test.mock_http import HttpMocker

from unit_tests.conftest import assert_no_errors, ids_of, read_streams
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.request_builder import TempoRequestBuilder
from unit_tests.mock_server.response_builder import TempoResultsBuilder

_STREAM = "account-category-types"


def test_types_are_read_in_one_request_keyed_by_name(http_mocker: HttpMocker) -> None:
    request = TempoRequestBuilder("get", "account-category-types").build()
    types = [{"name": "BILLABLE"}, {"name": "CAPITALIZED"}, {"name": "OPERATIONAL"}]
    http_mocker.get(request, TempoResultsBuilder(_STREAM).with_records(types).build())

    output = read_streams(ConfigBuilder().build(), _STREAM)

    assert_no_errors(output)
    assert ids_of(output, _STREAM, "name") == ["BILLABLE", "CAPITALIZED", "OPERATIONAL"]
    http_mocker.assert_number_of_calls(request, 1)

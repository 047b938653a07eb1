"""account-categories: GET /account-categories, one unpaginated answer (no offset or limit is sent)."""

from __future__ import annotations

from airbyte_cdk.test.mock_http import HttpMocker

from unit_tests.conftest import assert_no_errors, ids_of, read_streams, records_of
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.request_builder import TempoRequestBuilder
from unit_tests.mock_server.response_builder import TempoResultsBuilder, catalog_record

_STREAM = "account-categories"


def test_every_category_comes_in_one_request_with_its_type(http_mocker: HttpMocker) -> None:
    request = TempoRequestBuilder("get", "account-categories").build()
    untyped = catalog_record(_STREAM, id=2, key="200")
    del untyped["type"]
    http_mocker.get(
        request, TempoResultsBuilder(_STREAM).with_records([catalog_record(_STREAM, id=1), untyped]).build()
    )

    output = read_streams(ConfigBuilder().with_page_size(1).build(), _STREAM)

    assert_no_errors(output)
    assert ids_of(output, _STREAM) == [1, 2]
    assert records_of(output, _STREAM)[0]["type"] == {"name": "BILLABLE"}
    http_mocker.assert_number_of_calls(request, 1)

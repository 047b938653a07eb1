"""holiday-schemes: GET /holiday-schemes, one unpaginated answer (no offset or limit is sent)."""

from __future__ import annotations

from airbyte_cdk.test.mock_http import HttpMocker

from unit_tests.conftest import assert_no_errors, ids_of, read_streams, records_of
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.request_builder import TempoRequestBuilder
from unit_tests.mock_server.response_builder import TempoResultsBuilder, holiday_scheme

_STREAM = "holiday-schemes"


def test_every_scheme_comes_in_one_request_without_paging_parameters(http_mocker: HttpMocker) -> None:
    request = TempoRequestBuilder.holiday_schemes_endpoint().build()
    schemes = [holiday_scheme(scheme_id) for scheme_id in range(1, 1201)]  # more than any page size
    http_mocker.get(request, TempoResultsBuilder("holiday-schemes").with_records(schemes).build())

    output = read_streams(ConfigBuilder().with_page_size(50).build(), _STREAM)

    assert_no_errors(output)
    assert ids_of(output, _STREAM) == list(range(1, 1201))
    assert records_of(output, _STREAM)[0]["defaultScheme"] is True
    http_mocker.assert_number_of_calls(request, 1)

"""workload-schemes: GET /workload-schemes, offset/limit paging (also the stream `check` reads)."""

from __future__ import annotations

from airbyte_cdk.test.mock_http import HttpMocker

from unit_tests.conftest import assert_no_errors, ids_of, read_streams
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.request_builder import TempoRequestBuilder
from unit_tests.mock_server.response_builder import TempoPageBuilder, workload_scheme

_STREAM = "workload-schemes"


def _request(limit: int = 1000, offset: int | None = None) -> TempoRequestBuilder:
    request = TempoRequestBuilder.workload_schemes_endpoint().with_limit(limit)
    return request.with_offset(offset) if offset is not None else request


def test_single_page_with_days(http_mocker: HttpMocker) -> None:
    http_mocker.get(
        _request().build(),
        TempoPageBuilder.workload_schemes()
        .with_records([workload_scheme(1, defaultScheme=True), workload_scheme(2)])
        .build(),
    )

    output = read_streams(ConfigBuilder().build(), _STREAM)

    assert_no_errors(output)
    assert ids_of(output, _STREAM) == [1, 2]
    first = output.records[0].record.data
    assert first["defaultScheme"] is True
    assert {"day": "MONDAY", "requiredSeconds": 14400} in first["days"]
    assert all(record.record.stream == _STREAM for record in output.records)


def test_three_pages(http_mocker: HttpMocker) -> None:
    config = ConfigBuilder().with_page_size(1).build()
    requests = [_request(1).build(), _request(1, offset=1).build(), _request(1, offset=2).build()]
    for index, request in enumerate(requests):
        page = (
            TempoPageBuilder.workload_schemes()
            .with_limit(1)
            .with_offset(index)
            .with_records([workload_scheme(index + 10)])
        )
        http_mocker.get(request, (page.with_next_page() if index < 2 else page).build())

    output = read_streams(config, _STREAM)

    assert_no_errors(output)
    assert ids_of(output, _STREAM) == [10, 11, 12]
    for request in requests:
        http_mocker.assert_number_of_calls(request, 1)


def test_no_schemes(http_mocker: HttpMocker) -> None:
    http_mocker.get(_request().build(), TempoPageBuilder.workload_schemes().build())

    output = read_streams(ConfigBuilder().build(), _STREAM)

    assert_no_errors(output)
    assert output.records == []

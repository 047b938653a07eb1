"""periods: GET /periods with the required `from` and `to` (`start_date`, else two years ago, to a year from today);
the rows come under `periods`, not `results`; a period is keyed by its `from` and `to`."""

from __future__ import annotations

from airbyte_cdk.test.mock_http import HttpMocker

from unit_tests.conftest import assert_no_errors, read_streams, records_of
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.request_builder import TempoRequestBuilder, today, years_from
from unit_tests.mock_server.response_builder import body_response

_STREAM = "periods"
PERIODS = [{"from": "2024-01-01", "to": "2024-01-31"}, {"from": "2024-02-01", "to": "2024-02-29"}]


def _request(date_from: str):
    return (
        TempoRequestBuilder("get", "periods")
        .with_query("from", date_from)
        .with_query("to", years_from(today(), 1).isoformat())
        .build()
    )


def test_periods_of_the_window_from_start_date_are_read_from_periods(http_mocker: HttpMocker) -> None:
    http_mocker.get(_request("2024-01-01"), body_response({"periods": PERIODS}))

    output = read_streams(ConfigBuilder().with_start_date("2024-01-01").build(), _STREAM)

    assert_no_errors(output)
    assert records_of(output, _STREAM) == PERIODS


def test_without_a_start_date_the_window_starts_two_years_ago(http_mocker: HttpMocker) -> None:
    request = _request(years_from(today(), -2).isoformat())
    http_mocker.get(request, body_response({"periods": PERIODS[:1]}))

    output = read_streams(ConfigBuilder().build(), _STREAM)

    assert_no_errors(output)
    assert records_of(output, _STREAM) == PERIODS[:1]
    http_mocker.assert_number_of_calls(request, 1)

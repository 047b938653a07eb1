"""holidays: GET /holiday-schemes/{id}/holidays?year=Y for every holiday scheme and every year from the year of
`start_date` (else two years ago) to next year. The schemes are read once per sync, and a scheme deleted while the
sync runs (404) is skipped with a log line.
"""

from __future__ import annotations

from airbyte_cdk.test.mock_http import HttpMocker

from unit_tests.conftest import assert_no_errors, read_streams, records_of, stream_error_messages
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.request_builder import TempoRequestBuilder, today
from unit_tests.mock_server.response_builder import (
    TempoPageBuilder,
    TempoResultsBuilder,
    error_response,
    holiday,
    holiday_scheme,
    scheme_member,
    server_error_response,
)

_STREAM = "holidays"
THIS_YEAR = today().year
START_DATE = f"{THIS_YEAR - 1}-03-15"  # years: last year, this year, next year


def _schemes(http_mocker: HttpMocker, *scheme_ids: int):
    request = TempoRequestBuilder.holiday_schemes_endpoint().build()
    records = [holiday_scheme(scheme_id) for scheme_id in scheme_ids]
    http_mocker.get(request, TempoResultsBuilder("holiday-schemes").with_records(records).build())
    return request


def _holidays(http_mocker: HttpMocker, scheme_id: int, year: int, *records: dict, response=None):
    request = TempoRequestBuilder.holidays_endpoint(scheme_id, year).build()
    path = f"holiday-schemes/{scheme_id}/holidays"
    http_mocker.get(request, response or TempoResultsBuilder(path).with_records(records).build())
    return request


def _one_holiday_a_year(http_mocker: HttpMocker, scheme_id: int, years: range) -> None:
    for year in years:
        _holidays(http_mocker, scheme_id, year, holiday(scheme_id * 100 + year % 100, f"{year}-05-17", scheme_id))


def test_every_scheme_is_read_for_every_year_from_the_start_date_to_next_year(http_mocker: HttpMocker) -> None:
    _schemes(http_mocker, 1, 2)
    years = range(THIS_YEAR - 1, THIS_YEAR + 2)
    for scheme_id in (1, 2):
        _one_holiday_a_year(http_mocker, scheme_id, years)

    output = read_streams(ConfigBuilder().with_start_date(START_DATE).build(), _STREAM)

    assert_no_errors(output)
    dates = sorted((record["schemeId"], record["date"]) for record in records_of(output, _STREAM))
    assert dates == [(scheme_id, f"{year}-05-17") for scheme_id in (1, 2) for year in years]


def test_without_a_start_date_the_years_start_two_years_ago(http_mocker: HttpMocker) -> None:
    _schemes(http_mocker, 1)
    _one_holiday_a_year(http_mocker, 1, range(THIS_YEAR - 2, THIS_YEAR + 2))

    output = read_streams(ConfigBuilder().build(), _STREAM)

    assert_no_errors(output)
    assert len(records_of(output, _STREAM)) == 4


def test_a_fixed_holiday_of_every_year_is_one_record_per_year(http_mocker: HttpMocker) -> None:
    """FIXED holidays keep their id from year to year: id and date together are the primary key."""
    _schemes(http_mocker, 1)
    for year in range(THIS_YEAR - 1, THIS_YEAR + 2):
        _holidays(http_mocker, 1, year, holiday(7, f"{year}-12-25", name="Christmas Day", type="FIXED"))

    output = read_streams(ConfigBuilder().with_start_date(START_DATE).build(), _STREAM)

    records = records_of(output, _STREAM)
    assert [(record["id"], record["date"][:4]) for record in records] == [
        (7, str(year)) for year in range(THIS_YEAR - 1, THIS_YEAR + 2)
    ]


def test_a_scheme_deleted_during_the_sync_is_skipped_with_a_log_line(http_mocker: HttpMocker) -> None:
    _schemes(http_mocker, 1, 2)
    gone = _holidays(
        http_mocker, 1, THIS_YEAR - 1, response=error_response(404, "Holiday scheme cannot be found in the system")
    )
    _one_holiday_a_year(http_mocker, 2, range(THIS_YEAR - 1, THIS_YEAR + 2))

    output = read_streams(ConfigBuilder().with_start_date(START_DATE).build(), _STREAM)

    assert_no_errors(output)
    assert {record["schemeId"] for record in records_of(output, _STREAM)} == {2}
    assert output.is_in_logs(
        "Stream holidays: Tempo answered 404 Not Found at https://api.tempo.io/4/holiday-schemes/1"
    )
    http_mocker.assert_number_of_calls(gone, 1)  # the scheme's other years are not asked for


def test_a_server_error_of_a_child_is_still_retried(http_mocker: HttpMocker, retry_waits) -> None:
    """Only 404 skips a scheme: every other answer is left to the shared error handler."""
    _schemes(http_mocker, 1)
    retried = [server_error_response(503), TempoResultsBuilder("x").with_records([holiday(1, "2024-01-01")]).build()]
    _holidays(http_mocker, 1, THIS_YEAR - 1, response=retried)
    _one_holiday_a_year(http_mocker, 1, range(THIS_YEAR, THIS_YEAR + 2))

    output = read_streams(ConfigBuilder().with_start_date(START_DATE).build(), _STREAM)

    assert_no_errors(output)
    assert len(records_of(output, _STREAM)) == 3 and len(retry_waits) == 1


def test_a_missing_scope_on_a_child_still_fails_the_stream(http_mocker: HttpMocker) -> None:
    _schemes(http_mocker, 1)
    _holidays(http_mocker, 1, THIS_YEAR - 1, response=error_response(403, "Forbidden"))

    output = read_streams(ConfigBuilder().with_start_date(START_DATE).build(), _STREAM, expect_failure=True)

    assert any("permission or scope" in message for message in stream_error_messages(output, _STREAM))


def test_holiday_schemes_are_read_once_for_all_the_streams_that_need_them(http_mocker: HttpMocker) -> None:
    schemes = _schemes(http_mocker, 1)
    _one_holiday_a_year(http_mocker, 1, range(THIS_YEAR - 1, THIS_YEAR + 2))
    http_mocker.get(
        TempoRequestBuilder.holiday_scheme_members_endpoint(1).with_limit(1000).build(),
        TempoPageBuilder("holiday-schemes/1/members").with_records([scheme_member("a1")]).build(),
    )
    config = ConfigBuilder().with_start_date(START_DATE).build()

    output = read_streams(config, "holiday-schemes", _STREAM, "holiday-scheme-members")

    assert_no_errors(output)
    assert [len(records_of(output, name)) for name in ("holiday-schemes", _STREAM, "holiday-scheme-members")] == [
        1,
        3,
        1,
    ]
    http_mocker.assert_number_of_calls(schemes, 1)

"""plans: GET /plans for plans overlapping [`start_date` (else two years ago), one year from today], incremental
on updatedAt through `updatedFrom` (inclusive, second precision; Tempo's updatedAt carries milliseconds)."""

from __future__ import annotations

from airbyte_cdk.test.mock_http import HttpMocker
from airbyte_cdk.test.state_builder import StateBuilder

from unit_tests.conftest import assert_no_errors, ids_of, read_streams, states_of
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.request_builder import FIRST_SYNC_UPDATED_FROM, TempoRequestBuilder, today, years_from
from unit_tests.mock_server.response_builder import TempoPageBuilder, plan

_STREAM = "plans"
START_DATE = "2023-02-01"
NEXT_YEAR = years_from(today(), 1)


def _request(updated_from: str = FIRST_SYNC_UPDATED_FROM, date_from=START_DATE, limit=1000, offset=None):
    request = TempoRequestBuilder.plans_endpoint(date_from, NEXT_YEAR, updated_from).with_limit(limit)
    return (request.with_offset(offset) if offset is not None else request).build()


def _page(*plans: dict, limit: int = 1000, offset: int = 0) -> TempoPageBuilder:
    return TempoPageBuilder("plans").with_records(plans).with_limit(limit).with_offset(offset)


def _read(http_mocker: HttpMocker, request, page: TempoPageBuilder, state: dict | None = None, config=None):
    http_mocker.get(request, page.build())
    state_messages = StateBuilder().with_stream_state(_STREAM, state).build() if state is not None else None
    output = read_streams(config or ConfigBuilder().with_start_date(START_DATE).build(), _STREAM, state=state_messages)
    assert_no_errors(output)
    return output


def test_first_sync_reads_the_window_from_the_epoch_and_saves_the_newest_second(http_mocker: HttpMocker) -> None:
    page = _page(
        plan(1, "2024-04-06T16:11:18.000Z"), plan(2, "2024-06-03T15:19:09.500Z"), plan(3, "2024-05-01T00:00:00.000Z")
    )

    output = _read(http_mocker, _request(), page)

    assert ids_of(output, _STREAM) == [1, 2, 3]
    assert states_of(output, _STREAM)[-1] == {"updatedAt": "2024-06-03T15:19:09Z"}


def test_without_a_start_date_the_window_starts_two_years_ago(http_mocker: HttpMocker) -> None:
    request = _request(date_from=years_from(today(), -2))

    output = _read(http_mocker, request, _page(plan(1, "2024-04-06T16:11:18.000Z")), config=ConfigBuilder().build())

    assert ids_of(output, _STREAM) == [1]


def test_incremental_sync_asks_for_plans_updated_since_the_state(http_mocker: HttpMocker) -> None:
    page = _page(plan(2, "2024-06-03T15:19:09.000Z"), plan(4, "2024-06-05T08:00:00.000Z"))

    output = _read(http_mocker, _request("2024-06-03T15:19:09Z"), page, state={"updatedAt": "2024-06-03T15:19:09Z"})

    assert ids_of(output, _STREAM) == [2, 4]  # the saved second is read again (inclusive updatedFrom)
    assert states_of(output, _STREAM)[-1] == {"updatedAt": "2024-06-05T08:00:00Z"}


def test_upstream_date_only_state_is_read_as_that_midnight(http_mocker: HttpMocker) -> None:
    """The upstream connector (0.4.x) saved the plans cursor as a date: {"updatedAt": "2024-05-01"}."""
    output = _read(
        http_mocker,
        _request("2024-05-01T00:00:00Z"),
        _page(plan(5, "2024-05-02T10:00:00.000Z")),
        state={"updatedAt": "2024-05-01"},
    )

    assert ids_of(output, _STREAM) == [5]
    assert states_of(output, _STREAM)[-1] == {"updatedAt": "2024-05-02T10:00:00Z"}


def test_plans_are_paged_by_offset_with_the_same_window(http_mocker: HttpMocker) -> None:
    http_mocker.get(
        _request(limit=2),
        _page(plan(1, "2024-01-01T00:00:00.000Z"), plan(2, "2024-01-02T00:00:00.000Z"), limit=2)
        .with_next_page()
        .build(),
    )
    second = _request(limit=2, offset=2)

    output = _read(
        http_mocker,
        second,
        _page(plan(3, "2024-01-03T00:00:00.000Z"), limit=2, offset=2),
        config=ConfigBuilder().with_start_date(START_DATE).with_page_size(2).build(),
    )

    assert ids_of(output, _STREAM) == [1, 2, 3]
    assert states_of(output, _STREAM)[-1] == {"updatedAt": "2024-01-03T00:00:00Z"}

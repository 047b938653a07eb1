"""worklogs, first sync with several workers: startDate windows read side by side (FirstSyncPartitioningCursor).

Each window is its own keyset-paged partition (`from`/`to` in the body). State keeps each window's progress
under `first_sync` until all are done, then becomes one `updatedAt`: the newest seen, capped an hour before
the sync started.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from airbyte_cdk.test.mock_http import HttpMocker
from airbyte_cdk.test.state_builder import StateBuilder

from source_tempo.components.cursors import startdate_windows
from unit_tests.conftest import assert_no_errors, ids_of, read_streams, states_of
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.request_builder import FIRST_SYNC_UPDATED_FROM, WORKLOGS_LIMIT, TempoRequestBuilder, today
from unit_tests.mock_server.response_builder import TempoPageBuilder, error_response, worklog

_STREAM = "worklogs"
_ID = "tempoWorklogId"
_START = "2024-01-01"


def _windows(workers: int) -> list[tuple[str | None, str | None]]:
    return startdate_windows(_START, today(), workers)


def _window_request(window: tuple[str | None, str | None], updated_from: str = FIRST_SYNC_UPDATED_FROM):
    low, high = window
    request = (
        TempoRequestBuilder.worklogs_endpoint()
        .with_limit(WORKLOGS_LIMIT)
        .with_updated_from(updated_from)
        .with_from_date(low or _START)
    )
    return (request.with_to_date(high) if high else request).build()


def _page(*records: dict) -> TempoPageBuilder:
    return TempoPageBuilder.worklogs().with_records(records)


def _key(window: tuple[str | None, str | None]) -> str:
    return f"{window[0] or ''}..{window[1] or ''}"


def test_windows_cover_every_day_once_and_the_last_is_open_ended() -> None:
    windows = startdate_windows("2024-01-01", datetime(2024, 12, 31).date(), 4)
    assert windows[0][0] == "2024-01-01" and windows[-1][1] is None
    for (_, high), (low, _) in zip(windows, windows[1:]):
        assert (datetime.strptime(low, "%Y-%m-%d") - datetime.strptime(high, "%Y-%m-%d")).days == 1
    assert len(windows) == 4


def test_without_a_start_date_one_more_window_takes_everything_older() -> None:
    windows = startdate_windows(None, datetime(2026, 11, 25).date(), 3)
    assert windows[0] == (None, "2021-11-25") and windows[1][0] == "2021-11-26" and len(windows) == 4


def test_each_window_is_read_and_the_final_state_is_the_newest_updated_at(http_mocker: HttpMocker) -> None:
    config = ConfigBuilder().with_start_date(_START).with_num_workers(2).build()
    windows = _windows(2)
    for index, window in enumerate(windows):
        http_mocker.post(_window_request(window), _page(worklog(index + 1, f"2024-0{index + 1}-01T00:00:00Z")).build())

    output = read_streams(config, _STREAM)

    assert_no_errors(output)
    assert sorted(ids_of(output, _STREAM, _ID)) == list(range(1, len(windows) + 1))
    assert states_of(output, _STREAM)[-1] == {"updatedAt": f"2024-0{len(windows)}-01T00:00:00Z"}


def test_final_state_never_passes_an_hour_before_the_sync_started(http_mocker: HttpMocker) -> None:
    config = ConfigBuilder().with_start_date(_START).with_num_workers(2).build()
    future = (datetime.now(timezone.utc) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    for window in _windows(2):
        http_mocker.post(_window_request(window), _page(worklog(1, future)).build())

    output = read_streams(config, _STREAM)

    final = states_of(output, _STREAM)[-1]["updatedAt"]
    assert final <= (datetime.now(timezone.utc) - timedelta(minutes=59)).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_a_failed_first_sync_saves_each_windows_progress_and_resumes_each_from_it(http_mocker: HttpMocker) -> None:
    config = ConfigBuilder().with_start_date(_START).with_num_workers(2).build()
    windows = _windows(2)
    first, failing = windows[0], windows[1]
    http_mocker.post(_window_request(first), _page(worklog(1, "2024-02-01T00:00:00Z")).build())
    http_mocker.post(_window_request(failing), error_response(400, "Bad window"))
    for window in windows[2:]:
        http_mocker.post(_window_request(window), _page(worklog(9, "2024-03-01T00:00:00Z")).build())

    failed = read_streams(config, _STREAM, expect_failure=True)

    saved = states_of(failed, _STREAM)[-1]
    assert saved["first_sync"]["windows"][_key(first)] == "done"
    assert saved["first_sync"]["windows"][_key(failing)] is None  # delivered nothing: read again from the start
    assert saved["updatedAt"] == FIRST_SYNC_UPDATED_FROM  # the one-value resume point waits for every window

    # The next sync reads only the window that did not finish, from where it stood.
    resume = StateBuilder().with_stream_state(_STREAM, saved).build()
    with HttpMocker() as again:
        again.post(_window_request(failing), _page(worklog(5, "2024-02-15T00:00:00Z")).build())
        resumed = read_streams(config, _STREAM, state=resume)
    assert ids_of(resumed, _STREAM, _ID) == [5]
    assert "first_sync" not in states_of(resumed, _STREAM)[-1]


def test_incremental_syncs_are_one_partition_without_to(http_mocker: HttpMocker) -> None:
    config = ConfigBuilder().with_start_date(_START).with_num_workers(4).build()
    state = StateBuilder().with_stream_state(_STREAM, {"updatedAt": "2024-05-01T00:00:00Z"}).build()
    request = TempoRequestBuilder.worklogs_endpoint().with_limit(WORKLOGS_LIMIT)
    request = request.with_updated_from("2024-05-01T00:00:00Z").with_from_date(_START)
    http_mocker.post(request.build(), _page(worklog(3, "2024-05-02T00:00:00Z")).build())

    output = read_streams(config, _STREAM, state=state)

    assert ids_of(output, _STREAM, _ID) == [3]


def test_no_checkpoint_while_windows_are_open_passes_an_hour_before_the_sync_started(http_mocker: HttpMocker) -> None:
    """A window already read can receive an edited worklog; so even mid-sync the resume point stays before
    the sync's start, however far the open windows have gone (a regression seen with edits during a sync)."""
    config = ConfigBuilder().with_start_date(_START).with_num_workers(2).with_page_size(1).build()
    future = (datetime.now(timezone.utc) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    for index, window in enumerate(_windows(2)):
        low, high = window
        request = TempoRequestBuilder.worklogs_endpoint().with_limit(1).with_from_date(low or _START)
        request = request.with_to_date(high) if high else request
        http_mocker.post(request.build(), _page(worklog(index + 1, future)).with_limit(1).build())

    output = read_streams(config, _STREAM)

    ceiling = (datetime.now(timezone.utc) - timedelta(minutes=59)).strftime("%Y-%m-%dT%H:%M:%SZ")
    saved = [state["updatedAt"] for state in states_of(output, _STREAM)]
    assert saved and all(value <= ceiling for value in saved), saved

"""worklogs: POST /worklogs/search in UPDATED order, keyset paging on updatedAt, incremental state.

Paging (UpdatedAtKeysetPagination): after a page whose last record has updatedAt second T, with c records of
second T delivered so far, the next request asks updatedFrom=T, offset=c-1, so that its first record is the
last one delivered (the anchor). That repeated anchor is not emitted again (DropRepeatedAnchor). When the page
does not hold the anchor, records of second T changed while paging, and the connector steps back to find it;
records may then repeat (the destination deduplicates on tempoWorklogId) but none may be skipped.
Incremental syncs here run without tombstones (the audit-log read): see test_worklogs_tombstones.py.
"""

from __future__ import annotations

from airbyte_cdk.test.mock_http import HttpMocker
from airbyte_cdk.test.state_builder import StateBuilder

from unit_tests.conftest import (
    assert_no_errors,
    error_messages,
    ids_of,
    read_streams,
    records_of,
    states_of,
)
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.request_builder import FIRST_SYNC_UPDATED_FROM, WORKLOGS_LIMIT, TempoRequestBuilder
from unit_tests.mock_server.response_builder import TempoPageBuilder, error_response, worklog

_STREAM = "worklogs"
_ID = "tempoWorklogId"
T1, T2, T3, T4, T9 = (f"2024-05-01T10:00:0{second}Z" for second in (1, 2, 3, 4, 9))


def _request(
    updated_from: str = FIRST_SYNC_UPDATED_FROM,
    offset: int = 0,
    limit: int = WORKLOGS_LIMIT,
    from_date: str | None = None,
) -> TempoRequestBuilder:
    request = (
        TempoRequestBuilder.worklogs_endpoint().with_updated_from(updated_from).with_offset(offset).with_limit(limit)
    )
    return request.with_from_date(from_date) if from_date else request


def _page(*records: dict, limit: int = WORKLOGS_LIMIT, offset: int = 0, has_next: bool = False) -> TempoPageBuilder:
    page = TempoPageBuilder.worklogs().with_records(records).with_limit(limit).with_offset(offset)
    return page.with_next_page() if has_next else page


def _state(value: dict) -> list:
    return StateBuilder().with_stream_state(_STREAM, value).build()


def _final_state(output) -> dict:
    states = states_of(output, _STREAM)
    assert states, "no state message for worklogs"
    return states[-1]


def test_first_sync_reads_from_the_epoch_and_saves_the_newest_updated_at(http_mocker: HttpMocker) -> None:
    request = _request().build()  # updatedFrom 1970-01-01T00:00:00Z, from 1970-01-01, orderBy UPDATED ASC, offset 0
    http_mocker.post(
        request, _page(worklog(11, "2024-05-01T10:00:00Z"), worklog(12, "2024-05-02T11:00:00.000Z")).build()
    )

    output = read_streams(ConfigBuilder().build(), _STREAM)

    assert_no_errors(output)
    assert ids_of(output, _STREAM, _ID) == [11, 12]
    assert records_of(output, _STREAM)[0]["attributes"]["values"] == [{"key": "_BILLING_", "value": "BILLABLE"}]
    assert _final_state(output) == {"updatedAt": "2024-05-02T11:00:00Z"}
    http_mocker.assert_number_of_calls(request, 1)


def test_start_date_is_sent_as_from(http_mocker: HttpMocker) -> None:
    request = _request(from_date="2024-01-01").build()
    http_mocker.post(request, _page(worklog(1, T1)).build())

    output = read_streams(ConfigBuilder().with_start_date("2024-01-01").build(), _STREAM)

    assert_no_errors(output)
    assert ids_of(output, _STREAM, _ID) == [1]


def test_incremental_sync_resumes_from_the_saved_updated_at(http_mocker: HttpMocker) -> None:
    http_mocker.post(
        _request("2024-06-01T08:00:00Z").build(),
        _page(worklog(5, "2024-06-01T08:00:00Z"), worklog(6, "2024-06-02T09:30:00Z")).build(),
    )

    output = read_streams(
        ConfigBuilder().without_tombstones().build(), _STREAM, state=_state({"updatedAt": "2024-06-01T08:00:00Z"})
    )

    assert_no_errors(output)
    assert ids_of(output, _STREAM, _ID) == [5, 6]
    assert _final_state(output) == {"updatedAt": "2024-06-02T09:30:00Z"}


def test_lookback_window_is_subtracted_from_the_state(http_mocker: HttpMocker) -> None:
    request = _request("2024-06-01T07:00:00Z").build()
    http_mocker.post(request, _page(worklog(5, "2024-06-01T07:30:00Z")).build())

    config = ConfigBuilder().without_tombstones().with_lookback_window_minutes(60).build()
    output = read_streams(config, _STREAM, state=_state({"updatedAt": "2024-06-01T08:00:00Z"}))

    assert_no_errors(output)
    assert ids_of(output, _STREAM, _ID) == [5]
    # a record inside the lookback window never moves the state backwards
    assert _final_state(output) == {"updatedAt": "2024-06-01T08:00:00Z"}


def test_state_stays_when_nothing_changed(http_mocker: HttpMocker) -> None:
    http_mocker.post(_request("2024-06-01T08:00:00Z").build(), _page().build())

    output = read_streams(
        ConfigBuilder().without_tombstones().build(), _STREAM, state=_state({"updatedAt": "2024-06-01T08:00:00Z"})
    )

    assert_no_errors(output)
    assert output.records == []
    assert _final_state(output) == {"updatedAt": "2024-06-01T08:00:00Z"}


def test_upstream_start_date_state_is_migrated_to_updated_from(http_mocker: HttpMocker) -> None:
    """The upstream connector (0.3.x/0.4.x) saved {"startDate": "2024-05-01"}."""
    request = _request("2024-05-01T00:00:00Z").build()
    http_mocker.post(request, _page(worklog(1, "2024-05-03T12:00:00Z")).build())

    output = read_streams(
        ConfigBuilder().without_tombstones().build(), _STREAM, state=_state({"startDate": "2024-05-01"})
    )

    assert_no_errors(output)
    assert ids_of(output, _STREAM, _ID) == [1]
    assert _final_state(output) == {"updatedAt": "2024-05-03T12:00:00Z"}
    http_mocker.assert_number_of_calls(request, 1)


def test_next_page_starts_at_the_last_second_and_rereads_the_anchor(http_mocker: HttpMocker) -> None:
    config = ConfigBuilder().with_page_size(3).build()
    first = _request(limit=3).build()
    second = _request(T2, offset=1, limit=3).build()  # two records of T2 delivered: skip one, re-read the anchor
    third = _request(T3, offset=1, limit=3).build()
    http_mocker.post(first, _page(worklog(1, T1), worklog(2, T2), worklog(3, T2), limit=3, has_next=True).build())
    http_mocker.post(
        second, _page(worklog(3, T2), worklog(4, T3), worklog(5, T3), limit=3, offset=1, has_next=True).build()
    )
    http_mocker.post(third, _page(worklog(5, T3), worklog(6, T4), limit=3, offset=1).build())

    output = read_streams(config, _STREAM)

    assert_no_errors(output)
    assert ids_of(output, _STREAM, _ID) == [1, 2, 3, 4, 5, 6]  # anchors 3 and 5 re-read, not re-emitted
    assert _final_state(output) == {"updatedAt": T4}
    for request in (first, second, third):
        http_mocker.assert_number_of_calls(request, 1)


def test_records_of_one_second_spanning_several_pages(http_mocker: HttpMocker) -> None:
    """A bulk import gives many worklogs the same updatedAt second: offsets accumulate within that second."""
    config = ConfigBuilder().with_page_size(3).build()
    first = _request(limit=3).build()
    second = _request(T2, offset=1, limit=3).build()  # 2 of T2 delivered
    third = _request(T2, offset=3, limit=3).build()  # 4 of T2 delivered (1 skipped + 3 on page 2)
    fourth = _request(T2, offset=5, limit=3).build()  # 6 of T2 delivered
    http_mocker.post(first, _page(worklog(1, T1), worklog(2, T2), worklog(3, T2), limit=3, has_next=True).build())
    http_mocker.post(
        second, _page(worklog(3, T2), worklog(4, T2), worklog(5, T2), limit=3, offset=1, has_next=True).build()
    )
    http_mocker.post(
        third, _page(worklog(5, T2), worklog(6, T2), worklog(7, T2), limit=3, offset=3, has_next=True).build()
    )
    http_mocker.post(fourth, _page(worklog(7, T2), worklog(8, T3), limit=3, offset=5).build())

    output = read_streams(config, _STREAM)

    assert_no_errors(output)
    assert ids_of(output, _STREAM, _ID) == [1, 2, 3, 4, 5, 6, 7, 8]
    assert _final_state(output) == {"updatedAt": T3}
    for request in (first, second, third, fourth):
        http_mocker.assert_number_of_calls(request, 1)


def test_next_updated_from_is_cut_to_the_second(http_mocker: HttpMocker) -> None:
    config = ConfigBuilder().with_page_size(2).build()
    http_mocker.post(
        _request(limit=2).build(),
        _page(
            worklog(1, "2024-05-01T10:00:00.000Z"), worklog(2, "2024-05-01T10:00:01.500Z"), limit=2, has_next=True
        ).build(),
    )
    second = _request("2024-05-01T10:00:01Z", offset=0, limit=2).build()
    http_mocker.post(
        second, _page(worklog(2, "2024-05-01T10:00:01.500Z"), worklog(3, "2024-05-01T10:00:02.000Z"), limit=2).build()
    )

    output = read_streams(config, _STREAM)

    assert_no_errors(output)
    assert ids_of(output, _STREAM, _ID) == [1, 2, 3]
    assert _final_state(output) == {"updatedAt": "2024-05-01T10:00:02Z"}


def test_page_without_the_anchor_steps_back_and_reads_again(http_mocker: HttpMocker) -> None:
    """w2 is edited between two requests (moves to T9): the page no longer holds the anchor w3, so second T2
    is read again from an earlier offset (here 0)."""
    config = ConfigBuilder().with_page_size(3).build()
    first = _request(limit=3).build()
    shifted = _request(T2, offset=1, limit=3).build()
    reread = _request(T2, offset=0, limit=3).build()
    last = _request(T3, offset=0, limit=3).build()
    http_mocker.post(first, _page(worklog(1, T1), worklog(2, T2), worklog(3, T2), limit=3, has_next=True).build())
    http_mocker.post(shifted, _page(worklog(4, T2), worklog(5, T3), worklog(2, T9), limit=3, offset=1).build())
    http_mocker.post(reread, _page(worklog(3, T2), worklog(4, T2), worklog(5, T3), limit=3, has_next=True).build())
    http_mocker.post(last, _page(worklog(5, T3), worklog(2, T9), limit=3).build())

    output = read_streams(config, _STREAM)

    assert_no_errors(output)
    assert set(ids_of(output, _STREAM, _ID)) == {1, 2, 3, 4, 5}
    newest = [record for record in records_of(output, _STREAM) if record[_ID] == 2][-1]
    assert newest["updatedAt"] == T9
    assert _final_state(output) == {"updatedAt": T9}
    for request in (first, shifted, reread, last):
        http_mocker.assert_number_of_calls(request, 1)
    assert output.is_in_logs("changed while being read")


def test_records_that_slide_in_front_of_the_offset_are_still_read(http_mocker: HttpMocker) -> None:
    """w1 and w2 are edited (move to T9) while the many worklogs of second T2 are paged through: the records
    after the anchor shift two places to the front, so the connector steps back until it finds the anchor."""
    config = ConfigBuilder().with_page_size(3).build()
    first = _request(limit=3).build()
    at_2 = _request(T2, offset=2, limit=3).build()
    at_4 = _request(T2, offset=4, limit=3).build()
    http_mocker.post(first, _page(worklog(1, T2), worklog(2, T2), worklog(3, T2), limit=3, has_next=True).build())
    http_mocker.post(
        at_2,
        [
            _page(worklog(3, T2), worklog(4, T2), worklog(5, T2), limit=3, offset=2, has_next=True).build(),
            # after the edits: T2 holds w3..w7 only
            _page(worklog(5, T2), worklog(6, T2), worklog(7, T2), limit=3, offset=2, has_next=True).build(),
        ],
    )
    http_mocker.post(at_4, _page(worklog(7, T2), worklog(1, T9), worklog(2, T9), limit=3, offset=4).build())

    output = read_streams(config, _STREAM)

    assert_no_errors(output)
    assert set(ids_of(output, _STREAM, _ID)) == {1, 2, 3, 4, 5, 6, 7}  # w6 slid in front of offset 4: not skipped
    assert _final_state(output) == {"updatedAt": T9}
    http_mocker.assert_number_of_calls(at_2, 2)  # once in order, once stepping back to find w5
    http_mocker.assert_number_of_calls(at_4, 2)
    assert output.is_in_logs("changed while being read")


def test_a_second_that_never_settles_ends_with_a_transient_error() -> None:
    config = ConfigBuilder().with_page_size(2).build()
    first = _request(limit=2).build()
    anchored = _request(T2, offset=1, limit=2).build()
    reread = _request(T2, offset=0, limit=2).build()
    # the anchor w2 is never where it should be
    unsettled = _page(worklog(9, T2), worklog(10, T2), limit=2, offset=1, has_next=True).build()
    # Not the http_mocker fixture: its sentinel answer below must stay unused when the connector gives up.
    with HttpMocker() as http_mocker:
        http_mocker.post(first, _page(worklog(1, T2), worklog(2, T2), limit=2, has_next=True).build())
        # 1 request in order + 10 after stepping back; a 12th would mean the connector did not give up
        http_mocker.post(anchored, [unsettled] * 11 + [error_response(400, "mock server: too many re-reads")])
        http_mocker.post(reread, _page(worklog(1, T2), worklog(2, T2), limit=2, has_next=True).build())

        output = read_streams(config, _STREAM, expect_failure=True)

        http_mocker.assert_number_of_calls(anchored, 11)
    messages = error_messages(output)
    assert not any("too many re-reads" in m for m in messages), "the connector never gave up"
    assert any("kept changing" in m for m in messages), messages
    assert any(m.trace.error.failure_type.value == "transient_error" for m in output.errors)


def test_server_ignoring_the_offset_never_ends_in_a_silent_success(http_mocker: HttpMocker) -> None:
    """A proxy that strips the query string: Tempo serves worklogs from offset 0 with its default limit (50)."""
    config = ConfigBuilder().with_page_size(3).build()
    http_mocker.post(
        _request(limit=3).build(), _page(worklog(1, T1), worklog(2, T2), worklog(3, T2), limit=3, has_next=True).build()
    )
    http_mocker.post(
        _request(T2, offset=1, limit=3).build(),  # served from offset 0: the page that is dropped
        _page(worklog(2, T2), worklog(3, T2), worklog(4, T3), worklog(5, T4), limit=50, has_next=True).build(),
    )

    output = read_streams(config, _STREAM, expect_failure=True)

    assert any("ignored the paging parameters" in m for m in error_messages(output)), error_messages(output)
    assert ids_of(output, _STREAM, _ID) == [1, 2, 3]  # nothing from the page served at the wrong offset
    assert states_of(output, _STREAM)[-1]["updatedAt"] <= T2  # the next sync reads w4 again


def test_records_out_of_updated_at_order_fail_the_stream(http_mocker: HttpMocker) -> None:
    http_mocker.post(
        _request(limit=2).build(),
        _page(worklog(1, T3), worklog(2, T1), limit=2, has_next=True).build(),
    )

    output = read_streams(ConfigBuilder().with_page_size(2).build(), _STREAM, expect_failure=True)

    messages = error_messages(output)
    assert any("out of updatedAt order" in m for m in messages), messages


def _mock_two_pages_then_a_failure(http_mocker: HttpMocker) -> None:
    http_mocker.post(_request(limit=2).build(), _page(worklog(1, T1), worklog(2, T2), limit=2, has_next=True).build())
    http_mocker.post(
        _request(T2, limit=2).build(), _page(worklog(2, T2), worklog(3, T3), limit=2, has_next=True).build()
    )
    http_mocker.post(_request(T3, limit=2).build(), error_response(400, "updatedFrom is invalid"))


def test_state_is_checkpointed_before_a_later_failure(http_mocker: HttpMocker) -> None:
    _mock_two_pages_then_a_failure(http_mocker)

    output = read_streams(ConfigBuilder().with_page_size(2).build(), _STREAM, expect_failure=True)

    assert ids_of(output, _STREAM, _ID) == [1, 2, 3]
    assert states_of(output, _STREAM)[0] == {"updatedAt": T2}  # emitted after the first page_size records
    assert any("updatedFrom is invalid" in m for m in error_messages(output))


def test_last_state_of_a_failed_sync_keeps_the_checkpoint(http_mocker: HttpMocker) -> None:
    _mock_two_pages_then_a_failure(http_mocker)

    output = read_streams(ConfigBuilder().with_page_size(2).build(), _STREAM, expect_failure=True)

    last = states_of(output, _STREAM)[-1]["updatedAt"]
    assert T2 <= last <= T3, f"the next sync would resume from {last}"


def test_updated_at_with_an_offset_is_saved_in_utc(http_mocker: HttpMocker) -> None:
    http_mocker.post(_request().build(), _page(worklog(1, "2024-05-01T10:30:00+02:00")).build())

    output = read_streams(ConfigBuilder().build(), _STREAM)

    assert_no_errors(output)
    assert _final_state(output) == {"updatedAt": "2024-05-01T08:30:00Z"}

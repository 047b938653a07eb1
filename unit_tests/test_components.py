"""Each Python component of source_tempo/components/ (paging, state migrations, transforms) on its own, plus
PageCheckpointingCursor through a read."""

from __future__ import annotations

import json
import logging
from typing import Any, Dict, List, Mapping

import pytest
import requests
from airbyte_cdk.models import FailureType
from airbyte_cdk.test.mock_http import HttpMocker
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_tempo.components.paging import (
    DropRepeatedAnchor,
    OffsetUntilNoNext,
    TempoResultsExtractor,
    UpdatedAtKeysetPagination,
)
from source_tempo.components.state_migrations import UpstreamStartDateStateMigration
from source_tempo.components.transforms import to_utc_second
from unit_tests.conftest import assert_no_errors, messages_in_order, read_streams
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.request_builder import TempoRequestBuilder
from unit_tests.mock_server.response_builder import TempoPageBuilder, customer, worklog

PAGE_SIZE = "{{ config.get('page_size') or 1000 }}"  # as the manifest declares it
S1, S2, S3, S4, S5 = (f"2024-05-01T10:00:0{second}Z" for second in range(1, 6))


def _response(
    body: Any,
    url: str = "https://api.tempo.io/4/customers?limit=2",
    status_code: int = 200,
    content_type: str = "application/json",
) -> requests.Response:
    response = requests.Response()
    response._content = body if isinstance(body, bytes) else json.dumps(body).encode()
    response.status_code = status_code
    response.url = url
    response.headers["Content-Type"] = content_type
    response.request = requests.Request("GET", url).prepare()
    return response


def _page(
    records: List[Mapping[str, Any]], has_next: bool, offset: int = 0, limit: int = 2, path: str = "customers"
) -> Dict[str, Any]:
    builder = TempoPageBuilder(path).with_records(records).with_offset(offset).with_limit(limit)
    return (builder.with_next_page() if has_next else builder).build_body()


# --- to_utc_second --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2024-05-01T10:00:00Z", "2024-05-01T10:00:00Z"),
        ("2024-05-01T10:00:00.000Z", "2024-05-01T10:00:00Z"),
        ("2024-05-01T10:00:00.999999Z", "2024-05-01T10:00:00Z"),
        ("2024-05-01T10:00:00", "2024-05-01T10:00:00Z"),
        ("2024-05-01T10:00:00+00:00", "2024-05-01T10:00:00Z"),
        ("2024-05-01T10:00:00+02:00", "2024-05-01T08:00:00Z"),
        ("2024-05-01T23:30:00-02:00", "2024-05-02T01:30:00Z"),
        ("2024-05-01", "2024-05-01T00:00:00Z"),
        ("2024-05-01T10:00:00.123+02:00", "2024-05-01T08:00:00Z"),
    ],
)
def test_to_utc_second(value: str, expected: str) -> None:
    assert to_utc_second(value) == expected


# --- OffsetUntilNoNext ----------------------------------------------------------------------------------


def _offset_strategy(page_size: Any = 2) -> OffsetUntilNoNext:
    return OffsetUntilNoNext(config={"page_size": page_size}, page_size=PAGE_SIZE, parameters={})


def test_offset_strategy_page_size_comes_from_the_config() -> None:
    assert _offset_strategy(7).get_page_size() == 7
    assert OffsetUntilNoNext(config={}, page_size=PAGE_SIZE, parameters={}).get_page_size() == 1000
    assert _offset_strategy().initial_token is None


def test_offset_strategy_next_offset_is_previous_offset_plus_records_received() -> None:
    strategy = _offset_strategy(2)
    first = _response(_page([customer(1), customer(2)], has_next=True))
    assert strategy.next_page_token(first, 2, None, None) == 2
    second = _response(_page([customer(3), customer(4)], has_next=True, offset=2))
    assert strategy.next_page_token(second, 2, None, 2) == 4
    short = _response(_page([customer(5)], has_next=True, offset=4))  # Tempo clamped the limit
    assert strategy.next_page_token(short, 1, None, 4) == 5


def test_offset_strategy_stops_without_next() -> None:
    response = _response(_page([customer(1), customer(2)], has_next=False))
    assert _offset_strategy(2).next_page_token(response, 2, None, None) is None


def test_offset_strategy_stops_on_an_empty_page_even_with_next() -> None:
    response = _response(_page([], has_next=True, offset=4))
    assert _offset_strategy(2).next_page_token(response, 0, None, 4) is None


def test_offset_strategy_stops_when_the_page_exceeds_the_limit() -> None:
    response = _response(_page([customer(i) for i in range(3)], has_next=True))
    strategy = _offset_strategy(2)
    assert strategy.next_page_token(response, 3, None, None) is None
    assert strategy.next_page_token(response, 3, None, None, page_size_override=3) == 3


def test_offset_strategy_never_follows_the_next_url() -> None:
    page = _page([customer(1), customer(2)], has_next=True)
    page["metadata"]["next"] = "https://elsewhere.example.com/4/customers?offset=999&limit=2"
    assert _offset_strategy(2).next_page_token(_response(page), 2, None, None) == 2


# --- TempoResultsExtractor ------------------------------------------------------------------------------


def _extractor() -> TempoResultsExtractor:
    return TempoResultsExtractor(config={}, parameters={"name": "customers"})


def test_extractor_yields_results() -> None:
    response = _response(_page([customer(1), customer(2)], has_next=False))
    assert [record["id"] for record in _extractor().extract_records(response)] == [1, 2]


def test_extractor_accepts_a_page_served_at_the_requested_offset() -> None:
    response = _response(
        _page([customer(3)], has_next=False, offset=2), url="https://api.tempo.io/4/customers?limit=2&offset=2"
    )
    assert [record["id"] for record in _extractor().extract_records(response)] == [3]


def test_extractor_drops_a_repeat_of_a_short_first_page_and_paging_stops(caplog) -> None:
    page = _page([customer(1), customer(2)], has_next=True)  # served at offset 0 ...
    response = _response(page, url="https://api.tempo.io/4/customers?limit=3&offset=2")  # ... for offset 2 < limit 3

    with caplog.at_level(logging.WARNING, logger="airbyte"):
        assert list(_extractor().extract_records(response)) == []
    assert "ignored offset=2" in caplog.text and "customers" in caplog.text
    assert _offset_strategy(3).next_page_token(response, 0, None, 2) is None


def test_extractor_fails_when_a_later_page_ignores_the_offset() -> None:
    response = _response(
        _page([customer(1), customer(2)], has_next=True), url="https://api.tempo.io/4/customers?limit=2&offset=2"
    )

    with pytest.raises(AirbyteTracedException) as raised:
        list(_extractor().extract_records(response))
    assert "Stream customers" in raised.value.message and "ignored the paging parameters" in raised.value.message
    assert "asked for offset 2, got offset 0" in raised.value.message


def test_extractor_fails_on_invalid_json_naming_the_url_without_query_or_credentials() -> None:
    response = _response(
        b"<html>maintenance</html>",
        url="https://user:secret@proxy.example.com/4/customers?limit=2",
        content_type="text/html",
    )

    with pytest.raises(AirbyteTracedException) as raised:
        list(_extractor().extract_records(response))
    assert raised.value.failure_type == FailureType.transient_error
    assert "not valid JSON for https://proxy.example.com/4/customers " in raised.value.message
    assert "secret" not in raised.value.message and "limit=2" not in raised.value.message


@pytest.mark.parametrize("body", [[1, 2], {"results": {"id": 1}}, {"metadata": {}}])
def test_extractor_fails_on_a_body_without_a_results_list(body: Any) -> None:
    with pytest.raises(AirbyteTracedException) as raised:
        list(_extractor().extract_records(_response(body)))
    assert raised.value.failure_type == FailureType.system_error
    assert "'results' list" in raised.value.message


# --- UpdatedAtKeysetPagination --------------------------------------------------------------------------


def _keyset(page_size: int = 3) -> UpdatedAtKeysetPagination:
    return UpdatedAtKeysetPagination(config={"page_size": page_size}, page_size=PAGE_SIZE, parameters={})


def _worklogs(records: List[Mapping[str, Any]], has_next: bool = True) -> requests.Response:
    return _response(
        _page(records, has_next=has_next, limit=3, path="worklogs/search"),
        url="https://api.tempo.io/4/worklogs/search?offset=0&limit=3",
    )


def _token(updated_from: str | None, offset: int, anchor_id: int | None, step_backs: int = 0) -> Dict[str, Any]:
    return {"updated_from": updated_from, "offset": offset, "anchor_id": anchor_id, "step_backs": step_backs}


def test_keyset_page_size_and_initial_token() -> None:
    assert _keyset(4).get_page_size() == 4
    assert _keyset().initial_token is None


def test_keyset_next_request_starts_at_the_last_second_one_record_early() -> None:
    page = _worklogs([worklog(1, S1), worklog(2, S2), worklog(3, S2)])
    assert _keyset().next_page_token(page, 3, None, None) == _token(S2, 1, 3)


def test_keyset_single_record_of_the_last_second_gives_offset_zero() -> None:
    page = _worklogs([worklog(1, S1), worklog(2, S2), worklog(3, S3)])
    assert _keyset().next_page_token(page, 3, None, None) == _token(S3, 0, 3)


def test_keyset_ties_accumulate_across_several_pages() -> None:
    strategy = _keyset()
    token = strategy.next_page_token(_worklogs([worklog(1, S1), worklog(2, S2), worklog(3, S2)]), 3, None, None)
    assert token == _token(S2, 1, 3)  # 2 of S2 delivered
    token = strategy.next_page_token(_worklogs([worklog(3, S2), worklog(4, S2), worklog(5, S2)]), 3, None, token)
    assert token == _token(S2, 3, 5)  # 1 skipped + 3 on the page = 4 delivered
    token = strategy.next_page_token(_worklogs([worklog(5, S2), worklog(6, S2), worklog(7, S2)]), 3, None, token)
    assert token == _token(S2, 5, 7)  # 3 skipped + 3 = 6 delivered
    token = strategy.next_page_token(_worklogs([worklog(7, S2), worklog(8, S2), worklog(9, S3)]), 3, None, token)
    assert token == _token(S3, 0, 9)  # a new second: its count starts again
    assert strategy.next_page_token(_worklogs([worklog(9, S3)], has_next=False), 1, None, token) is None


def test_keyset_works_on_the_second_of_millisecond_timestamps() -> None:
    page = _worklogs([worklog(1, "2024-05-01T10:00:01.100Z"), worklog(2, "2024-05-01T10:00:01.900Z")])
    assert _keyset().next_page_token(page, 2, None, None) == _token("2024-05-01T10:00:01Z", 1, 2)


def test_keyset_stops_without_next_or_records() -> None:
    assert _keyset().next_page_token(_worklogs([worklog(1, S1)], has_next=False), 1, None, None) is None
    assert _keyset().next_page_token(_worklogs([], has_next=True), 0, None, None) is None


def test_keyset_steps_back_a_page_when_the_anchor_is_not_on_the_page() -> None:
    page = _worklogs([worklog(8, S2), worklog(9, S2), worklog(10, S3)])  # served limit 3: step back by 2
    assert _keyset().next_page_token(page, 3, None, _token(S2, 4, 5)) == _token(S2, 2, 5, step_backs=1)


def test_keyset_steps_back_no_further_than_offset_zero() -> None:
    page = _worklogs([worklog(4, S2), worklog(5, S3)])
    assert _keyset().next_page_token(page, 2, None, _token(S2, 1, 3)) == _token(S2, 0, 3, step_backs=1)


def test_keyset_steps_back_when_the_page_is_empty_but_an_anchor_was_expected() -> None:
    assert _keyset().next_page_token(_worklogs([], has_next=False), 0, None, _token(S2, 1, 3)) == _token(
        S2, 0, 3, step_backs=1
    )


def test_keyset_anchor_that_moved_to_another_second_is_not_the_anchor() -> None:
    page = _worklogs([worklog(3, S4), worklog(5, S4)])
    assert _keyset().next_page_token(page, 2, None, _token(S2, 1, 3)) == _token(S2, 0, 3, step_backs=1)


def test_keyset_anchor_found_further_in_the_page_continues_from_the_page() -> None:
    """After a step back to offset 2 the anchor w5 is the page's second record: counting goes on from there."""
    page = _worklogs([worklog(4, S2), worklog(5, S2), worklog(6, S2)])
    assert _keyset().next_page_token(page, 3, None, _token(S2, 2, 5)) == _token(S2, 4, 6)


def test_keyset_without_the_anchor_at_offset_zero_reads_on() -> None:
    """At offset 0 nothing of the second can have been skipped: the page is taken as it is."""
    page = _worklogs([worklog(4, S2), worklog(5, S3)])
    assert _keyset().next_page_token(page, 2, None, _token(S2, 0, 3)) == _token(S3, 0, 5)


def test_keyset_fails_on_records_out_of_order_within_a_page() -> None:
    with pytest.raises(AirbyteTracedException) as raised:
        _keyset().next_page_token(_worklogs([worklog(1, S3), worklog(2, S1)]), 2, None, None)
    assert raised.value.failure_type == FailureType.system_error
    assert "out of updatedAt order at https://api.tempo.io/4/worklogs/search" in raised.value.message


def test_keyset_fails_on_a_page_starting_before_the_requested_second() -> None:
    with pytest.raises(AirbyteTracedException) as raised:
        _keyset().next_page_token(_worklogs([worklog(3, S1), worklog(4, S3)]), 2, None, _token(S2, 0, None))
    assert "out of updatedAt order" in raised.value.message


def test_keyset_tokens_live_in_the_token_not_the_instance() -> None:
    strategy = _keyset()
    one = strategy.next_page_token(_worklogs([worklog(1, S1), worklog(2, S2)]), 2, None, None)
    other = strategy.next_page_token(_worklogs([worklog(7, S4), worklog(8, S4)]), 2, None, None)
    assert strategy.next_page_token(_worklogs([worklog(2, S2), worklog(3, S3)]), 2, None, one) == _token(S3, 0, 3)
    assert other == _token(S4, 1, 8)


# --- DropRepeatedAnchor ---------------------------------------------------------------------------------


def _ids(records) -> List[int]:
    return [record["tempoWorklogId"] for record in records]


def test_drop_repeated_anchor_passes_the_first_page_whole() -> None:
    record_filter = DropRepeatedAnchor(parameters={}, config={})
    assert _ids(record_filter.filter_records([worklog(1, S1), worklog(2, S2)], {})) == [1, 2]


def test_drop_repeated_anchor_drops_the_repeated_anchor() -> None:
    record_filter = DropRepeatedAnchor(parameters={}, config={})
    list(record_filter.filter_records([worklog(1, S1), worklog(2, S2)], {}))
    assert _ids(record_filter.filter_records([worklog(2, S2), worklog(3, S3)], {})) == [3]


def test_drop_repeated_anchor_passes_only_what_follows_an_anchor_further_in() -> None:
    """A page after a step back holds the anchor further in: what precedes it was delivered already."""
    record_filter = DropRepeatedAnchor(parameters={}, config={})
    list(record_filter.filter_records([worklog(4, S2), worklog(5, S2)], {}))
    assert _ids(record_filter.filter_records([worklog(4, S2), worklog(5, S2), worklog(6, S2)], {})) == [6]


def test_drop_repeated_anchor_passes_a_page_without_the_anchor_whole() -> None:
    record_filter = DropRepeatedAnchor(parameters={}, config={})
    list(record_filter.filter_records([worklog(1, S1), worklog(2, S2)], {}))
    assert _ids(record_filter.filter_records([worklog(3, S2), worklog(4, S3)], {})) == [3, 4]


def test_drop_repeated_anchor_keeps_a_new_version_of_the_same_worklog() -> None:
    record_filter = DropRepeatedAnchor(parameters={}, config={})
    list(record_filter.filter_records([worklog(1, S1), worklog(2, S2)], {}))
    assert _ids(record_filter.filter_records([worklog(2, S3)], {})) == [2]


def test_drop_repeated_anchor_remembers_per_slice() -> None:
    record_filter = DropRepeatedAnchor(parameters={}, config={})
    list(record_filter.filter_records([worklog(2, S2)], {}, stream_slice={"start": "a"}))
    assert _ids(record_filter.filter_records([worklog(2, S2)], {}, stream_slice={"start": "b"})) == [2]
    assert _ids(record_filter.filter_records([worklog(2, S2)], {}, stream_slice={"start": "a"})) == []


# --- UpstreamStartDateStateMigration --------------------------------------------------------------------


@pytest.mark.parametrize(
    "state, expected",
    [
        ({"startDate": "2024-05-01"}, True),
        ({"startDate": "2024-05-01", "updatedAt": "2024-06-01T00:00:00Z"}, False),
        ({"updatedAt": "2024-06-01T00:00:00Z"}, False),
        ({}, False),
    ],
)
def test_migration_applies_only_to_upstream_state(state: Dict[str, Any], expected: bool) -> None:
    assert UpstreamStartDateStateMigration().should_migrate(state) is expected


@pytest.mark.parametrize("start_date", ["2024-05-01", "2024-05-01T12:34:56Z", "2024-05-01T12:34:56.000+02:00"])
def test_migration_turns_the_start_date_into_updated_at_midnight(start_date: str) -> None:
    assert UpstreamStartDateStateMigration().migrate({"startDate": start_date}) == {"updatedAt": "2024-05-01T00:00:00Z"}


def test_migration_drops_a_state_that_is_not_a_date(caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="airbyte"):
        assert UpstreamStartDateStateMigration().migrate({"startDate": "last tuesday"}) == {}
    assert "not a date" in caplog.text


# --- PageCheckpointingCursor, through a read -----------------------------------------------------------


def _worklogs_request(updated_from: str, offset: int, limit: int):
    return (
        TempoRequestBuilder.worklogs_endpoint()
        .with_updated_from(updated_from)
        .with_offset(offset)
        .with_limit(limit)
        .build()
    )


def _worklogs_page(*records, limit: int, has_next: bool, offset: int = 0):
    page = TempoPageBuilder.worklogs().with_limit(limit).with_offset(offset).with_records(records)
    return (page.with_next_page() if has_next else page).build()


def _checkpoints(output) -> tuple:
    """(mid-sync checkpoints as [(records emitted since the previous state, state)], final state).

    A checkpoint is a state followed by more records; the final state may be emitted more than once.
    Also asserts that every state is safe to resume from: not ahead of the records emitted before it,
    and no record emitted after it is older than it.
    """
    states, since, newest, last_state = [], 0, "", None
    for kind, value in messages_in_order(output, "worklogs"):
        if kind == "record":
            second = to_utc_second(value["updatedAt"])
            assert last_state is None or second >= last_state, (value, last_state)
            since, newest = since + 1, max(newest, second)
            if states:
                states[-1][2] = True
        else:
            last_state = value["updatedAt"]
            assert last_state <= newest, f"state {last_state} is ahead of the records emitted before it ({newest})"
            states.append([since, last_state, False])
            since = 0
    return [(count, state) for count, state, followed in states if followed], last_state


def test_page_checkpointing_cursor_emits_state_every_page_size_records(http_mocker: HttpMocker) -> None:
    config = ConfigBuilder().with_page_size(3).build()
    http_mocker.post(
        _worklogs_request("1970-01-01T00:00:00Z", 0, 3),
        _worklogs_page(worklog(1, S1), worklog(2, S2), worklog(3, S2), limit=3, has_next=True),
    )
    http_mocker.post(
        _worklogs_request(S2, 1, 3),
        _worklogs_page(worklog(3, S2), worklog(4, S2), worklog(5, S3), limit=3, offset=1, has_next=True),
    )
    http_mocker.post(
        _worklogs_request(S3, 0, 3),
        _worklogs_page(worklog(5, S3), worklog(6, S3), worklog(7, S4), limit=3, has_next=True),
    )
    http_mocker.post(
        _worklogs_request(S4, 0, 3), _worklogs_page(worklog(7, S4), worklog(8, S5), limit=3, has_next=False)
    )

    output = read_streams(config, "worklogs")

    assert_no_errors(output)
    assert [record.record.data["tempoWorklogId"] for record in output.records] == [1, 2, 3, 4, 5, 6, 7, 8]
    checkpoints, final = _checkpoints(output)
    assert checkpoints == [(3, S2), (3, S3)]  # every page_size records, wherever the page ends
    assert final == S5


def test_page_checkpointing_cursor_stops_checkpointing_once_records_arrive_out_of_order(
    http_mocker: HttpMocker,
) -> None:
    config = ConfigBuilder().with_page_size(2).build()
    http_mocker.post(
        _worklogs_request("1970-01-01T00:00:00Z", 0, 2),
        _worklogs_page(
            worklog(1, S1), worklog(2, S3), worklog(3, S2), worklog(4, S4), worklog(5, S5), limit=2, has_next=False
        ),
    )

    output = read_streams(config, "worklogs")

    assert_no_errors(output)
    checkpoints = []
    for kind, value in messages_in_order(output, "worklogs"):
        if kind == "state":
            checkpoints.append(value["updatedAt"])
        elif checkpoints and checkpoints[-1] != "records after":
            checkpoints.append("records after")
    # the checkpoint after records 1-2; once w3 (S2 after S3) arrived, only the final state
    assert checkpoints[:2] == [S3, "records after"] and set(checkpoints[2:]) == {S5}

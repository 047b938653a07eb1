"""worklog-deletions: POST /papertrail/search for worklog `Deleted` events, paged by nextPageToken, incremental on
deletedAt. Tempo keeps audit events 180 days: a first sync, and a sync whose state is older than that, read from
180 days ago (less an hour, so that Tempo never finds it too old), the latter with a warning."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from airbyte_cdk.test.mock_http import HttpMocker
from airbyte_cdk.test.state_builder import StateBuilder

from unit_tests.conftest import assert_no_errors, ids_of, read_streams, records_of, states_of
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.request_builder import ago as _ago
from unit_tests.mock_server.request_builder import worklog_deletions_request as _request
from unit_tests.mock_server.response_builder import TokenPageBuilder, audit_event

_STREAM = "worklog-deletions"
_ID = "tempoWorklogId"


def _read(state: dict | None = None, expect_failure: bool = False):
    messages = StateBuilder().with_stream_state(_STREAM, state).build() if state is not None else None
    return read_streams(ConfigBuilder().build(), _STREAM, state=messages, expect_failure=expect_failure)


def test_first_sync_reads_180_days_of_deletions_into_records(http_mocker: HttpMocker) -> None:
    first, second = _ago(days=20), _ago(days=3)
    other_events = [audit_event("1003", first, action="Updated"), audit_event("7", first, entity_type="customer")]
    http_mocker.post(
        _request(),
        TokenPageBuilder()
        .with_records([audit_event("1001", first), *other_events, audit_event("1002", second)])
        .build(),
    )

    output = _read()

    assert_no_errors(output)
    records = records_of(output, _STREAM)
    assert [record[_ID] for record in records] == [1001, 1002]  # other events are left out even if Tempo sends them
    assert records[0] == {
        _ID: 1001,
        "deletedAt": first,
        "author": "712020:2a7bd8ae-fc58-4e26-a7b3-9e0e3c2f11a4",
        "event": audit_event("1001", first),
    }
    assert states_of(output, _STREAM)[-1] == {"deletedAt": second}


def test_event_times_are_saved_in_utc_seconds(http_mocker: HttpMocker) -> None:
    state = {"deletedAt": _ago(days=10)}
    local = (datetime.now(timezone.utc) - timedelta(days=2)).astimezone(timezone(timedelta(hours=2)))
    http_mocker.post(
        _request(state["deletedAt"]),
        TokenPageBuilder().with_records([audit_event("1001", local.isoformat(timespec="milliseconds"))]).build(),
    )

    output = _read(state)

    assert records_of(output, _STREAM)[0]["deletedAt"] == local.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_pages_follow_the_next_page_token_with_the_same_body(http_mocker: HttpMocker) -> None:
    since = _ago(days=30)
    http_mocker.post(
        _request(since),
        TokenPageBuilder().with_records([audit_event("1", _ago(days=29))]).with_next_page_token("pt1:x").build(),
    )
    http_mocker.post(
        _request(since, token="pt1:x"), TokenPageBuilder().with_records([audit_event("2", _ago(days=28))]).build()
    )

    output = _read({"deletedAt": since})

    assert_no_errors(output)
    assert ids_of(output, _STREAM, _ID) == [1, 2]


def test_incremental_sync_reads_from_the_saved_deleted_at(http_mocker: HttpMocker) -> None:
    since = _ago(days=5)
    http_mocker.post(_request(since), TokenPageBuilder().build())

    output = _read({"deletedAt": since})

    assert_no_errors(output)
    assert output.records == []
    assert states_of(output, _STREAM)[-1] == {"deletedAt": since}


@pytest.mark.parametrize("saved", [{"deletedAt": "2024-01-01T00:00:00Z"}, {"deletedAt": "not a date"}])
def test_a_state_older_than_tempos_180_days_reads_from_then_and_warns(http_mocker: HttpMocker, saved: dict) -> None:
    http_mocker.post(_request(), TokenPageBuilder().with_records([audit_event("9", _ago(days=1))]).build())

    output = _read(saved)

    assert_no_errors(output)
    assert ids_of(output, _STREAM, _ID) == [9]
    warnings = [log.log.message for log in output.logs if log.log.level.value == "WARN"]
    assert any("may have been missed" in message and "180 days" in message for message in warnings), warnings

"""worklogs tombstones: an incremental worklogs sync also reads Tempo's audit log (POST /papertrail/search) from
where the worklogs read starts, and sends each deleted worklog as `{tempoWorklogId, updatedAt, _ab_cdc_deleted_at}`
(updatedAt = the deletion time, so that a deduplicating destination keeps the tombstone over the live row).
Tombstones never move the worklogs state. See source_tempo.components.tombstones.WorklogTombstones."""

from __future__ import annotations

from airbyte_cdk.test.mock_http import HttpMocker
from airbyte_cdk.test.state_builder import StateBuilder

from unit_tests.conftest import (
    assert_no_errors,
    error_messages,
    ids_of,
    messages_in_order,
    read_streams,
    records_of,
    states_of,
)
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.request_builder import WORKLOGS_LIMIT, TempoRequestBuilder, ago, worklog_deletions_request
from unit_tests.mock_server.response_builder import (
    TempoPageBuilder,
    TokenPageBuilder,
    audit_event,
    error_response,
    worklog,
)

_STREAM = "worklogs"
_ID = "tempoWorklogId"
_TOMBSTONE = "_ab_cdc_deleted_at"


def _worklogs_request(updated_from: str):
    request = TempoRequestBuilder.worklogs_endpoint().with_updated_from(updated_from)
    return request.with_offset(0).with_limit(WORKLOGS_LIMIT)


def _worklogs_page(*records: dict):
    return TempoPageBuilder.worklogs().with_records(records).with_limit(WORKLOGS_LIMIT).with_offset(0).build()


def _deletions(*events: dict):
    return TokenPageBuilder().with_records(events).build()


def _read(config: dict, state: dict | None, expect_failure: bool = False):
    messages = StateBuilder().with_stream_state(_STREAM, state).build() if state is not None else None
    return read_streams(config, _STREAM, state=messages, expect_failure=expect_failure)


def _tombstones(output) -> list[dict]:
    return [record for record in records_of(output, _STREAM) if record.get(_TOMBSTONE)]


def test_incremental_sync_sends_a_tombstone_per_deleted_worklog_and_keeps_the_worklogs_state(
    http_mocker: HttpMocker,
) -> None:
    since, edited, deleted_first, deleted_last = ago(days=2), ago(days=1), ago(hours=5), ago(minutes=3)
    http_mocker.post(_worklogs_request(since).build(), _worklogs_page(worklog(5, since), worklog(6, edited)))
    http_mocker.post(
        worklog_deletions_request(since),
        _deletions(
            audit_event("7", deleted_first),
            audit_event("8", deleted_first, action="Updated"),  # not a deletion: no tombstone
            audit_event("9", deleted_last),
        ),
    )

    before = ago(hours=1)
    output = _read(ConfigBuilder().build(), {"updatedAt": since})

    assert_no_errors(output)
    assert sorted(ids_of(output, _STREAM, _ID)) == [5, 6, 7, 9]
    assert sorted(_tombstones(output), key=lambda record: record[_ID]) == [
        {_ID: 7, "updatedAt": deleted_first, _TOMBSTONE: deleted_first},
        {_ID: 9, "updatedAt": deleted_last, _TOMBSTONE: deleted_last},
    ]
    assert all(_TOMBSTONE not in record for record in records_of(output, _STREAM) if record[_ID] in (5, 6))
    # the newest worklog read, not the newer deletion: worklogs edited after `edited` are read next time;
    # the next sync's deletions start an hour (for clock differences) before this read of the audit log
    final = states_of(output, _STREAM)[-1]
    assert final["updatedAt"] == edited
    assert before <= final["tombstones_from"] <= ago(hours=1)
    # saved only after the tombstones, so that a sync that dies before them reads them again
    sequence = list(messages_in_order(output, _STREAM))
    saved_at = next(i for i, (kind, data) in enumerate(sequence) if kind == "state" and "tombstones_from" in data)
    assert max(i for i, (kind, data) in enumerate(sequence) if kind == "record" and data.get(_TOMBSTONE)) < saved_at


def test_the_next_sync_reads_deletions_from_the_saved_tombstones_from_not_the_cursor(http_mocker: HttpMocker) -> None:
    cursor, read_to = ago(days=30), ago(hours=6)
    http_mocker.post(_worklogs_request(cursor).build(), _worklogs_page())
    http_mocker.post(worklog_deletions_request(read_to), _deletions(audit_event("12", ago(hours=2))))

    output = _read(ConfigBuilder().build(), {"updatedAt": cursor, "tombstones_from": read_to})

    assert_no_errors(output)
    assert ids_of(output, _STREAM, _ID) == [12]
    assert states_of(output, _STREAM)[-1]["updatedAt"] == cursor
    assert states_of(output, _STREAM)[-1]["tombstones_from"] > read_to


def test_the_deletions_window_starts_at_the_lookback(http_mocker: HttpMocker) -> None:
    saved, looked_back = ago(days=2), ago(days=2, hours=1)
    http_mocker.post(_worklogs_request(looked_back).build(), _worklogs_page())
    http_mocker.post(worklog_deletions_request(looked_back), _deletions(audit_event("3", ago(hours=1))))

    output = _read(ConfigBuilder().with_lookback_window_minutes(60).build(), {"updatedAt": saved})

    assert_no_errors(output)
    assert ids_of(output, _STREAM, _ID) == [3]
    assert states_of(output, _STREAM)[-1]["updatedAt"] == saved


def test_a_first_sync_reads_no_audit_log(http_mocker: HttpMocker) -> None:
    """HttpMocker fails a request it was not given: a deletions request here would fail the read."""
    http_mocker.post(_worklogs_request("1970-01-01T00:00:00Z").build(), _worklogs_page(worklog(1, ago(days=1))))

    output = _read(ConfigBuilder().build(), None)

    assert_no_errors(output)
    assert ids_of(output, _STREAM, _ID) == [1]
    assert _tombstones(output) == []


def test_tombstones_switched_off_read_no_audit_log(http_mocker: HttpMocker) -> None:
    since = ago(days=2)
    http_mocker.post(_worklogs_request(since).build(), _worklogs_page(worklog(1, ago(days=1))))

    output = _read(ConfigBuilder().without_tombstones().build(), {"updatedAt": since})

    assert_no_errors(output)
    assert ids_of(output, _STREAM, _ID) == [1]


def test_a_cursor_older_than_tempos_retention_reads_deletions_from_then_and_warns(http_mocker: HttpMocker) -> None:
    since = "2024-01-01T00:00:00Z"
    http_mocker.post(_worklogs_request(since).build(), _worklogs_page())
    http_mocker.post(worklog_deletions_request(None), _deletions(audit_event("4", ago(days=10))))

    output = _read(ConfigBuilder().build(), {"updatedAt": since})

    assert_no_errors(output)
    assert ids_of(output, _STREAM, _ID) == [4]
    warnings = [log.log.message for log in output.logs if log.log.level.value == "WARN"]
    assert any("get no tombstone" in message and "180 days" in message for message in warnings), warnings
    assert "tombstones_from" in states_of(output, _STREAM)[-1]  # the next sync starts after this one


def test_a_cursor_ahead_of_the_clock_reads_no_audit_log(http_mocker: HttpMocker) -> None:
    ahead = ago(hours=-2)  # Tempo's clock two hours ahead of this machine's
    http_mocker.post(_worklogs_request(ahead).build(), _worklogs_page())

    output = _read(ConfigBuilder().build(), {"updatedAt": ahead})

    assert_no_errors(output)
    assert output.records == []


def test_an_audit_log_the_token_cannot_read_fails_worklogs_and_says_how_to_go_on(http_mocker: HttpMocker) -> None:
    since = ago(days=2)
    http_mocker.post(_worklogs_request(since).build(), _worklogs_page(worklog(1, ago(days=1))))
    http_mocker.post(worklog_deletions_request(since), error_response(403, "Forbidden"))

    output = _read(ConfigBuilder().build(), {"updatedAt": since}, expect_failure=True)

    messages = " ".join(error_messages(output))
    assert "(HTTP 403)" in messages, messages
    assert f"worklogs deleted since {since}" in messages and "set `worklog_tombstones` to false" in messages

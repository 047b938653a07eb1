"""worklog-attribute-values: one row per work attribute value of each worklog (tempoWorklogId + key), from the
worklogs stream's own POST /worklogs/search pages: the same keyset paging on updatedAt, cursor and state, so a
changed value comes with its worklog. The anchor a page repeats (see test_worklogs.py) gives no row twice."""

from __future__ import annotations

from airbyte_cdk.models import SyncMode
from airbyte_cdk.test.mock_http import HttpMocker
from airbyte_cdk.test.state_builder import StateBuilder

from unit_tests.conftest import assert_no_errors, error_messages, read_streams, records_of, states_of
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.request_builder import FIRST_SYNC_UPDATED_FROM, WORKLOGS_LIMIT, TempoRequestBuilder
from unit_tests.mock_server.response_builder import TempoPageBuilder, error_response, worklog

_STREAM = "worklog-attribute-values"
T1, T2, T3 = "2024-05-01T10:00:01Z", "2024-05-01T10:00:02Z", "2024-05-01T10:00:03Z"


def _request(updated_from: str = FIRST_SYNC_UPDATED_FROM, offset: int = 0, limit: int = WORKLOGS_LIMIT):
    return TempoRequestBuilder.worklogs_endpoint().with_updated_from(updated_from).with_offset(offset).with_limit(limit)


def _page(*records: dict, limit: int = WORKLOGS_LIMIT, offset: int = 0, has_next: bool = False) -> TempoPageBuilder:
    page = TempoPageBuilder.worklogs().with_records(records).with_limit(limit).with_offset(offset)
    return page.with_next_page() if has_next else page


def _with_values(worklog_id: int, updated_at: str, *values: tuple[str, str]) -> dict:
    record = worklog(worklog_id, updated_at)
    record["attributes"]["values"] = [{"key": key, "value": value} for key, value in values]
    return record


def _read(config=None, state: dict | None = None):
    messages = StateBuilder().with_stream_state(_STREAM, state).build() if state is not None else None
    output = read_streams(config or ConfigBuilder().build(), _STREAM, state=messages, sync_mode=SyncMode.incremental)
    assert_no_errors(output)
    return output


def test_each_value_of_each_worklog_is_a_row(http_mocker: HttpMocker) -> None:
    page = _page(
        _with_values(11, T1, ("_Account_", "ACME"), ("_Billable_", "true")),
        _with_values(12, T2),  # no attribute: no row
        _with_values(13, "2024-05-01T12:00:03.000+02:00", ("_Overtime_", "1.5")),
    )
    http_mocker.post(_request().build(), page.build())

    output = _read()

    assert records_of(output, _STREAM) == [
        {"tempoWorklogId": 11, "key": "_Account_", "value": "ACME", "updatedAt": T1},
        {"tempoWorklogId": 11, "key": "_Billable_", "value": "true", "updatedAt": T1},
        {"tempoWorklogId": 13, "key": "_Overtime_", "value": "1.5", "updatedAt": "2024-05-01T10:00:03Z"},  # in UTC
    ]
    assert states_of(output, _STREAM)[-1] == {"updatedAt": "2024-05-01T10:00:03Z"}


def test_the_repeated_anchor_of_the_next_page_gives_no_row_twice(http_mocker: HttpMocker) -> None:
    first = _page(_with_values(1, T1, ("_A_", "a")), _with_values(2, T2, ("_A_", "b")), limit=2, has_next=True)
    http_mocker.post(_request(limit=2).build(), first.build())
    # the next page starts with the anchor (worklog 2, the last one delivered): updatedFrom=T2, offset=0
    second = _page(_with_values(2, T2, ("_A_", "b")), _with_values(3, T3, ("_A_", "c")), limit=2)
    http_mocker.post(_request(T2, offset=0, limit=2).build(), second.build())

    output = _read(ConfigBuilder().with_page_size(2).build())

    assert [(r["tempoWorklogId"], r["value"]) for r in records_of(output, _STREAM)] == [(1, "a"), (2, "b"), (3, "c")]


def test_incremental_sync_reads_worklogs_updated_since_the_state(http_mocker: HttpMocker) -> None:
    http_mocker.post(_request(T2).build(), _page(_with_values(5, T3, ("_Account_", "NEW"))).build())

    output = _read(state={"updatedAt": T2})

    assert records_of(output, _STREAM) == [{"tempoWorklogId": 5, "key": "_Account_", "value": "NEW", "updatedAt": T3}]
    assert states_of(output, _STREAM)[-1] == {"updatedAt": T3}


def test_state_is_checkpointed_while_reading_like_worklogs(http_mocker: HttpMocker) -> None:
    """Checkpoints every `page_size` rows (worklogs' PageCheckpointingCursor), so a failed sync resumes after them."""
    first = _page(_with_values(1, T1, ("_A_", "a")), _with_values(2, T2, ("_A_", "b")), limit=2, has_next=True)
    http_mocker.post(_request(limit=2).build(), first.build())
    http_mocker.post(_request(T2, limit=2).build(), error_response(400, "updatedFrom is invalid"))
    config = ConfigBuilder().with_page_size(2).build()

    output = read_streams(config, _STREAM, sync_mode=SyncMode.incremental, expect_failure=True)

    assert [r["value"] for r in records_of(output, _STREAM)] == ["a", "b"]
    assert states_of(output, _STREAM)[0] == {"updatedAt": T2}  # emitted after the first 2 rows, before the failure
    assert any("updatedFrom is invalid" in message for message in error_messages(output))

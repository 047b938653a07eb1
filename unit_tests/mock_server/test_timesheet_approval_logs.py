"""timesheet-approval-logs: POST /timesheet-approvals/logs/search, paged by nextPageToken, incremental on the log
entry's status.updatedAt (lifted to `updatedAt`) through `updatedFrom` (inclusive). A first sync reads from
`start_date`; Tempo refuses an updatedFrom more than 2 years back, so none older than 2 years less a day is sent,
whatever the config or the state say. userAccountId + period_from + updatedAt identify an entry."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from airbyte_cdk.models import SyncMode
from airbyte_cdk.test.mock_http import HttpMocker
from airbyte_cdk.test.state_builder import StateBuilder

from source_tempo.cdk_internals import replace_request_body
from unit_tests.conftest import assert_no_errors, read_streams, records_of, states_of
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.reporting_builders import approval_log, approval_logs_page, approval_logs_request
from unit_tests.mock_server.request_builder import today, years_from

_STREAM = "timesheet-approval-logs"


def _ago(**delta: float) -> str:
    return (datetime.now(timezone.utc) - timedelta(**delta)).strftime("%Y-%m-%dT%H:%M:%SZ")


class _TwoYearsBack(dict):
    """The body of a read from 2 years ago less a day: taken from the clock while the read runs, so any second
    between the test's start and its end matches."""

    def __init__(self) -> None:
        super().__init__()
        self._earliest = self._oldest()

    @staticmethod
    def _oldest() -> str:
        now = datetime.now(timezone.utc)
        return datetime.combine(years_from(now.date(), -2), now.time(), timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

    def __eq__(self, other: Any) -> bool:
        sent = dict(other or {}).get("updatedFrom", "")
        earliest = (datetime.fromisoformat(self._earliest[:-1]) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        latest = (datetime.fromisoformat(self._oldest()[:-1]) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        return set(dict(other or {})) == {"updatedFrom"} and earliest <= sent <= latest

    __hash__ = None  # type: ignore[assignment]


def _oldest_request():
    request = approval_logs_request("")
    replace_request_body(request, _TwoYearsBack())  # the builder's bodies are plain dicts
    return request


def _read(config=None, state: dict | None = None):
    messages = StateBuilder().with_stream_state(_STREAM, state).build() if state is not None else None
    output = read_streams(config or ConfigBuilder().build(), _STREAM, state=messages, sync_mode=SyncMode.incremental)
    assert_no_errors(output)
    return output


def test_first_sync_reads_from_the_start_date_and_saves_the_newest_entry(http_mocker: HttpMocker) -> None:
    start = str(today() - timedelta(days=90))
    first, newest = approval_log("u1", "2026-01-01", _ago(days=60)), approval_log("u2", "2026-02-01", _ago(days=3))
    in_review = approval_log("u1", "2026-02-01", _ago(days=10), key="IN_REVIEW")
    http_mocker.post(
        approval_logs_request(f"{start}T00:00:00Z"),
        approval_logs_page().with_records([first, newest, in_review]).build(),
    )

    output = _read(ConfigBuilder().with_start_date(start).build())

    records = records_of(output, _STREAM)
    assert [(r["userAccountId"], r["period_from"], r["updatedAt"]) for r in records] == [
        ("u1", "2026-01-01", first["status"]["updatedAt"]),
        ("u2", "2026-02-01", newest["status"]["updatedAt"]),
        ("u1", "2026-02-01", in_review["status"]["updatedAt"]),
    ]
    assert records[0] == {
        **first,
        "userAccountId": "u1",
        "period_from": "2026-01-01",
        "updatedAt": first["status"]["updatedAt"],
    }
    assert states_of(output, _STREAM)[-1] == {"updatedAt": newest["status"]["updatedAt"]}


def test_without_start_date_a_first_sync_reads_the_last_two_years(http_mocker: HttpMocker) -> None:
    entry = approval_log("u1", "2025-06-01", _ago(days=300))
    http_mocker.post(_oldest_request(), approval_logs_page().with_records([entry]).build())

    output = _read()

    assert [r["userAccountId"] for r in records_of(output, _STREAM)] == ["u1"]


def test_a_start_date_or_state_older_than_two_years_is_not_sent(http_mocker: HttpMocker) -> None:
    http_mocker.post(_oldest_request(), approval_logs_page().build())

    _read(ConfigBuilder().with_start_date("2015-01-01").build())
    output = _read(state={"updatedAt": "2016-05-01T10:00:00Z"})

    assert states_of(output, _STREAM)[-1] == {"updatedAt": "2016-05-01T10:00:00Z"}  # nothing read: not moved


def test_incremental_sync_reads_from_the_saved_updated_at(http_mocker: HttpMocker) -> None:
    saved = _ago(days=2)
    again = approval_log("u1", "2026-02-01", saved)  # inclusive: the entries of the saved second come again
    later = approval_log("u1", "2026-02-01", _ago(hours=1), key="OPEN")
    http_mocker.post(approval_logs_request(saved), approval_logs_page().with_records([again, later]).build())

    output = _read(state={"updatedAt": saved})

    assert [r["status"]["key"] for r in records_of(output, _STREAM)] == ["APPROVED", "OPEN"]
    assert states_of(output, _STREAM)[-1] == {"updatedAt": later["status"]["updatedAt"]}


def test_pages_follow_the_next_page_token_with_the_same_body(http_mocker: HttpMocker) -> None:
    saved = _ago(days=30)
    http_mocker.post(
        approval_logs_request(saved),
        approval_logs_page()
        .with_records([approval_log("u1", "2026-01-01", _ago(days=29))])
        .with_next_page_token("tok-2")
        .build(),
    )
    http_mocker.post(
        approval_logs_request(saved, token="tok-2"),
        approval_logs_page().with_records([approval_log("u2", "2026-01-01", _ago(days=28))]).build(),
    )

    output = _read(state={"updatedAt": saved})

    assert [r["userAccountId"] for r in records_of(output, _STREAM)] == ["u1", "u2"]

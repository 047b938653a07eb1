"""A record whose cursor value lies in the future, in every incremental stream: it is synced as it is, with a warning
naming the stream and the record, and the saved state stays at the sync's start
(source_tempo/components/cursor_ceiling.py).

Saving the future value instead made every later sync ask for changes after it, so that every change made
meanwhile was skipped, with syncs that succeeded. Each test reads a page with one record from the past and one
from three years ahead, and asserts the records, the warning and every state the sync saved.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, List

import pytest
from airbyte_cdk.models import Level, SyncMode
from airbyte_cdk.test.mock_http import HttpMocker
from airbyte_cdk.test.state_builder import StateBuilder

from unit_tests.conftest import assert_no_errors, read_streams, records_of, states_of
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.reporting_builders import (
    approval_log,
    approval_logs_page,
    approval_logs_request,
    day_schedule,
    team_membership,
    team_memberships_request,
    user_schedule_request,
)
from unit_tests.mock_server.request_builder import WORKLOGS_LIMIT, TempoRequestBuilder, today, worklog_deletions_request
from unit_tests.mock_server.response_builder import (
    TempoPageBuilder,
    TempoResultsBuilder,
    TokenPageBuilder,
    audit_event,
    plan,
    team,
    timesheet_approval,
    worklog,
)
from unit_tests.mock_server.test_user_schedules import _month_back

SAVED = "2024-05-01T00:00:00Z"
PAST = "2024-05-02T08:00:00Z"
FUTURE = (datetime.now(timezone.utc) + timedelta(days=3 * 365)).strftime("%Y-%m-%dT%H:%M:%SZ")
FUTURE_DAY = FUTURE[:10]


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _read(stream: str, state: Any, config: dict | None = None):
    """Reads one stream from `state`; returns the output and the clock (to the second) before and after it."""
    before = _now()
    output = read_streams(
        config or ConfigBuilder().without_tombstones().build(),
        stream,
        state=StateBuilder().with_stream_state(stream, state).build(),
        sync_mode=SyncMode.incremental,
    )
    after = _now()
    assert_no_errors(output)
    return output, before, after


def _warnings(output) -> List[str]:
    return [message.log.message for message in output.logs if message.log.level == Level.WARN]


def _future_warning(stream: str, key: str, field: str, value: str) -> str:
    return f"Stream {stream}: the record {key} has {field} {value}, which is in the future. It is synced, but"


def _assert_future_record_warned(output, stream: str, key: str, field: str, value: str) -> None:
    expected = _future_warning(stream, key, field, value)
    assert [warning for warning in _warnings(output) if warning.startswith(expected)], _warnings(output)


def _assert_kept_at_sync_start(values: List[str], before: str, after: str) -> None:
    """Every saved value is at most the sync's start, and the last one is the sync's start (the cursor went past
    every record of the past, up to the start)."""
    assert values and all(value <= after for value in values), values
    assert before[: len(values[-1])] <= values[-1] <= after, (values, before, after)


def test_worklogs(http_mocker: HttpMocker) -> None:
    http_mocker.post(
        TempoRequestBuilder.worklogs_endpoint().with_limit(WORKLOGS_LIMIT).with_updated_from(SAVED).build(),
        TempoPageBuilder.worklogs().with_records([worklog(1, PAST), worklog(2, FUTURE)]).build(),
    )

    output, before, after = _read("worklogs", {"updatedAt": SAVED})

    assert [(r["tempoWorklogId"], r["updatedAt"]) for r in records_of(output, "worklogs")] == [(1, PAST), (2, FUTURE)]
    _assert_future_record_warned(output, "worklogs", "tempoWorklogId=2", "updatedAt", FUTURE)
    _assert_kept_at_sync_start([state["updatedAt"] for state in states_of(output, "worklogs")], before, after)


def test_worklogs_checkpointed_within_a_page(http_mocker: HttpMocker) -> None:
    """A state every `page_size` records: none of them is the future value either."""
    records = [worklog(1, PAST), worklog(2, FUTURE), worklog(3, FUTURE)]
    http_mocker.post(
        TempoRequestBuilder.worklogs_endpoint().with_limit(1).with_updated_from(SAVED).build(),
        TempoPageBuilder.worklogs().with_limit(1).with_records(records).build(),
    )

    output, before, after = _read(
        "worklogs", {"updatedAt": SAVED}, ConfigBuilder().with_page_size(1).without_tombstones().build()
    )

    states = [state["updatedAt"] for state in states_of(output, "worklogs")]
    assert len(states) >= 3
    _assert_kept_at_sync_start(states, before, after)


def test_plans(http_mocker: HttpMocker) -> None:
    future_ms = FUTURE.replace("Z", ".000Z")  # Tempo's plans carry milliseconds
    start = str(today() - timedelta(days=30))
    http_mocker.get(
        TempoRequestBuilder.plans_endpoint(start, today().replace(year=today().year + 1), SAVED)
        .with_limit(1000)
        .build(),
        TempoPageBuilder("plans").with_records([plan(1, "2024-05-02T08:00:00.000Z"), plan(2, future_ms)]).build(),
    )

    output, before, after = _read("plans", {"updatedAt": SAVED}, ConfigBuilder().with_start_date(start).build())

    assert [record["updatedAt"] for record in records_of(output, "plans")] == ["2024-05-02T08:00:00.000Z", future_ms]
    _assert_future_record_warned(output, "plans", "id=2", "updatedAt", FUTURE)
    _assert_kept_at_sync_start([state["updatedAt"] for state in states_of(output, "plans")], before, after)


def test_timesheet_approval_logs(http_mocker: HttpMocker) -> None:
    saved = (datetime.now(timezone.utc) - timedelta(days=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
    past = (datetime.now(timezone.utc) - timedelta(days=9)).strftime("%Y-%m-%dT%H:%M:%SZ")
    http_mocker.post(
        approval_logs_request(saved),
        approval_logs_page()
        .with_records([approval_log("u1", "2024-05-01", past), approval_log("u2", "2024-05-01", FUTURE)])
        .build(),
    )

    output, before, after = _read("timesheet-approval-logs", {"updatedAt": saved})

    assert [record["updatedAt"] for record in records_of(output, "timesheet-approval-logs")] == [past, FUTURE]
    _assert_future_record_warned(
        output,
        "timesheet-approval-logs",
        "userAccountId='u2', period_from='2024-05-01', updatedAt='" + FUTURE + "'",
        "updatedAt",
        FUTURE,
    )
    _assert_kept_at_sync_start(
        [state["updatedAt"] for state in states_of(output, "timesheet-approval-logs")], before, after
    )


def test_worklog_deletions(http_mocker: HttpMocker) -> None:
    saved = (datetime.now(timezone.utc) - timedelta(days=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
    past = (datetime.now(timezone.utc) - timedelta(days=9)).strftime("%Y-%m-%dT%H:%M:%SZ")
    http_mocker.post(
        worklog_deletions_request(saved),
        TokenPageBuilder().with_records([audit_event("1001", past), audit_event("1002", FUTURE)]).build(),
    )

    output, before, after = _read("worklog-deletions", {"deletedAt": saved})

    assert [record["deletedAt"] for record in records_of(output, "worklog-deletions")] == [past, FUTURE]
    _assert_future_record_warned(output, "worklog-deletions", "tempoWorklogId=1002", "deletedAt", FUTURE)
    _assert_kept_at_sync_start([state["deletedAt"] for state in states_of(output, "worklog-deletions")], before, after)


def test_user_schedules(http_mocker: HttpMocker) -> None:
    """Per user and by day: a day after today (Tempo is asked up to today) is synced, but not saved."""
    start = today() - timedelta(days=40)
    http_mocker.post(
        team_memberships_request(),
        TempoPageBuilder("team-memberships/search").with_records([team_membership(1, 3, "u1")]).build(),
    )
    http_mocker.get(
        user_schedule_request("u1", max(start, _month_back(today() - timedelta(days=10))), today()),
        TempoResultsBuilder("user-schedule/u1")
        .with_records([day_schedule(today() - timedelta(days=5)), day_schedule(FUTURE_DAY)])
        .build(),
    )
    state = {
        "states": [
            {
                "partition": {"account_id": "u1", "parent_slice": {}},
                "cursor": {"date": str(today() - timedelta(days=10))},
            }
        ]
    }

    output, before, after = _read("user-schedules", state, ConfigBuilder().with_start_date(str(start)).build())

    assert [record["date"] for record in records_of(output, "user-schedules")] == [
        str(today() - timedelta(days=5)),
        FUTURE_DAY,
    ]
    _assert_future_record_warned(output, "user-schedules", f"accountId='u1', date='{FUTURE_DAY}'", "date", FUTURE_DAY)
    saved = [entry["cursor"]["date"] for state in states_of(output, "user-schedules") for entry in state["states"]]
    _assert_kept_at_sync_start(saved, before, after)


def test_timesheet_approvals(http_mocker: HttpMocker) -> None:
    """Per team and by period: a period Tempo should not have answered with, after today, is synced, not saved."""
    this_month = today().replace(day=1)
    http_mocker.get(
        TempoRequestBuilder.teams_endpoint().with_limit(1000).build(),
        TempoPageBuilder("teams").with_records([team(5)]).build(),
    )
    http_mocker.get(
        TempoRequestBuilder.timesheet_approvals_endpoint(5, this_month).build(),
        TempoResultsBuilder("timesheet-approvals/team/5")
        .with_records(
            [
                timesheet_approval("u1", str(this_month), str(this_month)),
                timesheet_approval("u2", FUTURE_DAY, FUTURE_DAY),
            ]
        )
        .build(),
    )
    state = {"states": [{"partition": {"team_id": 5, "parent_slice": {}}, "cursor": {"period_from": str(this_month)}}]}
    config = ConfigBuilder().with_start_date(str(this_month)).build()

    output, before, after = _read("timesheet-approvals", state, config)

    assert [record["period_from"] for record in records_of(output, "timesheet-approvals")] == [
        str(this_month),
        FUTURE_DAY,
    ]
    _assert_future_record_warned(
        output,
        "timesheet-approvals",
        f"teamId=5, period_from='{FUTURE_DAY}', userAccountId='u2'",
        "period_from",
        FUTURE_DAY,
    )
    saved = [
        entry["cursor"]["period_from"]
        for state in states_of(output, "timesheet-approvals")
        for entry in state["states"]
    ]
    _assert_kept_at_sync_start(saved, before, after)


def test_more_than_ten_future_records_are_summed_up_in_one_line(http_mocker: HttpMocker) -> None:
    records = [worklog(worklog_id, FUTURE) for worklog_id in range(1, 16)]
    http_mocker.post(
        TempoRequestBuilder.worklogs_endpoint().with_limit(WORKLOGS_LIMIT).with_updated_from(SAVED).build(),
        TempoPageBuilder.worklogs().with_records(records).build(),
    )

    output, _, _ = _read("worklogs", {"updatedAt": SAVED})

    assert len(records_of(output, "worklogs")) == 15
    named = [
        warning for warning in _warnings(output) if warning.startswith("Stream worklogs: the record tempoWorklogId=")
    ]
    assert len(named) == 10
    assert [warning for warning in _warnings(output) if "only the first 10 are named" in warning]


def test_records_changed_during_the_sync_are_not_warned_about(http_mocker: HttpMocker) -> None:
    """A record changed a moment ago (or stamped by Tempo's clock a little ahead) is no sign of trouble."""
    soon = (datetime.now(timezone.utc) + timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
    http_mocker.post(
        TempoRequestBuilder.worklogs_endpoint().with_limit(WORKLOGS_LIMIT).with_updated_from(SAVED).build(),
        TempoPageBuilder.worklogs().with_records([worklog(1, PAST), worklog(2, soon)]).build(),
    )

    output, before, after = _read("worklogs", {"updatedAt": SAVED})

    assert _warnings(output) == []
    _assert_kept_at_sync_start([state["updatedAt"] for state in states_of(output, "worklogs")], before, after)


@pytest.mark.parametrize("stream, state", [("worklogs", {"updatedAt": FUTURE}), ("plans", {"updatedAt": FUTURE})])
def test_a_saved_state_from_the_future_is_kept_but_warned_about(http_mocker: HttpMocker, stream: str, state) -> None:
    """Written by an earlier version: every sync from it skips the changes made before that time. A sync does not
    move a saved state back on its own; the warning says how to recover."""
    # no request: nothing can be newer than a state in the future
    start = str(today() - timedelta(days=30))
    config = ConfigBuilder().with_start_date(start).without_tombstones().build()

    output, _, _ = _read(stream, state, config)

    assert states_of(output, stream)[-1] == state
    assert _warnings(output) == [
        f"Stream {stream}: the saved state's updatedAt {FUTURE} is in the future, so records changed before then are "
        "not read. It was probably saved from a record dated in the future by an earlier version of the connector: "
        "reset this stream (or clear its state) to read them."
    ]

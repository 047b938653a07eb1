"""plan-days: one row per plan and day, from GET /plans with `plannedTimeBreakdown=DAILY` (the plans stream's window,
cursor and paging): planId + date identify a row. Incremental on the plan's updatedAt, like plans."""

from __future__ import annotations

from airbyte_cdk.models import SyncMode
from airbyte_cdk.test.mock_http import HttpMocker
from airbyte_cdk.test.state_builder import StateBuilder

from unit_tests.conftest import assert_no_errors, read_streams, records_of, states_of
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.more_data_builders import plan_days_request, plan_with_days
from unit_tests.mock_server.response_builder import TempoPageBuilder, plan

_STREAM = "plan-days"
START_DATE = "2024-01-01"
CONFIG = ConfigBuilder().with_start_date(START_DATE).build()


def _page(*plans: dict, limit: int = 1000, offset: int = 0) -> TempoPageBuilder:
    return TempoPageBuilder("plans").with_records(plans).with_limit(limit).with_offset(offset)


def _read(config=CONFIG, state: dict | None = None):
    messages = StateBuilder().with_stream_state(_STREAM, state).build() if state is not None else None
    output = read_streams(config, _STREAM, state=messages, sync_mode=SyncMode.incremental)
    assert_no_errors(output)
    return output


def test_each_day_of_each_plan_is_a_row_with_the_plans_keys(http_mocker: HttpMocker) -> None:
    page = _page(
        plan_with_days(1, "2024-04-06T16:11:18.000Z", ("2024-05-13", 28800), ("2024-05-14", 14400)),
        plan(2, "2024-04-07T10:00:00.000Z"),  # no day in the window: no row
    )
    http_mocker.get(plan_days_request(START_DATE), page.build())

    output = _read()

    keys = {"assigneeId": "5b10ac8d82e05b22cc7d4ef5", "assigneeType": "USER", "planItemId": "10001",
            "planItemType": "ISSUE", "updatedAt": "2024-04-06T16:11:18.000Z"}  # fmt: skip
    assert records_of(output, _STREAM) == [
        {"planId": 1, "date": "2024-05-13", "plannedSeconds": 28800, **keys},
        {"planId": 1, "date": "2024-05-14", "plannedSeconds": 14400, **keys},
    ]
    assert states_of(output, _STREAM)[-1] == {"updatedAt": "2024-04-06T16:11:18Z"}


def test_the_next_page_starts_after_the_plans_served_not_the_rows(http_mocker: HttpMocker) -> None:
    days = [(f"2024-05-{day:02d}", 3600) for day in range(13, 18)]
    first = _page(plan_with_days(1, "2024-04-06T16:11:18.000Z", *days), plan(2, "2024-04-06T16:11:19.000Z"), limit=2)
    http_mocker.get(plan_days_request(START_DATE, limit=2), first.with_next_page().build())
    second = _page(plan_with_days(3, "2024-04-08T08:00:00.000Z", ("2024-06-03", 7200)), limit=2, offset=2)
    http_mocker.get(plan_days_request(START_DATE, limit=2, offset=2), second.build())

    output = _read(ConfigBuilder().with_start_date(START_DATE).with_page_size(2).build())

    assert [(r["planId"], r["date"]) for r in records_of(output, _STREAM)] == [
        *((1, day) for day, _ in days),
        (3, "2024-06-03"),
    ]


def test_incremental_sync_asks_for_plans_updated_since_the_state(http_mocker: HttpMocker) -> None:
    saved = "2024-06-03T15:19:09Z"
    page = _page(plan_with_days(4, "2024-06-05T08:00:00.000Z", ("2024-07-01", 28800)))
    http_mocker.get(plan_days_request(START_DATE, updated_from=saved), page.build())

    output = _read(state={"updatedAt": saved})

    assert [(r["planId"], r["plannedSeconds"]) for r in records_of(output, _STREAM)] == [(4, 28800)]
    assert states_of(output, _STREAM)[-1] == {"updatedAt": "2024-06-05T08:00:00Z"}


def test_with_plans_selected_too_one_request_serves_both_streams(http_mocker: HttpMocker) -> None:
    request = plan_days_request(START_DATE)
    page = _page(plan_with_days(1, "2024-04-06T16:11:18.000Z", ("2024-05-13", 28800), ("2024-05-14", 28800)))
    http_mocker.get(request, page.build())

    output = read_streams(CONFIG, "plans", _STREAM, sync_mode=SyncMode.incremental)

    assert_no_errors(output)
    assert [(r["planId"], r["date"]) for r in records_of(output, _STREAM)] == [(1, "2024-05-13"), (1, "2024-05-14")]
    (plan_record,) = records_of(output, "plans")
    assert plan_record["id"] == 1 and "days" not in plan_record["plannedTime"]  # the breakdown is plan-days' only
    http_mocker.assert_number_of_calls(request, 1)

"""user-schedules: GET /user-schedule/{accountId}?from&to for every user with a team membership (a user in several
teams once), one request per user and year of the window [`start_date` (else 2 years ago), today].

Incremental by day, per user: the state holds each user's newest date read, and a sync reads again from a month
before it (a day's schedule changes with holidays and workload schemes). Records gain `accountId`; accountId + date
identify a day."""

from __future__ import annotations

from datetime import date, timedelta

from airbyte_cdk.models import SyncMode
from airbyte_cdk.test.mock_http import HttpMocker
from airbyte_cdk.test.state_builder import StateBuilder

from unit_tests.conftest import assert_no_errors, read_streams, records_of, states_of
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.reporting_builders import (
    day_schedule,
    team_membership,
    team_memberships_request,
    user_schedule_request,
)
from unit_tests.mock_server.request_builder import today, years_from
from unit_tests.mock_server.response_builder import TempoPageBuilder, TempoResultsBuilder, error_response

_STREAM = "user-schedules"
TODAY = today()
START = TODAY - timedelta(days=40)
CONFIG = ConfigBuilder().with_start_date(str(START)).build()


def _given_members(http_mocker: HttpMocker, *members: tuple[int, str]) -> None:
    """Memberships as (team id, accountId)."""
    records = [team_membership(n, team, account_id) for n, (team, account_id) in enumerate(members, start=1)]
    http_mocker.post(
        team_memberships_request(), TempoPageBuilder("team-memberships/search").with_records(records).build()
    )


def _given_days(http_mocker: HttpMocker, account_id: str, first: date, last: date, *days: dict):
    request = user_schedule_request(account_id, first, last)
    http_mocker.get(request, TempoResultsBuilder(f"user-schedule/{account_id}").with_records(days).build())
    return request


def _read(config=CONFIG, state: dict | None = None, sync_mode: SyncMode = SyncMode.incremental):
    messages = StateBuilder().with_stream_state(_STREAM, state).build() if state is not None else None
    output = read_streams(config, _STREAM, state=messages, sync_mode=sync_mode)
    assert_no_errors(output)
    return output


def _per_user(**dates: str) -> dict:
    return {
        "states": [
            {"partition": {"account_id": account_id, "parent_slice": {}}, "cursor": {"date": day}}
            for account_id, day in dates.items()
        ]
    }


def _user_cursors(state: dict) -> dict:
    return {entry["partition"]["account_id"]: entry["cursor"]["date"] for entry in state["states"]}


def test_first_sync_reads_each_user_once_from_the_start_date_to_today(http_mocker: HttpMocker) -> None:
    _given_members(http_mocker, (3, "u1"), (3, "u2"), (8, "u1"))  # u1 is in both teams
    u1 = _given_days(http_mocker, "u1", START, TODAY, day_schedule(START), day_schedule(TODAY, 0))
    _given_days(http_mocker, "u2", START, TODAY, day_schedule(TODAY, 14400))

    output = _read()

    assert sorted((r["accountId"], r["date"]) for r in records_of(output, _STREAM)) == [
        ("u1", str(START)),
        ("u1", str(TODAY)),
        ("u2", str(TODAY)),
    ]
    assert records_of(output, _STREAM)[0] == {**day_schedule(START), "accountId": "u1"}
    assert _user_cursors(states_of(output, _STREAM)[-1]) == {"u1": str(TODAY), "u2": str(TODAY)}
    http_mocker.assert_number_of_calls(u1, 1)
    # u1's second membership yields no second partition, which the CDK would skip with a warning on every sync
    logs = [message.log.message for message in output.logs]
    assert not [line for line in logs if "Partition duplication" in line], logs


def test_a_full_refresh_reads_each_user_once_too(http_mocker: HttpMocker) -> None:
    _given_members(http_mocker, (3, "u1"), (8, "u1"))
    u1 = _given_days(http_mocker, "u1", START, TODAY, day_schedule(TODAY))

    output = _read(sync_mode=SyncMode.full_refresh)

    assert [(r["accountId"], r["date"]) for r in records_of(output, _STREAM)] == [("u1", str(TODAY))]
    http_mocker.assert_number_of_calls(u1, 1)


def test_a_window_longer_than_a_year_is_read_a_year_per_request(http_mocker: HttpMocker) -> None:
    start = years_from(TODAY, -1) - timedelta(days=10)
    _given_members(http_mocker, (3, "u1"))
    second = years_from(start, 1)
    _given_days(http_mocker, "u1", start, second - timedelta(days=1), day_schedule(start))
    _given_days(http_mocker, "u1", second, TODAY, day_schedule(TODAY))

    output = _read(ConfigBuilder().with_start_date(str(start)).build())

    assert [r["date"] for r in records_of(output, _STREAM)] == [str(start), str(TODAY)]


def test_without_start_date_the_window_starts_two_years_ago(http_mocker: HttpMocker) -> None:
    start = years_from(TODAY, -2)
    _given_members(http_mocker, (3, "u1"))
    _given_days(http_mocker, "u1", start, years_from(start, 1) - timedelta(days=1))
    _given_days(http_mocker, "u1", years_from(start, 1), TODAY, day_schedule(TODAY))

    output = _read(ConfigBuilder().build())

    assert [r["date"] for r in records_of(output, _STREAM)] == [str(TODAY)]


def test_incremental_sync_reads_again_from_a_month_before_each_users_state(http_mocker: HttpMocker) -> None:
    saved = TODAY - timedelta(days=5)
    _given_members(http_mocker, (3, "u1"), (3, "u2"))
    _given_days(http_mocker, "u1", _month_back(saved), TODAY, day_schedule(TODAY))
    _given_days(http_mocker, "u2", START, TODAY, day_schedule(TODAY))  # no state yet: the whole window

    output = _read(state=_per_user(u1=str(saved)))

    assert _user_cursors(states_of(output, _STREAM)[-1]) == {"u1": str(TODAY), "u2": str(TODAY)}


def _month_back(day: date) -> date:
    """The same day a month earlier, as the cursor's lookback P1M computes it."""
    month = day.month - 1 or 12
    year = day.year - (day.month == 1)
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError(day)


def test_a_user_gone_during_the_sync_is_skipped(http_mocker: HttpMocker) -> None:
    _given_members(http_mocker, (3, "u1"), (3, "u2"))
    http_mocker.get(user_schedule_request("u1", START, TODAY), error_response(404, "User cannot be found"))
    _given_days(http_mocker, "u2", START, TODAY, day_schedule(TODAY))

    output = _read()

    assert [r["accountId"] for r in records_of(output, _STREAM)] == ["u2"]
    assert output.is_in_logs("Stream user-schedules: Tempo answered 404 Not Found")

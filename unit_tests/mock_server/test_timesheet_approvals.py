"""timesheet-approvals: GET /timesheet-approvals/team/{id}?from=<1st of a month> for every team and every month
from the month of `start_date` (else two years ago) to this month.

Incremental by period, per team: the state holds each team's newest period_from read, and a sync reads again from
two months before it (approvals of recent periods still change). Records gain teamId, period_from and
userAccountId, their primary key. Upstream's saved states (per team, or one for all teams) are accepted.
"""

from __future__ import annotations

from datetime import date, timedelta

from airbyte_cdk.test.mock_http import HttpMocker
from airbyte_cdk.test.state_builder import StateBuilder

from unit_tests.conftest import assert_no_errors, read_streams, records_of, states_of
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.request_builder import TempoRequestBuilder, months_from, today
from unit_tests.mock_server.response_builder import (
    TempoPageBuilder,
    TempoResultsBuilder,
    error_response,
    team,
    timesheet_approval,
)

_STREAM = "timesheet-approvals"
THIS_MONTH = today().replace(day=1)
FIRST_MONTH = months_from(THIS_MONTH, -4)
CONFIG = ConfigBuilder().with_start_date(str(FIRST_MONTH.replace(day=10))).build()


def _month_end(first: date) -> str:
    return str(months_from(first, 1) - timedelta(days=1))


def _given_teams(http_mocker: HttpMocker, *team_ids: int):
    request = TempoRequestBuilder.teams_endpoint().with_limit(1000).build()
    http_mocker.get(request, TempoPageBuilder("teams").with_records([team(team_id) for team_id in team_ids]).build())
    return request


def _given_approvals(http_mocker: HttpMocker, team_id: int, months: list, *account_ids: str) -> None:
    for first in months:
        records = [timesheet_approval(account_id, str(first), _month_end(first)) for account_id in account_ids]
        http_mocker.get(
            TempoRequestBuilder.timesheet_approvals_endpoint(team_id, first).build(),
            TempoResultsBuilder(f"timesheet-approvals/team/{team_id}").with_records(records).build(),
        )


def _months(first, last) -> list:
    months = [first]
    while months[-1] < last:
        months.append(months_from(months[-1], 1))
    return months


def _state(value: dict) -> list:
    return StateBuilder().with_stream_state(_STREAM, value).build()


def _per_team(**periods: str) -> dict:
    """The concurrent per-partition state shape, for teams named t<id>."""
    return {
        "states": [
            {"partition": {"parent_slice": {}, "team_id": int(name[1:])}, "cursor": {"period_from": period}}
            for name, period in periods.items()
        ]
    }


def _team_cursors(state: dict) -> dict:
    return {entry["partition"]["team_id"]: entry["cursor"]["period_from"] for entry in state["states"]}


def test_first_sync_reads_every_team_for_every_month_to_this_month(http_mocker: HttpMocker) -> None:
    _given_teams(http_mocker, 1, 2)
    months = _months(FIRST_MONTH, THIS_MONTH)
    _given_approvals(http_mocker, 1, months, "u1", "u2")
    _given_approvals(http_mocker, 2, months, "u2")

    output = read_streams(CONFIG, _STREAM)

    assert_no_errors(output)
    keys = sorted((r["teamId"], r["period_from"], r["userAccountId"]) for r in records_of(output, _STREAM))
    assert keys == sorted(
        (t, str(m), u) for t, users in ((1, ("u1", "u2")), (2, ("u2",))) for m in months for u in users
    )
    assert _team_cursors(states_of(output, _STREAM)[-1]) == {1: str(THIS_MONTH), 2: str(THIS_MONTH)}


def test_teams_are_read_once_for_both_streams(http_mocker: HttpMocker) -> None:
    teams = _given_teams(http_mocker, 1)
    _given_approvals(http_mocker, 1, _months(FIRST_MONTH, THIS_MONTH), "u1")

    output = read_streams(CONFIG, "teams", _STREAM)

    assert_no_errors(output)
    http_mocker.assert_number_of_calls(teams, 1)


def test_incremental_sync_reads_again_from_two_months_before_each_teams_state(http_mocker: HttpMocker) -> None:
    _given_teams(http_mocker, 1, 2)
    _given_approvals(http_mocker, 1, _months(months_from(THIS_MONTH, -2), THIS_MONTH), "u1")  # 3 months
    _given_approvals(http_mocker, 2, _months(FIRST_MONTH, THIS_MONTH), "u2")  # no state yet: all 5 months

    output = read_streams(CONFIG, _STREAM, state=_state(_per_team(t1=str(THIS_MONTH))))

    assert_no_errors(output)
    assert _team_cursors(states_of(output, _STREAM)[-1]) == {1: str(THIS_MONTH), 2: str(THIS_MONTH)}


def test_upstream_per_team_state_is_accepted(http_mocker: HttpMocker) -> None:
    """upstream 0.4.x (CDK 6) saved {use_global_cursor, states: [{partition: {team_id, parent_slice}, cursor}], ...}."""
    saved = months_from(THIS_MONTH, -1)
    upstream = {
        "use_global_cursor": False,
        "state": {"period_from": str(saved)},
        "lookback_window": 3,
        **_per_team(t5=str(saved)),
    }
    _given_teams(http_mocker, 5)
    _given_approvals(http_mocker, 5, _months(months_from(saved, -2), THIS_MONTH), "u1")

    output = read_streams(ConfigBuilder().with_start_date("2020-01-01").build(), _STREAM, state=_state(upstream))

    assert_no_errors(output)
    assert _team_cursors(states_of(output, _STREAM)[-1]) == {5: str(THIS_MONTH)}


def test_upstream_state_for_all_teams_is_accepted(http_mocker: HttpMocker) -> None:
    saved = months_from(THIS_MONTH, -1)
    _given_teams(http_mocker, 5)
    _given_approvals(http_mocker, 5, _months(months_from(saved, -2), THIS_MONTH), "u1")

    output = read_streams(
        ConfigBuilder().with_start_date("2020-01-01").build(), _STREAM, state=_state({"period_from": str(saved)})
    )

    assert_no_errors(output)
    assert len(records_of(output, _STREAM)) == 4


def test_a_team_deleted_during_the_sync_is_skipped(http_mocker: HttpMocker) -> None:
    _given_teams(http_mocker, 1, 2)
    for first in _months(FIRST_MONTH, THIS_MONTH):
        http_mocker.get(
            TempoRequestBuilder.timesheet_approvals_endpoint(1, first).build(),
            error_response(404, "Team cannot be found in the system"),
        )
    _given_approvals(http_mocker, 2, _months(FIRST_MONTH, THIS_MONTH), "u2")

    output = read_streams(CONFIG, _STREAM)

    assert_no_errors(output)
    assert {record["teamId"] for record in records_of(output, _STREAM)} == {2}
    assert output.is_in_logs("Stream timesheet-approvals: Tempo answered 404 Not Found")

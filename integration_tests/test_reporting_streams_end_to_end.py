"""Whole syncs of team-memberships, workload-scheme-members, account-links, user-schedules and timesheet-approval-logs
through the real `source-tempo` entrypoint against the local Tempo sandbox (sandbox/reporting.py).

Each test compares what the connector delivered with what the sandbox holds, record by record; the incremental ones
change the sandbox between two syncs and check that the second delivers the changes and moves the state."""

from __future__ import annotations

import calendar
import datetime as dt

import pytest

from integration_tests.connector_cli import Connector, assert_exactly, read_cleanly, sandbox_connector
from sandbox import TempoSandbox

pytestmark = pytest.mark.slow
REPORTING_STREAMS = [
    "team-memberships",
    "workload-scheme-members",
    "account-links",
    "user-schedules",
    "timesheet-approval-logs",
]
INCREMENTAL = ["user-schedules", "timesheet-approval-logs"]
START_DATE = "2022-01-01"


def today() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date()


connector = sandbox_connector


def read(conn: Connector, streams: list[str], state: list | None = None):
    return read_cleanly(conn, streams, INCREMENTAL, state)


def schedule_users(sandbox: TempoSandbox) -> list[str]:
    return sorted({membership["member"]["accountId"] for membership in sandbox.team_memberships()})


def expected_schedules(sandbox: TempoSandbox, since: dict[str, dt.date]) -> list[dict]:
    return [
        {**day, "accountId": user}
        for user, first in since.items()
        for day in sandbox.user_schedule(user, first.isoformat(), today().isoformat())
    ]


def log_records(entries: list[dict]) -> list[dict]:
    return [
        {
            **entry,
            "userAccountId": entry["user"]["accountId"],
            "period_from": entry["period"]["from"],
            "updatedAt": entry["status"]["updatedAt"],
        }
        for entry in entries
    ]


def two_years_back() -> str:
    """The oldest updatedFrom the connector sends: 2 years less a day before now."""
    now = dt.datetime.now(dt.timezone.utc)
    day = min(now.day, calendar.monthrange(now.year - 2, now.month)[1])
    oldest = now.replace(year=now.year - 2, day=day) + dt.timedelta(days=1)
    return oldest.strftime("%Y-%m-%dT%H:%M:%SZ")


def month_back(day: dt.date) -> dt.date:
    year, month = (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def user_cursors(result) -> dict[str, str]:
    state = result.states("user-schedules")[-1]["stream"]["stream_state"]
    return {entry["partition"]["account_id"]: entry["cursor"]["date"] for entry in state["states"]}


def test_every_reporting_stream_delivers_exactly_the_sandbox_records(tmp_path, sandbox):
    cutoff = two_years_back()
    result = read(connector(tmp_path, sandbox), ["accounts", "workload-schemes", *REPORTING_STREAMS])

    assert_exactly(result.records("team-memberships"), sandbox.team_memberships())
    members = [
        {"self": f"https://sandbox-site.atlassian.net/rest/api/2/user?accountId={user}", "accountId": user,
         "schemeId": scheme["id"]}
        for scheme in sandbox.workload_schemes()
        for user in sandbox.workload_scheme_members(scheme["id"])
    ]  # fmt: skip
    assert_exactly(result.records("workload-scheme-members"), members)
    links = [
        {**link, "accountKey": account["key"]}
        for account in sandbox.accounts()
        for link in sandbox.account_links(account["key"])
    ]
    assert {account["status"] for account in sandbox.accounts() if sandbox.account_links(account["key"])} == {
        "OPEN", "CLOSED", "ARCHIVED"
    }  # fmt: skip
    assert_exactly(result.records("account-links"), links)
    users = schedule_users(sandbox)
    start = dt.date.fromisoformat(START_DATE)
    assert_exactly(result.records("user-schedules"), expected_schedules(sandbox, {user: start for user in users}))
    logs = [entry for entry in sandbox.timesheet_approval_logs() if entry["status"]["updatedAt"] >= cutoff]
    assert logs, "the seed has approval logs of the last 2 years"
    assert_exactly(result.records("timesheet-approval-logs"), log_records(logs))

    by_path = sandbox.stats()["by_path"]
    assert by_path["/4/workload-schemes"] == 1  # a GET parent: cached for the sync
    assert by_path["/4/accounts/search"] == 2 and by_path["/4/team-memberships/search"] == 2  # POST: not cached
    years = (today() - start).days // 365 + 1
    assert all(by_path[f"/4/user-schedule/{user}"] in (years, years + 1) for user in users)  # a user in 2 teams: once
    assert user_cursors(result) == {user: today().isoformat() for user in users}


def test_user_schedules_deliver_a_changed_schedule_and_the_state_advances(tmp_path, sandbox):
    conn = connector(tmp_path, sandbox, start_date=(today() - dt.timedelta(days=200)).isoformat())
    first = read(conn, ["user-schedules"])
    users = schedule_users(sandbox)
    assert user_cursors(first) == {user: today().isoformat() for user in users}

    moved = users[0]
    scheme = next(s for s in sandbox.workload_schemes() if moved not in sandbox.workload_scheme_members(s["id"]))
    sandbox.set_workload_scheme(moved, scheme["id"])
    state = first.final_state()
    behind = (today() - dt.timedelta(days=90)).isoformat()  # as if this user was last read 90 days ago
    for entry in state[0]["stream"]["stream_state"]["states"]:
        if entry["partition"]["account_id"] == moved:
            entry["cursor"]["date"] = behind

    second = read(conn, ["user-schedules"], state=state)

    since = {user: month_back(today()) for user in users} | {moved: month_back(dt.date.fromisoformat(behind))}
    assert_exactly(second.records("user-schedules"), expected_schedules(sandbox, since))
    required = {d["day"]: d["requiredSeconds"] for d in scheme["days"]}
    weekdays = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"]
    for day in second.records("user-schedules"):
        if day["accountId"] == moved and "holiday" not in day:
            assert day["requiredSeconds"] == required[weekdays[dt.date.fromisoformat(day["date"]).weekday()]]
    assert user_cursors(second) == {user: today().isoformat() for user in users}


def test_approval_changes_after_their_period_appear_in_the_next_sync(tmp_path, sandbox):
    conn = connector(tmp_path, sandbox)
    first = read(conn, ["timesheet-approval-logs"])
    saved = first.states("timesheet-approval-logs")[-1]["stream"]["stream_state"]["updatedAt"]
    assert saved == max(record["updatedAt"] for record in first.records("timesheet-approval-logs"))

    user = schedule_users(sandbox)[0]
    changes = [
        sandbox.timesheet_approval_action(user, "2023-03-01", "reopen"),  # long after its period
        sandbox.timesheet_approval_action(user, "2023-03-01", "submit"),
    ]

    second = read(conn, ["timesheet-approval-logs"], state=first.final_state())

    again = [entry for entry in sandbox.timesheet_approval_logs() if entry["status"]["updatedAt"] == saved]
    assert_exactly(second.records("timesheet-approval-logs"), log_records(again + changes))  # updatedFrom: inclusive
    final = second.states("timesheet-approval-logs")[-1]["stream"]["stream_state"]
    assert final == {"updatedAt": changes[-1]["status"]["updatedAt"]} and final["updatedAt"] > saved

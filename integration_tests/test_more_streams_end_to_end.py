"""Whole syncs of teams, plans, timesheet-approvals, holiday-schemes, holidays, holiday-scheme-members and
worklog-deletions through the real `source-tempo` entrypoint against the local Tempo sandbox.

Each test compares what the connector delivered with what the sandbox holds, by primary key.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from integration_tests.connector_cli import Connector, read_cleanly, sandbox_connector
from sandbox import SANDBOX_USER_ACCOUNT_ID, TempoSandbox

pytestmark = pytest.mark.slow
MORE_STREAMS = [
    "teams",
    "plans",
    "timesheet-approvals",
    "holiday-schemes",
    "holidays",
    "holiday-scheme-members",
    "worklog-deletions",
]
INCREMENTAL = ["plans", "timesheet-approvals", "worklog-deletions"]
START_DATE = "2022-01-01"
TODAY = dt.datetime.now(dt.timezone.utc).date()


connector = sandbox_connector


def read(conn: Connector, streams: list[str], state: list | None = None):
    return read_cleanly(conn, streams, INCREMENTAL, state)


def keys(records: list[dict], *fields: str) -> list[tuple]:
    return sorted(tuple(record[field] for field in fields) for record in records)


def assert_exactly(delivered: list[tuple], expected: list[tuple]) -> None:
    repeated = [key for key, count in Counter(delivered).items() if count > 1]
    assert not repeated, f"{len(repeated)} delivered twice, e.g. {repeated[:3]}"
    assert delivered == sorted(expected)


def months(first: dt.date, last: dt.date) -> list[dt.date]:
    out = [first.replace(day=1)]
    while out[-1] < last.replace(day=1):
        out.append((out[-1] + dt.timedelta(days=32)).replace(day=1))
    return out


def expected_approvals(sandbox: TempoSandbox, since: dt.date) -> list[tuple]:
    return [
        (team["id"], approval["period"]["from"], approval["user"]["accountId"])
        for team in sandbox.teams()
        for month in months(since, TODAY)
        for approval in sandbox.timesheet_approvals(team["id"], month.isoformat())
    ]


def stream_state(result, stream: str) -> dict:
    return result.states(stream)[-1]["stream"]["stream_state"]


def test_every_new_stream_delivers_exactly_the_sandbox_records_and_reads_parents_once(tmp_path, sandbox):
    result = read(connector(tmp_path, sandbox), MORE_STREAMS)

    next_year = TODAY.year + 1
    schemes = [scheme["id"] for scheme in sandbox.holiday_schemes()]
    assert_exactly(keys(result.records("teams"), "id"), [(team["id"],) for team in sandbox.teams()])
    assert_exactly(keys(result.records("plans"), "id"), [(plan["id"],) for plan in sandbox.plans()])
    approvals = keys(result.records("timesheet-approvals"), "teamId", "period_from", "userAccountId")
    assert_exactly(approvals, expected_approvals(sandbox, dt.date(2022, 1, 1)))
    assert_exactly(keys(result.records("holiday-schemes"), "id"), [(scheme,) for scheme in schemes])
    holidays = [
        (holiday["id"], holiday["date"])
        for scheme in schemes
        for year in range(2022, next_year + 1)
        for holiday in sandbox.holidays(scheme, year)
    ]
    assert_exactly(keys(result.records("holidays"), "id", "date"), holidays)
    members = [(scheme, account) for scheme in schemes for account in sandbox.holiday_scheme_members(scheme)]
    assert_exactly(keys(result.records("holiday-scheme-members"), "schemeId", "accountId"), members)
    assert result.records("worklog-deletions") == []  # the seeded deletions are older than Tempo's 180 days

    by_path = sandbox.stats()["by_path"]
    assert by_path["/4/teams"] == 1 and by_path["/4/holiday-schemes"] == 1
    assert by_path["/4/timesheet-approvals/team/3"] == len(months(dt.date(2022, 1, 1), TODAY))
    assert by_path["/4/holiday-schemes/2/holidays"] == next_year - 2022 + 1


def test_deleted_worklogs_appear_in_the_next_sync_and_other_events_do_not(tmp_path, sandbox_factory):
    sandbox = sandbox_factory(papertrail_max_age_days=180)  # Tempo's refusal of an older `from`, enforced
    conn = connector(tmp_path, sandbox)
    first = read(conn, ["worklog-deletions"])
    assert first.records() == []

    worklogs = sandbox.worklogs()
    events = {sandbox.delete_worklog(w["tempoWorklogId"])["entityId"]: None for w in worklogs[:3]}
    sandbox.edit_worklog(worklogs[3]["tempoWorklogId"], description="an Updated event")
    sandbox.create_worklog(description="a Created event")
    deletions = {
        e["entityId"]: e for e in sandbox.audit_events() if e["action"] == "Deleted" and e["entityId"] in events
    }

    second = read(conn, ["worklog-deletions"], state=first.final_state())

    records = second.records("worklog-deletions")
    assert sorted(r["tempoWorklogId"] for r in records) == sorted(int(entity_id) for entity_id in deletions)
    for record in records:
        event = deletions[str(record["tempoWorklogId"])]
        assert record["event"] == event and record["author"] == SANDBOX_USER_ACCOUNT_ID
        assert record["deletedAt"] == event["timestamp"]
    assert stream_state(second, "worklog-deletions") == {"deletedAt": max(r["deletedAt"] for r in records)}

    third = read(conn, ["worklog-deletions"], state=second.final_state())
    newest = stream_state(second, "worklog-deletions")["deletedAt"]
    assert {r["deletedAt"] for r in third.records()} <= {newest}  # only the saved second is read again


def test_a_state_older_than_180_days_reads_from_then_with_a_warning(tmp_path, sandbox_factory):
    sandbox = sandbox_factory(papertrail_max_age_days=180)
    deleted = sandbox.delete_worklog(sandbox.worklogs()[0]["tempoWorklogId"])
    old = [
        {
            "type": "STREAM",
            "stream": {
                "stream_descriptor": {"name": "worklog-deletions"},
                "stream_state": {"deletedAt": "2025-01-01T00:00:00Z"},
            },
        }
    ]

    result = read(connector(tmp_path, sandbox), ["worklog-deletions"], state=old)

    assert [r["tempoWorklogId"] for r in result.records()] == [int(deleted["entityId"])]
    assert any("may have been missed" in line for line in result.logs("WARN"))


def test_edited_plans_come_in_the_next_sync(tmp_path, sandbox):
    conn = connector(tmp_path, sandbox)
    first = read(conn, ["plans"])
    saved = stream_state(first, "plans")["updatedAt"]
    edited = sandbox.edit_plan(sandbox.plans()[5]["id"], description="moved by the planner")

    second = read(conn, ["plans"], state=first.final_state())

    at_saved_second = {p["id"] for p in sandbox.plans() if p["updatedAt"][:19] + "Z" == saved}
    assert {p["id"] for p in second.records()} == at_saved_second | {edited["id"]}
    assert [p["description"] for p in second.records() if p["id"] == edited["id"]] == ["moved by the planner"]
    assert stream_state(second, "plans")["updatedAt"] == edited["updatedAt"][:19] + "Z"


def test_timesheet_approvals_read_again_two_months_before_each_teams_state(tmp_path, sandbox):
    conn = connector(tmp_path, sandbox)
    first = read(conn, ["timesheet-approvals"])
    per_team = {
        e["partition"]["team_id"]: e["cursor"]["period_from"]
        for e in stream_state(first, "timesheet-approvals")["states"]
    }
    assert per_team == {3: "2025-12-01", 8: "2025-12-01"}  # the newest period with approvals (memberships end in 2025)
    sandbox.reset_stats()

    second = read(conn, ["timesheet-approvals"], state=first.final_state())

    assert_exactly(
        keys(second.records(), "teamId", "period_from", "userAccountId"),
        expected_approvals(sandbox, dt.date(2025, 10, 1)),
    )
    assert sandbox.stats()["by_path"]["/4/timesheet-approvals/team/8"] == len(months(dt.date(2025, 10, 1), TODAY))


@pytest.mark.parametrize(
    "stream, upstream_state",
    [
        ("plans", {"updatedAt": "2025-06-01"}),
        (
            "timesheet-approvals",
            {
                "use_global_cursor": False,
                "state": {"period_from": "2025-09-01"},
                "lookback_window": 1,
                "states": [{"partition": {"parent_slice": {}, "team_id": 3}, "cursor": {"period_from": "2025-09-01"}}],
            },
        ),
    ],
)
def test_upstream_states_are_accepted(tmp_path, sandbox, stream, upstream_state):
    state = [{"type": "STREAM", "stream": {"stream_descriptor": {"name": stream}, "stream_state": upstream_state}}]

    result = read(connector(tmp_path, sandbox), [stream], state=state)

    if stream == "plans":
        assert {p["id"] for p in result.records()} == {
            p["id"] for p in sandbox.plans() if p["updatedAt"] >= "2025-06-01"
        }
    else:
        team3 = {r["period_from"] for r in result.records() if r["teamId"] == 3}
        assert team3 and min(team3) >= "2025-07-01"  # two months before the saved period


def test_a_parent_deleted_during_the_sync_is_skipped_and_the_rest_is_read(tmp_path, sandbox_factory):
    gone = ["/4/timesheet-approvals/team/8", "/4/holiday-schemes/2/holidays", "/4/holiday-schemes/2/members"]
    sandbox = sandbox_factory(gone_paths=gone)

    result = read(connector(tmp_path, sandbox), ["timesheet-approvals", "holidays", "holiday-scheme-members"])

    assert {r["teamId"] for r in result.records("timesheet-approvals")} == {3}
    assert {r["schemeId"] for r in result.records("holidays")} == {1, 4}
    assert {r["schemeId"] for r in result.records("holiday-scheme-members")} == {1, 4}
    skipped = [line for line in result.logs() if "answered 404 Not Found" in line]
    assert any("/4/timesheet-approvals/team/8" in line for line in skipped)
    assert any("/4/holiday-schemes/2/members" in line for line in skipped)

"""Tests of the sandbox's team memberships, workload-scheme members, account links, user schedules and timesheet
approval logs (sandbox/reporting.py), through the real HTTP server, every answer checked against
the OpenAPI response schema (strict: no field the OpenAPI file does not define)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from integration_tests.test_sandbox import assert_valid, call, ctl, session
from sandbox import TempoSandbox
from sandbox import reporting as reporting_mod


def _all_logs(sandbox: TempoSandbox, body: dict, limit: int = 1000) -> tuple[list[dict], int]:
    """Every log entry the search returns, following nextPageToken; (entries, pages)."""
    s, entries, pages, token = session(), [], 0, None
    while True:
        params = {"limit": limit, **({"nextPageToken": token} if token else {})}
        r = call(sandbox, "POST", "/timesheet-approvals/logs/search", params, body, s=s)
        assert r.status_code == 200, r.text
        assert_valid(r.json(), "/4/timesheet-approvals/logs/search", "POST")
        entries += r.json()["results"]
        pages += 1
        token = r.json()["metadata"].get("nextPageToken")
        if not token:
            return entries, pages


def _two_years_ago() -> str:
    return (datetime.now(timezone.utc) - timedelta(days=729)).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_every_reporting_endpoint_validates_against_openapi(sandbox: TempoSandbox) -> None:
    s = session()
    r = call(sandbox, "POST", "/team-memberships/search", {"limit": 1000}, {}, s=s)
    assert_valid(r.json(), "/4/team-memberships/search", "POST")
    assert r.json()["results"] == sandbox.team_memberships() and len(r.json()["results"]) == 10
    for scheme in sandbox.workload_schemes():
        r = call(sandbox, "GET", f"/workload-schemes/{scheme['id']}/members", {"limit": 1000}, s=s)
        assert_valid(r.json(), "/4/workload-schemes/{id}/members", "GET")
        assert len(r.json()["results"]) == scheme["memberCount"]
    links = 0
    for account in sandbox.accounts():
        r = call(sandbox, "GET", f"/accounts/{account['key']}/links", {"limit": 1000}, s=s)
        assert_valid(r.json(), "/4/accounts/{key}/links", "GET")
        links += len(r.json()["results"])
    assert links > 40
    kinds = set()
    for membership in sandbox.team_memberships():
        account_id = membership["member"]["accountId"]
        r = call(sandbox, "GET", f"/user-schedule/{account_id}", {"from": "2024-01-01", "to": "2024-12-31"}, s=s)
        assert_valid(r.json(), "/4/user-schedule/{accountId}", "GET")
        assert r.json()["metadata"] == {"count": 366} and "next" not in r.json()["metadata"]
        kinds |= {day["type"] for day in r.json()["results"]}
    assert kinds == {"WORKING_DAY", "NON_WORKING_DAY", "HOLIDAY", "HOLIDAY_AND_NON_WORKING_DAY"}
    sandbox.timesheet_approval_action(sandbox.team_memberships()[0]["member"]["accountId"], "2025-02-01", "approve")
    entries, _ = _all_logs(sandbox, {"updatedFrom": _two_years_ago()})
    assert entries


def test_seeded_reporting_data_is_consistent_with_the_rest_of_the_seed(sandbox: TempoSandbox) -> None:
    users = {m["member"]["accountId"] for m in sandbox.team_memberships()}
    members = [
        account_id
        for scheme in sandbox.workload_schemes()
        for account_id in sandbox.workload_scheme_members(scheme["id"])
    ]
    assert len(members) == len(set(members)) == 25 and users <= set(members)
    assert {m["team"]["id"] for m in sandbox.team_memberships()} == {t["id"] for t in sandbox.teams()}
    leads = {t["lead"]["accountId"] for t in sandbox.teams() if "lead" in t}
    assert {m["member"]["accountId"] for m in sandbox.team_memberships() if m["role"]["name"] == "Team Lead"} == leads
    for m in sandbox.team_memberships():
        assert date.fromisoformat(m["to"]) - date.fromisoformat(m["inclusiveTo"]) == timedelta(days=1)
    logs = sandbox.timesheet_approval_logs()
    assert len({(e["user"]["accountId"], e["period"]["from"]) for e in logs}) < len(logs)  # approved: two entries
    # like the approvals: periods end by 2025, submitted up to 5 days after
    assert all(e["status"]["updatedAt"] < "2026-01-06" for e in logs)
    assert [e["status"]["updatedAt"] for e in logs] == sorted(e["status"]["updatedAt"] for e in logs)


def test_a_schedule_follows_the_workload_scheme_and_the_holidays(sandbox: TempoSandbox) -> None:
    account_id = sandbox.team_memberships()[0]["member"]["accountId"]
    for scheme in sandbox.workload_schemes():
        sandbox.set_workload_scheme(account_id, scheme["id"])
        week = sandbox.user_schedule(account_id, "2024-06-03", "2024-06-09")  # Monday to Sunday
        required = [day["requiredSeconds"] for day in week]
        holidays = {day["date"]: day["holiday"]["durationSeconds"] for day in week if "holiday" in day}
        expected = [d["requiredSeconds"] for d in scheme["days"]]
        assert required == [
            max(0, seconds - holidays.get(day["date"], 0)) for seconds, day in zip(expected, week, strict=True)
        ]
        assert scheme["id"] in {
            s["id"] for s in sandbox.workload_schemes() if account_id in sandbox.workload_scheme_members(s["id"])
        }


@pytest.mark.parametrize(
    "method, path, params, body, status",
    [
        ("GET", "/user-schedule/{user}", {"from": "2024-01-01"}, None, 400),
        ("GET", "/user-schedule/{user}", {"to": "2024-01-01"}, None, 400),
        ("GET", "/user-schedule/{user}", {"from": "2024-02-01", "to": "2024-01-01"}, None, 400),
        ("GET", "/user-schedule/{user}", {"from": "2024-1-01", "to": "2024-02-01"}, None, 400),
        ("GET", "/user-schedule/nobody", {"from": "2024-01-01", "to": "2024-01-02"}, None, 404),
        ("GET", "/workload-schemes/99/members", {}, None, 404),
        ("GET", "/workload-schemes/abc/members", {}, None, 404),
        ("GET", "/accounts/NO_SUCH_ACCOUNT/links", {}, None, 404),
        ("POST", "/team-memberships/search", {}, {"teamIds": 3}, 400),
        ("POST", "/timesheet-approvals/logs/search", {}, {"updatedFrom": "2020-01-01"}, 400),
        ("POST", "/timesheet-approvals/logs/search", {}, {"updatedFrom": "last week"}, 400),
        ("POST", "/timesheet-approvals/logs/search", {"limit": 5001}, {}, 400),
        ("POST", "/timesheet-approvals/logs/search", {"nextPageToken": "garbled!"}, {}, 400),
    ],
)
def test_bad_requests_are_refused(sandbox: TempoSandbox, method, path, params, body, status) -> None:
    path = path.format(user=sandbox.team_memberships()[0]["member"]["accountId"])
    r = call(sandbox, method, path, params, body)
    assert r.status_code == status and r.json()["errors"][0]["message"]


def test_memberships_are_filtered_and_paged(sandbox: TempoSandbox) -> None:
    everything = sandbox.team_memberships()
    first = call(sandbox, "POST", "/team-memberships/search", {"limit": 4}, {}).json()
    assert first["metadata"]["count"] == 4 and "next" in first["metadata"]
    rest = call(sandbox, "POST", "/team-memberships/search", {"limit": 4, "offset": 4}, {}).json()["results"]
    assert [m["id"] for m in first["results"] + rest][:8] == [m["id"] for m in everything][:8]
    team8 = call(sandbox, "POST", "/team-memberships/search", {}, {"teamIds": [8]}).json()["results"]
    assert team8 and all(m["team"]["id"] == 8 for m in team8)


def test_logs_are_token_paged_and_filtered_on_updated_from(sandbox: TempoSandbox) -> None:
    users = sorted({m["member"]["accountId"] for m in sandbox.team_memberships()})
    before = _all_logs(sandbox, {"updatedFrom": _two_years_ago()})[0]
    made = [sandbox.timesheet_approval_action(users[n % 3], f"2025-0{1 + n}-01", "approve") for n in range(5)]
    everything, pages = _all_logs(sandbox, {"updatedFrom": _two_years_ago()}, limit=2)
    assert pages >= 3 and everything[-5:] == made and everything[:-5] == before
    since = made[2]["status"]["updatedAt"]
    assert _all_logs(sandbox, {"updatedFrom": since})[0] == made[2:]  # inclusive
    only = _all_logs(sandbox, {"updatedFrom": made[0]["status"]["updatedAt"], "userAccountIds": [users[1]]})[0]
    assert only == [e for e in made if e["user"]["accountId"] == users[1]]


def test_control_routes_change_schedules_and_logs(sandbox: TempoSandbox) -> None:
    account_id = sandbox.team_memberships()[0]["member"]["accountId"]
    r = ctl(sandbox, "POST", "workload-scheme-members", {"accountId": account_id, "schemeId": 4})
    assert r.status_code == 200
    weekend = call(sandbox, "GET", f"/user-schedule/{account_id}", {"from": "2024-06-08", "to": "2024-06-08"})
    assert weekend.json()["results"][0]["requiredSeconds"] == 6 * 3600  # scheme 4: weekend support
    r = ctl(
        sandbox,
        "POST",
        "timesheet-approval-actions",
        {"accountId": account_id, "periodFrom": "2025-05-01", "action": "submit"},
    )
    assert r.status_code == 201 and r.json()["status"]["key"] == "IN_REVIEW"
    assert sandbox.timesheet_approval_logs()[-1] == r.json()
    assert ctl(sandbox, "POST", "workload-scheme-members", {"accountId": "nobody", "schemeId": 1}).status_code == 404
    bad = {"accountId": account_id, "periodFrom": "2025-05-01", "action": "lose"}
    assert ctl(sandbox, "POST", "timesheet-approval-actions", bad).status_code == 400


def test_reporting_seed_is_deterministic() -> None:
    args = (
        42,
        [f"u{n}" for n in range(25)],
        ["A", "B"],
        [1, 2, 3],
        1,
        {3: [("u1", "2024-01-01", "2024-03-31", 1.0)]},
        {3: "u1"},
    )
    assert reporting_mod.generate_reporting(*args) == reporting_mod.generate_reporting(*args)

"""Tests of the sandbox's permission roles, skill assignments and flex plans (sandbox/resourcing.py) and of the
plans' daily breakdown (sandbox/org.py), through the real HTTP server, every answer checked against the OpenAPI
response schema (strict: no field the OpenAPI file does not define)."""

from __future__ import annotations

import datetime as dt

from integration_tests.test_sandbox import assert_valid, call, session
from sandbox import TempoSandbox
from sandbox import org as org_mod
from sandbox import resourcing as resourcing_mod


def test_every_resourcing_endpoint_validates_against_openapi(sandbox: TempoSandbox) -> None:
    s = session()
    data = resourcing_mod.data(sandbox)
    r = call(sandbox, "GET", "/permission-roles", {"limit": 1000}, s=s)
    assert_valid(r.json(), "/4/permission-roles", "GET")
    assert r.json()["results"] == data["roles"] and {role["accessType"] for role in data["roles"]} == {"TEAM", "GLOBAL"}
    r = call(sandbox, "GET", "/permission-roles", {"teamId": str(sandbox.teams()[0]["id"])}, s=s)
    assert [role["accessEntities"][0]["id"] for role in r.json()["results"]] == [sandbox.teams()[0]["id"]] * 2
    r = call(sandbox, "GET", "/permission-roles/global", {"limit": 1}, s=s)
    assert_valid(r.json(), "/4/permission-roles/global", "GET")
    assert r.json()["results"] == [data["roles"][-2]] and "next" in r.json()["metadata"]

    assignees = [{"assigneeId": a["assigneeId"], "assigneeType": a["assigneeType"]} for a in data["skill_assignments"]]
    r = call(sandbox, "POST", "/skill-assignments/search", {"limit": 1000}, {"assignees": assignees}, s=s)
    assert_valid(r.json(), "/4/skill-assignments/search", "POST")
    assert r.json()["results"] == data["skill_assignments"]
    assert {a["assigneeType"] for a in data["skill_assignments"]} == {"USER", "GENERIC"}
    for bad in ({}, {"assignees": [{"assigneeId": 7, "assigneeType": "GENERIC"}]}, {"assignees": [{}] * 101}):
        assert call(sandbox, "POST", "/skill-assignments/search", None, bad, s=s).status_code == 400

    r = call(sandbox, "POST", "/flex-plans/search", None, {"from": "2024-01-01", "to": "2030-12-31"}, s=s)
    assert_valid(r.json(), "/4/flex-plans/search", "POST")
    assert r.json()["flexPlans"] == data["flex_plans"]
    r = call(sandbox, "POST", "/flex-plans/search", None, {"from": "2030-01-01"}, s=s)
    assert r.json() == {"flexPlans": [], "issueIds": []}


def test_plans_carry_their_days_when_asked_for_the_daily_breakdown(sandbox: TempoSandbox) -> None:
    window = {"from": "2022-01-01", "to": "2027-12-31", "limit": 1000}
    plain = call(sandbox, "GET", "/plans", window).json()["results"]
    r = call(sandbox, "GET", "/plans", {**window, "plannedTimeBreakdown": "DAILY"})
    assert_valid(r.json(), "/4/plans", "GET")
    daily = r.json()["results"]
    assert all("days" not in plan["plannedTime"] for plan in plain)
    assert [plan["id"] for plan in daily] == [plan["id"] for plan in plain]
    for plan in daily:
        days = plan["plannedTime"]["days"]["values"]
        assert days == org_mod.plan_days(plan, window["from"], window["to"]) and days
        weekdays = {dt.date.fromisoformat(day["date"]).weekday() for day in days}
        first, last = dt.date.fromisoformat(plan["startDate"]), dt.date.fromisoformat(plan["endDate"])
        weekend_only = first.weekday() >= 5 and (last - first).days <= 6 - first.weekday()  # planned on its 1st day
        assert plan["includeNonWorkingDays"] or weekdays <= {0, 1, 2, 3, 4} or weekend_only
        if plan["rule"] == "NEVER" and plan["effortPersistenceType"] == "TOTAL_SECONDS":
            assert sum(day["plannedSeconds"] for day in days) == plan["totalPlannedSeconds"]
    assert any(plan["rule"] == "WEEKLY" for plan in daily)
    weekly = next(plan for plan in daily if plan["rule"] == "WEEKLY")
    assert weekly["plannedTime"]["days"]["values"][-1]["date"] > weekly["endDate"]  # the recurrences count

"""Whole syncs of permission-roles, global-permission-roles, skill-assignments, flex-plans, plan-days and
worklog-attribute-values, and of the worklogs' work attribute columns, through the real `source-tempo` entrypoint
against the local Tempo sandbox (sandbox/resourcing.py, sandbox/org.py's daily breakdown).

Each test compares what the connector delivered with what the sandbox holds, record by record; the incremental ones
change the sandbox between two syncs and check that the second delivers the changes and moves the state."""

from __future__ import annotations

import datetime as dt

import pytest

from integration_tests.connector_cli import (
    Connector,
    assert_exactly,
    configured_catalog,
    read_cleanly,
    sandbox_connector,
)
from sandbox import org as org_mod
from sandbox import resourcing as resourcing_mod

pytestmark = pytest.mark.slow
FULL_REFRESH = ["permission-roles", "global-permission-roles", "skill-assignments", "flex-plans"]
INCREMENTAL = ["plan-days", "worklog-attribute-values"]
START_DATE = "2022-01-01"

connector = sandbox_connector


def next_year() -> str:
    today = dt.datetime.now(dt.timezone.utc).date()
    return (today.replace(year=today.year + 1) if (today.month, today.day) != (2, 29) else today.replace(
        year=today.year + 1, day=28)).isoformat()  # fmt: skip


def plan_day_rows(plans: list[dict], date_from: str = START_DATE) -> list[dict]:
    return [
        {
            "planId": plan["id"],
            "date": day["date"],
            "plannedSeconds": day["plannedSeconds"],
            "assigneeId": plan["assignee"]["id"],
            "assigneeType": plan["assignee"]["type"],
            "planItemId": plan["planItem"]["id"],
            "planItemType": plan["planItem"]["type"],
            "updatedAt": plan["updatedAt"],
        }
        for plan in plans
        for day in org_mod.plan_days(plan, date_from, next_year())
    ]


def attribute_rows(worklogs: list[dict]) -> list[dict]:
    return [
        {"tempoWorklogId": w["tempoWorklogId"], "key": v["key"], "value": v["value"], "updatedAt": w["updatedAt"]}
        for w in worklogs
        for v in w["attributes"]["values"]
    ]


def test_every_new_stream_delivers_exactly_the_sandbox_records(tmp_path, sandbox):
    result = read_cleanly(connector(tmp_path, sandbox), [*FULL_REFRESH, "plans", *INCREMENTAL], ["plans", *INCREMENTAL])

    data = resourcing_mod.data(sandbox)
    assert_exactly(result.records("permission-roles"), data["roles"])
    global_roles = [role for role in data["roles"] if role["accessType"] == "GLOBAL"]
    assert global_roles and len(global_roles) < len(data["roles"])
    assert_exactly(result.records("global-permission-roles"), global_roles)
    assert {a["assigneeType"] for a in data["skill_assignments"]} == {"USER", "GENERIC"}
    assert_exactly(result.records("skill-assignments"), data["skill_assignments"])
    window = [p for p in data["flex_plans"] if p["endDate"] >= START_DATE and p["startDate"] <= next_year()]
    assert window
    assert_exactly(result.records("flex-plans"), window)
    days = plan_day_rows(sandbox.plans())
    assert len(days) > len(sandbox.plans())
    assert_exactly(result.records("plan-days"), days)
    values = attribute_rows(sandbox.worklogs())
    assert len({row["key"] for row in values}) >= 3
    assert_exactly(result.records("worklog-attribute-values"), values)

    by_path = sandbox.stats()["by_path"]
    assert by_path["/4/skill-assignments/search"] == 1  # 14 resources: one search of at most 100
    assert by_path["/4/plans"] == 1  # 40 plans: one page, for plans and plan-days both
    assert by_path["/4/flex-plans/search"] == 1
    assert [plan["id"] for plan in result.records("plans")] == [plan["id"] for plan in sandbox.plans()]
    assert all("days" not in plan["plannedTime"] for plan in result.records("plans"))
    # a first sync of 3000 worklogs, split into num_workers (8 by default) startDate windows like worklogs' own,
    # each read in pages of 2500: one page per window
    assert by_path["/4/worklogs/search"] == 8
    states = {s["stream"]["stream_descriptor"]["name"]: s["stream"]["stream_state"] for s in result.final_state()}
    assert states["plan-days"] == {"updatedAt": max(row["updatedAt"] for row in days)[:19] + "Z"}
    assert states["worklog-attribute-values"] == {"updatedAt": max(row["updatedAt"] for row in values)}


def worklogs_catalog(conn: Connector) -> dict:
    """A configured catalog of worklogs with the schema discover gave it (the columns come from there)."""
    discovered = conn.discover().of_type("CATALOG")[0]["catalog"]["streams"]
    catalog = configured_catalog(["worklogs", "worklog-attribute-values"], incremental=["worklogs", *INCREMENTAL])
    schema = next(stream["json_schema"] for stream in discovered if stream["name"] == "worklogs")
    catalog["streams"][0]["stream"]["json_schema"] = schema
    return catalog


def test_worklogs_get_a_typed_column_per_work_attribute(tmp_path, sandbox):
    conn = connector(tmp_path, sandbox)
    catalog = worklogs_catalog(conn)
    columns = {k: v for k, v in catalog["streams"][0]["stream"]["json_schema"]["properties"].items() if "__" in k}
    assert columns == {
        "attribute__Billable_": {"type": ["null", "boolean"]},
        "attribute__Account_": {"type": ["null", "string"]},
        "attribute__Location_": {"type": ["null", "string"]},
        "attribute__Color_": {"type": ["null", "string"]},
        "attribute__Ticket_": {"type": ["null", "string"]},
        "attribute__Overtime_": {"type": ["null", "number"]},
    }
    created = sandbox.create_worklog(attributes={"_Overtime_": "2.5", "_Ticket_": "0042", "_Billable_": "false"})

    result = conn.read(catalog)

    assert result.returncode == 0 and not result.errors(), result.errors()
    delivered = {record["tempoWorklogId"]: record for record in result.records("worklogs")}
    assert len(delivered) == len(sandbox.worklogs())
    for worklog in sandbox.worklogs():  # the seeded ones: _Billable_ (a checkbox) and text attributes
        record = delivered[worklog["tempoWorklogId"]]
        assert record["attributes"] == worklog["attributes"]  # the nested form stays
        if worklog["tempoWorklogId"] != created["tempoWorklogId"]:
            typed = {
                f"attribute_{v['key']}": v["value"] == "true" if v["key"] == "_Billable_" else v["value"]
                for v in worklog["attributes"]["values"]
            }
            assert {k: v for k, v in record.items() if k.startswith("attribute_")} == typed
    assert {k: v for k, v in delivered[created["tempoWorklogId"]].items() if k.startswith("attribute_")} == {
        "attribute__Overtime_": 2.5,
        "attribute__Ticket_": "0042",
        "attribute__Billable_": False,
    }


def test_an_edited_value_comes_with_its_worklog_and_the_states_advance(tmp_path, sandbox):
    conn = connector(tmp_path, sandbox)
    catalog = worklogs_catalog(conn)
    first = conn.read(catalog)
    assert first.returncode == 0 and not first.errors(), first.errors()
    saved = first.states("worklog-attribute-values")[-1]["stream"]["stream_state"]["updatedAt"]

    edited = sandbox.edit_worklog(sandbox.worklogs()[0]["tempoWorklogId"], attributes={"_Account_": "NEW_ACCOUNT"})

    second = conn.read(catalog, state=first.final_state())

    assert second.returncode == 0 and not second.errors(), second.errors()
    again = [w for w in sandbox.worklogs() if w["updatedAt"] >= saved]  # updatedFrom is inclusive
    assert_exactly(second.records("worklog-attribute-values"), attribute_rows(again))
    assert {"tempoWorklogId": edited["tempoWorklogId"], "key": "_Account_", "value": "NEW_ACCOUNT",
            "updatedAt": edited["updatedAt"]} in second.records("worklog-attribute-values")  # fmt: skip
    record = next(r for r in second.records("worklogs") if r["tempoWorklogId"] == edited["tempoWorklogId"])
    assert record["attribute__Account_"] == "NEW_ACCOUNT" and "attribute__Billable_" not in record
    assert second.states("worklog-attribute-values")[-1]["stream"]["stream_state"] == {"updatedAt": edited["updatedAt"]}


def test_a_changed_plan_delivers_its_days_again_and_the_state_advances(tmp_path, sandbox):
    conn = connector(tmp_path, sandbox)
    first = read_cleanly(conn, ["plan-days"], INCREMENTAL)
    saved = first.states("plan-days")[-1]["stream"]["stream_state"]["updatedAt"]

    plan = next(p for p in sandbox.plans() if p["effortPersistenceType"] == "SECONDS_PER_DAY" and p["rule"] == "NEVER")
    changed = sandbox.edit_plan(plan["id"], plannedSecondsPerDay=3 * 3600, endDate=plan["startDate"])

    second = read_cleanly(conn, ["plan-days"], INCREMENTAL, state=first.final_state())

    again = [p for p in sandbox.plans() if p["updatedAt"][:19] + "Z" >= saved]  # updatedFrom is inclusive
    assert changed in again
    assert_exactly(second.records("plan-days"), plan_day_rows(again))
    assert [(r["date"], r["plannedSeconds"]) for r in second.records("plan-days") if r["planId"] == plan["id"]] == [
        (plan["startDate"], 3 * 3600)  # now a one-day plan
    ]
    assert second.states("plan-days")[-1]["stream"]["stream_state"] == {"updatedAt": changed["updatedAt"][:19] + "Z"}

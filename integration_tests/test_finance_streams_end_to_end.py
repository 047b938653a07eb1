"""Whole syncs of the Financial Manager streams (projects, portfolios, rates and the records under each project)
through the real `source-tempo` entrypoint against the local Tempo sandbox (sandbox/finance.py).

Each test compares what the connector delivered with what the sandbox holds, record by record, with the fields the
connector adds (the project's, portfolio's or table's id, and the keys it lifts to the top level)."""

from __future__ import annotations

import pytest

from integration_tests.connector_cli import Connector, assert_exactly, read_cleanly, sandbox_connector
from integration_tests.test_sandbox import ctl
from sandbox import TempoSandbox

pytestmark = pytest.mark.slow
FINANCE_STREAMS = [
    "projects",
    "portfolios",
    "portfolio-projects",
    "project-attributes",
    "billing-rates-tables",
    "billing-rates",
    "global-rates",
    "project-budgets",
    "project-budget-milestones",
    "project-expenses",
    "project-fixed-revenues",
    "project-labor-actuals",
    "project-expense-actuals",
    "project-planned-labor",
    "project-team-member-roles",
    "project-team-member-rates",
    "project-time-approvals",
    "project-financial-summaries",
    "project-scope-tasks",
    "project-timeframes",
]
# stream -> what sandbox.project_records() calls the records under a project
UNDER_PROJECT = {
    "project-budget-milestones": "milestones",
    "project-expenses": "expenses",
    "project-fixed-revenues": "fixed_revenues",
    "project-labor-actuals": "labor_actuals",
    "project-planned-labor": "planned_labor",
    "project-scope-tasks": "scope_tasks",
}

connector = sandbox_connector


def read(conn: Connector, streams: list[str]):
    return read_cleanly(conn, streams, [])


def expected_finance_records(sandbox: TempoSandbox) -> dict[str, list[dict]]:
    """stream -> the records a full read of it delivers, from the sandbox's data."""
    projects = sandbox.finance_projects()
    tables = sandbox.billing_rates_tables()
    expected: dict[str, list[dict]] = {
        "projects": projects,
        "portfolios": sandbox.portfolios(),
        "portfolio-projects": [
            {**project, "portfolioId": portfolio["id"]}
            for portfolio in sandbox.portfolios()
            for project in sandbox.portfolio_projects(portfolio["id"])
        ],
        "project-attributes": sandbox.project_attributes(),
        "billing-rates-tables": [{k: v for k, v in table.items() if k != "rates"} for table in tables],
        "billing-rates": [
            {**rate, "billingRatesTableId": table["id"], "roleId": rate["role"]["id"]}
            for table in tables
            for rate in table["rates"]
        ],
        "global-rates": [
            {**rate, "rateCategory": category}
            for category in ("BILLING", "COST")
            for rate in sandbox.global_rates(category)
        ],
    }
    for stream, kind in UNDER_PROJECT.items():
        expected[stream] = [
            {**record, "projectId": p["id"]} for p in projects for record in sandbox.project_records(p["id"], kind)
        ]
    expected["project-expense-actuals"] = [
        {**actual, "projectId": p["id"], "expenseId": actual["expense"]["self"].rsplit("/", 1)[1]}
        for p in projects
        for actual in sandbox.project_records(p["id"], "expense_actuals")
    ]
    for stream, kind in (("project-team-member-roles", "roles"), ("project-team-member-rates", "rates")):
        expected[stream] = [
            {**record, "projectId": p["id"], "teamMemberId": record["teamMember"]["id"]}
            for p in projects
            for record in sandbox.project_records(p["id"], kind)
        ]
    expected["project-time-approvals"] = [
        {**approval, "teamMemberId": approval["user"]["id"], "period_from": approval["period"]["from"]}
        for p in projects
        for approval in sandbox.project_records(p["id"], "time_approvals")
    ]
    for stream, kind in (("project-budgets", "budget"), ("project-timeframes", "timeframe")):
        expected[stream] = [
            {**sandbox.project_records(p["id"], kind), "projectId": p["id"]}
            for p in projects
            if sandbox.project_records(p["id"], kind) is not None
        ]
    expected["project-financial-summaries"] = [
        {**sandbox.financial_summary(p["id"]), "projectId": p["id"]} for p in projects
    ]
    return expected


@pytest.mark.timeout(300)
def test_every_finance_stream_delivers_exactly_the_sandbox_records(tmp_path, sandbox):
    result = read(connector(tmp_path, sandbox), FINANCE_STREAMS)

    expected = expected_finance_records(sandbox)
    for stream in FINANCE_STREAMS:
        assert expected[stream], f"the seed has {stream}"
        assert_exactly(result.records(stream), expected[stream])
    by_path = sandbox.stats()["by_path"]
    projects = sandbox.finance_projects()
    assert by_path["/4/projects"] == 1  # a GET parent: read once for its 13 children (cached, grouped)
    assert by_path["/4/global-rates/by-role"] == 2  # BILLING and COST
    for project in projects:
        assert by_path[f"/4/projects/{project['id']}/budget"] == 1  # 204 for the time-based one: not retried
    assert [p for p in projects if sandbox.project_records(p["id"], "budget") is None]
    assert all(len(rates["rates"]) for rates in expected["global-rates"])


@pytest.mark.timeout(300)
def test_a_token_without_financial_manager_access_fails_only_those_streams(tmp_path, sandbox):
    ctl(sandbox, "POST", "faults", {"scope_denied_prefixes": ["/projects", "/portfolios"]})
    conn = connector(tmp_path, sandbox)

    result = conn.read({"streams": [
        {"stream": {"name": name, "json_schema": {}, "supported_sync_modes": ["full_refresh"]},
         "sync_mode": "full_refresh", "destination_sync_mode": "append"}
        for name in ("projects", "project-expenses", "portfolios", "global-rates", "roles")
    ]})  # fmt: skip

    assert result.returncode != 0
    assert_exactly(result.records("global-rates"), expected_finance_records(sandbox)["global-rates"])
    assert len(result.records("roles")) == 5
    final = result.errors()[-1]
    not_read = final.removeprefix("The sync did not read 3 stream(s): ").split(". ", 1)[0]
    assert set(not_read.split(", ")) == {"projects", "portfolios", "project-expenses"}, (
        final
    )  # in the order they failed
    # a stream under a project fails on its parent's request, which the message names
    assert final.count("Stream projects: the Tempo token lacks the permission or scope to read") == 2
    assert "Stream portfolios: the Tempo token lacks the permission or scope to read" in final
    assert final.endswith("Read completely: global-rates, roles.")

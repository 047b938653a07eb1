"""Tests of the sandbox's Financial Manager endpoints (sandbox/finance.py), through the real HTTP server, every answer
checked against the OpenAPI response schema (strict: no field the OpenAPI file does not define)."""

from __future__ import annotations

import pytest

from integration_tests.test_sandbox import assert_valid, call, session, walk
from sandbox import TempoSandbox

PAGED_UNDER_PROJECT = {
    "expenses": "expenses",
    "fixed-revenues": "fixed_revenues",
    "actuals/labor": "labor_actuals",
    "actuals/expenses": "expense_actuals",
    "plans/labor": "planned_labor",
    "scope/tasks": "scope_tasks",
}


@pytest.mark.timeout(60)
def test_every_finance_endpoint_validates_against_openapi(sandbox: TempoSandbox) -> None:
    s = session()
    projects, _ = walk(sandbox, "GET", "/projects", limit=4)
    assert projects == sandbox.finance_projects() and len(projects) == 6
    r = call(sandbox, "GET", "/projects", {"limit": 1000}, s=s)
    assert_valid(r.json(), "/4/projects", "GET")
    r = call(sandbox, "GET", "/portfolios", {"limit": 1000}, s=s)
    assert_valid(r.json(), "/4/portfolios", "GET")
    assert r.json()["results"] == sandbox.portfolios()
    for portfolio in sandbox.portfolios():
        r = call(sandbox, "GET", f"/portfolios/{portfolio['id']}/projects", {"limit": 1000}, s=s)
        assert_valid(r.json(), "/4/portfolios/{portfolioId}/projects", "GET")
        assert r.json()["results"] == sandbox.portfolio_projects(portfolio["id"])
    r = call(sandbox, "GET", "/project-attributes", s=s)
    assert_valid(r.json(), "/4/project-attributes", "GET")
    r = call(sandbox, "GET", "/billing-rates-tables", {"limit": 1000}, s=s)
    assert_valid(r.json(), "/4/billing-rates-tables", "GET")
    for table in r.json()["results"]:
        detail = call(sandbox, "GET", f"/billing-rates-tables/{table['id']}", s=s)
        assert_valid(detail.json(), "/4/billing-rates-tables/{billingRatesTableId}", "GET")
        assert len(detail.json()["rates"]) == 5
    for category in ("BILLING", "COST"):
        r = call(sandbox, "GET", "/global-rates/by-role", {"rateCategory": category}, s=s)
        assert_valid(r.json(), "/4/global-rates/by-role", "GET")
        assert r.json()["results"] == sandbox.global_rates(category)

    no_content = 0
    for project in projects:
        base = f"/projects/{project['id']}"
        for what in ("budget", "timeframe"):
            r = call(sandbox, "GET", f"{base}/{what}", s=s)
            if r.status_code == 204:
                assert r.content == b"" and sandbox.project_records(project["id"], what) is None
                no_content += 1
            else:
                assert_valid(r.json(), f"/4/projects/{{projectId}}/{what}", "GET")
        for what, kind in PAGED_UNDER_PROJECT.items():
            records, _ = walk(sandbox, "GET", f"{base}/{what}", limit=7)
            assert records == sandbox.project_records(project["id"], kind)
            r = call(sandbox, "GET", f"{base}/{what}", {"limit": 1000}, s=s)
            assert_valid(r.json(), f"/4/projects/{{projectId}}/{what}", "GET")
        for what in ("budget-milestones", "team-members/roles", "team-members/rates", "financials/summary"):
            r = call(sandbox, "GET", f"{base}/{what}", s=s)
            assert_valid(r.json(), f"/4/projects/{{projectId}}/{what}", "GET")
        r = call(sandbox, "GET", f"{base}/time-approvals", {"from": "2022-01-01", "to": "2025-12-31", "limit": 1000})
        assert_valid(r.json(), "/4/projects/{projectId}/time-approvals", "GET")
        assert r.json()["results"] == sandbox.project_records(project["id"], "time_approvals")
    assert no_content == 2  # the time-based project has neither budget nor timeframe


@pytest.mark.timeout(60)
def test_seeded_finance_data_is_consistent(sandbox: TempoSandbox) -> None:
    projects = sandbox.finance_projects()
    ids = {project["id"] for project in projects}
    assert {p["id"] for portfolio in sandbox.portfolios() for p in sandbox.portfolio_projects(portfolio["id"])} < ids
    assert any(not sandbox.portfolio_projects(portfolio["id"]) for portfolio in sandbox.portfolios())
    for project in projects:
        actuals = sandbox.project_records(project["id"], "expense_actuals")
        expenses = {e["self"] for e in sandbox.project_records(project["id"], "expenses")}
        assert {a["expense"]["self"] for a in actuals} == expenses
        assert all(a["date"] < "2026-01-01" for a in sandbox.project_records(project["id"], "labor_actuals"))
        summary = sandbox.financial_summary(project["id"])
        labor = sum(a.get("cost", {}).get("value", 0) for a in sandbox.project_records(project["id"], "labor_actuals"))
        assert summary["cost"]["actual"]["labor"]["value"] == round(labor, 2)
    assert any(sandbox.project_records(p["id"], "expenses") for p in projects)
    assert any(len({a["date"] for a in sandbox.project_records(p["id"], "expense_actuals")}) > 1 for p in projects)


@pytest.mark.timeout(60)
def test_unknown_ids_and_missing_parameters_are_refused_like_tempo(sandbox: TempoSandbox) -> None:
    project = sandbox.finance_projects()[0]["id"]
    assert call(sandbox, "GET", "/projects/no-such-project/expenses").status_code == 404
    assert call(sandbox, "GET", "/portfolios/nope/projects").status_code == 404
    assert call(sandbox, "GET", "/billing-rates-tables/nope").status_code == 404
    assert call(sandbox, "GET", "/global-rates/by-role").status_code == 400
    assert call(sandbox, "GET", f"/projects/{project}/time-approvals", {"from": "2024-01-01"}).status_code == 400

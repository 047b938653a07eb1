"""Requests and records of the Financial Manager streams (projects, portfolios, rates and the records under each
project), built like request_builder.py's and response_builder.py's.

Kept in their own module so that streams added in parallel do not edit the same lines of those two. Records are
in the shapes of Tempo's OpenAPI v4 file; a test sets only what it checks.
"""

from __future__ import annotations

from typing import Any, Dict

from airbyte_cdk.test.mock_http import HttpMocker, HttpRequest, HttpResponse

from unit_tests.mock_server.request_builder import TempoRequestBuilder
from unit_tests.mock_server.response_builder import TEMPO_PUBLIC_API, TempoPageBuilder, body_response

JIRA = "https://your-site.atlassian.net/rest/api/2"


# ---- requests --------------------------------------------------------------------------------------------
def paged_request(path: str, limit: int = 1000, offset: int | None = None, **query: str) -> HttpRequest:
    """GET /<path> of an offset/limit list: `limit` always, `offset` after the first page."""
    request = TempoRequestBuilder("get", path).with_limit(limit)
    for name, value in query.items():
        request.with_query(name, value)
    return (request.with_offset(offset) if offset is not None else request).build()


def unpaged_request(path: str, **query: str) -> HttpRequest:
    """GET /<path> of an answer in one piece (an object, or a list under a key): no paging parameters."""
    request = TempoRequestBuilder("get", path)
    for name, value in query.items():
        request.with_query(name, value)
    return request.build()


def given_projects(http_mocker: HttpMocker, *project_ids: str, limit: int = 1000) -> HttpRequest:
    """GET /projects answers these projects (in one page): the parents of every stream under a project."""
    request = paged_request("projects", limit)
    records = (project(project_id) for project_id in project_ids)
    http_mocker.get(request, page("projects", *records, limit=limit).build())
    return request


# ---- responses -------------------------------------------------------------------------------------------
def page(path: str, *records: Dict[str, Any], limit: int = 1000, offset: int = 0) -> TempoPageBuilder:
    """One page of an offset/limit list; `.with_next_page()` when more follow."""
    return TempoPageBuilder(path).with_records(records).with_limit(limit).with_offset(offset)


def no_content() -> HttpResponse:
    """204 No Content: a project without a budget or a timeframe."""
    return HttpResponse(body="", status_code=204)


def body(record: Dict[str, Any]) -> HttpResponse:
    return body_response(record)


# ---- records ---------------------------------------------------------------------------------------------
def amount(value: float, currency: str = "USD") -> Dict[str, Any]:
    return {"currencyCode": currency, "value": value}


def tempo_user(user_id: str) -> Dict[str, Any]:
    """UserApiBean: a Tempo user id and the Jira user it is."""
    return {
        "id": user_id,
        "userLink": {
            "linked": {"ecosystem": "JIRA", "originId": f"jira-{user_id}", "self": f"{JIRA}/user?accountId=x"}
        },
    }


def task(issue_id: int) -> Dict[str, Any]:
    return {"linked": {"ecosystem": "JIRA", "originId": str(issue_id), "self": f"{JIRA}/issue/{issue_id}"}}


def project(project_id: str, **fields: Any) -> Dict[str, Any]:
    base = f"{TEMPO_PUBLIC_API}/projects/{project_id}"
    record = {
        "id": project_id,
        "name": f"Project {project_id}",
        "self": base,
        "status": "IN_PROGRESS",
        "owner": tempo_user("owner-1"),
        "scope": {"self": f"{base}/scope", "tasks": {"self": f"{base}/scope/tasks"}},
        "type": "MONETARY_BASED",
        "budget": {"amount": amount(10000), "self": f"{base}/budget"},
    }
    record.update(fields)
    return record


def portfolio(portfolio_id: str, **fields: Any) -> Dict[str, Any]:
    base = f"{TEMPO_PUBLIC_API}/portfolios/{portfolio_id}"
    record = {
        "id": portfolio_id,
        "name": f"Portfolio {portfolio_id}",
        "self": base,
        "owner": tempo_user("owner-1"),
        "editable": True,
        "shared": False,
        "projects": {"self": f"{base}/projects"},
        "totalBudget": amount(50000),
    }
    record.update(fields)
    return record


def project_attribute(attribute_id: str, kind: str = "TEXT") -> Dict[str, Any]:
    return {
        "id": attribute_id,
        "name": f"Attribute {attribute_id}",
        "self": f"{TEMPO_PUBLIC_API}/project-attributes/{attribute_id}",
        "type": kind,
    }


def billing_rates_table(table_id: str, *rates: Dict[str, Any]) -> Dict[str, Any]:
    """A billing rates table; with rates, as GET /billing-rates-tables/{id} answers it."""
    record: Dict[str, Any] = {
        "id": table_id,
        "name": f"Table {table_id}",
        "self": f"{TEMPO_PUBLIC_API}/billing-rates-tables/{table_id}",
    }
    if rates:
        record["rates"] = list(rates)
    return record


def billing_rate(role_id: int, value: float) -> Dict[str, Any]:
    return {
        "defaultRateUsed": False,
        "rate": {"value": value},
        "role": {"id": role_id, "self": f"{TEMPO_PUBLIC_API}/roles/{role_id}"},
    }


def global_rate(role_id: int | None, *values: float) -> Dict[str, Any]:
    """The rates of a role (none: the default role, which Tempo sends without roleId)."""
    record: Dict[str, Any] = {"rates": [{"value": value} for value in values]}
    if role_id is not None:
        record["roleId"] = role_id
    return record


def budget(project_id: str, value: float = 10000) -> Dict[str, Any]:
    return {"amount": amount(value), "self": f"{TEMPO_PUBLIC_API}/projects/{project_id}/budget"}


def milestone(milestone_id: str, day: str, value: float) -> Dict[str, Any]:
    return {"id": milestone_id, "date": day, "budget": amount(value), "description": f"Milestone {milestone_id}"}


def expense(expense_id: str, project_id: str, day: str = "2024-03-01", value: float = 250) -> Dict[str, Any]:
    return {
        "id": expense_id,
        "self": f"{TEMPO_PUBLIC_API}/projects/{project_id}/expenses/{expense_id}",
        "amount": amount(value),
        "category": {"name": "Travel"},
        "date": day,
        "description": "Train tickets",
        "recurrence": {"type": "NoRecurrence"},
    }


def fixed_revenue(revenue_id: str, project_id: str, value: float = 5000) -> Dict[str, Any]:
    return {
        "id": revenue_id,
        "self": f"{TEMPO_PUBLIC_API}/projects/{project_id}/fixed-revenues/{revenue_id}",
        "amount": amount(value),
        "date": "2024-04-30",
        "description": "Milestone payment",
        "recurrence": {"type": "NoRecurrence"},
    }


def labor_actual(time_record_id: str, day: str = "2024-03-04", seconds: int = 3600) -> Dict[str, Any]:
    return {
        "timeRecordId": time_record_id,
        "date": day,
        "timeSpentSeconds": seconds,
        "billableSeconds": seconds,
        "cost": amount(seconds / 3600 * 60),
        "task": task(10001),
        "user": tempo_user("member-1"),
        "userRole": {"self": f"{TEMPO_PUBLIC_API}/roles/1"},
        "worklogId": 42,
    }


def expense_actual(project_id: str, expense_id: str, day: str, value: float = 250) -> Dict[str, Any]:
    """An expense's cost on one date; it names its expense by URL only."""
    return {
        "cost": amount(value),
        "date": day,
        "expense": {"self": f"{TEMPO_PUBLIC_API}/projects/{project_id}/expenses/{expense_id}"},
    }


def planned_day(plan_id: int, day: str, seconds: int = 28800) -> Dict[str, Any]:
    return {
        "planId": plan_id,
        "date": day,
        "plannedSeconds": seconds,
        "cost": amount(seconds / 3600 * 60),
        "task": task(10002),
        "user": tempo_user("member-1"),
        "userRole": {"self": f"{TEMPO_PUBLIC_API}/roles/2"},
    }


def team_member_role(user_id: str, role_id: int) -> Dict[str, Any]:
    return {"role": {"id": role_id, "self": f"{TEMPO_PUBLIC_API}/roles/{role_id}"}, "teamMember": tempo_user(user_id)}


def team_member_rate(user_id: str, cost: float) -> Dict[str, Any]:
    return {
        "teamMember": tempo_user(user_id),
        "costRates": {"values": [{"rate": amount(cost), "source": "TEAM_MEMBER", "id": f"rate-{user_id}"}]},
        "billingRates": {"values": [{"rate": amount(cost * 1.5), "source": "PROJECT"}]},
    }


def project_time_approval(project_id: str, user_id: str, period_from: str, period_to: str) -> Dict[str, Any]:
    query = f"from={period_from}&to={period_to}&teamMemberId={user_id}"
    return {
        "projectId": project_id,
        "self": f"{TEMPO_PUBLIC_API}/projects/{project_id}/time-approvals?{query}",
        "period": {"from": period_from, "to": period_to},
        "status": {"key": "APPROVED", "updatedAt": "2024-02-02T10:00:00.000Z"},
        "timeSpentSeconds": 36000,
        "user": tempo_user(user_id),
        "laborCosts": {"self": f"{TEMPO_PUBLIC_API}/projects/{project_id}/time-approvals/labor-costs?{query}"},
    }


def financial_summary(project_id: str, labor: float, expense_cost: float) -> Dict[str, Any]:
    return {
        "cost": {
            "actual": {"labor": amount(labor), "expense": amount(expense_cost), "total": amount(labor + expense_cost)}
        },
        "self": f"{TEMPO_PUBLIC_API}/projects/{project_id}/financials/summary",
    }


def scope_task(task_id: str, issue_id: int) -> Dict[str, Any]:
    return {"id": task_id, "taskLink": task(issue_id)}


def timeframe(project_id: str, start: str, end: str) -> Dict[str, Any]:
    return {
        "startDate": start,
        "endDate": end,
        "isCalculated": False,
        "self": f"{TEMPO_PUBLIC_API}/projects/{project_id}/timeframe",
    }

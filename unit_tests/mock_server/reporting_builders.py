"""Requests and records of the reporting streams (team-memberships, workload-scheme-members, account-links,
user-schedules, timesheet-approval-logs), built like request_builder.py's and response_builder.py's.

Kept in their own module so that streams added in parallel do not edit the same lines of those two.
"""

from __future__ import annotations

from typing import Any, Dict

from unit_tests.mock_server.request_builder import TempoRequestBuilder
from unit_tests.mock_server.response_builder import TEMPO_PUBLIC_API, TokenPageBuilder

JIRA_USER = "https://your-site.atlassian.net/rest/api/2/user?accountId="


# ---- requests --------------------------------------------------------------------------------------------
def team_memberships_request(limit: int = 1000, offset: int | None = None):
    """POST /team-memberships/search with no filter: every membership of every team the token may view."""
    request = TempoRequestBuilder("post", "team-memberships/search").with_limit(limit)
    return (request.with_offset(offset) if offset is not None else request).build()


def workload_scheme_members_request(scheme_id: int, limit: int = 1000, offset: int | None = None):
    request = TempoRequestBuilder("get", f"workload-schemes/{scheme_id}/members").with_limit(limit)
    return (request.with_offset(offset) if offset is not None else request).build()


def account_links_request(account_key: str, limit: int = 1000, offset: int | None = None):
    request = TempoRequestBuilder("get", f"accounts/{account_key}/links").with_limit(limit)
    return (request.with_offset(offset) if offset is not None else request).build()


def user_schedule_request(account_id: str, date_from: Any, date_to: Any):
    """GET /user-schedule/{accountId}?from&to: both required, not paginated."""
    return (
        TempoRequestBuilder("get", f"user-schedule/{account_id}")
        .with_query("from", str(date_from))
        .with_query("to", str(date_to))
        .build()
    )


def approval_logs_request(updated_from: str, token: str | None = None):
    """POST /timesheet-approvals/logs/search from `updated_from`, 1000 per page, the token in the query."""
    request = (
        TempoRequestBuilder("post", "timesheet-approvals/logs/search")
        .with_limit(1000)
        .with_body({"updatedFrom": updated_from})
    )
    return (request.with_next_page_token(token) if token else request).build()


# ---- records ---------------------------------------------------------------------------------------------
def _user(account_id: str) -> Dict[str, str]:
    return {"self": f"{JIRA_USER}{account_id}", "accountId": account_id}


def team_membership(membership_id: int, team_id: int, account_id: str, **fields: Any) -> Dict[str, Any]:
    defaults = {
        "id": membership_id,
        "team": {"self": f"{TEMPO_PUBLIC_API}/teams/{team_id}", "id": team_id, "name": f"Team {team_id}"},
        "member": _user(account_id),
        "role": {"self": f"{TEMPO_PUBLIC_API}/roles/1", "id": 1, "name": "Member"},
        "commitmentPercent": 100,
        "from": "2024-01-01",
        "to": "2025-01-01",
        "inclusiveTo": "2024-12-31",
    }
    return {"self": f"{TEMPO_PUBLIC_API}/team-memberships/{membership_id}", **defaults, **fields}


def user(account_id: str) -> Dict[str, Any]:
    return dict(_user(account_id))


def account_link(link_id: int, account_key: str, project_id: int = 10000, default: bool = True) -> Dict[str, Any]:
    return {
        "self": f"{TEMPO_PUBLIC_API}/account-links/{link_id}",
        "id": link_id,
        "account": {"self": f"{TEMPO_PUBLIC_API}/accounts/{account_key}"},
        "scope": {"self": f"https://your-site.atlassian.net/rest/api/2/project/{project_id}", "id": project_id,
                  "type": "PROJECT"},
        "default": default,
    }  # fmt: skip


def day_schedule(day: Any, required_seconds: int = 28800, **fields: Any) -> Dict[str, Any]:
    record = {"date": str(day), "requiredSeconds": required_seconds, "type": "WORKING_DAY" if required_seconds else
              "NON_WORKING_DAY"}  # fmt: skip
    record.update(fields)
    return record


def approval_log(account_id: str, period_from: str, updated_at: str, key: str = "APPROVED") -> Dict[str, Any]:
    """One status change of a user's timesheet for the period starting at `period_from`."""
    return {
        "period": {"from": period_from, "to": period_from[:8] + "28"},
        "user": _user(account_id),
        "reviewer": _user("lead-1"),
        "status": {"key": key, "actor": _user("lead-1"), "updatedAt": updated_at},
    }


def approval_logs_page() -> TokenPageBuilder:
    """One page of POST /timesheet-approvals/logs/search (token paging, as papertrail)."""
    return TokenPageBuilder("timesheet-approvals/logs/search")

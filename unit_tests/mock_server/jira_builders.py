"""Jira Cloud requests and responses for the Jira enrichment tests (reference/jira-cloud-openapi-subset.json):
the `jira` config, the bulk issue and user requests the connector must send, and Jira's answers."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, Iterable, List

from airbyte_cdk.test.mock_http import HttpRequest, HttpResponse

from source_tempo.components.jira import ISSUE_FIELDS
from unit_tests.mock_server.config import ConfigBuilder

JIRA_SITE = "https://unit-site.atlassian.net"
JIRA_EMAIL = "ada@example.com"
JIRA_TOKEN = "jira-unit-test-token-5d1e88"
JIRA_API = f"{JIRA_SITE}/rest/api/3"
AUTHOR = "123456:01234567-89ab-cdef-0123-456789abcdef"  # the worklog template's author
TEAM_LEAD = "5b10ac8d82e05b22cc7d4ef5"  # the teams template's lead


def jira_config(enrich_worklogs: bool = False, **tempo: Any) -> Dict[str, Any]:
    """A Tempo config (one worker, no tombstones) with the `jira` object."""
    config = ConfigBuilder().build()
    config["worklog_tombstones"] = False
    config.update(tempo)
    config["jira"] = {
        "site_url": JIRA_SITE,
        "email": JIRA_EMAIL,
        "api_token": JIRA_TOKEN,
        "enrich_worklogs": enrich_worklogs,
    }
    return config


def _auth() -> Dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{JIRA_EMAIL}:{JIRA_TOKEN}".encode()).decode()}


def bulkfetch_request(*issue_ids: int | str) -> HttpRequest:
    return HttpRequest(
        url=f"{JIRA_API}/issue/bulkfetch",
        headers=_auth(),
        body={"issueIdsOrKeys": [str(i) for i in issue_ids], "fields": ISSUE_FIELDS},
    )


def user_bulk_request(*account_ids: str, start_at: int = 0) -> HttpRequest:
    return HttpRequest(
        url=f"{JIRA_API}/user/bulk",
        query_params={"accountId": list(account_ids), "startAt": str(start_at), "maxResults": str(len(account_ids))},
        headers=_auth(),
    )


def myself_request() -> HttpRequest:
    return HttpRequest(url=f"{JIRA_API}/myself", headers=_auth())


class _UpdatedSinceJql(dict):
    """The body of the search for referenced issues updated since `since`: `updated >= -<N>m` with N the minutes
    since then plus the connector's 10 minutes of slack, as the clock reads while the test runs (a minute's play)."""

    def __init__(self, since: datetime) -> None:
        super().__init__(fields=["id"], maxResults=5000)
        self._minutes = (datetime.now(timezone.utc) - since).total_seconds() / 60 + 10

    def __eq__(self, other: Any) -> bool:
        body = dict(other or {})
        jql = str(body.pop("jql", ""))
        if body != dict(self) or not (jql.startswith("updated >= -") and jql.endswith("m")):
            return False
        return abs(int(jql[len("updated >= -") : -1]) - self._minutes) <= 2

    __hash__ = None  # type: ignore[assignment]


def search_updated_since_request(since: datetime) -> HttpRequest:
    return HttpRequest(url=f"{JIRA_API}/search/jql", headers=_auth(), body=_UpdatedSinceJql(since))


def jira_time(moment: datetime) -> str:
    """Jira's timestamp form, 2025-12-15T09:30:00.000+0000."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def minutes_ago(minutes: float) -> datetime:
    return datetime.now(timezone.utc) - timedelta(minutes=minutes)


def issue(issue_id: int, key: str, parent: Dict[str, Any] | None = None, **fields: Any) -> Dict[str, Any]:
    """An IssueBean as bulkfetch returns it with the connector's `fields`."""
    project = key.split("-")[0]
    body = {
        "summary": f"Summary of {key}",
        "project": {"id": "10000", "key": project, "name": f"Project {project}", "avatarUrls": {}},
        "issuetype": {"id": "10001", "name": "Story", "subtask": False, "hierarchyLevel": 0},
        "status": {
            "id": "3",
            "name": "In Progress",
            "statusCategory": {"id": 4, "key": "indeterminate", "name": "In Progress", "colorName": "yellow"},
        },
        "labels": ["backend"],
        "created": "2025-01-02T08:00:00.000+0000",
        "updated": "2025-06-01T12:30:00.000+0000",
        **fields,
    }
    if parent:
        body["parent"] = parent
    return {"id": str(issue_id), "key": key, "self": f"{JIRA_API}/issue/{issue_id}", "fields": body}


def epic(issue_id: int, key: str) -> Dict[str, Any]:
    """The `parent` object of an issue whose parent is an epic."""
    return {
        "id": str(issue_id),
        "key": key,
        "fields": {
            "summary": f"Epic {key}",
            "status": {"id": "1", "name": "To Do"},
            "issuetype": {"id": "10000", "name": "Epic", "subtask": False, "hierarchyLevel": 1},
        },
    }


def bulkfetch_response(issues: Iterable[Dict[str, Any]], issue_errors: List[Dict[str, Any]] | None = None):
    return HttpResponse(json.dumps({"issues": list(issues), "issueErrors": issue_errors or []}), 200)


def user(account_id: str, name: str, email: str | None = "hidden", **fields: Any) -> Dict[str, Any]:
    record = {
        "accountId": account_id,
        "accountType": "atlassian",
        "active": True,
        "displayName": name,
        "timeZone": "Europe/Oslo",
        "locale": "en_US",
        "self": f"{JIRA_API}/user?accountId={account_id}",
        **fields,
    }
    if email == "hidden":
        record["emailAddress"] = f"{name.split()[0].lower()}@example.com"
    elif email is not None:
        record["emailAddress"] = email
    return record


def users_response(users: List[Dict[str, Any]], start_at: int = 0, is_last: bool = True, max_results: int = 100):
    body = {"startAt": start_at, "maxResults": max_results, "total": len(users), "isLast": is_last, "values": users}
    return HttpResponse(json.dumps(body), 200)


def search_response(*issue_ids: int, next_page_token: str | None = None) -> HttpResponse:
    body: Dict[str, Any] = {"issues": [{"id": str(i)} for i in issue_ids], "isLast": next_page_token is None}
    if next_page_token:
        body["nextPageToken"] = next_page_token
    return HttpResponse(json.dumps(body), 200)


def jira_error(status: int, message: str, headers: Dict[str, str] | None = None) -> HttpResponse:
    return HttpResponse(json.dumps({"errorMessages": [message], "errors": {}}), status, headers or {})

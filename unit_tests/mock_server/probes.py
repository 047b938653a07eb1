"""The requests `check` sends: the core stream's one-record read, then one small probe per other stream.

Shared by the check tests (test_check.py, test_config.py): every check sends the probes, so a test mocks them all
and changes the answer of the one it is about.
"""

from __future__ import annotations

from typing import Dict, List, Tuple

from airbyte_cdk.test.mock_http import HttpMocker, HttpRequest, HttpResponse

from unit_tests.mock_server.config import API_TOKEN, GLOBAL_API_URL
from unit_tests.mock_server.request_builder import (
    ACCOUNT_STATUSES,
    NO_START_DATE,
    UPDATED_ASCENDING,
    WORKLOG_DELETIONS,
    WORKLOGS_LIMIT,
    TempoRequestBuilder,
    today,
    years_from,
)
from unit_tests.mock_server.response_builder import TempoPageBuilder, TempoResultsBuilder, worklog


def probe_cursor_value() -> str:
    """The cursor filter of a probe: today's midnight (UTC), so that the answer is small."""
    return f"{today().isoformat()}T00:00:00Z"


def core_check_request(base_url: str = GLOBAL_API_URL, token: str = API_TOKEN) -> HttpRequest:
    """CheckStream on worklogs: the first page at the configured page size."""
    return (
        TempoRequestBuilder("post", "worklogs/search")
        .with_base_url(base_url)
        .with_token(token)
        .with_offset(0)
        .with_limit(WORKLOGS_LIMIT)
        .with_body({"updatedFrom": "1970-01-01T00:00:00Z", "from": NO_START_DATE, "orderBy": UPDATED_ASCENDING})
        .build()
    )


def probe_requests(base_url: str = GLOBAL_API_URL, token: str = API_TOKEN) -> Dict[str, Tuple[str, HttpRequest]]:
    """Stream -> (method, request) of the probe `check` sends for it: the stream's first request, with limit=1
    where the stream pages (in the body for generic-resources)."""
    window = {"from": years_from(today(), -2).isoformat(), "to": years_from(today(), 1).isoformat()}

    def get(path: str, paged: bool = True, **query: str) -> Tuple[str, HttpRequest]:
        builder = TempoRequestBuilder("get", path).with_base_url(base_url).with_token(token)
        if paged:
            builder.with_limit(1)
        for name, value in query.items():
            builder.with_query(name, value)
        return "get", builder.build()

    def post(path: str, body: dict | None, limit_in_query: bool = True) -> Tuple[str, HttpRequest]:
        builder = TempoRequestBuilder("post", path).with_base_url(base_url).with_token(token)
        if body is not None:  # the CDK sends no body where the manifest's is empty
            builder.with_body(body)
        return "post", (builder.with_limit(1) if limit_in_query else builder).build()

    return {
        "accounts": post("accounts/search", {"statuses": list(ACCOUNT_STATUSES)}),
        "customers": get("customers"),
        "workload-schemes": get("workload-schemes"),
        "teams": get("teams"),
        "plans": get("plans", updatedFrom=probe_cursor_value(), plannedTimeBreakdown="DAILY", **window),
        "holiday-schemes": get("holiday-schemes", paged=False),
        "worklog-deletions": post("papertrail/search", {**WORKLOG_DELETIONS, "from": probe_cursor_value()}),
        "account-categories": get("account-categories", paged=False),
        "account-category-types": get("account-category-types", paged=False),
        "work-attributes": get("work-attributes"),
        "roles": get("roles", paged=False),
        "programs": get("programs", paged=False),
        "generic-resources": post("generic-resources/search", {"limit": 1}, limit_in_query=False),
        "skills": get("skills"),
        "periods": get("periods", paged=False, **window),
        "global-configuration": get("globalconfiguration", paged=False),
        "team-memberships": post("team-memberships/search", None),
        "timesheet-approval-logs": post("timesheet-approvals/logs/search", {"updatedFrom": probe_cursor_value()}),
        # Financial Manager (global-rates is partitioned by rate category: not probed, like a child)
        "projects": get("projects"),
        "portfolios": get("portfolios"),
        "project-attributes": get("project-attributes", paged=False),
        "billing-rates-tables": get("billing-rates-tables"),
        "permission-roles": get("permission-roles"),
        "global-permission-roles": get("permission-roles/global"),
        "flex-plans": post("flex-plans/search", window, limit_in_query=False),
    }


def mock_check(
    http_mocker: HttpMocker,
    base_url: str = GLOBAL_API_URL,
    core: HttpResponse | None = None,
    answers: Dict[str, HttpResponse] | None = None,
    with_probes: bool = True,
    token: str = API_TOKEN,
) -> List[HttpRequest]:
    """Mocks the core read (a page of one worklog unless `core` says otherwise) and, `with_probes`, every probe (an
    empty list unless `answers` gives the stream another answer); returns the mocked requests, the core read first."""
    one_worklog = [worklog(1, "2024-01-01T00:00:00Z")]
    page = core or TempoPageBuilder.worklogs().with_limit(WORKLOGS_LIMIT).with_records(one_worklog).build()
    core_request = core_check_request(base_url, token)
    http_mocker.post(core_request, page)
    requests: List[HttpRequest] = [core_request]
    for stream, (method, request) in probe_requests(base_url, token).items() if with_probes else ():
        answer = (answers or {}).get(stream) or TempoResultsBuilder(stream).build()
        getattr(http_mocker, method)(request, answer)
        requests.append(request)
    return requests

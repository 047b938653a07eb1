"""Builds Tempo responses: list pages `{metadata, results, self}` from record templates, and error bodies.

Record templates live in unit_tests/resource/http/response/<stream>.json (one record each, shaped like
Tempo's OpenAPI v4 examples); the functions below copy a template and set what a test cares about.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping

from airbyte_cdk.test.mock_http import HttpResponse

RESPONSE_DIR = Path(__file__).resolve().parent.parent / "resource" / "http" / "response"
# Tempo's `metadata.next` always names Tempo's public host, whatever host the request went to.
TEMPO_PUBLIC_API = "https://api.tempo.io/4"
DEFAULT_LIMIT = 1000


@cache
def _template_text(name: str) -> str:
    return (RESPONSE_DIR / f"{name}.json").read_text()


def record_template(name: str) -> Dict[str, Any]:
    """A fresh copy of one record template, e.g. record_template("worklogs")."""
    return json.loads(_template_text(name))


def account(account_id: int, status: str = "OPEN", **fields: Any) -> Dict[str, Any]:
    record = record_template("accounts")
    record.update(id=account_id, key=f"ACCOUNT_{account_id}", name=f"Account {account_id}", status=status)
    record["self"] = f"{TEMPO_PUBLIC_API}/accounts/{account_id}"
    record.update(fields)
    return record


def customer(customer_id: int, **fields: Any) -> Dict[str, Any]:
    record = record_template("customers")
    record.update(id=customer_id, key=f"CUSTOMER_{customer_id}", name=f"Customer {customer_id}")
    record["self"] = f"{TEMPO_PUBLIC_API}/customers/{customer_id}"
    record.update(fields)
    return record


def workload_scheme(scheme_id: int, **fields: Any) -> Dict[str, Any]:
    record = record_template("workload_schemes")
    record.update(id=scheme_id, name=f"Scheme {scheme_id}")
    record["self"] = f"{TEMPO_PUBLIC_API}/workload-schemes/{scheme_id}"
    record.update(fields)
    return record


def worklog(worklog_id: int, updated_at: str, **fields: Any) -> Dict[str, Any]:
    """A worklog with the given tempoWorklogId and updatedAt (the cursor)."""
    record = record_template("worklogs")
    record.update(tempoWorklogId=worklog_id, updatedAt=updated_at)
    record["self"] = f"{TEMPO_PUBLIC_API}/worklogs/{worklog_id}"
    record["attributes"] = dict(
        record["attributes"], self=f"{TEMPO_PUBLIC_API}/worklogs/{worklog_id}/work-attribute-values"
    )
    record.update(fields)
    return record


def _record(template: str, self_url: str, defaults: Dict[str, Any], fields: Dict[str, Any]) -> Dict[str, Any]:
    """A copy of a record template with its `self` link, the builder's defaults, then the test's fields."""
    record = record_template(template)
    record.update(defaults, self=self_url)
    record.update(fields)
    return record


def team(team_id: int, **fields: Any) -> Dict[str, Any]:
    return _record("teams", f"{TEMPO_PUBLIC_API}/teams/{team_id}", {"id": team_id, "name": f"Team {team_id}"}, fields)


def plan(plan_id: int, updated_at: str, **fields: Any) -> Dict[str, Any]:
    """A plan with the given id and updatedAt (the cursor; Tempo sends milliseconds, '...:09.000Z')."""
    return _record("plans", f"{TEMPO_PUBLIC_API}/plans/{plan_id}", {"id": plan_id, "updatedAt": updated_at}, fields)


def timesheet_approval(account_id: str, period_from: str, period_to: str, **fields: Any) -> Dict[str, Any]:
    """The approval of one user's timesheet for one period."""
    period = f"from={period_from}&to={period_to}"
    defaults = {
        "period": {"from": period_from, "to": period_to},
        "user": {"accountId": account_id},
        "worklogs": {"self": f"{TEMPO_PUBLIC_API}/worklogs/user/{account_id}?{period}"},
    }
    return _record(
        "timesheet_approvals", f"{TEMPO_PUBLIC_API}/timesheet-approvals/user/{account_id}?{period}", defaults, fields
    )


def holiday_scheme(scheme_id: int, **fields: Any) -> Dict[str, Any]:
    defaults = {"id": scheme_id, "name": f"Holiday scheme {scheme_id}", "defaultScheme": scheme_id == 1}
    return _record("holiday_schemes", f"{TEMPO_PUBLIC_API}/holiday-schemes/{scheme_id}", defaults, fields)


def holiday(holiday_id: int, day: str, scheme_id: int = 1, **fields: Any) -> Dict[str, Any]:
    self_url = f"{TEMPO_PUBLIC_API}/holiday-schemes/{scheme_id}/holidays/{holiday_id}"
    return _record("holidays", self_url, {"id": holiday_id, "date": day, "schemeId": scheme_id}, fields)


def scheme_member(account_id: str) -> Dict[str, Any]:
    self_url = f"https://your-site.atlassian.net/rest/api/2/user?accountId={account_id}"
    return _record("holiday_scheme_members", self_url, {"accountId": account_id}, {})


def audit_event(
    entity_id: str, timestamp: str, action: str = "Deleted", entity_type: str = "worklog"
) -> Dict[str, Any]:
    """A papertrail event; by default the deletion of worklog `entity_id`."""
    record = record_template("worklog_deletions")
    record.update(entityId=entity_id, timestamp=timestamp, action=action, entityType=entity_type)
    return record


class _WithRecords:
    """The records of a response being built (for the builders that are not pages of offset paging)."""

    def __init__(self) -> None:
        self._records: List[Mapping[str, Any]] = []

    def with_records(self, records: Iterable[Mapping[str, Any]]) -> Any:
        self._records.extend(copy.deepcopy(list(records)))
        return self


class TempoResultsBuilder(_WithRecords):
    """The whole answer of an unpaginated Tempo list: `{self, metadata: {count}, results}`."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self._path = path

    def build(self) -> HttpResponse:
        body = {
            "self": f"{TEMPO_PUBLIC_API}/{self._path}",
            "metadata": {"count": len(self._records)},
            "results": list(self._records),
        }
        return HttpResponse(body=json.dumps(body), status_code=200)


class TokenPageBuilder(_WithRecords):
    """One page of an endpoint paged by token (POST /papertrail/search, POST /timesheet-approvals/logs/search):
    `metadata.nextPageToken` (and nextPageUrl) only when more follow."""

    def __init__(self, path: str = "papertrail/search") -> None:
        super().__init__()
        self._path = path
        self._next_token: str | None = None

    def with_next_page_token(self, token: str) -> TokenPageBuilder:
        self._next_token = token
        return self

    def build(self) -> HttpResponse:
        url = f"{TEMPO_PUBLIC_API}/{self._path}"
        metadata: Dict[str, Any] = {"limit": 1000}
        if self._next_token:
            metadata["nextPageToken"] = self._next_token
            metadata["nextPageUrl"] = f"{url}?nextPageToken={self._next_token}&limit=1000"
        body = {"self": url, "metadata": metadata, "results": self._records}
        return HttpResponse(body=json.dumps(body), status_code=200)


class TempoPageBuilder:
    """One page of a Tempo list endpoint.

    `metadata.count` is the size of this page, `metadata.offset` what the server says it skipped (the requested
    offset unless `with_served_offset` says otherwise) and `metadata.next` an absolute URL on Tempo's public
    host, present only when `with_next_page()` is called.
    """

    @classmethod
    def accounts(cls) -> TempoPageBuilder:
        return cls("accounts/search")

    @classmethod
    def customers(cls) -> TempoPageBuilder:
        return cls("customers")

    @classmethod
    def workload_schemes(cls) -> TempoPageBuilder:
        return cls("workload-schemes")

    @classmethod
    def worklogs(cls) -> TempoPageBuilder:
        return cls("worklogs/search")

    def __init__(self, path: str) -> None:
        self._path = path
        self._records: List[Mapping[str, Any]] = []
        self._offset = 0
        self._served_offset: int | None = None
        self._limit = DEFAULT_LIMIT
        self._has_next = False

    def with_records(self, records: Iterable[Mapping[str, Any]]) -> TempoPageBuilder:
        self._records.extend(copy.deepcopy(list(records)))
        return self

    def with_offset(self, offset: int) -> TempoPageBuilder:
        self._offset = offset
        return self

    def with_served_offset(self, offset: int) -> TempoPageBuilder:
        """What metadata.offset claims, for a server or proxy that ignored the requested offset."""
        self._served_offset = offset
        return self

    def with_limit(self, limit: int) -> TempoPageBuilder:
        self._limit = limit
        return self

    def with_next_page(self) -> TempoPageBuilder:
        self._has_next = True
        return self

    def _url(self, offset: int) -> str:
        return f"{TEMPO_PUBLIC_API}/{self._path}?offset={offset}&limit={self._limit}"

    def build_body(self) -> Dict[str, Any]:
        offset = self._offset if self._served_offset is None else self._served_offset
        metadata: Dict[str, Any] = {"count": len(self._records), "offset": offset, "limit": self._limit}
        if self._has_next:
            metadata["next"] = self._url(offset + len(self._records))
        if offset > 0:
            metadata["previous"] = self._url(max(0, offset - self._limit))
        return {"self": self._url(offset), "metadata": metadata, "results": list(self._records)}

    def build(self) -> HttpResponse:
        return HttpResponse(body=json.dumps(self.build_body()), status_code=200)


def error_response(
    status_code: int, *messages: str, errors_as: str = "list", headers: Mapping[str, str] | None = None
) -> HttpResponse:
    """Tempo's error body: `{"errors": [{"message": ...}, ...]}`,
    or `{"errors": {"message": ...}}` with errors_as="object"."""
    if errors_as == "list":
        body: Dict[str, Any] = {"errors": [{"message": message} for message in messages]}
    elif errors_as == "object":
        body = {"errors": {"message": messages[0]}}
    else:
        raise ValueError(f"errors_as must be 'list' or 'object', got {errors_as!r}")
    return HttpResponse(body=json.dumps(body), status_code=status_code, headers=dict(headers or {}))


def rate_limited_response(retry_after: str | None = None) -> HttpResponse:
    """HTTP 429, with a Retry-After header (seconds) when given."""
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    return error_response(429, "Rate limit exceeded", headers=headers)


def server_error_response(status_code: int = 503) -> HttpResponse:
    return HttpResponse(body=json.dumps({"errors": [{"message": "Service unavailable"}]}), status_code=status_code)


def html_response(status_code: int = 200) -> HttpResponse:
    """What a misconfigured proxy or a maintenance page answers: HTML, not JSON."""
    return HttpResponse(
        body="<html><body><h1>502 Bad Gateway</h1></body></html>",
        status_code=status_code,
        headers={"Content-Type": "text/html"},
    )


def catalog_record(stream: str, **fields: Any) -> Dict[str, Any]:
    """A record of one of the catalog streams (account-categories ... global-configuration) from its template,
    with the test's fields set; `self` follows an `id` or `key` given."""
    record = record_template(stream.replace("-", "_"))
    ident = fields.get("id", fields.get("key"))
    if ident is not None and "self" in record:
        record["self"] = f"{TEMPO_PUBLIC_API}/{stream}/{ident}"
    record.update(fields)
    return record


def body_response(body: Mapping[str, Any]) -> HttpResponse:
    """A 200 answer with any JSON body (periods' `{"periods": [...]}`, the global configuration's object)."""
    return HttpResponse(body=json.dumps(body), status_code=200)

"""TempoRequestBuilder: the HTTP requests the connector is expected to send, one factory per endpoint."""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta, timezone
from typing import Any, Dict

from airbyte_cdk.test.mock_http import HttpRequest

from source_tempo.cdk_internals import replace_request_body
from unit_tests.mock_server.config import API_TOKEN, GLOBAL_API_URL

ACCOUNT_STATUSES = ["OPEN", "CLOSED", "ARCHIVED"]
FIRST_SYNC_UPDATED_FROM = "1970-01-01T00:00:00Z"
NO_START_DATE = "1970-01-01"
UPDATED_ASCENDING = [{"field": "UPDATED", "order": "ASC"}]
WORKLOG_DELETIONS = {"entityType": ["worklog"], "action": ["Deleted"]}
PAPERTRAIL_LIMIT = 1000
WORKLOGS_LIMIT = 2500  # worklogs' page size when `page_size` is unset (other lists: 1000)


def ago(**delta: float) -> str:
    """A moment before now, in Tempo's UTC-second form."""
    return (datetime.now(timezone.utc) - timedelta(**delta)).strftime("%Y-%m-%dT%H:%M:%SZ")


class _FromWithinRetention(dict):
    """The body of a deletions read from 180 days ago (less an hour): `from` is taken from the clock while the
    read runs, so any second between the test's start and its end matches."""

    def __init__(self) -> None:
        super().__init__(WORKLOG_DELETIONS)
        self._earliest = ago(days=179, hours=23)

    def __eq__(self, other: Any) -> bool:
        body = dict(other or {})
        sent = body.pop("from", "")
        return body == dict(self) and self._earliest <= sent <= ago(days=179, hours=23)

    __hash__ = None  # type: ignore[assignment]


def worklog_deletions_request(deleted_from: str | None = None, token: str | None = None) -> HttpRequest:
    """The deletions request from `deleted_from`, or from the start of Tempo's 180-day retention when None."""
    builder = TempoRequestBuilder.worklog_deletions_endpoint(deleted_from or "")
    request = (builder.with_next_page_token(token) if token else builder).build()
    if deleted_from is None:
        replace_request_body(request, _FromWithinRetention())  # the builder's bodies are plain dicts
    return request


def today() -> date:
    """Today in UTC, as the connector's date windows see it."""
    return datetime.now(timezone.utc).date()


def years_from(day: date, years: int) -> date:
    """The same day `years` later (or earlier), 29 February becoming the 28th, as the manifest's duration('P1Y')."""
    year = day.year + years
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


def months_from(first_of_month: date, months: int) -> date:
    index = first_of_month.year * 12 + first_of_month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


class TempoRequestBuilder:
    """One request to Tempo: method, path under the base URL, query string, JSON body and bearer token.

    List endpoints send `limit` always and `offset` only after the first page; worklogs always send both.
    """

    @classmethod
    def accounts_endpoint(cls) -> TempoRequestBuilder:
        """POST /accounts/search: the search endpoint is the one that also returns ARCHIVED accounts."""
        return cls("post", "accounts/search").with_body({"statuses": list(ACCOUNT_STATUSES)})

    @classmethod
    def customers_endpoint(cls) -> TempoRequestBuilder:
        return cls("get", "customers")

    @classmethod
    def workload_schemes_endpoint(cls) -> TempoRequestBuilder:
        return cls("get", "workload-schemes")

    @classmethod
    def worklogs_endpoint(cls) -> TempoRequestBuilder:
        """POST /worklogs/search in UPDATED order; the first sync asks from the epoch, with offset 0."""
        return (
            cls("post", "worklogs/search")
            .with_offset(0)
            .with_body({"updatedFrom": FIRST_SYNC_UPDATED_FROM, "from": NO_START_DATE, "orderBy": UPDATED_ASCENDING})
        )

    @classmethod
    def teams_endpoint(cls) -> TempoRequestBuilder:
        return cls("get", "teams")

    @classmethod
    def plans_endpoint(
        cls, date_from: date | str, date_to: date | str, updated_from: str = FIRST_SYNC_UPDATED_FROM
    ) -> TempoRequestBuilder:
        """GET /plans overlapping [from, to], updated at or after updatedFrom (the cursor, epoch on a first sync),
        with each plan's daily breakdown (for plan-days, which sends the same requests)."""
        return (
            cls("get", "plans")
            .with_query("from", str(date_from))
            .with_query("to", str(date_to))
            .with_query("plannedTimeBreakdown", "DAILY")
            .with_query("updatedFrom", updated_from)
        )

    @classmethod
    def timesheet_approvals_endpoint(cls, team_id: int, period_from: date | str) -> TempoRequestBuilder:
        """GET /timesheet-approvals/team/{id}: one period, the one containing `from`; not paginated."""
        return cls("get", f"timesheet-approvals/team/{team_id}").with_query("from", str(period_from))

    @classmethod
    def holiday_schemes_endpoint(cls) -> TempoRequestBuilder:
        """GET /holiday-schemes: not paginated, so no limit either."""
        return cls("get", "holiday-schemes")

    @classmethod
    def holidays_endpoint(cls, scheme_id: int, year: int) -> TempoRequestBuilder:
        """GET /holiday-schemes/{id}/holidays for one year; not paginated."""
        return cls("get", f"holiday-schemes/{scheme_id}/holidays").with_query("year", str(year))

    @classmethod
    def holiday_scheme_members_endpoint(cls, scheme_id: int) -> TempoRequestBuilder:
        return cls("get", f"holiday-schemes/{scheme_id}/members")

    @classmethod
    def worklog_deletions_endpoint(cls, deleted_from: str) -> TempoRequestBuilder:
        """POST /papertrail/search for worklog deletions from `deleted_from`, 1000 (Tempo's maximum) per page."""
        return (
            cls("post", "papertrail/search")
            .with_limit(PAPERTRAIL_LIMIT)
            .with_body({**WORKLOG_DELETIONS, "from": deleted_from})
        )

    def __init__(self, method: str, path: str) -> None:
        self.method = method
        self._path = path
        self._base_url = GLOBAL_API_URL
        self._token = API_TOKEN
        self._query: Dict[str, str] = {}
        self._body: Dict[str, Any] | None = None

    def with_base_url(self, base_url: str) -> TempoRequestBuilder:
        self._base_url = base_url.rstrip("/")
        return self

    def with_token(self, token: str) -> TempoRequestBuilder:
        self._token = token
        return self

    def with_limit(self, limit: int) -> TempoRequestBuilder:
        self._query["limit"] = str(limit)
        return self

    def with_offset(self, offset: int) -> TempoRequestBuilder:
        self._query["offset"] = str(offset)
        return self

    def with_query(self, name: str, value: str) -> TempoRequestBuilder:
        self._query[name] = value
        return self

    def with_next_page_token(self, token: str) -> TempoRequestBuilder:
        """papertrail only: the token of the page to read, from the previous page's metadata."""
        return self.with_query("nextPageToken", token)

    def with_body(self, body: Dict[str, Any]) -> TempoRequestBuilder:
        self._body = dict(body)
        return self

    def with_updated_from(self, updated_from: str) -> TempoRequestBuilder:
        """worklogs only: the inclusive lower bound on updatedAt, 'YYYY-MM-DDTHH:MM:SSZ'."""
        self._body = {**(self._body or {}), "updatedFrom": updated_from}
        return self

    def with_to_date(self, to_date: str) -> TempoRequestBuilder:
        self._body = {**(self._body or {}), "to": to_date}
        return self

    def with_from_date(self, from_date: str) -> TempoRequestBuilder:
        """worklogs only: the lower bound on the worklog's startDate (config start_date)."""
        self._body = {**(self._body or {}), "from": from_date}
        return self

    @property
    def url(self) -> str:
        return f"{self._base_url}/{self._path}"

    def build(self) -> HttpRequest:
        return HttpRequest(
            url=self.url,
            query_params=dict(self._query) or None,
            headers={"Authorization": f"Bearer {self._token}"},
            body=self._body,
        )

"""TempoRequestBuilder: the HTTP requests the connector is expected to send, one factory per endpoint."""

from __future__ import annotations

from typing import Any, Dict

from airbyte_cdk.test.mock_http import HttpRequest

from unit_tests.mock_server.config import API_TOKEN, GLOBAL_API_URL

ACCOUNT_STATUSES = ["OPEN", "CLOSED", "ARCHIVED"]
FIRST_SYNC_UPDATED_FROM = "1970-01-01T00:00:00Z"
NO_START_DATE = "1970-01-01"
UPDATED_ASCENDING = [{"field": "UPDATED", "order": "ASC"}]


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

    def with_body(self, body: Dict[str, Any]) -> TempoRequestBuilder:
        self._body = dict(body)
        return self

    def with_updated_from(self, updated_from: str) -> TempoRequestBuilder:
        """worklogs only: the inclusive lower bound on updatedAt, 'YYYY-MM-DDTHH:MM:SSZ'."""
        self._body = {**(self._body or {}), "updatedFrom": updated_from}
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

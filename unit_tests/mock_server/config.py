"""ConfigBuilder: the connector config a test runs with."""

from __future__ import annotations

from typing import Any, Dict

API_TOKEN = "tempo-unit-test-token-9f2c41d7"
CLIENT_ID = "tempo-unit-client-3a9e"
CLIENT_SECRET = "tempo-unit-client-secret-71bd"
REFRESH_TOKEN = "tempo-unit-refresh-token-0c58"
GLOBAL_API_URL = "https://api.tempo.io/4"
REGION_API_URLS = {
    "global": GLOBAL_API_URL,
    "eu": "https://api.eu.tempo.io/4",
    "us": "https://api.us.tempo.io/4",
}


class ConfigBuilder:
    """Builds a source-tempo config; by default only a token, so the region's default host is used."""

    def __init__(self) -> None:
        # One worker: a first worklogs sync is then one partition, as the paging tests expect; the
        # partitioned first sync is tested with `with_num_workers`.
        self._config: Dict[str, Any] = {"api_token": API_TOKEN, "num_workers": 1}

    def with_api_token(self, token: str) -> ConfigBuilder:
        self._config["api_token"] = token
        return self

    def with_oauth(
        self,
        refresh_token: str = REFRESH_TOKEN,
        access_token: str | None = None,
        token_expiry_date: str | None = None,
    ) -> ConfigBuilder:
        """OAuth 2.0 `credentials` instead of the top-level `api_token`."""
        self._config.pop("api_token", None)
        credentials = {
            "auth_type": "oauth2.0",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "refresh_token": refresh_token,
        }
        if access_token is not None:
            credentials["access_token"] = access_token
        if token_expiry_date is not None:
            credentials["token_expiry_date"] = token_expiry_date
        self._config["credentials"] = credentials
        return self

    def with_credentials(self, credentials: Dict[str, Any]) -> ConfigBuilder:
        self._config["credentials"] = dict(credentials)
        return self

    def with_region(self, region: str) -> ConfigBuilder:
        self._config["region"] = region
        return self

    def with_api_url(self, api_url: str) -> ConfigBuilder:
        self._config["api_url"] = api_url
        return self

    def with_start_date(self, start_date: str) -> ConfigBuilder:
        self._config["start_date"] = start_date
        return self

    def with_page_size(self, page_size: Any) -> ConfigBuilder:
        self._config["page_size"] = page_size
        return self

    def with_lookback_window_minutes(self, minutes: int) -> ConfigBuilder:
        self._config["lookback_window_minutes"] = minutes
        return self

    def with_field(self, name: str, value: Any) -> ConfigBuilder:
        self._config[name] = value
        return self

    def without_field(self, name: str) -> ConfigBuilder:
        self._config.pop(name, None)
        return self

    def with_num_workers(self, workers: int) -> ConfigBuilder:
        self._config["num_workers"] = workers
        return self

    def without_tombstones(self) -> ConfigBuilder:
        """For worklogs tests about the worklogs requests alone: an incremental sync then reads no audit log."""
        self._config["worklog_tombstones"] = False
        return self

    def build(self) -> Dict[str, Any]:
        return dict(self._config)

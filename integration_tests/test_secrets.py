"""No command prints a secret, whatever goes wrong: spec, check, discover and read with faults on, for both
kinds of credentials. Secrets: the API token; the OAuth client secret and every refresh and access token the
sandbox issued. The one exception is the CONTROL message that hands the rotated config to Airbyte.
"""

from __future__ import annotations

import pytest

from integration_tests.connector_cli import Connector, assert_no_secrets, configured_catalog, run
from sandbox import TOKEN_OTHER_REGION

pytestmark = pytest.mark.slow
STREAMS = ["accounts", "customers", "workload-schemes", "worklogs", "teams"]


def test_no_secret_in_any_output_with_faults_on(tmp_path, auth, sandbox_factory):
    sandbox = sandbox_factory(
        fail_5xx_every=7,  # 503 with an HTML body, retried
        rate_limit_per_second=4,  # 429 with Retry-After, retried
        malformed_json_paths={"/4/customers"},  # half a JSON body: retried, then the stream fails naming the URL
        scope_denied_paths={"/4/teams"},  # 403: the stream fails
        fault_retry_after=0,  # the retries of faults wait a second each
    )
    connector = Connector(tmp_path, {**auth.config(sandbox), "api_url": sandbox.base_url, "page_size": 500})
    seen = {"records": 0}

    def expire_access_tokens(message, process):  # OAuth: the next requests get 401 and refresh
        if message["type"] == "RECORD":
            seen["records"] += 1
            if seen["records"] == 500:
                sandbox.oauth.expire_access_tokens()

    runs = {
        "spec": run(["spec"]),
        "check": connector.check(),
        "discover": connector.discover(),
        "read": connector.read(configured_catalog(STREAMS), on_line=expire_access_tokens),
    }
    if auth.kind == "api_token":
        (tmp_path / "refused").mkdir()
        refused = Connector(tmp_path / "refused", {"api_token": TOKEN_OTHER_REGION, "api_url": sandbox.base_url})
    else:
        sandbox.oauth.expire_access_tokens()
        for _ in range(10):  # a malformed token answer, again on every retry
            sandbox.oauth.fail_next(200, '{"access_token": "sbx-at-half')
        runs["check (malformed token answer)"] = connector.check()
        sandbox.oauth.clear_faults()
        sandbox.oauth.revoke_refresh_tokens()
        refused = connector
    runs["check (refused)"] = refused.check()
    runs["read (refused)"] = refused.read(configured_catalog(["workload-schemes"]))

    read = runs["read"]
    errors = " ".join(read.errors())
    # customers fails naming its URL; its last attempt may meet the every-7th 503 rather than the broken body
    assert "/4/customers" in errors and ("not valid JSON" in errors or "HTTP 503 at" in errors)
    assert "Stream teams" in errors and "permission or scope" in errors
    assert len(read.records("worklogs")) == len(sandbox.worklogs())
    statuses = sandbox.stats()["by_status"]
    assert statuses.get("429", 0) >= 1 and statuses.get("503", 0) >= 1 and statuses.get("403", 0) >= 1, statuses
    if auth.kind == "oauth2.0":
        assert statuses.get("401", 0) >= 1 and len(read.control_configs()) == 1  # check refreshed first
        assert runs["check (malformed token answer)"].of_type("CONNECTION_STATUS")[0]["connectionStatus"]["status"] == (
            "FAILED"
        )
    for name in ("check (refused)", "read (refused)"):
        assert runs[name].errors() or runs[name].of_type("CONNECTION_STATUS"), name
    assert runs["check (refused)"].of_type("CONNECTION_STATUS")[0]["connectionStatus"]["status"] == "FAILED"
    for name, result in runs.items():
        assert result.stdout, f"{name} printed nothing"
        assert_no_secrets(result, [*auth.secrets(sandbox), TOKEN_OTHER_REGION])

"""OAuth 2.0 against the sandbox's token endpoint, through the real `source-tempo` entrypoint.

Tempo rotates the refresh token on every refresh and the old one stops working at once, so a sync that
refreshes must hand the new one on: in a CONTROL message (how Airbyte stores it) and in the config file it
was started with (how the next `source-tempo read --config` finds it).
"""

from __future__ import annotations

import json

import pytest

from integration_tests.conftest import Auth
from integration_tests.connector_cli import Connector, assert_no_secrets, configured_catalog, run

pytestmark = pytest.mark.slow
OAUTH = Auth("oauth2.0")
STREAMS = ["accounts", "customers", "workload-schemes", "worklogs", "teams", "plans"]


def oauth_connector(tmp_path, sandbox, **config) -> Connector:
    return Connector(tmp_path, {**OAUTH.config(sandbox), "api_url": sandbox.base_url, **config})


def saved_config(connector: Connector) -> dict:
    with open(connector.config_path) as handle:
        return json.load(handle)


def test_first_sync_refreshes_once_and_saves_the_rotated_refresh_token(tmp_path, sandbox):
    connector = oauth_connector(tmp_path, sandbox)
    first_refresh_token = saved_config(connector)["credentials"]["refresh_token"]

    result = connector.read(configured_catalog(STREAMS))

    assert result.returncode == 0, result.errors()
    assert len(result.records("worklogs")) == len(sandbox.worklogs())
    assert sandbox.oauth.refresh_calls == 1
    saved = saved_config(connector)["credentials"]
    assert saved["refresh_token"] != first_refresh_token
    assert sandbox.oauth.live_refresh_tokens() == {saved["refresh_token"]}  # the old one no longer works
    assert sandbox.oauth.accepts(saved["access_token"]) and saved["token_expiry_date"]
    assert [config["credentials"] for config in result.control_configs()] == [saved]
    assert_no_secrets(result, OAUTH.secrets(sandbox))


def test_two_consecutive_syncs_each_rotate_and_the_second_uses_the_first_ones_token(tmp_path, sandbox):
    connector = oauth_connector(tmp_path, sandbox)
    catalog = configured_catalog(["worklogs", "customers"])
    tokens = [saved_config(connector)["credentials"]["refresh_token"]]

    for _ in range(2):
        sandbox.oauth.expire_access_tokens()  # the saved access token's 60 days are over: refresh again
        result = connector.read(catalog, state=None)
        assert result.returncode == 0, result.errors()
        assert len(result.records("worklogs")) == len(sandbox.worklogs())
        tokens.append(saved_config(connector)["credentials"]["refresh_token"])
        assert [c["credentials"]["refresh_token"] for c in result.control_configs()] == [tokens[-1]]

    assert sandbox.oauth.received_refresh_tokens == tokens[:2]  # each sync sent the token the previous one saved
    assert sandbox.oauth.live_refresh_tokens() == {tokens[-1]}
    assert sandbox.oauth.stats()["rejected"] == 0


def test_a_saved_access_token_is_used_without_refreshing(tmp_path, sandbox):
    connector = oauth_connector(tmp_path, sandbox)
    assert connector.check().of_type("CONNECTION_STATUS")[0]["connectionStatus"]["status"] == "SUCCEEDED"
    assert sandbox.oauth.refresh_calls == 1

    result = connector.read(configured_catalog(["customers"]))

    assert result.returncode == 0, result.errors()
    assert sandbox.oauth.refresh_calls == 1 and result.control_configs() == []


def test_access_token_expiring_mid_sync_is_refreshed_and_nothing_is_lost(tmp_path, sandbox):
    connector = oauth_connector(tmp_path, sandbox, page_size=200, num_workers=1)
    seen = {"records": 0}

    def expire_once(message, process):
        if message["type"] == "RECORD":
            seen["records"] += 1
            if seen["records"] == 1000:
                sandbox.oauth.expire_access_tokens()

    result = connector.read(configured_catalog(["worklogs"]), on_line=expire_once)

    assert result.returncode == 0, result.errors()
    ids = [record["tempoWorklogId"] for record in result.records()]
    assert sorted(ids) == sorted(w["tempoWorklogId"] for w in sandbox.worklogs())
    assert sandbox.oauth.refresh_calls == 2  # the first one, then one after the expiry
    assert sandbox.stats()["by_status"].get("401", 0) >= 1
    assert len(result.control_configs()) == 2
    assert sandbox.oauth.live_refresh_tokens() == {saved_config(connector)["credentials"]["refresh_token"]}


def test_concurrent_workers_hitting_expiry_together_refresh_exactly_once(tmp_path, sandbox_factory):
    # Latency keeps several requests of the 5 workers in flight when the token expires.
    sandbox = sandbox_factory(latency_seconds=0.05)
    connector = oauth_connector(tmp_path, sandbox, page_size=100, num_workers=5, requests_per_second=100)
    assert connector.check().of_type("CONNECTION_STATUS")[0]["connectionStatus"]["status"] == "SUCCEEDED"
    assert sandbox.oauth.refresh_calls == 1
    seen = {"records": 0}

    def expire_when_busy(message, process):
        if message["type"] == "RECORD":
            seen["records"] += 1
            if seen["records"] == 300:
                sandbox.oauth.expire_access_tokens()

    sandbox.reset_stats()
    result = connector.read(configured_catalog(STREAMS), on_line=expire_when_busy)

    assert result.returncode == 0, result.errors()
    assert sorted(r["tempoWorklogId"] for r in result.records("worklogs")) == sorted(
        w["tempoWorklogId"] for w in sandbox.worklogs()
    )
    assert sandbox.stats()["by_status"].get("401", 0) >= 2, sandbox.stats()  # several workers were refused...
    assert sandbox.oauth.refresh_calls == 2  # ...and one of them refreshed (plus check's refresh)
    assert sandbox.oauth.stats()["rejected"] == 0  # nobody sent a refresh token that had been rotated away
    assert len(result.control_configs()) == 1


def test_revoked_refresh_token_fails_check_and_read_saying_so(tmp_path, sandbox):
    connector = oauth_connector(tmp_path, sandbox)
    sandbox.oauth.revoke_refresh_tokens()

    check = connector.check()
    read = connector.read(configured_catalog(["customers"]))

    status = check.of_type("CONNECTION_STATUS")[0]["connectionStatus"]
    assert status["status"] == "FAILED"
    assert "Tempo refused the OAuth refresh token (invalid_grant" in status["message"]
    assert read.returncode != 0 and read.records() == []
    assert any("revoked" in error and "Authenticate the source again" in error for error in read.errors())
    for result in (check, read):
        assert result.control_configs() == []
        assert_no_secrets(result, OAUTH.secrets(sandbox))


def test_wrong_client_secret_fails_check_naming_the_client_fields(tmp_path, sandbox):
    config = OAUTH.config(sandbox)
    config["credentials"]["client_secret"] = "not-the-secret-4242"
    result = Connector(tmp_path, {**config, "api_url": sandbox.base_url}).check()

    status = result.of_type("CONNECTION_STATUS")[0]["connectionStatus"]
    assert status["status"] == "FAILED"
    assert "`credentials.client_id` and `credentials.client_secret`" in status["message"]
    assert_no_secrets(result, ["not-the-secret-4242", *OAUTH.secrets(sandbox)])


@pytest.mark.parametrize(
    "fault, body",
    [(503, "<html>unavailable</html>"), (429, '{"error": "slow_down"}')],
)
def test_a_transient_token_endpoint_fault_is_retried(tmp_path, sandbox, fault, body):
    sandbox.oauth.fail_next(fault, body)
    result = oauth_connector(tmp_path, sandbox).read(configured_catalog(["customers"]))

    assert result.returncode == 0, result.errors()
    assert sandbox.oauth.refresh_calls == 2


def test_spec_offers_both_kinds_with_the_oauth_consent():
    spec = run(["spec"]).of_type("SPEC")[0]["spec"]
    consent = spec["advanced_auth"]["oauth_config_specification"]["oauth_connector_input_specification"]
    assert consent["consent_url"].startswith("https://api.tempo.io/oauth/authorize/redirect?")
    assert "jira_url=" in consent["consent_url"]
    assert spec["advanced_auth"]["predicate_key"] == ["credentials", "auth_type"]
    assert spec["advanced_auth"]["predicate_value"] == "oauth2.0"

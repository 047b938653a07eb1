"""OAuth 2.0 credentials: the refresh with Tempo's rotating refresh tokens, refresh on 401, refused refreshes,
and which credentials win. The whole-sync cases (expiry mid-sync, concurrent workers, consecutive syncs, the
config file) run against the sandbox in integration_tests/test_oauth.py.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List
from urllib.parse import urlencode

import pytest
import requests
from airbyte_cdk.models import FailureType, Status
from airbyte_cdk.test.entrypoint_wrapper import read
from airbyte_cdk.test.mock_http import HttpMocker, HttpRequest, HttpResponse

from source_tempo import SourceTempo
from source_tempo.components.auth import refused_refresh
from unit_tests.conftest import catalog_for, error_messages, ids_of, read_streams, run_check
from unit_tests.mock_server.config import API_TOKEN, CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, ConfigBuilder
from unit_tests.mock_server.probes import mock_check
from unit_tests.mock_server.request_builder import TempoRequestBuilder
from unit_tests.mock_server.response_builder import TempoPageBuilder, error_response, workload_scheme
from unit_tests.mock_server.test_config import _failed_status_message, _run_console, network  # noqa: F401

TOKEN_URL = "https://api.tempo.io/oauth/token/"
_STREAM = "workload-schemes"
_FUTURE = "2999-01-01T00:00:00+00:00"


def token_request(refresh_token: str = REFRESH_TOKEN, url: str = TOKEN_URL) -> HttpRequest:
    """Tempo's refresh: form-encoded grant, client credentials and the current refresh token."""
    form = {
        "grant_type": "refresh_token",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "refresh_token": refresh_token,
    }
    return HttpRequest(url=url, body=urlencode(form))


def token_response(access_token: str, refresh_token: str, expires_in: int = 5184000) -> HttpResponse:
    body = {
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": expires_in,
        "refresh_token": refresh_token,
    }
    return HttpResponse(body=json.dumps(body), status_code=200)


def token_error(status: int, error: str) -> HttpResponse:
    return HttpResponse(body=json.dumps({"error": error, "error_description": "refused"}), status_code=status)


def schemes_request(token: str, base_url: str = "https://api.tempo.io/4") -> HttpRequest:
    return (
        TempoRequestBuilder.workload_schemes_endpoint()
        .with_base_url(base_url)
        .with_token(token)
        .with_limit(1000)
        .build()
    )


def schemes_page() -> HttpResponse:
    return TempoPageBuilder.workload_schemes().with_records([workload_scheme(1), workload_scheme(2)]).build()


def control_configs(stdout: str) -> List[Dict[str, Any]]:
    """The configs of the CONTROL messages the authenticator printed: how Airbyte learns the new tokens."""
    configs = []
    for line in stdout.splitlines():
        if line.startswith("{") and '"CONTROL"' in line:
            configs.append(json.loads(line)["control"]["connectorConfig"]["config"])
    return configs


def test_first_request_refreshes_and_the_rotated_refresh_token_is_emitted(http_mocker: HttpMocker, capsys) -> None:
    http_mocker.post(token_request(), token_response("access-1", "refresh-2"))
    http_mocker.get(schemes_request("access-1"), schemes_page())

    output = read_streams(ConfigBuilder().with_oauth().build(), _STREAM)

    assert ids_of(output, _STREAM) == [1, 2]
    configs = control_configs(capsys.readouterr().out)
    assert len(configs) == 1
    credentials = configs[0]["credentials"]
    assert credentials["refresh_token"] == "refresh-2" and credentials["access_token"] == "access-1"
    assert credentials["token_expiry_date"] > "2026"  # now + 60 days, saved so that the next sync reuses it


@pytest.mark.parametrize("region, host", [("eu", "https://api.eu.tempo.io"), ("us", "https://api.us.tempo.io")])
def test_the_token_endpoint_is_the_region_host(http_mocker: HttpMocker, region: str, host: str) -> None:
    http_mocker.post(token_request(url=f"{host}/oauth/token/"), token_response("access-1", "refresh-2"))
    http_mocker.get(schemes_request("access-1", f"{host}/4"), schemes_page())

    output = read_streams(ConfigBuilder().with_oauth().with_region(region).build(), _STREAM)

    assert ids_of(output, _STREAM) == [1, 2]


def test_a_proxy_api_url_does_not_move_the_token_endpoint(http_mocker: HttpMocker) -> None:
    """Client secret and refresh token go to Tempo's own host, never to the host named in `api_url`."""
    http_mocker.post(token_request(), token_response("access-1", "refresh-2"))
    http_mocker.get(schemes_request("access-1", "https://tempo-proxy.example.com/4"), schemes_page())

    output = read_streams(
        ConfigBuilder().with_oauth().with_api_url("https://tempo-proxy.example.com/4").build(), _STREAM
    )

    assert ids_of(output, _STREAM) == [1, 2]


def test_a_saved_access_token_is_used_until_it_expires(http_mocker: HttpMocker, capsys) -> None:
    http_mocker.get(schemes_request("saved-access"), schemes_page())  # no token request is mocked: none may be sent

    output = read_streams(
        ConfigBuilder().with_oauth(access_token="saved-access", token_expiry_date=_FUTURE).build(), _STREAM
    )

    assert ids_of(output, _STREAM) == [1, 2]
    assert control_configs(capsys.readouterr().out) == []


def test_an_expired_access_token_is_refreshed_before_the_first_request(http_mocker: HttpMocker) -> None:
    http_mocker.post(token_request(), token_response("access-1", "refresh-2"))
    http_mocker.get(schemes_request("access-1"), schemes_page())

    output = read_streams(
        ConfigBuilder().with_oauth(access_token="old-access", token_expiry_date="2020-01-01T00:00:00+00:00").build(),
        _STREAM,
    )

    assert ids_of(output, _STREAM) == [1, 2]


def test_a_401_refreshes_once_and_sends_the_request_again(http_mocker: HttpMocker, retry_waits, capsys) -> None:
    """Tempo may refuse an access token before its recorded expiry (revoked, or another sync refreshed).

    The request is sent again by the CDK's HTTP client, as a retry of the error handler (one backoff wait),
    not behind its back."""
    refresh = token_request()
    refused, accepted = schemes_request("saved-access"), schemes_request("access-1")
    http_mocker.get(refused, error_response(401, "The access token is invalid"))
    http_mocker.post(refresh, token_response("access-1", "refresh-2"))
    http_mocker.get(accepted, schemes_page())

    output = read_streams(
        ConfigBuilder().with_oauth(access_token="saved-access", token_expiry_date=_FUTURE).build(), _STREAM
    )

    assert ids_of(output, _STREAM) == [1, 2]
    http_mocker.assert_number_of_calls(refresh, 1)
    http_mocker.assert_number_of_calls(refused, 1)
    http_mocker.assert_number_of_calls(accepted, 1)
    assert len(retry_waits) == 1, retry_waits
    assert [c["credentials"]["refresh_token"] for c in control_configs(capsys.readouterr().out)] == ["refresh-2"]


def test_a_401_right_after_a_refresh_fails_the_stream_without_refreshing_again(
    http_mocker: HttpMocker, retry_waits
) -> None:
    """The CDK's HTTP client refreshes at most once per request; the error is the manifest's (application,
    region), not the CDK's generic one, and it stops the sync: every stream signs in the same way."""
    refresh = token_request()
    http_mocker.get(schemes_request("saved-access"), error_response(401, "The access token is invalid"))
    http_mocker.post(refresh, token_response("access-1", "refresh-2"))
    resent = schemes_request("access-1")
    http_mocker.get(resent, error_response(401, "The access token is invalid"))

    config = ConfigBuilder().with_oauth(access_token="saved-access", token_expiry_date=_FUTURE).build()
    output = read_streams(config, _STREAM, expect_failure=True)

    http_mocker.assert_number_of_calls(refresh, 1)
    http_mocker.assert_number_of_calls(resent, 1)
    error = output.errors[0].trace.error
    assert error.message.startswith("Tempo rejected the OAuth access token, even just after refreshing it (HTTP 401 at")
    assert "`region`" in error.message and "Refreshed OAuth" not in error_messages(output)
    assert error.failure_type == FailureType.config_error
    assert output.errors[-1].trace.error.message.endswith(
        "The sync stopped at this error: no stream can be read until it is fixed."
    )


@pytest.mark.parametrize(
    "status, error, expected",
    [
        (400, "invalid_grant", "Tempo refused the OAuth refresh token (invalid_grant"),
        (401, "invalid_client", "check `credentials.client_id` and `credentials.client_secret`"),
        (400, "invalid_request", "Tempo's token endpoint refused to refresh the OAuth access token (HTTP 400"),
    ],
)
def test_a_refused_refresh_says_whether_the_refresh_token_or_the_client_is_wrong(
    http_mocker: HttpMocker, status: int, error: str, expected: str
) -> None:
    http_mocker.post(token_request(), token_error(status, error))

    output = read_streams(ConfigBuilder().with_oauth().build(), _STREAM, expect_failure=True)

    messages = error_messages(output)
    assert any(expected in message for message in messages), messages
    assert output.errors[0].trace.error.failure_type == FailureType.config_error
    text = json.dumps(messages)
    assert CLIENT_SECRET not in text and REFRESH_TOKEN not in text


@pytest.mark.parametrize("status", [429, 503])
def test_a_token_endpoint_that_keeps_failing_is_a_transient_error_to_retry_later(status: int) -> None:
    """The CDK retries 429 and 5xx of the token endpoint for 5 minutes; what is left is not the user's config."""
    response = requests.Response()
    response.status_code = status
    response._content = b"<html>unavailable</html>"

    error = refused_refresh(response, TOKEN_URL)

    assert error.failure_type == FailureType.transient_error
    assert f"HTTP {status} at {TOKEN_URL}" in error.message and "run the sync again later" in error.message


def test_the_rotated_tokens_are_saved_to_the_config_file(http_mocker: HttpMocker, tmp_path, capsys) -> None:
    """Saved where the source was started from, so that `source-tempo read --config` finds them next time."""
    http_mocker.post(token_request(), token_response("access-1", "refresh-2"))
    http_mocker.get(schemes_request("access-1"), schemes_page())
    config = ConfigBuilder().with_oauth().build()
    config_file = tmp_path / "config.json"
    config_file.write_text(json.dumps(config))
    catalog = catalog_for(_STREAM)

    source = SourceTempo(catalog=catalog, config=dict(config), config_path=str(config_file))
    output = read(source, config=config, catalog=catalog)

    assert ids_of(output, _STREAM) == [1, 2]
    saved = json.loads(config_file.read_text())
    assert saved["credentials"]["refresh_token"] == "refresh-2" and saved["credentials"]["access_token"] == "access-1"
    assert control_configs(capsys.readouterr().out) == [saved]
    assert list(tmp_path.iterdir()) == [config_file]  # no temporary file left behind


def test_check_with_a_revoked_refresh_token_fails_saying_so(http_mocker: HttpMocker) -> None:
    http_mocker.post(token_request(), token_error(400, "invalid_grant"))

    output = run_check(ConfigBuilder().with_oauth().build())

    message = _failed_status_message(output)
    assert "revoked" in message and "Authenticate the source again" in message, message
    assert REFRESH_TOKEN not in message and CLIENT_SECRET not in message


def test_an_api_token_refused_with_401_fails_at_once_naming_the_host(http_mocker: HttpMocker, retry_waits) -> None:
    """An API token cannot be refreshed: the error handler's refresh-then-retry ends at the first 401."""
    refused = schemes_request(API_TOKEN, "https://api.eu.tempo.io/4")
    http_mocker.get(refused, error_response(401, "The access token is invalid"))

    output = read_streams(ConfigBuilder().with_region("eu").build(), _STREAM, expect_failure=True)

    error = output.errors[0].trace.error
    assert "Tempo rejected the API token (HTTP 401 at https://api.eu.tempo.io/4)" in error.message
    assert "`region`" in error.message and error.failure_type == FailureType.config_error
    http_mocker.assert_number_of_calls(refused, 1)
    assert retry_waits == []


def test_credentials_win_over_the_older_top_level_api_token(http_mocker: HttpMocker) -> None:
    http_mocker.post(token_request(), token_response("access-1", "refresh-2"))
    http_mocker.get(schemes_request("access-1"), schemes_page())

    config = ConfigBuilder().with_oauth().with_field("api_token", API_TOKEN).build()
    output = read_streams(config, _STREAM)

    assert ids_of(output, _STREAM) == [1, 2]


def test_api_token_credentials_are_read_like_the_older_top_level_token(http_mocker: HttpMocker) -> None:
    http_mocker.get(schemes_request("credentials-token"), schemes_page())

    config = ConfigBuilder().with_credentials({"auth_type": "api_token", "api_token": "credentials-token"}).build()
    output = read_streams(config, _STREAM)

    assert ids_of(output, _STREAM) == [1, 2]


# --- config errors of the OAuth shape: refused naming the field, before any request -----------------------

_OAUTH_INVALID = [
    ("client_secret", None, "`credentials.client_secret` is required"),
    ("client_id", "", "`credentials.client_id`"),
    ("refresh_token", None, "`credentials.refresh_token` is required"),
    ("auth_type", "basic", "`credentials.auth_type` must be one of api_token, oauth2.0"),
    ("jira_url", "http://your-site.atlassian.net", "`credentials.jira_url` must look like"),
]


@pytest.mark.parametrize("name, value, expected", _OAUTH_INVALID, ids=[case[0] for case in _OAUTH_INVALID])
def test_console_check_refuses_an_oauth_field_before_any_request(tmp_path, network, name, value, expected) -> None:  # noqa: F811
    config = ConfigBuilder().with_oauth().build()
    if value is None:
        config["credentials"].pop(name)
    else:
        config["credentials"][name] = value

    output, exit_code = _run_console(tmp_path, "check", config)

    message = _failed_status_message(output)
    assert expected in message, message
    assert CLIENT_SECRET not in message and REFRESH_TOKEN not in message
    assert network.call_count == 0
    assert exit_code == 0


def test_console_check_names_credentials_when_there_is_no_token(tmp_path, network) -> None:  # noqa: F811
    output, _ = _run_console(tmp_path, "check", ConfigBuilder().without_field("api_token").build())

    assert "Config field `credentials` is required" in _failed_status_message(output)
    assert network.call_count == 0


def test_check_succeeds_with_oauth(http_mocker: HttpMocker) -> None:
    mock_check(http_mocker, token="access-1")
    # last, so that it is tried first: the check's JSON-body matchers cannot parse the token request's form body
    http_mocker.post(token_request(), token_response("access-1", "refresh-2"))

    output = run_check(ConfigBuilder().with_oauth().build())

    assert output.connection_status_messages[-1].connectionStatus.status == Status.SUCCEEDED

"""No secret in any output, in any form, for every kind of secret a config holds.

Each secret is pasted with whitespace around it (as copied from a web page or a terminal): it must be sent
without it (a token with its newline made an invalid header, whose error printed the token escaped). And each
holds the characters that escaping and URL-encoding change (`/ + = % " \\`). The mocked Tempo refuses every
request, quoting every secret of the config in its answer: as it is, in a repr, URL-encoded, in JSON. The connector
prints that answer in traces, logs (debug logging is on: every response is logged) and the check's status, where
the CDK nests it in its own reprs and JSON. The commands run through the `source-tempo` console script; nothing
it prints (messages, logs, stderr) may hold any part of a secret, whichever way it was escaped. (CONTROL messages,
which hand the config to Airbyte, are the one exception by design; no token is rotated here.)
"""

from __future__ import annotations

import json
import re
from typing import Any, Dict, Iterable, List
from urllib.parse import quote, quote_plus, urlencode

import pytest
from airbyte_cdk.test.mock_http import HttpMocker, HttpRequest, HttpResponse

from unit_tests.conftest import all_output_text
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.probes import core_check_request
from unit_tests.mock_server.request_builder import TempoRequestBuilder
from unit_tests.mock_server.response_builder import error_response
from unit_tests.mock_server.test_config import _run_console

TOKEN_URL = "https://api.tempo.io/oauth/token/"
_FUTURE = "2999-01-01T00:00:00+00:00"


def _secret(kind: str) -> str:
    """A secret of one kind: two runs of letters and digits around the characters that escaping and URL-encoding
    change. Whatever form a secret is printed in, escaped once or twice or encoded, its runs stay as they are."""
    name = kind.replace("_", "")
    return f'{name}7f3a9c41/+=%"\\8d2b6e0{name}'


def _pasted(secret: str) -> str:
    return f"  {secret}\n"


def quoted(secret: str) -> str:
    """How a server may quote a secret it received: as it is, in the repr of the header it came in (requests'
    invalid-header error does that), URL-encoded (from a query string or a form body), and in a JSON text."""
    forms = [
        secret,
        repr(f"Bearer {secret}"),
        quote(secret, safe=""),
        quote_plus(secret),
        json.dumps({"token": secret}),
    ]
    return " | ".join(forms)


def pieces(secret: str) -> List[str]:
    """The parts of a secret that every form of it contains, however often it was escaped or encoded."""
    return [piece for piece in re.findall(r"[A-Za-z0-9]+", secret) if len(piece) >= 5]


def echo(secrets: Iterable[str]) -> HttpResponse:
    """Tempo's 400 answer, quoting every secret in every way."""
    return error_response(400, " | ".join(quoted(secret) for secret in secrets))


def _printed(tmp_path, capfd, command: str, config: Dict[str, Any], streams=()) -> str:
    """Everything a command printed: its messages, and whatever else reached stdout or stderr."""
    folder = tmp_path / command
    folder.mkdir()
    output, _ = _run_console(folder, command, config, streams=streams, debug=True)
    captured = capfd.readouterr()
    return "\n".join([all_output_text(output), captured.out, captured.err])


def _assert_no_secret(text: str, secrets: Iterable[str]) -> None:
    leaked = sorted({piece for secret in secrets for piece in pieces(secret) if piece in text})
    assert not leaked, f"parts of secrets printed: {leaked}"


_API_TOKEN_KINDS = {
    "credentials.api_token": lambda token: (
        ConfigBuilder()
        .with_credentials({"auth_type": "api_token", "api_token": _pasted(token)})
        .without_field("api_token")
    ),
    "api_token (older shape)": lambda token: ConfigBuilder().with_api_token(_pasted(token)),
}


@pytest.mark.parametrize("kind", list(_API_TOKEN_KINDS))
def test_an_api_token_is_not_printed_in_any_form(tmp_path, capfd, http_mocker: HttpMocker, kind: str) -> None:
    token = _secret("apitoken")
    config = _API_TOKEN_KINDS[kind](token).build()
    # the token is sent as it is meant to be (without the whitespace), and Tempo answers by quoting it
    http_mocker.post(core_check_request(token=token), echo([token]))
    http_mocker.get(
        TempoRequestBuilder.workload_schemes_endpoint().with_token(token).with_limit(1000).build(), echo([token])
    )

    printed = {
        command: _printed(tmp_path, capfd, command, config, ("workload-schemes",))
        for command in ("spec", "check", "discover", "read")
    }

    assert "Tempo refused the request" in printed["check"] and "Tempo refused the request" in printed["read"]
    for text in printed.values():
        _assert_no_secret(text, [token])


def test_oauth_secrets_are_not_printed_in_any_form(tmp_path, capfd, http_mocker: HttpMocker) -> None:
    """The client credentials, the refresh token and a saved access token, used for the requests."""
    secrets = {name: _secret(name) for name in ("client_id", "client_secret", "refresh_token", "access_token")}
    config = (
        ConfigBuilder()
        .with_credentials(
            {
                "auth_type": "oauth2.0",
                **{name: _pasted(value) for name, value in secrets.items()},
                "token_expiry_date": _FUTURE,
            }
        )
        .without_field("api_token")
        .build()
    )
    access = secrets["access_token"]
    http_mocker.post(core_check_request(token=access), echo(secrets.values()))
    http_mocker.get(
        TempoRequestBuilder.workload_schemes_endpoint().with_token(access).with_limit(1000).build(),
        echo(secrets.values()),
    )

    printed = {
        command: _printed(tmp_path, capfd, command, config, ("workload-schemes",))
        for command in ("spec", "check", "discover", "read")
    }

    assert "Tempo refused the request" in printed["check"] and "Tempo refused the request" in printed["read"]
    for text in printed.values():
        _assert_no_secret(text, secrets.values())


def test_oauth_secrets_sent_to_the_token_endpoint_are_not_printed_in_any_form(
    tmp_path, capfd, http_mocker: HttpMocker
) -> None:
    """Without an access token, the client credentials and the refresh token go to Tempo's token endpoint,
    URL-encoded in a form body; Tempo refuses them and quotes them back."""
    secrets = {name: _secret(name) for name in ("client_id", "client_secret", "refresh_token")}
    config = (
        ConfigBuilder()
        .with_credentials({"auth_type": "oauth2.0", **{name: _pasted(value) for name, value in secrets.items()}})
        .without_field("api_token")
        .build()
    )
    form = urlencode({"grant_type": "refresh_token", **secrets})
    description = " | ".join(quoted(secret) for secret in secrets.values())
    refused = HttpResponse(
        body=json.dumps({"error": "invalid_grant", "error_description": description}), status_code=400
    )
    http_mocker.post(HttpRequest(url=TOKEN_URL, body=form), refused)

    printed = {
        command: _printed(tmp_path, capfd, command, config, ("workload-schemes",)) for command in ("check", "read")
    }

    assert (
        "refused the OAuth refresh token" in printed["check"] and "refused the OAuth refresh token" in printed["read"]
    )
    for text in printed.values():
        _assert_no_secret(text, secrets.values())

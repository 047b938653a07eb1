"""check with `jira`: Tempo's check as before, then Jira's GET /rest/api/3/myself; the message says which refused."""

from __future__ import annotations

import json

from airbyte_cdk.models import Status
from airbyte_cdk.test.mock_http import HttpMocker, HttpResponse

from unit_tests.conftest import all_output_text, run_check
from unit_tests.mock_server.jira_builders import JIRA_TOKEN, jira_config, jira_error, myself_request, user
from unit_tests.mock_server.probes import mock_check
from unit_tests.mock_server.response_builder import error_response


def _status(output):
    return output.connection_status_messages[-1].connectionStatus


def test_check_with_jira_asks_jira_who_the_token_is(http_mocker: HttpMocker) -> None:
    mock_check(http_mocker)
    myself = myself_request()
    http_mocker.get(myself, HttpResponse(json.dumps(user("5b10", "Ada Lovelace")), 200))

    output = run_check(jira_config())

    assert _status(output).status == Status.SUCCEEDED
    http_mocker.assert_number_of_calls(myself, 1)


def test_check_fails_saying_jira_refused_the_jira_credentials(http_mocker: HttpMocker) -> None:
    mock_check(http_mocker, with_probes=False)
    http_mocker.get(myself_request(), jira_error(401, "Client must be authenticated to access this resource."))

    output = run_check(jira_config())

    status = _status(output)
    assert status.status == Status.FAILED
    assert status.message.startswith("Tempo accepted the connection, but Jira refused the `jira` credentials (HTTP 401")
    assert "`jira.email`" in status.message and "`jira.api_token`" in status.message
    assert JIRA_TOKEN not in all_output_text(output)


def test_check_names_tempo_when_tempo_refuses_and_does_not_ask_jira(http_mocker: HttpMocker) -> None:
    mock_check(http_mocker, core=error_response(401, "Unauthorized"), with_probes=False)

    output = run_check(jira_config())

    status = _status(output)
    assert status.status == Status.FAILED
    assert "Tempo" in status.message and "Jira" not in status.message

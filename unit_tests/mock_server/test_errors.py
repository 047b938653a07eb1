"""What a user sees when Tempo answers with an error: which errors are retried, how long the connector
waits, which message names the problem, and that the API token never shows up in any output.

Waits are recorded, not slept (see the `retry_waits` fixture in conftest.py); the CDK sleeps one second
longer than the backoff it computed, so a wait of N seconds is recorded as N..N+1.
"""

from __future__ import annotations

from typing import List

import pytest
from airbyte_cdk.models import AirbyteStreamStatus, FailureType
from airbyte_cdk.test.mock_http import HttpMocker, HttpResponse

from unit_tests.conftest import (
    all_output_text,
    assert_no_errors,
    error_messages,
    ids_of,
    read_streams,
    stream_error_messages,
)
from unit_tests.mock_server.config import API_TOKEN, ConfigBuilder
from unit_tests.mock_server.request_builder import WORKLOGS_LIMIT, TempoRequestBuilder
from unit_tests.mock_server.response_builder import (
    TempoPageBuilder,
    customer,
    error_response,
    html_response,
    rate_limited_response,
    server_error_response,
    workload_scheme,
    worklog,
)


def _customers():
    return TempoRequestBuilder.customers_endpoint().with_limit(1000).build()


def _workload_schemes():
    return TempoRequestBuilder.workload_schemes_endpoint().with_limit(1000).build()


def _customers_page():
    return TempoPageBuilder.customers().with_records([customer(1), customer(2)]).build()


def _failure_types(output) -> List[FailureType]:
    return [message.trace.error.failure_type for message in output.errors]


def test_401_is_one_config_error_about_the_token_and_is_not_retried(http_mocker: HttpMocker, retry_waits) -> None:
    """A rejected token is not the stream's problem: the sync stops with one error, not one per stream."""
    request = _customers()
    http_mocker.get(request, error_response(401, "The access token is invalid"))

    output = read_streams(ConfigBuilder().build(), "customers", expect_failure=True)

    messages = error_messages(output)
    assert len(messages) == 1, messages
    assert "token" in messages[0] and "wrong, expired" in messages[0] and "region" in messages[0]
    assert "The sync stopped at this error" in messages[0]
    assert _failure_types(output) == [FailureType.config_error]
    http_mocker.assert_number_of_calls(request, 1)
    assert retry_waits == []


def test_403_names_the_stream_and_the_other_streams_still_sync(http_mocker: HttpMocker) -> None:
    http_mocker.get(_customers(), error_response(403, "Missing scope customers:read"))
    http_mocker.get(_workload_schemes(), TempoPageBuilder.workload_schemes().with_records([workload_scheme(4)]).build())

    output = read_streams(ConfigBuilder().build(), "customers", "workload-schemes", expect_failure=True)

    messages = stream_error_messages(output, "customers")
    assert messages, error_messages(output)
    assert "Stream customers" in messages[0] and "permission" in messages[0] and "scope" in messages[0]
    assert ids_of(output, "workload-schemes") == [4]
    assert output.get_stream_statuses("workload-schemes")[-1] == AirbyteStreamStatus.COMPLETE
    assert output.get_stream_statuses("customers")[-1] == AirbyteStreamStatus.INCOMPLETE
    assert output.errors  # the sync as a whole ends failed


def test_403_on_worklogs_names_worklogs(http_mocker: HttpMocker) -> None:
    http_mocker.post(
        TempoRequestBuilder.worklogs_endpoint().with_limit(WORKLOGS_LIMIT).build(), error_response(403, "Forbidden")
    )

    output = read_streams(ConfigBuilder().build(), "worklogs", expect_failure=True)

    messages = stream_error_messages(output, "worklogs")
    assert messages and "Stream worklogs" in messages[0] and "permission" in messages[0]


def test_429_waits_retry_after_then_retries(http_mocker: HttpMocker, retry_waits) -> None:
    request = _customers()
    http_mocker.get(request, [rate_limited_response(retry_after="3"), _customers_page()])

    output = read_streams(ConfigBuilder().build(), "customers")

    assert_no_errors(output)
    assert ids_of(output, "customers") == [1, 2]
    assert len(retry_waits) == 1 and 3 <= retry_waits[0] <= 4, retry_waits
    http_mocker.assert_number_of_calls(request, 2)


def test_429_without_retry_after_waits_at_least_one_second_then_longer(http_mocker: HttpMocker, retry_waits) -> None:
    request = _customers()
    http_mocker.get(request, [rate_limited_response(), rate_limited_response(), _customers_page()])

    output = read_streams(ConfigBuilder().build(), "customers")

    assert_no_errors(output)
    assert ids_of(output, "customers") == [1, 2]
    assert len(retry_waits) == 2 and 1 <= retry_waits[0] <= 2 < retry_waits[1], retry_waits
    http_mocker.assert_number_of_calls(request, 3)


def test_429_that_never_ends_fails_the_stream_after_five_waits(http_mocker: HttpMocker, retry_waits) -> None:
    request = _customers()
    http_mocker.get(request, rate_limited_response(retry_after="1"))

    output = read_streams(ConfigBuilder().build(), "customers", expect_failure=True)

    http_mocker.assert_number_of_calls(request, 6)
    assert len(retry_waits) == 5
    assert stream_error_messages(output, "customers")
    assert FailureType.transient_error in _failure_types(output)


@pytest.mark.parametrize("status_code", [500, 502, 503, 504])
def test_server_error_is_retried_then_succeeds(http_mocker: HttpMocker, retry_waits, status_code: int) -> None:
    request = _customers()
    http_mocker.get(
        request, [server_error_response(status_code), server_error_response(status_code), _customers_page()]
    )

    output = read_streams(ConfigBuilder().build(), "customers")

    assert_no_errors(output)
    assert ids_of(output, "customers") == [1, 2]
    assert len(retry_waits) == 2
    http_mocker.assert_number_of_calls(request, 3)


def test_persistent_server_error_fails_only_that_stream_as_transient(http_mocker: HttpMocker) -> None:
    http_mocker.get(_customers(), server_error_response(503))
    http_mocker.get(_workload_schemes(), TempoPageBuilder.workload_schemes().with_records([workload_scheme(4)]).build())

    output = read_streams(ConfigBuilder().build(), "customers", "workload-schemes", expect_failure=True)

    assert stream_error_messages(output, "customers")
    assert FailureType.transient_error in _failure_types(output)
    assert ids_of(output, "workload-schemes") == [4]


def test_server_error_gives_up_after_five_retries(http_mocker: HttpMocker) -> None:
    request = _customers()
    http_mocker.get(request, server_error_response(503))

    read_streams(ConfigBuilder().build(), "customers", expect_failure=True)

    http_mocker.assert_number_of_calls(request, 6)


def test_server_error_waits_grow_between_retries(http_mocker: HttpMocker, retry_waits) -> None:
    http_mocker.get(_customers(), [server_error_response(503)] * 4 + [_customers_page()])

    output = read_streams(ConfigBuilder().build(), "customers")

    assert ids_of(output, "customers") == [1, 2]
    assert len(retry_waits) == 4
    assert all(earlier < later for earlier, later in zip(retry_waits, retry_waits[1:])), retry_waits


@pytest.mark.parametrize(
    "status_code, messages, errors_as",
    [
        pytest.param(400, ("Invalid limit", "Invalid offset"), "list", id="400-errors-list"),
        pytest.param(404, ("Customer not found",), "object", id="404-errors-object"),
        pytest.param(405, ("Method not allowed",), "list", id="405"),
        pytest.param(409, ("Conflict with the current state",), "list", id="409"),
        pytest.param(422, ("updatedFrom must be a date",), "list", id="422"),
    ],
)
def test_other_4xx_fails_at_once_with_tempos_message(
    http_mocker: HttpMocker, retry_waits, status_code: int, messages: tuple, errors_as: str
) -> None:
    request = _customers()
    http_mocker.get(request, error_response(status_code, *messages, errors_as=errors_as))

    output = read_streams(ConfigBuilder().build(), "customers", expect_failure=True)

    http_mocker.assert_number_of_calls(request, 1)
    assert retry_waits == []
    shown = stream_error_messages(output, "customers")
    assert shown, error_messages(output)
    assert "Stream customers" in shown[0]
    assert all(message in shown[0] for message in messages), shown[0]


def test_invalid_json_fails_naming_the_url(http_mocker: HttpMocker) -> None:
    http_mocker.get(_customers(), html_response())

    output = read_streams(ConfigBuilder().build(), "customers", expect_failure=True)

    shown = stream_error_messages(output, "customers")
    assert shown and "not valid JSON" in shown[0], error_messages(output)
    assert "https://api.tempo.io/4/customers" in shown[0]
    assert ids_of(output, "customers") == []


def test_body_without_results_fails_pointing_at_api_url(http_mocker: HttpMocker) -> None:
    http_mocker.get(_customers(), HttpResponse(body='{"message": "Welcome to the proxy"}'))

    output = read_streams(ConfigBuilder().build(), "customers", expect_failure=True)

    shown = stream_error_messages(output, "customers")
    assert shown and "'results' list" in shown[0] and "api_url" in shown[0], error_messages(output)


def test_token_never_appears_in_any_output(http_mocker: HttpMocker, capsys) -> None:
    """Every stream fails differently, with debug logging on: no record, log, trace or printed line holds the token.
    (A 401 would stop the sync: test_token_echoed_by_the_server_is_not_repeated_in_traces has that one.)"""
    http_mocker.get(_customers(), error_response(403, f"Token {API_TOKEN} lacks the scope"))
    http_mocker.get(_workload_schemes(), html_response())
    http_mocker.post(
        TempoRequestBuilder.accounts_endpoint().with_limit(1000).build(), error_response(400, "Bad request")
    )
    http_mocker.post(
        TempoRequestBuilder.worklogs_endpoint().with_limit(WORKLOGS_LIMIT).build(),
        [
            rate_limited_response(),
            server_error_response(500),
            TempoPageBuilder.worklogs().with_records([worklog(1, "2024-05-01T10:00:00Z")]).build(),
        ],
    )

    output = read_streams(
        ConfigBuilder().build(),
        "customers",
        "workload-schemes",
        "accounts",
        "worklogs",
        expect_failure=True,
        debug=True,
    )

    assert len(output.errors) >= 3
    assert ids_of(output, "worklogs", "tempoWorklogId") == [1]
    printed = capsys.readouterr()
    for text in (all_output_text(output), printed.out, printed.err):
        assert API_TOKEN not in text


def test_token_echoed_by_the_server_is_not_repeated_in_traces(http_mocker: HttpMocker) -> None:
    http_mocker.get(_customers(), error_response(401, f"Token {API_TOKEN} is not valid"))

    output = read_streams(ConfigBuilder().build(), "customers", expect_failure=True)

    assert output.errors
    assert API_TOKEN not in all_output_text(output)


def test_requests_go_through_the_five_per_second_budget(http_mocker: HttpMocker, budget_waits) -> None:
    """Eight pages in a burst: the declared api_budget makes the sixth request of the second wait."""
    config = ConfigBuilder().with_page_size(1).build()
    for offset in range(8):
        request = TempoRequestBuilder.customers_endpoint().with_limit(1)
        request = request.with_offset(offset) if offset else request
        page = TempoPageBuilder.customers().with_limit(1).with_offset(offset).with_records([customer(offset)])
        http_mocker.get(request.build(), (page.with_next_page() if offset < 7 else page).build())

    output = read_streams(config, "customers")

    assert_no_errors(output)
    assert ids_of(output, "customers") == list(range(8))
    assert budget_waits, "no request was held back by the api_budget"
    # at most 5 requests in any 1.05 s: a margin under Tempo's 5 per second for the clocks' jitter
    assert all(0 < wait <= 1.05 for wait in budget_waits), budget_waits

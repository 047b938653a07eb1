"""When no (complete) answer arrives: timeouts, DNS failures, refused connections, TLS errors, bodies cut off or
not JSON, and Retry-After in its three forms. What is retried, how long the connector waits (recorded, not
slept: see `retry_waits` in conftest.py; the CDK sleeps one second longer than the backoff), what the log says
and which one message names the problem. The same faults against the real sandbox: integration_tests/test_faults.py.
"""

from __future__ import annotations

import email.utils
import time
from typing import List

import pytest
from airbyte_cdk.models import FailureType
from airbyte_cdk.test.mock_http import HttpMocker, HttpRequest, HttpResponse

from source_tempo.cdk_internals import requests_mocker
from source_tempo.components.errors import READ_TIMEOUT_ENV
from unit_tests.conftest import (
    all_output_text,
    assert_no_errors,
    error_messages,
    get_source,
    ids_of,
    read_streams,
    states_of,
    stream_error_messages,
)
from unit_tests.mock_server import transport
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.request_builder import FIRST_SYNC_UPDATED_FROM, WORKLOGS_LIMIT, TempoRequestBuilder
from unit_tests.mock_server.response_builder import (
    TempoPageBuilder,
    customer,
    html_response,
    rate_limited_response,
    server_error_response,
    workload_scheme,
    worklog,
)

CUSTOMERS_URL = "https://api.tempo.io/4/customers"
CUT_JSON = '{"metadata": {"count": 2}, "results": [{"id": 1}, {"id'
T1, T2 = "2024-05-01T10:00:01Z", "2024-05-01T10:00:02Z"


def _customers() -> HttpRequest:
    return TempoRequestBuilder.customers_endpoint().with_limit(1000).build()


def _customers_page() -> HttpResponse:
    return TempoPageBuilder.customers().with_records([customer(1), customer(2)]).build()


def _logs(output) -> List[str]:
    return [message.log.message for message in output.logs]


def _failure_types(output) -> List[FailureType]:
    return [message.trace.error.failure_type for message in output.errors]


def _assert_no_rate_limit_talk_nor_traceback(output) -> None:
    """Neither the CDK's "Rate limit exceeded" for a wait of another cause, nor a stack trace in a log line or an
    error message (the stack_trace field of an error trace is the protocol's place for it)."""
    text = "\n".join(_logs(output) + error_messages(output))
    assert "Rate limit exceeded" not in text and "Traceback" not in text, text


# --- timeouts ----------------------------------------------------------------------------------------------


def test_every_request_has_a_connect_and_a_read_timeout(http_mocker: HttpMocker) -> None:
    """Without a read timeout, a server that stops sending hangs the sync forever."""
    http_mocker.get(_customers(), _customers_page())
    worklogs = (
        TempoRequestBuilder.worklogs_endpoint().with_updated_from(FIRST_SYNC_UPDATED_FROM).with_limit(WORKLOGS_LIMIT)
    )
    http_mocker.post(worklogs.build(), TempoPageBuilder.worklogs().with_records([worklog(1, T1)]).build())

    read_streams(ConfigBuilder().build(), "customers", "worklogs")

    sent = requests_mocker(http_mocker).request_history
    assert {request.path for request in sent} == {"/4/customers", "/4/worklogs/search"}
    assert {request.timeout for request in sent} == {(10, 45)}


def test_the_read_timeout_can_be_changed_by_an_environment_variable(http_mocker: HttpMocker, monkeypatch) -> None:
    monkeypatch.setenv(READ_TIMEOUT_ENV, "120")
    http_mocker.get(_customers(), _customers_page())

    read_streams(ConfigBuilder().build(), "customers")

    assert [request.timeout for request in requests_mocker(http_mocker).request_history] == [(10, 120.0)]


def test_a_read_timeout_variable_that_is_not_a_number_is_refused_naming_it(monkeypatch) -> None:
    monkeypatch.setenv(READ_TIMEOUT_ENV, "soon")

    with pytest.raises(Exception) as raised:
        get_source(ConfigBuilder().build())

    assert READ_TIMEOUT_ENV in str(raised.value) and "'soon'" in str(raised.value)


@pytest.mark.parametrize("fault", [transport.read_timeout, transport.read_timeout_mid_body], ids=["headers", "body"])
def test_a_read_timeout_is_retried_with_a_log_line_naming_the_url(http_mocker: HttpMocker, retry_waits, fault) -> None:
    request = _customers()
    transport.mock_outcomes(http_mocker, "GET", request, [fault(), _customers_page()])

    output = read_streams(ConfigBuilder().build(), "customers")

    assert_no_errors(output)
    assert ids_of(output, "customers") == [1, 2]
    assert retry_waits == [2.0]
    http_mocker.assert_number_of_calls(request, 2)
    expected = f"No answer for 45 s (read timeout) at {CUSTOMERS_URL}; retrying in 2 s (attempt 2 of 6)."
    assert expected in _logs(output), _logs(output)
    _assert_no_rate_limit_talk_nor_traceback(output)


def test_a_request_that_keeps_timing_out_fails_its_stream_naming_the_url_and_the_silence(
    http_mocker: HttpMocker, retry_waits
) -> None:
    """Transient: retried with the 5xx backoff, then only that stream fails; the others are read."""
    request = _customers()
    transport.mock_outcomes(http_mocker, "GET", request, [transport.read_timeout()] * 6)
    schemes = TempoRequestBuilder.workload_schemes_endpoint().with_limit(1000).build()
    http_mocker.get(schemes, TempoPageBuilder.workload_schemes().with_records([workload_scheme(4)]).build())

    output = read_streams(ConfigBuilder().build(), "customers", "workload-schemes", expect_failure=True)

    http_mocker.assert_number_of_calls(request, 6)
    assert retry_waits == [2.0, 3.0, 5.0, 9.0, 17.0]
    shown = stream_error_messages(output, "customers")
    assert len(shown) == 1, error_messages(output)
    assert shown[0].startswith(f"Tempo sent no answer for 45 s at {CUSTOMERS_URL} (read timeout).")
    assert "limit=1000" not in shown[0] and "6 attempts failed" in shown[0]
    assert FailureType.transient_error in _failure_types(output)
    assert ids_of(output, "workload-schemes") == [4]
    _assert_no_rate_limit_talk_nor_traceback(output)


def test_a_connect_timeout_is_retried(http_mocker: HttpMocker, retry_waits) -> None:
    request = _customers()
    transport.mock_outcomes(http_mocker, "GET", request, [transport.connect_timeout(), _customers_page()])

    output = read_streams(ConfigBuilder().build(), "customers")

    assert ids_of(output, "customers") == [1, 2]
    assert retry_waits == [2.0]


# --- an unreachable host: fails at once, once, naming the cause and the field ------------------------------


@pytest.mark.parametrize(
    "fault, cause, failure_type",
    [
        (transport.dns_failure, "DNS name not found: api.tempo.io does not resolve", FailureType.config_error),
        (transport.connection_refused, "connection refused by api.tempo.io", FailureType.config_error),
        (transport.tls_error, "TLS error with api.tempo.io", FailureType.config_error),
    ],
    ids=["dns", "refused", "tls"],
)
def test_an_unreachable_host_fails_the_sync_at_once_with_one_message(
    http_mocker: HttpMocker, retry_waits, fault, cause: str, failure_type: FailureType
) -> None:
    request = _customers()
    transport.mock_outcomes(http_mocker, "GET", request, [fault()])

    output = read_streams(ConfigBuilder().build(), "customers", expect_failure=True)

    messages = error_messages(output)
    assert len(messages) == 1, messages
    assert messages[0].startswith(f"Could not reach Tempo: {cause}"), messages[0]
    assert f"({CUSTOMERS_URL})" in messages[0] and "`region`" in messages[0]
    assert "The sync stopped at this error" in messages[0]
    assert _failure_types(output) == [failure_type]
    http_mocker.assert_number_of_calls(request, 1)
    assert retry_waits == []
    _assert_no_rate_limit_talk_nor_traceback(output)


def test_with_an_api_url_the_message_names_api_url(http_mocker: HttpMocker) -> None:
    request = HttpRequest("https://tempo.example.com/4/customers", query_params={"limit": 1000})
    transport.mock_outcomes(http_mocker, "GET", request, [transport.dns_failure()])

    config = ConfigBuilder().with_api_url("https://tempo.example.com/4").build()
    output = read_streams(config, "customers", expect_failure=True)

    message = error_messages(output)[0]
    assert "tempo.example.com does not resolve" in message and "Check `api_url`" in message


def test_a_temporary_dns_failure_is_retried(http_mocker: HttpMocker, retry_waits) -> None:
    request = _customers()
    transport.mock_outcomes(http_mocker, "GET", request, [transport.temporary_dns_failure(), _customers_page()])

    output = read_streams(ConfigBuilder().build(), "customers")

    assert ids_of(output, "customers") == [1, 2]
    assert retry_waits == [2.0]


# --- bodies: a reset, a truncated body, or a body that is not JSON is retried like a 5xx ----------------------


@pytest.mark.parametrize(
    "fault, logged",
    [
        (transport.reset_mid_body(), "The connection was reset"),
        (transport.truncated_body(), "The answer ended early (got 2000 bytes, 3000 more were announced)"),
        (html_response(), "Tempo sent a body that is not JSON"),
        (HttpResponse(body=CUT_JSON), "Tempo sent a body that is not JSON"),
    ],
    ids=["reset", "truncated", "html-200", "cut-json-200"],
)
def test_a_broken_body_is_retried_and_the_page_read_again(http_mocker: HttpMocker, retry_waits, fault, logged) -> None:
    request = _customers()
    transport.mock_outcomes(http_mocker, "GET", request, [fault, fault, _customers_page()])

    output = read_streams(ConfigBuilder().build(), "customers")

    assert_no_errors(output)
    assert ids_of(output, "customers") == [1, 2]
    assert retry_waits == [2.0, 3.0]
    assert f"{logged} at {CUSTOMERS_URL}; retrying in 2 s (attempt 2 of 6)." in _logs(output), _logs(output)


def test_a_body_that_stays_cut_off_fails_the_stream_saying_what_was_wrong(http_mocker: HttpMocker) -> None:
    http_mocker.get(_customers(), HttpResponse(body=CUT_JSON))

    output = read_streams(ConfigBuilder().build(), "customers", expect_failure=True)

    shown = stream_error_messages(output, "customers")
    assert shown and shown[0].startswith(f"Tempo returned a response that is not valid JSON for {CUSTOMERS_URL} ")
    assert f"the JSON stops after {len(CUT_JSON)} bytes, as if cut off" in shown[0]
    assert ids_of(output, "customers") == []


def test_an_html_page_with_200_that_persists_says_so(http_mocker: HttpMocker) -> None:
    http_mocker.get(_customers(), html_response())

    output = read_streams(ConfigBuilder().build(), "customers", expect_failure=True)

    shown = stream_error_messages(output, "customers")
    assert shown and "it is an HTML page, likely from a proxy or gateway in between" in shown[0], shown


# --- Retry-After ----------------------------------------------------------------------------------------------


def test_retry_after_as_an_http_date_is_waited(http_mocker: HttpMocker, retry_waits) -> None:
    request = _customers()
    written = time.time()
    http_mocker.get(
        request,
        [rate_limited_response(retry_after=email.utils.formatdate(written + 20, usegmt=True)), _customers_page()],
    )

    output = read_streams(ConfigBuilder().build(), "customers")

    assert ids_of(output, "customers") == [1, 2]
    # what is left of the 20 s when the 429 arrives (an HTTP-date counts whole seconds), plus the CDK's second
    assert len(retry_waits) == 1 and 20 - (time.time() - written) <= retry_waits[0] <= 21, retry_waits


def test_retry_after_zero_retries_after_the_one_second_minimum(http_mocker: HttpMocker, retry_waits) -> None:
    request = _customers()
    http_mocker.get(request, [rate_limited_response(retry_after="0"), _customers_page()])

    output = read_streams(ConfigBuilder().build(), "customers")

    assert ids_of(output, "customers") == [1, 2]
    assert len(retry_waits) == 1 and 1 <= retry_waits[0] < 1.1, retry_waits


def test_a_long_retry_after_is_waited_with_a_log_line_every_30_seconds(http_mocker: HttpMocker, retry_waits) -> None:
    request = _customers()
    http_mocker.get(request, [rate_limited_response(retry_after="100"), _customers_page()])

    output = read_streams(ConfigBuilder().build(), "customers")

    assert ids_of(output, "customers") == [1, 2]
    assert retry_waits == [30.0, 30.0, 30.0, 11.0]  # 100 s and the CDK's second, slept in steps
    progress = [line for line in _logs(output) if line.startswith("Still waiting before retrying")]
    assert len(progress) == 3, _logs(output)


def test_a_retry_after_over_the_cap_is_not_slept_and_the_stream_fails_saying_how_long(
    http_mocker: HttpMocker, retry_waits
) -> None:
    request = _customers()
    http_mocker.get(request, HttpResponse(body="", status_code=503, headers={"Retry-After": "3600"}))

    output = read_streams(ConfigBuilder().build(), "customers", expect_failure=True)

    assert retry_waits == []
    http_mocker.assert_number_of_calls(request, 1)
    shown = stream_error_messages(output, "customers")
    assert shown and shown[0].startswith(
        f"Tempo asked to wait 3600 s (Retry-After: 3600, HTTP 503) before the next request to {CUSTOMERS_URL}: "
        "longer than the 300 s this connector waits."
    ), shown
    assert _failure_types(output)[0] == FailureType.transient_error


def test_a_retry_after_over_the_cap_mid_sync_keeps_what_was_read_checkpointed(
    http_mocker: HttpMocker, retry_waits
) -> None:
    first = TempoRequestBuilder.worklogs_endpoint().with_updated_from(FIRST_SYNC_UPDATED_FROM).with_limit(2)
    second = TempoRequestBuilder.worklogs_endpoint().with_updated_from(T2).with_offset(0).with_limit(2)
    page = TempoPageBuilder.worklogs().with_records([worklog(1, T1), worklog(2, T2)]).with_limit(2).with_next_page()
    http_mocker.post(first.with_offset(0).build(), page.build())
    http_mocker.post(second.build(), rate_limited_response(retry_after="3600"))

    output = read_streams(ConfigBuilder().with_page_size(2).build(), "worklogs", expect_failure=True)

    assert ids_of(output, "worklogs", "tempoWorklogId") == [1, 2]
    assert states_of(output, "worklogs")[-1] == {"updatedAt": T2}
    assert "Tempo asked to wait 3600 s" in error_messages(output)[0]
    assert retry_waits == []


# --- every wait names its cause --------------------------------------------------------------------------------


def test_a_5xx_retry_is_logged_as_what_it_is(http_mocker: HttpMocker) -> None:
    request = _customers()
    http_mocker.get(request, [server_error_response(502), _customers_page()])

    output = read_streams(ConfigBuilder().build(), "customers")

    assert f"Tempo answered HTTP 502 at {CUSTOMERS_URL}; retrying in 2 s (attempt 2 of 6)." in _logs(output)
    _assert_no_rate_limit_talk_nor_traceback(output)


def test_a_persistent_5xx_fails_with_the_manifest_message_and_the_last_answer(http_mocker: HttpMocker) -> None:
    http_mocker.get(_customers(), server_error_response(504))

    output = read_streams(ConfigBuilder().build(), "customers", expect_failure=True)

    shown = stream_error_messages(output, "customers")
    assert shown and shown[0].startswith(f"Tempo answered with a server error at {CUSTOMERS_URL}"), shown
    assert shown[0].endswith(f"(6 attempts failed: Tempo answered HTTP 504 at {CUSTOMERS_URL}.)")
    assert "Exhausted available request attempts" not in all_output_text(output)

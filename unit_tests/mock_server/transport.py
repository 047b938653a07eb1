"""Mocks answers that never arrive: a request whose outcome is an exception of requests (a timeout, a DNS
failure, a reset connection), in sequence with ordinary HttpResponses.

HttpMocker mocks responses only; requests_mock, under it, can raise instead (`exc`). `mock_outcomes` registers
such a sequence on the test's HttpMocker with the kit's own matcher, so `assert_number_of_calls` and the check
that every mocked request was sent work as for `http_mocker.get`. (It reaches HttpMocker's Mocker and matchers
through source_tempo/cdk_internals.py: the test kit has no public way to raise.)
"""

from __future__ import annotations

import socket
from typing import List, Union

import requests
import requests_mock
from airbyte_cdk.test.mock_http import HttpMocker, HttpRequest, HttpResponse
from airbyte_cdk.test.mock_http.matcher import HttpRequestMatcher
from airbyte_cdk.test.mock_http.mocker import SupportedHttpMethods
from urllib3.exceptions import IncompleteRead, ProtocolError, ReadTimeoutError

from source_tempo.cdk_internals import mocker_matchers, requests_mocker

Outcome = Union[HttpResponse, BaseException]


def mock_outcomes(http_mocker: HttpMocker, method: str, request: HttpRequest, outcomes: List[Outcome]) -> None:
    """Like `http_mocker.get/post(request, responses)`; an exception in `outcomes` is raised by the connection."""
    matcher = HttpRequestMatcher(request, len(outcomes))
    http_method = SupportedHttpMethods(method.lower())
    mocker_matchers(http_mocker, http_method).append(matcher)
    answers = [
        {"exc": outcome}
        if isinstance(outcome, BaseException)
        else {
            ("text" if isinstance(outcome.body, str) else "content"): outcome.body,
            "status_code": outcome.status_code,
            "headers": outcome.headers,
        }
        for outcome in outcomes
    ]
    register = getattr(requests_mocker(http_mocker), method.lower())
    register(
        requests_mock.ANY,
        additional_matcher=lambda sent: matcher.matches(
            HttpRequest(sent.url, query_params={}, headers=sent.headers, body=sent.body)
        ),
        response_list=answers,
    )


# What requests raises, with the causes a real connection puts in them (see integration_tests/test_faults.py for
# the real thing against the sandbox).
def read_timeout() -> requests.exceptions.ReadTimeout:
    return requests.exceptions.ReadTimeout(ReadTimeoutError(None, None, "Read timed out. (read timeout=45)"))


def read_timeout_mid_body() -> requests.exceptions.ConnectionError:
    return requests.exceptions.ConnectionError(ReadTimeoutError(None, None, "Read timed out."))


def connect_timeout() -> requests.exceptions.ConnectTimeout:
    return requests.exceptions.ConnectTimeout("Connection to api.tempo.io timed out. (connect timeout=10)")


def dns_failure() -> requests.exceptions.ConnectionError:
    return requests.exceptions.ConnectionError(socket.gaierror(socket.EAI_NONAME, "Name or service not known"))


def temporary_dns_failure() -> requests.exceptions.ConnectionError:
    return requests.exceptions.ConnectionError(
        socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
    )


def connection_refused() -> requests.exceptions.ConnectionError:
    return requests.exceptions.ConnectionError(ConnectionRefusedError(111, "Connection refused"))


def tls_error() -> requests.exceptions.SSLError:
    return requests.exceptions.SSLError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")


def reset_mid_body() -> requests.exceptions.ChunkedEncodingError:
    reset = ConnectionResetError(104, "Connection reset by peer")
    return requests.exceptions.ChunkedEncodingError(ProtocolError(f"Connection broken: {reset!r}", reset))


def truncated_body(received: int = 2000, missing: int = 3000) -> requests.exceptions.ChunkedEncodingError:
    incomplete = IncompleteRead(received, missing)
    return requests.exceptions.ChunkedEncodingError(ProtocolError(f"Connection broken: {incomplete!r}", incomplete))

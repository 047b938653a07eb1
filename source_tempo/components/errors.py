"""What the connector does when Tempo, the network or a proxy misbehaves: the manifest's error handler, in Python
where the manifest's YAML cannot say it.

The manifest still declares the policy (docs/tempo.md, "Timeouts, retries and network errors"): the response
filters per HTTP status with their messages, 5 retries, the timeouts, the Retry-After cap and the exponential
backoff. This module adds what YAML cannot express:

* Exceptions. The CDK hands the error handler a requests exception instead of a response when no (complete)
  answer came: a timeout, a DNS failure, a refused connection, a TLS error, a reset or truncated body. Response
  filters never match exceptions, so the CDK retried all of them the same way and named none. Here each gets a
  message naming its cause and the URL; an unreachable host (DNS name not found, connection refused, TLS error)
  is not retried, as a retry cannot fix `api_url` or `region`.
* Bodies. A 200 whose body is not JSON (truncated, an HTML page of a proxy) is retried like a 5xx. A
  response filter's predicate cannot tell an unparseable body from `{}`, cannot see the status code, and would
  parse every page (5000 worklogs) a second time with the slow parser; here it is parsed once, with orjson,
  and the result is kept on the response for the record extractor (`json_body`).
* Waits. `Retry-After` may be an HTTP-date, which the CDK's WaitTimeFromHeader does not read; a wait longer
  than the cap fails the stream saying how long Tempo asked to wait; every wait is logged with its real cause
  (the CDK's line says "Rate limit exceeded" for every wait, see cdk_internals.py) and a long one logs its
  progress every 30 s; the last attempt fails with the handler's message instead of the CDK's "Exhausted
  available request attempts".
* Errors that stop the sync (`stops_the_sync`): a rejected token, an OAuth refresh that failed
  (components/auth.py) or an unreachable host is the same for every stream, so SourceTempo.read ends the sync at
  the first one instead of letting every stream fail with it.
* `SOURCE_TEMPO_READ_TIMEOUT_SECONDS` overrides the manifest's read timeout (an HttpRequester field the
  manifest cannot interpolate), for a proxy that needs longer, or a test that needs shorter.
"""

from __future__ import annotations

import email.utils
import errno
import logging
import os
import socket
import ssl
import time
from dataclasses import InitVar, dataclass, field
from datetime import datetime, timezone
from typing import Any, List, Mapping, MutableMapping, Union
from urllib.parse import urlsplit, urlunsplit

import orjson
import requests
from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.declarative.requesters.error_handlers import DefaultErrorHandler
from airbyte_cdk.sources.declarative.requesters.error_handlers.http_response_filter import HttpResponseFilter
from airbyte_cdk.sources.streams.http.error_handlers import BackoffStrategy
from airbyte_cdk.sources.streams.http.error_handlers.response_models import ErrorResolution, ResponseAction
from airbyte_cdk.sources.types import Config
from airbyte_cdk.utils.traced_exception import AirbyteTracedException
from urllib3.exceptions import ConnectTimeoutError, IncompleteRead, ReadTimeoutError

from source_tempo.cdk_internals import request_of

LOGGER = logging.getLogger("airbyte")

READ_TIMEOUT_ENV = "SOURCE_TEMPO_READ_TIMEOUT_SECONDS"
# Messages of errors that are the same for every stream (see SourceTempo.read): an unreachable host, and the
# manifest's 401 message (HTTP 401 from the API, or from the OAuth token endpoint).
UNREACHABLE = "Could not reach Tempo"
TOKEN_REJECTED = "(HTTP 401 at "
# How the OAuth refresh's failures begin (components/auth.py): the sign-in that every stream shares.
OAUTH_REFRESH_FAILED = ("Tempo refused the OAuth ", "Tempo's token endpoint ")
# A wait longer than this is taken in steps, with a log line after each.
PROGRESS_EVERY_SECONDS = 30.0

_JSON_ATTRIBUTE = "_tempo_json"
_RETRY_ACTIONS = (ResponseAction.RETRY, ResponseAction.RATE_LIMITED)


def stops_the_sync(message: str | None) -> bool:
    """Whether an error message is one that every other stream would meet too (see the module docstring)."""
    return bool(message) and (
        message.startswith(UNREACHABLE) or TOKEN_REJECTED in message or message.startswith(OAUTH_REFRESH_FAILED)
    )


def public_url(url: str | None) -> str:
    """A URL without query string or user info, safe to show in an error message."""
    parts = urlsplit(url or "")
    return urlunsplit((parts.scheme, parts.netloc.rsplit("@", 1)[-1], parts.path, "", ""))


def apply_read_timeout_override(manifest: MutableMapping[str, Any]) -> None:
    """Sets every `read_timeout_in_seconds` (requesters) and `read_timeout_seconds` (their error handlers, for
    the message) of the resolved manifest to `SOURCE_TEMPO_READ_TIMEOUT_SECONDS` when it is set."""
    value = os.environ.get(READ_TIMEOUT_ENV)
    if not value:
        return
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0.0
    if not seconds > 0:
        raise AirbyteTracedException(
            message=f"The environment variable {READ_TIMEOUT_ENV} must be a number of seconds above 0, got {value!r}.",
            failure_type=FailureType.config_error,
        )
    pending: list[Any] = [manifest]
    while pending:
        node = pending.pop()
        if isinstance(node, MutableMapping):
            for key in ("read_timeout_in_seconds", "read_timeout_seconds"):
                if key in node:
                    node[key] = seconds
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)


def json_body(response: requests.Response) -> Any:
    """The body parsed as JSON, once per response (raises orjson.JSONDecodeError when it is not JSON)."""
    body = getattr(response, _JSON_ATTRIBUTE, None)
    if body is None:
        body = orjson.loads(response.content)
        setattr(response, _JSON_ATTRIBUTE, body)
    return body


def forget_json_body(response: requests.Response) -> None:
    """Drops the parsed body kept on the response, once its page is done (see paging.release_page)."""
    response.__dict__.pop(_JSON_ATTRIBUTE, None)


def body_problem(response: requests.Response) -> str | None:
    """What is wrong with the body of a successful answer, in words, or None when it is JSON."""
    try:
        json_body(response)
        return None
    except orjson.JSONDecodeError:
        pass
    content = response.content.lstrip()
    content_type = response.headers.get("Content-Type", "unknown")
    if not content:
        what = "the body is empty"
    elif content[:1] == b"<" or "html" in content_type.lower():
        what = "it is an HTML page, likely from a proxy or gateway in between"
    elif content[:1] in (b"{", b"["):
        what = f"the JSON stops after {len(response.content)} bytes, as if cut off"
    else:
        what = "it is not JSON"
    return (
        f"Tempo returned a response that is not valid JSON for {public_url(response.url)} "
        f"(HTTP {response.status_code}, content type {content_type!r}): {what}."
    )


def _chain(error: BaseException) -> list[BaseException]:
    """The exception and every exception it wraps (`reason`, `args`, cause and context), outermost first."""
    seen: list[BaseException] = []
    pending: list[Any] = [error]
    while pending:
        item = pending.pop(0)
        if not isinstance(item, BaseException) or any(item is other for other in seen):
            continue
        seen.append(item)
        pending += [getattr(item, "reason", None), *item.args, item.__cause__, item.__context__]
    return seen


@dataclass
class NetworkFault:
    """A failed request without an answer, in words: `retry` says whether another attempt can help."""

    what: str  # for the log line of a retry, e.g. "no answer for 45 s (read timeout)"
    message: str  # the stream's error message
    retry: bool
    failure_type: FailureType = FailureType.transient_error


def describe_network_error(
    error: BaseException, url: str, config: Mapping[str, Any], read_timeout: float | None
) -> NetworkFault:
    """Names what happened to a request that got no (complete) answer; `url` is shown as it is."""
    chain = _chain(error)
    host = urlsplit(url).hostname or "Tempo's host"
    port = urlsplit(url).port
    where = f"{host}:{port}" if port else host
    field_name = "`api_url`" if config.get("api_url") else "`region`"
    check = f"Check {field_name}, and this machine's network (DNS, proxy, firewall)."

    def find(*kinds: type) -> Any:
        return next((item for item in chain if isinstance(item, kinds)), None)

    dns = find(socket.gaierror)
    if dns is not None:
        if dns.errno == socket.EAI_AGAIN:
            what = f"the DNS lookup of {host} failed temporarily"
            return NetworkFault(what, f"{UNREACHABLE}: {what} ({url}). {check}", retry=True)
        return NetworkFault(
            "DNS name not found",
            f"{UNREACHABLE}: DNS name not found: {host} does not resolve ({url}). {check}",
            retry=False,
            failure_type=FailureType.config_error,
        )
    refused = find(ConnectionRefusedError)
    if refused is not None or any(getattr(item, "errno", None) == errno.ECONNREFUSED for item in chain):
        return NetworkFault(
            "connection refused",
            f"{UNREACHABLE}: connection refused by {where} ({url}). Nothing accepts connections there. {check}",
            retry=False,
            failure_type=FailureType.config_error,
        )
    tls = find(ssl.SSLError, requests.exceptions.SSLError)
    if tls is not None:
        reason = find(ssl.SSLError)
        detail = (getattr(reason, "reason", None) or getattr(reason, "strerror", None) or str(reason or tls))[:120]
        return NetworkFault(
            "TLS error",
            f"{UNREACHABLE}: TLS error with {where} ({url}): {detail}. Check {field_name} (an https:// address of "
            "Tempo's API), and any proxy that intercepts TLS.",
            retry=False,
            failure_type=FailureType.config_error,
        )
    if find(ConnectTimeoutError, requests.exceptions.ConnectTimeout) is not None:
        what = f"could not connect to {where} in time (connect timeout)"
        return NetworkFault(what, f"{UNREACHABLE}: {what}, at {url}. {check}", retry=True)
    if find(ReadTimeoutError, requests.exceptions.ReadTimeout, socket.timeout) is not None:
        seconds = f"{read_timeout:g} s" if read_timeout else "the read timeout"
        what = f"no answer for {seconds} (read timeout)"
        return NetworkFault(
            what,
            f"Tempo sent no answer for {seconds} at {url} (read timeout). Tempo or the network is slow or "
            "down: run the sync again later; if it keeps happening, lower `page_size`.",
            retry=True,
        )
    incomplete = find(IncompleteRead)
    if incomplete is not None:
        partial, expected = getattr(incomplete, "partial", None), getattr(incomplete, "expected", None)
        got = f" (got {partial} bytes, {expected} more were announced)" if isinstance(partial, int) else ""
        what = f"the answer ended early{got}"
        return NetworkFault(what, f"Tempo's answer for {url} ended early{got}: the connection closed mid-body.", True)
    if find(ConnectionResetError) is not None:
        what = "the connection was reset"
        return NetworkFault(what, f"The connection to Tempo was reset while reading {url}.", retry=True)
    what = f"the connection failed ({type(error).__name__})"
    return NetworkFault(what, f"The connection to Tempo failed while reading {url}: {type(error).__name__}.", True)


@dataclass
class RetryAfterHeader(BackoffStrategy):
    """Waits what Tempo's `Retry-After` asks: seconds, an HTTP-date, or 0 (no wait beyond the CDK's second).

    A wait longer than `max_waiting_time_in_seconds` is not taken: the stream fails as a transient error saying
    how long Tempo asked to wait (everything read before is checkpointed). Without the header, the next
    strategy decides. Why not WaitTimeFromHeader: it reads a number only, so an HTTP-date meant no wait.
    """

    config: Config
    parameters: InitVar[Mapping[str, Any]]
    max_waiting_time_in_seconds: float = 300.0
    header: str = "Retry-After"

    def __post_init__(self, parameters: Mapping[str, Any]) -> None:
        self.max_waiting_time_in_seconds = float(self.max_waiting_time_in_seconds)

    def backoff_time(
        self, response_or_exception: Union[requests.Response, requests.RequestException] | None, attempt_count: int
    ) -> float | None:
        if not isinstance(response_or_exception, requests.Response):
            return None
        value = (response_or_exception.headers.get(self.header) or "").strip()
        seconds = retry_after_seconds(value)
        if seconds is None:
            return None
        if seconds > self.max_waiting_time_in_seconds:
            url = public_url(response_or_exception.url)
            raise AirbyteTracedException(
                message=(
                    f"Tempo asked to wait {seconds:.0f} s (Retry-After: {value}, HTTP "
                    f"{response_or_exception.status_code}) before the next request to {url}: longer than the "
                    f"{self.max_waiting_time_in_seconds:.0f} s this connector waits. The stream stopped; what "
                    "it read before is checkpointed. Run the sync again later."
                ),
                internal_message=f"Retry-After {value!r} at {url} is over the cap",
                failure_type=FailureType.transient_error,
            )
        return max(seconds, 0.001)  # 0 asks for no wait: a falsy value would let the next strategy decide


def retry_after_seconds(value: str) -> float | None:
    """Seconds from now that a Retry-After value asks for (delay-seconds or HTTP-date), or None if unreadable."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


@dataclass
class _LoggedRetries(BackoffStrategy):
    """The handler's strategies, asked in order, with a log line per wait and the give-up after the last attempt.

    The CDK calls this right after the handler resolved a failed attempt to RETRY, then sleeps what it returns
    plus one second. A wait longer than PROGRESS_EVERY_SECONDS is slept here in steps, with a log line each.
    """

    handler: TempoErrorHandler
    strategies: List[BackoffStrategy]

    def backoff_time(
        self, response_or_exception: Union[requests.Response, requests.RequestException] | None, attempt_count: int
    ) -> float | None:
        resolution = self.handler.interpret_response(response_or_exception)
        attempts = (self.handler.max_retries or 0) + 1
        if attempt_count >= attempts:
            message = resolution.error_message or "Tempo kept failing."
            raise AirbyteTracedException(
                message=f"{message} ({attempts} attempts failed: {self.handler.what_happened(response_or_exception)}.)",
                internal_message=f"gave up after {attempts} attempts: {message}",
                failure_type=FailureType.transient_error,
            )
        wait = next(
            (
                seconds
                for strategy in self.strategies
                if (seconds := strategy.backoff_time(response_or_exception, attempt_count))
            ),
            1.0,
        )
        what = self.handler.what_happened(response_or_exception)
        LOGGER.warning(f"{what}; retrying in {wait + 1:.0f} s (attempt {attempt_count + 1} of {attempts}).")
        while wait > PROGRESS_EVERY_SECONDS:
            time.sleep(PROGRESS_EVERY_SECONDS)
            wait -= PROGRESS_EVERY_SECONDS
            LOGGER.info(f"Still waiting before retrying: {wait + 1:.0f} s left ({what}).")
        return wait


@dataclass
class TempoErrorHandler(DefaultErrorHandler):
    """The manifest's DefaultErrorHandler (response filters per status, retries, backoff strategies), plus the
    exceptions, bodies, waits and last attempt described in the module docstring.

    `first_response_filters` are tried before `response_filters`: a requester that `$ref`s the shared handler
    adds a filter without copying the shared list (YAML cannot prepend to a referenced list).
    `read_timeout_seconds` is the requester's, for the message of a timeout.
    """

    config: Config
    parameters: InitVar[Mapping[str, Any]]
    response_filters: List[HttpResponseFilter] | None = None
    first_response_filters: List[HttpResponseFilter] | None = None
    max_retries: Union[int, str] | None = 5  # type: ignore[assignment]
    max_time: int = 60 * 10
    backoff_strategies: List[BackoffStrategy] | None = None
    read_timeout_seconds: float | None = None
    declared_strategies: List[BackoffStrategy] = field(default_factory=list, init=False, repr=False)

    def __post_init__(self, parameters: Mapping[str, Any]) -> None:
        self.response_filters = [*(self.first_response_filters or []), *(self.response_filters or [])]
        super().__post_init__(parameters)
        self.declared_strategies = list(self.backoff_strategies or [])
        self.backoff_strategies = [_LoggedRetries(self, self.declared_strategies)]

    def interpret_response(self, response_or_exception: Union[requests.Response, Exception] | None) -> ErrorResolution:
        if isinstance(response_or_exception, Exception):
            request = request_of(response_or_exception)
            url = public_url(request.url) if request is not None else "a request to Tempo"
            fault = describe_network_error(response_or_exception, url, self.config, self.read_timeout_seconds)
            return ErrorResolution(
                response_action=ResponseAction.RETRY if fault.retry else ResponseAction.FAIL,
                failure_type=fault.failure_type,
                error_message=fault.message,
            )
        resolution = super().interpret_response(response_or_exception)
        if resolution.response_action == ResponseAction.SUCCESS and response_or_exception is not None:
            problem = body_problem(response_or_exception)
            if problem:
                return ErrorResolution(ResponseAction.RETRY, FailureType.transient_error, problem)
        return resolution

    def what_happened(self, response_or_exception: Any) -> str:
        """One clause for a log line: what the last attempt got, and where."""
        if isinstance(response_or_exception, requests.Response):
            url = public_url(response_or_exception.url)
            if response_or_exception.ok:
                return f"Tempo sent a body that is not JSON at {url}"
            return f"Tempo answered HTTP {response_or_exception.status_code} at {url}"
        if isinstance(response_or_exception, BaseException):
            request = request_of(response_or_exception)
            url = public_url(request.url) if request is not None else "Tempo"
            fault = describe_network_error(response_or_exception, url, self.config, self.read_timeout_seconds)
            return f"{fault.what[:1].upper()}{fault.what[1:]} at {url}"
        return "No answer from Tempo"

"""The one module that touches what the Airbyte CDK (and requests) do not promise: private attributes of CDK
objects, a class swap, log texts, the frames of a traceback. Each item says why no public hook does the job.

airbyte-cdk is pinned exactly (pyproject.toml), and unit_tests/test_cdk_internals.py checks every item below
against the installed CDK (for private attributes: the names in `PRIVATE_ATTRIBUTES`, and what the accessors
return on a worklogs stream the CDK built), so that an upgrade that changes one fails a test instead of a sync,
e.g. silently no longer saving rotated OAuth refresh tokens or worklogs checkpoints.

Outside this module, `grep -rn "\\._[a-z]" source_tempo/ --include=*.py` shows only `self._...` of CursorCeiling
(components/cursor_ceiling.py), a class of ours that extends nothing. Our own attributes on instances of CDK
classes or of our subclasses of them (the worklogs cursors, the paginators, SourceTempo, ...) are named without
a leading underscore, so that the grep finds CDK internals only. Two things set on objects that are not the
CDK's are not in this list: the parsed body kept on a requests.Response (`_tempo_body`, `_tempo_json`, by
setattr: the CDK hands the same response to the extractor and the paginator, see components/paging.py), and
the `observe` method that CursorCeiling replaces on a cursor instance (a public method, called by the CDK for
every record; components/cursor_ceiling.py says why).

Private attributes:

* `ConcurrentDeclarativeSource._config` (an instance attribute, read by `components_config`, rebound by
  `use_components_config`): the config dict from which the source builds every component, the OAuth authenticator
  included, which writes the rotated tokens into it. SourceTempo rebinds it to a `PersistedConfig` (the same
  content plus the path of the config file) so that the authenticator can save a rotated refresh token to the file
  the source was started with. The CDK writes that file only for config migrations, at start-up, and hands a
  component neither the path nor the source; the constructor's `config` cannot carry the path either, as the CDK
  copies it into a plain dict.
* `ConcurrentDeclarativeSource._spec_component` (an instance attribute, read by `spec_component`): the Spec component
  the CDK builds from the manifest's `spec`, holding `config_normalization_rules.validations`. The CDK runs them only
  when it builds streams, after its own JSON-schema check of the config, whose message does not name the field;
  `SourceTempo.validate_config` runs them first (source_tempo/components/config.py).

* The worklogs cursor (components/cursors.py). The manifest's cursor becomes a ConcurrentCursor that saves
  state only when a partition closes; the manifest cannot name a cursor class of ours, and the CDK's factory
  builds the cursor deep inside stream creation. So `swap_class` turns the built ConcurrentCursor into
  PageCheckpointingCursor / FirstSyncPartitioningCursor (subclasses that add behaviour, so every attribute the CDK
  set stays valid), and these read and write the CDK's own bookkeeping rather than keep a second copy that could
  disagree with the state the CDK emits when a partition closes or a sync fails:
  - `ConcurrentCursor._concurrent_state` (`cursor_state`): the state's `slices` done and `legacy` (where
    `first_sync` and `tombstones_from` live, as the CDK carries `legacy` over into every state message);
  - `_emit_state_message` (`emit_cursor_state`) and `_merge_partitions` (`merge_cursor_slices`): a checkpoint
    is emitted as the CDK emits one when a partition closes, through its message repository (after the
    records already queued);
  - `_lock` (`cursor_lock`): our changes to the state take the lock the CDK's close_partition takes;
  - `_most_recent_cursor_value_per_partition` (`newest_per_partition`): the newest value per slice, from which
    the CDK closes a partition; PageCheckpointingCursor keeps the newest value as text while records stream by
    (parsing every timestamp cost a tenth of a sync's CPU) and hands it over before a close;
  - `_is_ascending_order` (`records_in_order`, `mark_out_of_order`): page checkpoints are safe only while
    records come in cursor order; the CDK's observe sets it, ours must too;
  - `_has_closed_at_least_one_slice` (`mark_slice_closed`): FirstSyncPartitioningCursor closes a window itself,
    and the CDK's `ensure_at_least_one_state_emitted` reads this;
  - `_start`, `_connector_state_converter` (`cursor_start`, `state_converter`): the configured start (to tell a
    saved position from none) and the parser of the state's text;
  - `_slice_boundary_fields_wrapper[_START_BOUNDARY]` (`slice_start_key`): the slice field of a window's start
    (`start_time`), where a first-sync window resumes and where tombstones start.
* `DefaultStream._stream_partition_generator` (`partition_generator`, `replace_partition_generator`):
  WorklogTombstones wraps the worklogs stream's partitions to add one partition of tombstones; a DefaultStream
  takes its generator only in its constructor, which the CDK's factory calls.
* `StreamSlicerPartitionGenerator._partition_factory` (`partition_factory`) and
  `DeclarativePartitionFactory._retriever` (`retriever_of`): the tombstones partition is read by the
  worklog-deletions stream's own factory (its paging, retries and event filter), and SourceTempo.check's 403
  probes send each stream's first request through its retriever's requester, with `limit=1` and today's window.
  The public `DefaultStream.check_availability` reads the first partition as a sync would: a full page (up to
  5000 records) from the stream's start date, for each of ~20 streams, on every check; CDK 7 exposes no
  requester or retriever of a DefaultStream.

Behaviour and texts:

* Log texts of the CDK (`CdkLogRewrites`):
  - airbyte_cdk/sources/streams/http/rate_limiting.py, `user_defined_backoff_handler.sleep_on_ratelimit`, logs
    "UserDefinedBackoffException: Rate limit exceeded ... Retrying in N seconds." before EVERY wait of a
    backoff strategy, whatever the cause: a DNS failure or a timeout was reported as a rate limit. The
    connector's own strategy (source_tempo/components/errors.py) logs each wait with its real cause first, so this
    line is dropped.
  - Tracebacks: HttpClient._send_with_retry ("Retries exhausted with backoff exception."), the concurrent
    read processor ("Exception while syncing stream ...") and the uncaught-exception hook log the stack trace
    of every failure. For an AirbyteTracedException, an error whose message already says what went wrong and
    what to do, the trace is dropped from the log line (the message stays); unexpected exceptions keep it.
  The line of a stream that `fail_to_start_after` kept from starting is dropped altogether.
  - "During the sync, the following streams did not sync successfully: ..." (exception_handler.
    generate_failed_streams_error_message, logged by ConcurrentReadProcessor.is_done): the repr of every
    stream's exception, thousands of characters when many streams failed. Dropped: the sync's last error,
    rewritten by SourceTempo.read, names every stream not read and why.
  - "'<METHOD>' request to '<url>' failed with status code '<n>' and error message: ... Request (body): ...
    Response (body): ... Response (headers): ..." (HttpClient._handle_error_resolution, logged at ERROR before it
    raises the error handler's message for a response it fails on, e.g. a 403 or a 404): the request body and the
    response headers, before the message that says what to do (which the check and the sync's trace carry). A
    user read it as the error itself. It is kept as a DEBUG line, shown with `--debug`.
  The only hook for this is Python's logging: a filter on the root logger's handlers, where the CDK's
  console handler (and the test kit's capture handler) sit. If the texts change, the lines come back
  unchanged: nothing breaks, the log is noisier.
* The CDK's error for a 401 right after an OAuth refresh (HttpClient._handle_error_resolution, `refresh_rejection`):
  its message is always "Refreshed OAuth access token is rejected by the API.", and the manifest's error message
  for the 401 (which names the OAuth application and `region`) goes into the internal message after "Error handler
  message: '". SourceTempo.read shows the manifest's message instead, which also lets it stop the sync at this
  error (every stream signs in the same way). If the texts change, the CDK's message shows: nothing breaks.
* `fail_to_start_after` replaces a stream's `generate_partitions` (the AbstractStream method the CDK's
  partition enqueuer calls in a worker thread to start reading a stream) on that stream object, so that a
  stream the CDK starts after the sync was stopped fails at once, without a request. The CDK has no way to
  stop a concurrent sync early: its read processor starts every selected stream. If the CDK stopped calling
  `generate_partitions`, such streams would be read as before and their errors dropped (SourceTempo.read).
* `request_of` reads the PreparedRequest from the frames of an exception's traceback. requests raises the
  errors of reading a body (a reset connection, a truncated body, a read timeout between two chunks) without
  the request they belong to, and the CDK's error handler receives only the exception; the URL that the
  message must name is the local `request` of HttpClient._send / requests.Session.send in that traceback.
  Without it the message says "a request to Tempo" instead of the URL.

* `time_out_token_refresh` rebinds the name `requests` in airbyte_cdk/sources/streams/http/requests_native_auth/
  abstract_oauth.py to a proxy of the requests module whose `request` adds the connector's (connect, read)
  timeouts when the call gives none. The CDK's OAuth refresh (`_make_handled_request`) POSTs to the token
  endpoint with `requests.request(...)` and no timeout, and neither the manifest nor the authenticator's public
  methods can give it one: a token endpoint that stops answering would hang the sync forever. With the timeout,
  the CDK's own backoff retries the refresh (up to 5 minutes, with a log line per wait).

For the tests only (the connector never calls these; `TEST_KIT_PRIVATE_ATTRIBUTES` lists them, named by module
so that this module does not import the CDK's test kit, whose `requests_mock` is a dev dependency):

* `HttpMocker._mocker` (`requests_mocker`) and `HttpMocker._matchers` (`mocker_matchers`): the test kit mocks
  responses only; unit_tests/mock_server/transport.py registers connection errors (a reset, a timeout) on the
  requests_mock Mocker under it, with the kit's own matcher so that the kit's call counts still hold, and some
  tests read the timeouts a request was sent with from its `request_history`.
* `HttpMocker._validate_all_matchers_called` (`assert_every_mocked_request_sent`): the check `@HttpMocker()` runs
  on exit, which the `http_mocker` fixture (unit_tests/conftest.py) runs only when the test body passed.
* `HttpRequest._body` (`replace_request_body`): a request whose expected body matches a range of dates (from
  "about 180 days ago"), which the builder's plain-dict body cannot say.
* `ConcurrentDeclarativeSource._pre_process_manifest` and `_validate_source` (`MANIFEST_PREPARATION_STEPS`), and
  the `_source_config` and `_declarative_component_schema` a validation reads (`validation_input`): the root
  conftest.py memoizes manifest preparation per test process; the CDK has no cache of its own.
* `APIBudget._do_acquire` (`API_BUDGET_ACQUIRE`): unit_tests/conftest.py records the waits the api_budget asks
  for instead of blocking the test; the public `acquire_call` blocks inside.
* `airbyte_cdk.sources.streams.http.http_client._SQLITE_CACHE_LOCK` (`request_cache_lock`): the parent streams'
  response cache, emptied around each unit test under the lock the CDK writes it with.
* `airbyte_cdk.test.entrypoint_wrapper._run_command` (`run_entrypoint_command`): the test kit has `read` and
  `discover` helpers but none for `check`.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Callable, Iterator, Mapping, MutableMapping

import requests
from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.declarative.concurrent_declarative_source import ConcurrentDeclarativeSource
from airbyte_cdk.sources.declarative.spec import Spec
from airbyte_cdk.sources.declarative.stream_slicers.declarative_partition_generator import (
    DeclarativePartitionFactory,
    StreamSlicerPartitionGenerator,
)
from airbyte_cdk.sources.streams.concurrent.cursor import ConcurrentCursor
from airbyte_cdk.sources.streams.concurrent.default_stream import DefaultStream
from airbyte_cdk.sources.streams.concurrent.partitions.partition_generator import PartitionGenerator
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

# (owner, attribute, whether it is set on instances rather than on the class): what the unit test checks.
PRIVATE_ATTRIBUTES: list[tuple[type, str, bool]] = [
    (ConcurrentDeclarativeSource, "_config", True),
    (ConcurrentDeclarativeSource, "_spec_component", True),
    (DefaultStream, "_stream_partition_generator", True),
    (StreamSlicerPartitionGenerator, "_partition_factory", True),
    (DeclarativePartitionFactory, "_retriever", True),
    (ConcurrentCursor, "_concurrent_state", True),
    (ConcurrentCursor, "_connector_state_converter", True),
    (ConcurrentCursor, "_start", True),
    (ConcurrentCursor, "_lock", True),
    (ConcurrentCursor, "_is_ascending_order", True),
    (ConcurrentCursor, "_most_recent_cursor_value_per_partition", True),
    (ConcurrentCursor, "_has_closed_at_least_one_slice", True),
    (ConcurrentCursor, "_slice_boundary_fields_wrapper", True),
    (ConcurrentCursor, "_START_BOUNDARY", False),
    (ConcurrentCursor, "_merge_partitions", False),
    (ConcurrentCursor, "_emit_state_message", False),
]


def components_config(source: ConcurrentDeclarativeSource) -> Mapping[str, Any]:
    """The config dict the source builds its components (streams, requesters, authenticators) with."""
    return source._config  # type: ignore[no-any-return]


def use_components_config(source: ConcurrentDeclarativeSource, config: Mapping[str, Any]) -> None:
    """Makes the source build its components with `config` (same content as before, e.g. a PersistedConfig)."""
    source._config = config


def spec_component(source: ConcurrentDeclarativeSource) -> Spec:
    """The Spec component the source built from the manifest's `spec` (its config transformations and validations)."""
    return source._spec_component  # type: ignore[return-value]


def swap_class(obj: Any, cls: type) -> None:
    """Makes the CDK-built `obj` an instance of `cls`, a subclass of its class (so every attribute the CDK set on
    it stays valid) that adds behaviour."""
    if not issubclass(cls, type(obj)):
        raise TypeError(f"{cls.__name__} is not a subclass of {type(obj).__name__}: its instances cannot become one")
    obj.__class__ = cls


# --- streams: DefaultStream -> StreamSlicerPartitionGenerator -> DeclarativePartitionFactory -> retriever


def partition_generator(stream: Any) -> PartitionGenerator | None:
    """The PartitionGenerator a CDK-built DefaultStream reads its partitions from (None for another stream)."""
    return getattr(stream, "_stream_partition_generator", None)


def replace_partition_generator(stream: DefaultStream, generator: PartitionGenerator) -> None:
    """Makes `stream` read its partitions from `generator` (e.g. one that wraps the stream's own)."""
    stream._stream_partition_generator = generator


def partition_factory(stream: Any) -> DeclarativePartitionFactory | None:
    """The DeclarativePartitionFactory behind a CDK-built DefaultStream (its retriever reads each partition), or
    None when the stream is not built that way."""
    return getattr(partition_generator(stream), "_partition_factory", None)


def retriever_of(stream: Any) -> Any | None:
    """The retriever (requester, paginator, request options) of a CDK-built declarative stream, or None."""
    return getattr(partition_factory(stream), "_retriever", None)


# --- ConcurrentCursor: its state and bookkeeping, for the worklogs cursors (source_tempo/components/cursors.py)


def cursor_state(cursor: ConcurrentCursor) -> MutableMapping[str, Any]:
    """The cursor's state in the CDK's concurrent form: `slices` done, and `legacy` (keys the CDK carries over)."""
    return cursor._concurrent_state  # type: ignore[no-any-return]


def cursor_lock(cursor: ConcurrentCursor) -> threading.Lock:
    """The lock under which the CDK changes the cursor's state (close_partition); ours takes it too."""
    return cursor._lock


def emit_cursor_state(cursor: ConcurrentCursor) -> None:
    """Sends the cursor's state as a state message (through the CDK's message repository, after the records)."""
    cursor._emit_state_message()


def merge_cursor_slices(cursor: ConcurrentCursor) -> None:
    """Merges the cursor's done slices into one range, as the CDK does when a partition closes."""
    cursor._merge_partitions()


def cursor_start(cursor: ConcurrentCursor) -> Any:
    """The cursor's configured start (the manifest's start_datetime), or None."""
    return cursor._start


def state_converter(cursor: ConcurrentCursor) -> Any:
    """The converter between the cursor's values and its state's text (parse_value, START_KEY, ...)."""
    return cursor._connector_state_converter


def newest_per_partition(cursor: ConcurrentCursor) -> MutableMapping[Any, Any]:
    """The newest cursor value the CDK has seen per slice, from which it closes a partition."""
    return cursor._most_recent_cursor_value_per_partition  # type: ignore[no-any-return]


def records_in_order(cursor: ConcurrentCursor) -> bool:
    """Whether every record the cursor observed came in ascending cursor order."""
    return cursor._is_ascending_order


def mark_out_of_order(cursor: ConcurrentCursor) -> None:
    """Tells the cursor a record came out of order, as its own observe would (it then saves only at the end)."""
    cursor._is_ascending_order = False


def mark_slice_closed(cursor: ConcurrentCursor) -> None:
    """Tells the cursor a partition closed, as its close_partition would (so that it ensures at least one state)."""
    cursor._has_closed_at_least_one_slice = True


def slice_start_key(cursor: ConcurrentCursor) -> str:
    """The name of the start bound in the cursor's slices (e.g. `start_time`)."""
    return cursor._slice_boundary_fields_wrapper[cursor._START_BOUNDARY]  # type: ignore[no-any-return]


# the start of the CDK's wait line in rate_limiting.user_defined_backoff_handler
CDK_WAIT_LOG_PREFIX = "UserDefinedBackoffException: Rate limit exceeded"
NOT_STARTED = "was not started: the sync stopped at an earlier error."
# exception_handler.generate_failed_streams_error_message, logged by the concurrent read processor at the end
CDK_FAILED_STREAMS_PREFIX = "During the sync, the following streams did not sync successfully:"
# HttpClient's error for a request refused again after an OAuth refresh, and where it puts the manifest's message
CDK_REFRESHED_TOKEN_REJECTED = "Refreshed OAuth access token is rejected by the API."
_CDK_HANDLER_MESSAGE = " Error handler message: '"


def refresh_rejection(message: str | None, internal_message: str | None) -> str | None:
    """The manifest's message for a 401 right after an OAuth refresh, from the CDK's error (see the docstring)."""
    if message != CDK_REFRESHED_TOKEN_REJECTED or not internal_message or _CDK_HANDLER_MESSAGE not in internal_message:
        return None
    return internal_message.split(_CDK_HANDLER_MESSAGE, 1)[1].removesuffix("'") or None


# HttpClient._handle_error_resolution's line for a response the error handler fails on: request and response dumped
CDK_RESPONSE_DUMP_MARKERS = ("' failed with status code '", ". Request (body): '", ". Response (headers): '")


class CdkLogRewrites(logging.Filter):
    """Drops the CDK's misleading wait line; keeps the message but not the stack trace of explained errors; the
    request and response dump of a failed response only in debug mode, as a DEBUG line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and record.msg.startswith((CDK_WAIT_LOG_PREFIX, CDK_FAILED_STREAMS_PREFIX)):
            return False
        if isinstance(record.msg, str) and all(marker in record.msg for marker in CDK_RESPONSE_DUMP_MARKERS):
            if not logging.getLogger(record.name).isEnabledFor(logging.DEBUG):
                return False
            record.levelno, record.levelname = logging.DEBUG, logging.getLevelName(logging.DEBUG)
        if record.exc_info and isinstance(record.exc_info[1], AirbyteTracedException):
            if NOT_STARTED in (record.exc_info[1].message or ""):
                return False  # a stream skipped after a stop: the sync's one error says why
            record.exc_info = None
            record.exc_text = None
        return True


def install_log_rewrites() -> None:
    """Adds CdkLogRewrites to every handler of the root logger that lacks it (the CDK configures them when the
    entrypoint starts, so this runs at the start of each command)."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(existing, CdkLogRewrites) for existing in handler.filters):
            handler.addFilter(CdkLogRewrites())


def fail_to_start_after(stream: Any, stopped: Callable[[], str | None]) -> None:
    """Makes `stream` fail without a request if `stopped()` gives a reason when the CDK starts reading it."""
    generate_partitions = stream.generate_partitions

    def generate_unless_stopped() -> Iterator[Any]:
        reason = stopped()
        if reason:
            raise AirbyteTracedException(
                message=f"Stream {stream.name} was not started: the sync stopped at an earlier error.",
                internal_message=f"Stream {stream.name} {NOT_STARTED}",
                failure_type=FailureType.config_error,
            )
        yield from generate_partitions()

    stream.generate_partitions = generate_unless_stopped


def request_of(error: BaseException) -> requests.PreparedRequest | None:
    """The request an exception of requests belongs to: its own `request`, else the innermost local `request`
    of the frames it was raised through (see the module docstring)."""
    request: Any = getattr(error, "request", None)
    if isinstance(request, requests.PreparedRequest):
        return request
    found = None
    traceback = error.__traceback__
    while traceback is not None:
        candidate = traceback.tb_frame.f_locals.get("request")
        if isinstance(candidate, requests.PreparedRequest):
            found = candidate
        traceback = traceback.tb_next
    return found


class _RequestsWithTimeout:
    """The requests module, except that `request` without a timeout gets the connector's (connect, read) one."""

    def __init__(self, timeout: tuple[float, float]) -> None:
        self.timeout = timeout

    def __getattr__(self, name: str) -> Any:
        return getattr(requests, name)

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return requests.request(method, url, **kwargs)


def time_out_token_refresh(connect_seconds: float, read_seconds: float) -> None:
    """Gives the CDK's OAuth token refresh request the connector's timeouts (see the module docstring)."""
    from airbyte_cdk.sources.streams.http.requests_native_auth import abstract_oauth

    abstract_oauth.requests = _RequestsWithTimeout((connect_seconds, read_seconds))  # type: ignore[assignment]


# For the tests only (see the module docstring): (module, class or "" for the module itself, attribute, whether it is
# set on instances).
TEST_KIT_PRIVATE_ATTRIBUTES: list[tuple[str, str, str, bool]] = [
    ("airbyte_cdk.sources.streams.call_rate", "APIBudget", "_do_acquire", False),
    ("airbyte_cdk.sources.streams.http.http_client", "", "_SQLITE_CACHE_LOCK", False),
    ("airbyte_cdk.test.entrypoint_wrapper", "", "_run_command", False),
    ("airbyte_cdk.test.mock_http", "HttpMocker", "_mocker", True),
    ("airbyte_cdk.test.mock_http", "HttpMocker", "_matchers", True),
    ("airbyte_cdk.test.mock_http", "HttpMocker", "_validate_all_matchers_called", False),
    ("airbyte_cdk.test.mock_http", "HttpRequest", "_body", True),
    (ConcurrentDeclarativeSource.__module__, "ConcurrentDeclarativeSource", "_pre_process_manifest", False),
    (ConcurrentDeclarativeSource.__module__, "ConcurrentDeclarativeSource", "_validate_source", False),
    (ConcurrentDeclarativeSource.__module__, "ConcurrentDeclarativeSource", "_source_config", True),
    (ConcurrentDeclarativeSource.__module__, "ConcurrentDeclarativeSource", "_declarative_component_schema", True),
]

# The method of APIBudget that blocks until the budget allows a request, which the unit tests replace.
API_BUDGET_ACQUIRE = "_do_acquire"

# The methods of ConcurrentDeclarativeSource that prepare a manifest, which the root conftest.py memoizes.
MANIFEST_PREPARATION_STEPS = ("_pre_process_manifest", "_validate_source")


def validation_input(source: ConcurrentDeclarativeSource) -> tuple[Any, Any]:
    """What `_validate_source` checks: the resolved manifest and the component schema it is checked against."""
    return source._source_config, source._declarative_component_schema


def requests_mocker(http_mocker: Any) -> Any:
    """The requests_mock Mocker under an HttpMocker (its `request_history`, its registration methods)."""
    return http_mocker._mocker


def mocker_matchers(http_mocker: Any, method: Any) -> list[Any]:
    """The HttpMocker's matchers for one HTTP method, which its call counts and exit check go through."""
    return http_mocker._matchers[method]  # type: ignore[no-any-return]


def assert_every_mocked_request_sent(http_mocker: Any) -> None:
    """The check `@HttpMocker()` runs on exit: fails when a mocked request was never sent."""
    http_mocker._validate_all_matchers_called()


def replace_request_body(request: Any, body: Any) -> None:
    """Gives an HttpRequest an expected body the builder cannot express (an object with its own `__eq__`)."""
    request._body = body


def request_cache_lock() -> Any:
    """The lock under which the CDK writes its response cache (the parent streams' SQLite cache)."""
    from airbyte_cdk.sources.streams.http import http_client

    return http_client._SQLITE_CACHE_LOCK


def run_entrypoint_command(source: Any, args: list[str], expected_outcome: Any) -> Any:
    """The test kit's runner of one protocol command (it has public helpers for `read` and `discover` only)."""
    from airbyte_cdk.test import entrypoint_wrapper

    return entrypoint_wrapper._run_command(source, args, expected_outcome=expected_outcome)

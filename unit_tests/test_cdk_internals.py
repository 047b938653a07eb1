"""Every assumption of source_tempo/cdk_internals.py about the installed CDK and requests, checked: a CDK upgrade
that renames a private attribute or changes a text fails here, naming it, rather than as a connector that quietly
stops doing something (e.g. saving a rotated OAuth refresh token to the config file)."""

from __future__ import annotations

import importlib
import inspect
import logging
from typing import Any

import pytest
import requests
from airbyte_cdk.exception_handler import generate_failed_streams_error_message
from airbyte_cdk.sources.concurrent_source import concurrent_read_processor
from airbyte_cdk.sources.declarative.stream_slicers.declarative_partition_generator import DeclarativePartitionFactory
from airbyte_cdk.sources.declarative.yaml_declarative_source import YamlDeclarativeSource
from airbyte_cdk.sources.streams.concurrent import partition_enqueuer
from airbyte_cdk.sources.streams.concurrent.cursor import ConcurrentCursor
from airbyte_cdk.sources.streams.http import http_client, rate_limiting
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_tempo import SourceTempo
from source_tempo.cdk_internals import (
    CDK_FAILED_STREAMS_PREFIX,
    CDK_REFRESHED_TOKEN_REJECTED,
    CDK_RESPONSE_DUMP_MARKERS,
    CDK_WAIT_LOG_PREFIX,
    PRIVATE_ATTRIBUTES,
    TEST_KIT_PRIVATE_ATTRIBUTES,
    CdkLogRewrites,
    components_config,
    cursor_state,
    fail_to_start_after,
    partition_factory,
    partition_generator,
    records_in_order,
    request_of,
    retriever_of,
    slice_start_key,
    swap_class,
)
from source_tempo.components.auth import PersistedConfig
from source_tempo.source import MANIFEST
from unit_tests.mock_server.config import ConfigBuilder


def _instance_of(owner: type) -> Any:
    """A plain CDK instance of `owner`, built without SourceTempo, so that nothing of ours sets the attribute: the
    source, or a part of its worklogs stream (the stream, its cursor, the objects its partitions come from)."""
    config = ConfigBuilder().with_oauth().build()
    source = YamlDeclarativeSource(path_to_yaml=str(MANIFEST), config=config)
    worklogs = next(stream for stream in source.streams(config) if stream.name == "worklogs")
    generator = vars(worklogs).get("_stream_partition_generator")
    factory = vars(generator).get("_partition_factory") if generator is not None else None
    candidates = [source, worklogs, worklogs.cursor, generator, factory]
    found = [candidate for candidate in candidates if type(candidate) is owner or isinstance(candidate, owner)]
    assert found, f"no way to build a {owner.__name__} in this test: add one"
    return found[0]


@pytest.mark.parametrize(
    "owner, attribute, on_instance",
    PRIVATE_ATTRIBUTES,
    ids=[f"{owner.__name__}.{attribute}" for owner, attribute, _ in PRIVATE_ATTRIBUTES],
)
def test_every_listed_private_attribute_exists_in_the_installed_cdk(owner: type, attribute: str, on_instance: bool):
    holder = _instance_of(owner) if on_instance else owner
    assert hasattr(holder, attribute), (
        f"The installed airbyte-cdk has no {owner.__name__}.{attribute}, which source_tempo/cdk_internals.py "
        "relies on: find its replacement in the CDK and update cdk_internals.py and its docstring."
    )


def _test_kit_instance(owner: type) -> Any:
    """A plain instance of a test-kit class or of the source, as the tests that use the attribute build it."""
    from airbyte_cdk.test.mock_http import HttpMocker, HttpRequest

    if owner is HttpMocker:
        return HttpMocker()
    if owner is HttpRequest:
        return HttpRequest("https://api.tempo.io/4/worklogs", body={"updatedFrom": "2024-01-01T00:00:00Z"})
    return _instance_of(owner)


@pytest.mark.parametrize(
    "module, owner, attribute, on_instance",
    TEST_KIT_PRIVATE_ATTRIBUTES,
    ids=[f"{owner or module}.{attribute}" for module, owner, attribute, _ in TEST_KIT_PRIVATE_ATTRIBUTES],
)
def test_every_private_attribute_the_tests_use_exists_in_the_installed_cdk(
    module: str, owner: str, attribute: str, on_instance: bool
):
    holder: Any = importlib.import_module(module)
    if owner:
        holder = getattr(holder, owner)
        holder = _test_kit_instance(holder) if on_instance else holder
    assert hasattr(holder, attribute), (
        f"The installed airbyte-cdk has no {owner or module}.{attribute}, which the tests reach through "
        "source_tempo/cdk_internals.py: find its replacement in the CDK and update cdk_internals.py."
    )


def test_the_components_are_built_from_the_config_the_source_was_given():
    """`_config` is the CDK's config as the constructor transformed it, not something else under that name."""
    config = ConfigBuilder().with_oauth().build()

    source = SourceTempo(config=dict(config), config_path="/somewhere/config.json")

    built_from = components_config(source)
    assert isinstance(built_from, PersistedConfig) and built_from.path == "/somewhere/config.json"
    assert dict(built_from) == config


def _record(message: str, error: BaseException | None = None) -> logging.LogRecord:
    exc_info = (type(error), error, error.__traceback__) if error else None
    return logging.LogRecord("airbyte", logging.INFO, __file__, 1, message, None, exc_info)


def test_the_accessors_reach_what_their_names_say_on_a_stream_the_cdk_built() -> None:
    """The private attributes exist (above) and still mean what the worklogs cursors and tombstones use them for."""
    config = ConfigBuilder().with_oauth().build()
    source = YamlDeclarativeSource(path_to_yaml=str(MANIFEST), config=config)
    worklogs = next(stream for stream in source.streams(config) if stream.name == "worklogs")
    cursor = worklogs.cursor

    assert isinstance(cursor, ConcurrentCursor)
    assert slice_start_key(cursor) == "start_time"  # the manifest's start_time_option field, as slices carry it
    assert isinstance(cursor_state(cursor), dict) and records_in_order(cursor) is True
    assert isinstance(partition_factory(worklogs), DeclarativePartitionFactory)
    assert retriever_of(worklogs).requester.get_path() == "worklogs/search"
    generator = partition_generator(worklogs)
    assert [partition.to_slice() for partition in worklogs.generate_partitions()] == [
        partition.to_slice() for partition in generator.generate()
    ]


def test_swap_class_makes_an_object_a_subclass_instance_and_refuses_any_other_class() -> None:
    class Counting(ConcurrentCursor):
        pass

    config = ConfigBuilder().with_oauth().build()
    source = YamlDeclarativeSource(path_to_yaml=str(MANIFEST), config=config)
    cursor = next(stream for stream in source.streams(config) if stream.name == "worklogs").cursor

    swap_class(cursor, Counting)

    assert type(cursor) is Counting and slice_start_key(cursor) == "start_time"
    with pytest.raises(TypeError, match="not a subclass"):
        swap_class(cursor, PersistedConfig)


def test_the_cdk_still_logs_its_wait_line_and_the_tracebacks_the_filter_rewrites() -> None:
    assert CDK_WAIT_LOG_PREFIX in inspect.getsource(rate_limiting.user_defined_backoff_handler)
    assert "exc_info=True" in inspect.getsource(http_client.HttpClient._send_with_retry)
    assert "self._logger.exception(" in inspect.getsource(
        concurrent_read_processor.ConcurrentReadProcessor.on_exception
    )
    resolution = inspect.getsource(http_client.HttpClient)
    assert f'message = "{CDK_REFRESHED_TOKEN_REJECTED}"' in resolution
    assert "f\" Error handler message: '{error_resolution.error_message}'\"" in resolution
    failed = generate_failed_streams_error_message({"customers": [ValueError("x")]})
    assert failed.startswith(CDK_FAILED_STREAMS_PREFIX)


def test_the_wait_line_is_dropped_and_explained_errors_lose_only_their_stack_trace() -> None:
    rewrites = CdkLogRewrites()
    assert not rewrites.filter(_record(f"{CDK_WAIT_LOG_PREFIX} (HTTP 503). Retrying in 2.0 seconds."))
    assert not rewrites.filter(_record(f"{CDK_FAILED_STREAMS_PREFIX} customers: AirbyteTracedException('...')"))

    try:
        raise AirbyteTracedException(message="Tempo rejected the API token")
    except AirbyteTracedException as error:
        explained = _record("Exception while syncing stream customers", error)
    assert rewrites.filter(explained) and explained.exc_info is None
    assert explained.getMessage() == "Exception while syncing stream customers"

    try:
        raise KeyError("a bug")
    except KeyError as error:
        bug = _record("Exception while syncing stream customers", error)
    assert rewrites.filter(bug) and bug.exc_info is not None  # an unexpected error keeps its trace


def test_the_cdk_still_dumps_a_failed_response_in_the_text_the_filter_recognizes() -> None:
    source = inspect.getsource(http_client.HttpClient._handle_error_resolution)
    assert "Request (body): '" in source and "Response (headers): '" in source
    assert "failed with status code '" in source and "self._logger.error(error_message)" in source


def test_the_dump_of_a_failed_response_is_kept_only_as_a_debug_line_in_debug_mode() -> None:
    rewrites = CdkLogRewrites()
    dump = (
        "'POST' request to 'https://api.tempo.io/4/worklogs/search' failed with status code '403' and error message: "
        "'Forbidden'. Request (body): 'b'{}''. Response (body): '{}'. Response (headers): '{}'."
    )
    assert all(marker in dump for marker in CDK_RESPONSE_DUMP_MARKERS)
    logger = logging.getLogger("airbyte.test_dump")
    record = logging.LogRecord(logger.name, logging.ERROR, __file__, 1, dump, None, None)
    logger.setLevel(logging.INFO)
    assert not rewrites.filter(record)
    logger.setLevel(logging.DEBUG)  # as `--debug` sets it
    try:
        assert rewrites.filter(record) and record.levelname == "DEBUG" and record.levelno == logging.DEBUG
    finally:
        logger.setLevel(logging.NOTSET)
    other = logging.LogRecord(logger.name, logging.ERROR, __file__, 1, "Check failed", None, None)
    assert rewrites.filter(other) and other.levelname == "ERROR"


@pytest.mark.parametrize("function", [http_client.HttpClient._send, requests.Session.send])
def test_the_functions_that_send_still_name_their_request_request(function) -> None:
    assert "request" in inspect.signature(function).parameters


def test_request_of_finds_the_request_of_a_body_error_in_its_traceback() -> None:
    """requests raises body errors (ChunkedEncodingError, ...) without their request."""
    request = requests.Request("GET", "https://api.tempo.io/4/customers?limit=5").prepare()

    def send(request: requests.PreparedRequest) -> None:
        raise requests.exceptions.ChunkedEncodingError("Connection broken")

    try:
        send(request)
    except requests.exceptions.ChunkedEncodingError as error:
        assert error.request is None
        assert request_of(error) is request
    with_request = requests.exceptions.ConnectionError("refused", request=request)
    assert request_of(with_request) is request
    assert request_of(ValueError("no request anywhere")) is None


def test_a_stream_started_after_a_stop_fails_without_generating_a_partition() -> None:
    class Stream:
        name = "customers"
        generated = 0

        def generate_partitions(self):
            Stream.generated += 1
            yield "a partition"

    running, stopped = Stream(), Stream()
    fail_to_start_after(running, lambda: None)
    fail_to_start_after(stopped, lambda: "401")

    assert list(running.generate_partitions()) == ["a partition"]
    with pytest.raises(AirbyteTracedException, match="Stream customers was not started"):
        list(stopped.generate_partitions())
    assert Stream.generated == 1
    # the CDK's partition enqueuer calls exactly this method on the stream object
    assert "stream.generate_partitions()" in inspect.getsource(partition_enqueuer.PartitionEnqueuer.generate_partitions)

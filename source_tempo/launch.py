"""`source-tempo check|discover|read ...` (and `spec` with options) through the CDK; see source_tempo/run.py."""

from __future__ import annotations

import gc
import sys
from typing import Any, Iterator, List, Mapping

import orjson
from airbyte_cdk.entrypoint import AirbyteEntrypoint
from airbyte_cdk.logger import PRINT_BUFFER
from airbyte_cdk.models import (
    AirbyteConnectionStatus,
    AirbyteMessage,
    AirbyteMessageSerializer,
    FailureType,
    Status,
    Type,
)
from airbyte_cdk.utils.airbyte_secrets_utils import filter_secrets
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_tempo.components.config import register_secrets
from source_tempo.source import SourceTempo


def _emit(message: AirbyteMessage) -> None:
    print(orjson.dumps(AirbyteMessageSerializer.dump(message)).decode(), flush=True)


def _fail(command: str, message: str, failure_type: FailureType) -> None:
    """Reports a problem found before the CDK runs: a failed check, or an error trace for other commands."""
    if command == "check" and failure_type == FailureType.config_error:
        _emit(
            AirbyteMessage(
                type=Type.CONNECTION_STATUS,
                connectionStatus=AirbyteConnectionStatus(status=Status.FAILED, message=filter_secrets(message)),
            )
        )
        sys.exit(0)
    _emit(AirbyteTracedException(message=message, failure_type=failure_type).as_sanitized_airbyte_message())
    sys.exit(1)


class _Output:
    """Protocol lines written in batches, as bytes: one print per record was a tenth of a sync's CPU.

    Lines keep their order (a state always follows the records it covers); only log lines that other threads
    print (into the CDK's PRINT_BUFFER) may land between batches, and they go out before each batch.
    """

    BATCH = 500

    def __init__(self) -> None:
        self.lines: List[bytes] = []

    def add(self, line: bytes) -> None:
        self.lines.append(line)
        if len(self.lines) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.lines:
            return
        data = b"\n".join(self.lines) + b"\n"
        self.lines.clear()
        binary = getattr(sys.__stdout__, "buffer", None)
        if sys.stdout is PRINT_BUFFER and binary is not None:
            with PRINT_BUFFER.lock:
                PRINT_BUFFER.flush()  # what other threads logged meanwhile goes first
                binary.write(data)
                binary.flush()
        else:  # stdout replaced (tests): text, as the CDK writes it
            sys.stdout.write(data.decode())


def record_line(stream: str, data: Mapping[str, Any], emitted_at: int) -> bytes:
    """The bytes the CDK writes for a record message without namespace, meta or file reference."""
    if None in data.values():  # as the CDK's serializer: a top-level null field is left out
        data = {key: value for key, value in data.items() if value is not None}
    return orjson.dumps({"type": "RECORD", "record": {"stream": stream, "data": data, "emitted_at": emitted_at}})


class _Entrypoint(AirbyteEntrypoint):
    """The CDK's entrypoint, serialising record messages itself, straight to bytes.

    Why: the CDK turns each record into a dict with its protocol serializer, then to JSON text, which is then
    encoded again on its way out: about a tenth of a sync's CPU. A record message is
    `{"type":"RECORD","record":{"stream","data","emitted_at"}}` (the serializer leaves out fields that are None,
    and also the top-level fields of `data` that are None: so does this), so orjson writes the same bytes from it
    directly. The CDK's own `read` still sees every message first: it
    counts the records each state message reports. Any other message, or a record with a namespace, meta or
    file reference, goes the CDK's way.
    """

    def __init__(self, source: SourceTempo, output: _Output) -> None:
        super().__init__(source)
        self.output = output

    def read(self, source_spec: Any, config: Any, catalog: Any, state: List[Any]) -> Iterator[AirbyteMessage]:
        add, record_type = self.output.add, Type.RECORD
        for message in super().read(source_spec, config, catalog, state):
            record = message.record
            if (
                message.type == record_type
                and record is not None
                and record.namespace is None
                and record.meta is None
                and record.file_reference is None
            ):
                add(record_line(record.stream, record.data, record.emitted_at))
            else:
                yield message


def _launch(source: SourceTempo, args: List[str]) -> None:
    """The CDK's `launch`, with records serialised and written in batches (see _Output, _Entrypoint)."""
    output = _Output()
    entrypoint = _Entrypoint(source, output)
    parsed_args = entrypoint.parse_args(args)
    with PRINT_BUFFER:
        try:
            for message in entrypoint.run(parsed_args):
                output.add(message.encode())
                if not message.startswith('{"type":"RECORD"'):
                    output.flush()
        finally:
            output.flush()


def _fewer_malloc_arenas() -> None:
    """At most two glibc malloc arenas, before any worker thread starts: peak memory 115 MB instead of 165 MB.

    Why: glibc gives each thread that allocates its own arena (up to 8 per core) and keeps their freed memory, so
    a sync whose worker threads each parse pages of thousands of worklogs grew with every thread's high-water mark.
    The same as the environment variable MALLOC_ARENA_MAX=2. Elsewhere than Linux with glibc, nothing happens.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").mallopt(-8, 2)  # M_ARENA_MAX
    except (OSError, AttributeError):
        pass  # not glibc (musl, ...): its allocator has no per-thread arenas to bound


def run(args: List[str]) -> None:
    _fewer_malloc_arenas()
    command = args[0] if args else ""
    config_path = AirbyteEntrypoint.extract_config(args)
    catalog_path = AirbyteEntrypoint.extract_catalog(args)
    state_path = AirbyteEntrypoint.extract_state(args)
    try:
        config = SourceTempo.read_config(config_path) if config_path else None
        if config is not None:
            register_secrets(config)  # as given, before anything can fail on it
        source = SourceTempo(
            catalog=SourceTempo.read_catalog(catalog_path) if catalog_path else None,
            config=config,
            state=SourceTempo.read_state(state_path) if state_path else None,
            config_path=config_path,
        )
    except Exception as error:  # an unreadable config, catalog or state file: say which, without a stack trace
        _fail(command, f"source-tempo could not start: {error}", FailureType.config_error)
        return
    if config is not None:
        # The manifest's validations, before the CDK's own JSON-schema check of the config, so that the message
        # names the field in plain words (see SourceTempo.validate_config).
        try:
            source.validate_config()
        except AirbyteTracedException as error:
            _fail(command, error.message or "", error.failure_type or FailureType.config_error)
            return
    _quiet_garbage_collector()
    _launch(source, args)


def _quiet_garbage_collector() -> None:
    """Fewer cyclic garbage collections during a sync: they were about a fifth of a large sync's CPU.

    Records are dicts of JSON values, freed by reference counting as soon as they are written; but each page
    allocates tens of thousands of them, so with Python's default thresholds (a collection every 700
    allocations) the collector ran dozens of times a page, and its full collections walked every record
    waiting in the CDK's queue and every object of the start-up (the CDK, the manifest's components). Those are
    frozen out of all collections, and a young collection runs every 20,000 allocations (about a page of 2500):
    not rarer, since the CDK leaves each response in a reference cycle that only the collector frees.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 2, 10)

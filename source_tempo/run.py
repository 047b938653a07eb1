"""Console-script entrypoint: `source-tempo spec|check|discover|read ...`."""

from __future__ import annotations

import sys
from typing import List

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


def _launch(source: SourceTempo, args: List[str]) -> None:
    """The CDK's `launch`, writing messages in batches: one print per record was a tenth of a sync's CPU.

    Messages keep their order (a state always follows the records it covers); only log lines that other
    threads print may land between batches.
    """
    entrypoint = AirbyteEntrypoint(source)
    parsed_args = entrypoint.parse_args(args)
    with PRINT_BUFFER:
        batch: list[str] = []
        for message in entrypoint.run(parsed_args):
            batch.append(message)
            if len(batch) >= 200 or not message.startswith('{"type":"RECORD"'):
                sys.stdout.write("\n".join(batch) + "\n")
                batch.clear()
        if batch:
            sys.stdout.write("\n".join(batch) + "\n")


def run(args: List[str] | None = None) -> None:
    args = sys.argv[1:] if args is None else args
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
    _launch(source, args)

"""Console-script entrypoint: `source-tempo spec|check|discover|read ...`, the Airbyte protocol's commands.

Without a command (or with an unknown one) it prints its usage and exits with 2, as argparse does, rather than
the CDK's "No command passed" traceback; `--version` prints the package's version.
"""

from __future__ import annotations

import importlib.metadata
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

COMMANDS = ("spec", "check", "discover", "read")
USAGE = """\
usage: source-tempo spec
       source-tempo check    --config CONFIG
       source-tempo discover --config CONFIG
       source-tempo read     --config CONFIG --catalog CATALOG [--state STATE]
       source-tempo --version

The Airbyte source connector for Tempo ({version}).
Each command writes Airbyte protocol messages (JSON lines) to stdout:
  spec      the configuration's JSON schema
  check     signs in and reads the first page of worklogs; probes the rest
  discover  the catalog of its streams
  read      the records and state of the streams CATALOG selects

options:
  --config CONFIG    the config JSON file, e.g. {{"credentials": {{"auth_type":
                     "api_token", "api_token": "..."}}, "region": "global"}}
  --catalog CATALOG  the configured catalog JSON file (the streams to read)
  --state STATE      the state JSON file of the previous read: a list of STATE
                     messages (python -m source_tempo.state makes it from the
                     read's output)
  --debug            debug log lines too (after any command)
  --version          print the version and exit
  -h, --help         print this help and exit

Documentation: docs/tempo.md in the connector's repository.
"""


def version() -> str:
    """The installed package's version (a wheel, `pip install .`, `uv sync`); "unknown" when run from a bare copy."""
    try:
        return importlib.metadata.version("airbyte-source-tempo")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _usage_or_version(args: List[str]) -> int | None:
    """The exit code when `args` ask for the usage or the version, or lack a command; None to run the command."""
    first = args[0] if args else None
    if first in COMMANDS:
        return None  # the CDK's argparse checks the rest, with the usage of that command
    usage = USAGE.format(version=f"airbyte-source-tempo {version()}")
    if first == "--version":
        print(f"source-tempo {version()}")
        return 0
    if first in ("-h", "--help"):
        print(usage, end="")
        return 0
    print(usage, end="", file=sys.stderr)
    if first is None:
        error = "a command is required"
    elif first.startswith("-"):
        error = f"the command ({', '.join(COMMANDS)}) comes first, before {first}"
    else:
        error = f"unknown command {first!r} (choose from {', '.join(COMMANDS)})"
    print(f"source-tempo: error: {error}", file=sys.stderr)
    return 2


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
    exit_code = _usage_or_version(args)
    if exit_code is not None:
        sys.exit(exit_code)
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

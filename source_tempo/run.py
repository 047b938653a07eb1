"""Console-script entrypoint: `source-tempo spec|check|discover|read ...`, the Airbyte protocol's commands.

Without a command (or with an unknown one) it prints its usage and exits with 2, as argparse does, rather than
the CDK's "No command passed" traceback; `--version` prints the package's version.

`spec` is answered without importing the CDK (source_tempo/spec.py): importing airbyte_cdk alone costs about
2 s of CPU, since its package imports nearly every module it has. Every other command goes through the CDK
(source_tempo/launch.py), which is imported only then.
"""

from __future__ import annotations

import importlib.metadata
import sys
from typing import List

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


def run(args: List[str] | None = None) -> None:
    args = sys.argv[1:] if args is None else args
    exit_code = _usage_or_version(args)
    if exit_code is not None:
        sys.exit(exit_code)
    if args == ["spec"]:
        from source_tempo.spec import write_spec

        write_spec()
        return
    from source_tempo.launch import run as launch

    launch(args)

"""`python -m source_tempo.state`: the `--state` file of the next read, from the messages of a read.

Airbyte keeps a connection's state itself; run by hand (or by a script, cron, ...), `source-tempo read` only
prints its STATE messages among the records, and the next incremental read needs them back as a file: a JSON
list of state messages, the newest one per stream. This is not a protocol command (the Airbyte protocol has
exactly spec, check, discover and read), so it is a module of its own:

    source-tempo read --config config.json --catalog catalog.json > messages.jsonl
    python -m source_tempo.state messages.jsonl > state.json
    source-tempo read --config config.json --catalog catalog.json --state state.json > next.jsonl
    python -m source_tempo.state --previous state.json next.jsonl > state.json.new && mv state.json.new state.json

`--previous` keeps the state of streams the new read did not send one for (e.g. not selected this time). A state
saved before a failed or cancelled read is a valid checkpoint: the next read continues from it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import IO, Any, Iterable

USAGE_EXAMPLE = "source-tempo read ... > messages.jsonl; python -m source_tempo.state messages.jsonl > state.json"


def _key(state: dict) -> str:
    """Which state a message replaces: one per stream (name and namespace), the global one, or the legacy one."""
    kind = state.get("type") or "LEGACY"
    if kind == "STREAM":
        descriptor = state["stream"]["stream_descriptor"]
        return json.dumps(["STREAM", descriptor.get("name"), descriptor.get("namespace")])
    return json.dumps([kind])


def _without_stats(state: dict) -> dict:
    """The state as the next read takes it: the counts of the read that sent it are not part of it."""
    return {key: value for key, value in state.items() if key not in ("sourceStats", "destinationStats")}


def latest_states(lines: Iterable[str], previous: list[dict] | None = None) -> list[dict]:
    """The newest STATE message per stream among `lines` (a read's stdout), over `previous` (a state file's list)."""
    latest: dict[str, dict] = {_key(state): state for state in previous or []}
    for line in lines:
        if not line.startswith("{"):
            continue  # what else a terminal or a wrapper printed
        try:
            message = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(message, dict) and message.get("type") == "STATE" and isinstance(message.get("state"), dict):
            latest[_key(message["state"])] = _without_stats(message["state"])
    return list(latest.values())


def main(argv: list[str] | None = None, stdin: IO[str] | None = None, stdout: IO[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m source_tempo.state",
        description="Writes the --state file of the next `source-tempo read`: the newest STATE message per stream "
        "of the messages a read printed.",
        epilog=f"Example: {USAGE_EXAMPLE}",
    )
    parser.add_argument(
        "messages", nargs="*", type=Path, help="files with a read's stdout, in the order of the reads (default: stdin)"
    )
    parser.add_argument(
        "--previous", type=Path, help="the state file of the read before: streams without a new state keep theirs"
    )
    options = parser.parse_args(argv)
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    try:
        previous: Any = json.loads(options.previous.read_text()) if options.previous else []
        if not isinstance(previous, list):
            parser.error(f"{options.previous} is not a state file: a JSON list of state messages")
        lines: list[str] = []
        for path in options.messages:
            lines.extend(path.read_text().splitlines())
        if not options.messages:
            lines = stdin.read().splitlines()
    except (OSError, json.JSONDecodeError) as error:
        parser.error(str(error))
    states = latest_states(lines, previous)
    if not states:
        print(
            "python -m source_tempo.state: no STATE message in the input; give it the stdout of `source-tempo read`.",
            file=sys.stderr,
        )
        return 1
    stdout.write(json.dumps(states, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

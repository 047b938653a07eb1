"""Runs the real `source-tempo` entrypoint in a subprocess, the way Airbyte runs a connector image."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

ENTRYPOINT = [sys.executable, str(Path(__file__).resolve().parent.parent / "main.py")]


@dataclass
class Run:
    messages: list[dict]
    stderr: str
    returncode: int
    stdout: str = field(repr=False, default="")

    def of_type(self, kind: str) -> list[dict]:
        return [m for m in self.messages if m["type"] == kind]

    def records(self, stream: str | None = None) -> list[dict]:
        return [m["record"]["data"] for m in self.of_type("RECORD") if stream in (None, m["record"]["stream"])]

    def states(self, stream: str | None = None) -> list[dict]:
        return [
            m["state"]
            for m in self.of_type("STATE")
            if stream in (None, m["state"]["stream"]["stream_descriptor"]["name"])
        ]

    def final_state(self) -> list[dict]:
        """The newest state message of each stream, as Airbyte would persist it."""
        latest: dict[str, dict] = {}
        for state in self.states():
            latest[state["stream"]["stream_descriptor"]["name"]] = state
        return list(latest.values())

    def errors(self) -> list[str]:
        return [m["trace"]["error"]["message"] for m in self.of_type("TRACE") if m["trace"]["type"] == "ERROR"]

    def output_outside_control(self) -> str:
        """stdout without the CONTROL messages, and stderr. A CONTROL message carries the whole config (with
        its secrets) to Airbyte, which stores it as a secret: the one place a secret is meant to be printed."""
        lines = [line for line in self.stdout.splitlines() if not line.startswith('{"type":"CONTROL"')]
        return "\n".join(lines) + "\n" + self.stderr

    def control_configs(self) -> list[dict]:
        return [m["control"]["connectorConfig"]["config"] for m in self.of_type("CONTROL")]

    def logs(self, *levels: str) -> list[str]:
        return [m["log"]["message"] for m in self.of_type("LOG") if not levels or m["log"]["level"] in levels]


def assert_no_secrets(result: Run, secrets: Iterable[str]) -> None:
    """No secret in the output (outside CONTROL messages), verbatim or JSON-escaped."""
    text = result.output_outside_control()
    leaked = [secret for secret in secrets for form in {secret, json.dumps(secret)[1:-1]} if form in text]
    assert not leaked, f"secrets in the output: {leaked}"


def write_json(path: Path, content: Any) -> str:
    path.write_text(json.dumps(content))
    return str(path)


def run(args: list[str], on_line: Callable[[dict, subprocess.Popen], None] | None = None, timeout: float = 300) -> Run:
    """Runs the connector; on_line sees every parsed message as it arrives (and may kill the process)."""
    process = subprocess.Popen(ENTRYPOINT + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    messages, lines = [], []
    assert process.stdout is not None
    for line in process.stdout:
        lines.append(line)
        if line.startswith("{") and line.endswith("\n"):  # a killed process may leave half a line
            message = json.loads(line)
            messages.append(message)
            if on_line:
                on_line(message, process)
    stderr = process.stderr.read() if process.stderr else ""
    process.wait(timeout=timeout)
    return Run(messages=messages, stderr=stderr, returncode=process.returncode, stdout="".join(lines))


def configured_catalog(streams: Iterable[str], incremental: Iterable[str] = ("worklogs",)) -> dict:
    """A configured catalog from the connector's own discover output."""
    return {"streams": [_configured(name, name in set(incremental)) for name in streams]}


def _configured(name: str, incremental: bool) -> dict:
    cursor = {
        "worklogs": ["updatedAt"],
        "plans": ["updatedAt"],
        "timesheet-approvals": ["period_from"],
        "worklog-deletions": ["deletedAt"],
        "user-schedules": ["date"],
        "timesheet-approval-logs": ["updatedAt"],
        "plan-days": ["updatedAt"],
        "worklog-attribute-values": ["updatedAt"],
    }.get(name)
    return {
        "stream": {
            "name": name,
            "json_schema": {},
            "supported_sync_modes": ["full_refresh", "incremental"] if cursor else ["full_refresh"],
            **({"source_defined_cursor": True, "default_cursor_field": cursor} if cursor else {}),
        },
        "sync_mode": "incremental" if incremental and cursor else "full_refresh",
        "destination_sync_mode": "append",
        **({"cursor_field": cursor} if incremental and cursor else {}),
    }


class Connector:
    """The connector CLI bound to a config and a work folder."""

    def __init__(self, folder: Path, config: dict) -> None:
        self.folder = folder
        self.config_path = write_json(folder / "config.json", config)

    def check(self) -> Run:
        return run(["check", "--config", self.config_path])

    def discover(self) -> Run:
        return run(["discover", "--config", self.config_path])

    def read(self, catalog: dict, state: list | None = None, on_line=None) -> Run:
        args = ["read", "--config", self.config_path, "--catalog", write_json(self.folder / "catalog.json", catalog)]
        if state is not None:
            args += ["--state", write_json(self.folder / "state.json", state)]
        return run(args, on_line=on_line)


def sandbox_connector(folder: Path, sandbox: Any, **config: Any) -> Connector:
    """The connector against a sandbox, from 2022-01-01 and with a fast budget: the sandbox has no rate limit
    unless asked, and 50 requests/s keeps the syncs of the many-stream tests short."""
    base = {
        "api_token": sandbox.token,
        "api_url": sandbox.base_url,
        "start_date": "2022-01-01",
        "requests_per_second": 50,
    }
    return Connector(folder, {**base, **config})


def read_cleanly(conn: Connector, streams: list[str], incremental: Iterable[str], state: list | None = None) -> Run:
    """A read of `streams` (those in `incremental` incrementally) that must end without an error."""
    result = conn.read(configured_catalog(streams, incremental=incremental), state=state)
    assert result.returncode == 0 and not result.errors(), (result.errors(), result.stderr[-2000:])
    return result


def canonical(records: list[dict]) -> list[str]:
    return sorted(json.dumps(record, sort_keys=True) for record in records)


def assert_exactly(delivered: list[dict], expected: list[dict]) -> None:
    """The same records, none twice."""
    delivered, expected = canonical(delivered), canonical(expected)
    repeated = [record for record, count in Counter(delivered).items() if count > 1]
    assert not repeated, f"{len(repeated)} delivered twice, e.g. {repeated[:2]}"
    assert len(delivered) == len(expected) and delivered == expected

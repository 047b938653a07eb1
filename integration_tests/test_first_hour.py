"""What a new user meets in the first hour, through the real `source-tempo` command: its usage without a command,
`--version`, the check's message for a rejected token, and a read's STATE messages turned into the `--state` file
of the next read with `python -m source_tempo.state` (README, docs/tempo.md "Running syncs yourself")."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from integration_tests.connector_cli import ENTRYPOINT, configured_catalog, run, sandbox_connector, write_json

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

ROOT = Path(__file__).resolve().parent.parent
VERSION = re.search(r'^version = "(.+)"$', (ROOT / "pyproject.toml").read_text(), re.MULTILINE).group(1)


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(ENTRYPOINT + list(args), capture_output=True, text=True, timeout=120)


def test_without_a_command_it_prints_its_usage_and_exits_2_without_a_traceback() -> None:
    completed = _cli()

    assert completed.returncode == 2
    assert completed.stdout == ""
    assert completed.stderr.startswith("usage: source-tempo spec\n")
    for line in ("source-tempo check    --config CONFIG", "source-tempo discover --config CONFIG"):
        assert line in completed.stderr
    assert "source-tempo read     --config CONFIG --catalog CATALOG [--state STATE]" in completed.stderr
    assert completed.stderr.rstrip().endswith("source-tempo: error: a command is required")
    assert "Traceback" not in completed.stderr and "FATAL" not in completed.stderr
    assert max(len(line) for line in completed.stderr.splitlines()) <= 80


def test_an_unknown_command_is_named_and_version_prints_the_package_version() -> None:
    unknown = _cli("sync")
    assert unknown.returncode == 2
    assert "source-tempo: error: unknown command 'sync' (choose from spec, check, discover, read)" in unknown.stderr

    version = _cli("--version")
    assert (version.returncode, version.stdout, version.stderr) == (0, f"source-tempo {VERSION}\n", "")


@pytest.mark.parametrize("token", ["not-a-token", "sandbox-token-no-worklogs"], ids=["401", "403"])
def test_a_failed_check_says_what_to_do_without_quotes_or_a_dump_of_the_request(tmp_path, sandbox, token) -> None:
    conn = sandbox_connector(tmp_path, sandbox, api_token=token)

    result = conn.check()

    assert result.returncode == 0
    [status] = [message["connectionStatus"] for message in result.of_type("CONNECTION_STATUS")]
    assert status["status"] == "FAILED"
    assert status["message"].startswith("Stream worklogs is not available: ")
    assert status["message"][-1] == "." and not status["message"].startswith(("'", '"'))
    advice = "set `region` to the cluster" if token == "not-a-token" else "create a token with this scope"
    assert advice in status["message"]
    dumps = [line for line in result.logs() if "Request (body)" in line or "Response (headers)" in line]
    assert dumps == []


def test_the_state_helper_turns_a_reads_output_into_the_state_file_of_the_next_incremental_read(
    tmp_path, sandbox
) -> None:
    conn = sandbox_connector(tmp_path, sandbox)
    catalog = write_json(tmp_path / "catalog.json", configured_catalog(["worklogs", "plans", "customers"]))
    read = ENTRYPOINT + ["read", "--config", conn.config_path, "--catalog", catalog]
    messages = tmp_path / "messages.jsonl"
    with messages.open("w") as out:
        assert subprocess.run(read, stdout=out, timeout=240).returncode == 0
    first = [json.loads(line) for line in messages.read_text().splitlines() if line.startswith("{")]
    worklogs_first = [
        m["record"]["data"] for m in first if m["type"] == "RECORD" and m["record"]["stream"] == "worklogs"
    ]
    assert len(worklogs_first) == len(sandbox.worklogs())

    state_file = tmp_path / "state.json"
    with state_file.open("w") as out:
        helper = subprocess.run([sys.executable, "-m", "source_tempo.state", str(messages)], stdout=out, timeout=60)
    assert helper.returncode == 0
    state = json.loads(state_file.read_text())
    newest = {}
    for message in first:
        if message["type"] == "STATE":
            newest[message["state"]["stream"]["stream_descriptor"]["name"]] = message["state"]["stream"]
    # one entry per stream (worklogs, and the full-refresh streams' markers), each the last one the read sent
    assert {entry["stream"]["stream_descriptor"]["name"]: entry["stream"] for entry in state} == newest
    assert set(newest) >= {"worklogs", "customers"}

    edited = sandbox.worklogs()[0]["tempoWorklogId"]
    sandbox.edit_worklog(edited, description="edited after the first read")
    second = run(["read", "--config", conn.config_path, "--catalog", catalog, "--state", str(state_file)])

    assert second.returncode == 0 and not second.errors()
    worklogs = second.records("worklogs")
    # the edit, and the worklogs of the saved cursor's second (updatedFrom is inclusive): not the whole history
    assert edited in {record["tempoWorklogId"] for record in worklogs}
    cursor = newest["worklogs"]["stream_state"]["updatedAt"]
    assert all(record["updatedAt"] >= cursor[:19] for record in worklogs)
    assert len(worklogs) < len(worklogs_first) / 10
    assert len(second.records("customers")) == len(sandbox.customers())  # a full-refresh stream is read again

    # --previous keeps the state of streams the new read did not send one for
    customers_only = write_json(tmp_path / "customers.json", configured_catalog(["customers"]))
    third = tmp_path / "third.jsonl"
    with third.open("w") as out:
        subprocess.run(
            ENTRYPOINT + ["read", "--config", conn.config_path, "--catalog", customers_only], stdout=out, timeout=120
        )
    merged = subprocess.run(
        [sys.executable, "-m", "source_tempo.state", "--previous", str(state_file), str(third)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert merged.returncode == 0, merged.stderr
    names = [entry["stream"]["stream_descriptor"]["name"] for entry in json.loads(merged.stdout)]
    assert sorted(names) == sorted(newest)

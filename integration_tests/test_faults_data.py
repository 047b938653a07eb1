"""Faults in the data and the config, end to end: the `source-tempo` command against the sandbox.

* A worklog whose updatedAt lies in the future: every sync delivers it, with a warning, and saves no state later
  than its own start, so the edits made between syncs are all read (they were all lost before: the saved state
  became the future time, and every later incremental sync read nothing, successfully).
* A config edited by hand (numbers as text, a token pasted with its line break): read as meant, by `check` and
  `read` alike; a `start_date` after today is refused by both, naming the field, before any request.
* A wrong config value: every command of both entrypoints (the `source-tempo` command the image runs, and
  `python main.py`) names the field, without a stack trace.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from integration_tests.connector_cli import (
    ENTRYPOINT,
    Run,
    assert_no_secrets,
    configured_catalog,
    read_cleanly,
    sandbox_connector,
    write_json,
)

pytestmark = pytest.mark.slow  # each test runs the connector in subprocesses

WINDOWED_STREAMS = [  # every stream whose requests depend on start_date or on today
    "worklogs",
    "plans",
    "periods",
    "holidays",
    "timesheet-approvals",
    "user-schedules",
    "timesheet-approval-logs",
    "worklog-deletions",
]
INCREMENTAL = [
    "worklogs",
    "plans",
    "timesheet-approvals",
    "user-schedules",
    "timesheet-approval-logs",
    "worklog-deletions",
]


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _saved_updated_at(result: Run) -> str:
    (state,) = [s for s in result.final_state() if s["stream"]["stream_descriptor"]["name"] == "worklogs"]
    return state["stream"]["stream_state"]["updatedAt"]


def _future_warnings(result: Run, worklog_id: int) -> list[str]:
    prefix = f"Stream worklogs: the record tempoWorklogId={worklog_id} has updatedAt "
    return [message for message in result.logs("WARN") if message.startswith(prefix) and "in the future" in message]


@pytest.mark.timeout(300)
def test_a_worklog_from_the_future_neither_stops_nor_hides_later_edits(tmp_path, sandbox_factory) -> None:
    sandbox = sandbox_factory(worklogs=300)
    connector = sandbox_connector(tmp_path, sandbox)
    ids = [worklog["tempoWorklogId"] for worklog in sandbox.worklogs()]
    future = (datetime.now(timezone.utc) + timedelta(days=3 * 365)).strftime("%Y-%m-%dT%H:%M:%SZ")
    from_the_future = ids[0]
    sandbox.edit_worklog(from_the_future, updatedAt=future)

    def edit_ten(first: int) -> list[int]:
        # Tempo stamps an edit with its own clock. (The sandbox's clock would follow its newest updatedAt, the
        # future one, so each edit states the time.)
        edited = ids[first : first + 10]
        for worklog_id in edited:
            sandbox.edit_worklog(worklog_id, description=f"edited after sync {first // 10}", updatedAt=_now())
        return edited

    # the first sync (read in startDate windows), then two incremental syncs, each after ten edits
    state, warned = None, []
    for sync, first_edited in enumerate((None, 1, 11)):
        edited = edit_ten(first_edited) if first_edited is not None else []
        result = read_cleanly(connector, ["worklogs"], incremental=["worklogs"], state=state)
        finished = _now()

        delivered = {record["tempoWorklogId"]: record for record in result.records("worklogs")}
        assert set(edited) <= set(delivered), f"sync {sync} missed edits: {sorted(set(edited) - set(delivered))}"
        assert delivered[from_the_future]["updatedAt"] == future, f"sync {sync}"
        if sync == 0:
            assert len(delivered) == len(ids)  # a first sync reads every worklog
        assert _saved_updated_at(result) <= finished, f"sync {sync} saved a state after its end"
        warned.append(bool(_future_warnings(result, from_the_future)))
        state = result.final_state()
    assert warned == [True, True, True]


@pytest.mark.timeout(300)
def test_numbers_as_text_and_a_pasted_token_are_read_as_meant_by_check_and_read(tmp_path, sandbox) -> None:
    """`start_date` today (the latest one allowed): every windowed stream is read without an error."""
    connector = sandbox_connector(
        tmp_path,
        sandbox,
        api_token=f"  {sandbox.token}\n",
        start_date=datetime.now(timezone.utc).date().isoformat(),
        page_size="100",
        num_workers="2",
        requests_per_second="50",
        lookback_window_minutes="0",
        worklog_tombstones="true",
    )

    check = connector.check()
    assert [m["connectionStatus"]["status"] for m in check.of_type("CONNECTION_STATUS")] == ["SUCCEEDED"], check.stdout
    read = read_cleanly(connector, WINDOWED_STREAMS, incremental=INCREMENTAL)

    assert read.final_state(), "no state saved"
    for result in (check, read):
        assert_no_secrets(result, [sandbox.token])


@pytest.mark.timeout(120)
def test_a_start_date_after_today_is_refused_by_check_and_read_before_any_request(tmp_path, sandbox) -> None:
    today = datetime.now(timezone.utc).date()
    tomorrow = (today + timedelta(days=1)).isoformat()
    connector = sandbox_connector(tmp_path, sandbox, start_date=tomorrow)
    expected = (
        f"Config field `start_date` must not be after today ({today.isoformat()} in UTC), got '{tomorrow}': nothing "
        "dated after today can be read yet. Set it to today or earlier, or leave it empty."
    )

    check = connector.check()
    read = connector.read(configured_catalog(WINDOWED_STREAMS, incremental=INCREMENTAL))

    assert [m["connectionStatus"] for m in check.of_type("CONNECTION_STATUS")] == [
        {"status": "FAILED", "message": expected}
    ]
    assert read.errors() == [expected] and read.records() == [] and read.returncode != 0
    assert sandbox.stats()["requests"] == 0


ENTRYPOINTS = {  # what the image runs, and what a developer runs from the repository
    "source-tempo": [str(Path(sys.executable).with_name("source-tempo"))],
    "python main.py": ENTRYPOINT,
}


@pytest.mark.timeout(120)
@pytest.mark.parametrize("entrypoint", list(ENTRYPOINTS))
def test_every_command_names_the_wrong_field_without_a_stack_trace(tmp_path, sandbox, entrypoint: str) -> None:
    config = write_json(
        tmp_path / "config.json", {"api_token": sandbox.token, "api_url": sandbox.base_url, "page_size": "a hundred"}
    )
    catalog = write_json(tmp_path / "catalog.json", configured_catalog(["worklogs"]))
    expected = "Config field `page_size` must be a whole number, got 'a hundred'."

    def run_command(*args: str) -> tuple[list[dict], str, int]:
        done = subprocess.run([*ENTRYPOINTS[entrypoint], *args], capture_output=True, text=True, timeout=60)
        return (
            [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")],
            done.stderr,
            done.returncode,
        )

    spec, _, spec_exit = run_command("spec")
    check, check_err, check_exit = run_command("check", "--config", config)
    discover, discover_err, discover_exit = run_command("discover", "--config", config)
    read, read_err, read_exit = run_command("read", "--config", config, "--catalog", catalog)

    assert [m["type"] for m in spec if m["type"] != "LOG"] == ["SPEC"] and spec_exit == 0
    assert [m["connectionStatus"] for m in check if m["type"] == "CONNECTION_STATUS"] == [
        {"status": "FAILED", "message": expected}
    ]
    assert check_exit == 0
    for messages, stderr, exit_code in ((discover, discover_err, discover_exit), (read, read_err, read_exit)):
        assert [m["trace"]["error"]["message"] for m in messages if m["type"] == "TRACE"] == [expected]
        assert exit_code == 1 and "Traceback" not in stderr
        assert not [m for m in messages if m["type"] == "LOG" and "Traceback" in m["log"]["message"]]
    assert sandbox.stats()["requests"] == 0

"""The `source-tempo` usage (no command, unknown command, --version, --help) and `python -m source_tempo.state`,
in process; integration_tests/test_first_hour.py runs both as commands against the sandbox."""

from __future__ import annotations

import io
import json

import pytest

from source_tempo.run import run
from source_tempo.state import latest_states, main


@pytest.mark.parametrize(
    "args, error",
    [
        ([], "a command is required"),
        (["sync"], "unknown command 'sync' (choose from spec, check, discover, read)"),
        (["--debug"], "the command (spec, check, discover, read) comes first, before --debug"),
    ],
)
def test_without_a_command_the_usage_goes_to_stderr_with_exit_code_2(capsys, args, error) -> None:
    with pytest.raises(SystemExit) as exited:
        run(args)
    out, err = capsys.readouterr()
    assert exited.value.code == 2 and out == ""
    assert err.startswith("usage: source-tempo spec\n") and err.endswith(f"source-tempo: error: {error}\n")
    assert "--catalog CATALOG" in err and "--state STATE" in err and "python -m source_tempo.state" in err


def test_help_goes_to_stdout_and_version_prints_the_installed_version(capsys) -> None:
    import importlib.metadata

    with pytest.raises(SystemExit) as exited:
        run(["--help"])
    assert exited.value.code == 0 and capsys.readouterr().out.startswith("usage: source-tempo spec\n")
    with pytest.raises(SystemExit) as exited:
        run(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"source-tempo {importlib.metadata.version('airbyte-source-tempo')}\n"


def _state(name: str, value: str, **extra) -> str:
    stream = {"stream_descriptor": {"name": name}, "stream_state": {"updatedAt": value}}
    return json.dumps({"type": "STATE", "state": {"type": "STREAM", "stream": stream, **extra}})


def test_the_newest_state_per_stream_over_the_previous_file_without_the_reads_counts() -> None:
    record = json.dumps({"type": "RECORD", "record": {"stream": "worklogs", "data": {}, "emitted_at": 1}})
    lines = [
        _state("worklogs", "2026-01-01T00:00:00Z", sourceStats={"recordCount": 1000.0}),
        record,
        "not JSON, e.g. a line a wrapper printed",
        _state("worklogs", "2026-01-02T00:00:00Z", sourceStats={"recordCount": 5.0}),
        _state("plans", "2026-01-03T00:00:00Z"),
    ]
    previous = [json.loads(_state("customers", "x"))["state"], json.loads(_state("plans", "old"))["state"]]

    states = latest_states(lines, previous)

    assert {s["stream"]["stream_descriptor"]["name"]: s["stream"]["stream_state"] for s in states} == {
        "customers": {"updatedAt": "x"},
        "plans": {"updatedAt": "2026-01-03T00:00:00Z"},
        "worklogs": {"updatedAt": "2026-01-02T00:00:00Z"},
    }
    assert all("sourceStats" not in state for state in states)


def test_main_writes_the_state_file_or_says_that_the_input_has_no_state(capsys) -> None:
    out = io.StringIO()
    assert main([], stdin=io.StringIO(_state("worklogs", "t") + "\n"), stdout=out) == 0
    assert json.loads(out.getvalue())[0]["stream"]["stream_state"] == {"updatedAt": "t"}

    assert main([], stdin=io.StringIO('{"type": "LOG", "log": {}}\n'), stdout=io.StringIO()) == 1
    assert "no STATE message in the input" in capsys.readouterr().err

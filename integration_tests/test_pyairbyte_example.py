"""examples/pyairbyte_sync.py, as docs/tempo.md tells a user to run it: PyAirbyte (in .venv-pyairbyte, made by
scripts/setup_pyairbyte.sh) runs the checkout's `source-tempo` as a local executable against the sandbox, offline;
a second run is incremental, and a deleted worklog stays in PyAirbyte's cache as a tombstone row, which the
example's live-worklogs query leaves out. Skipped only when PyAirbyte's venv cannot be created."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1500)]

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "pyairbyte_sync.py"
WORKLOGS_LINE = re.compile(
    r"^  worklogs +([\d,]+) rows, ([\d,]+) live worklogs \(([\d,.]+) h\), ([\d,]+) deleted \(tombstones\)$", re.M
)


@pytest.fixture(scope="module")
def pyairbyte_python() -> Path:
    setup = subprocess.run([str(ROOT / "scripts" / "setup_pyairbyte.sh")], capture_output=True, text=True, timeout=900)
    if setup.returncode != 0:
        pytest.skip(f"cannot create .venv-pyairbyte with PyAirbyte: {(setup.stderr or setup.stdout)[-1500:]}")
    return ROOT / ".venv-pyairbyte" / "bin" / "python"


def _numbers(*texts: str) -> list[float]:
    return [float(text.replace(",", "")) for text in texts]


def test_the_example_syncs_incrementally_and_counts_deleted_worklogs_apart(pyairbyte_python, sandbox, tmp_path):
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"api_token": sandbox.token, "api_url": sandbox.base_url, "requests_per_second": 100}))
    env = {key: value for key, value in os.environ.items() if key != "AIRBYTE_OFFLINE_MODE"}  # the example sets it
    command = [str(pyairbyte_python), str(EXAMPLE), "--config", str(config), "--streams", "worklogs,customers"]

    def sync() -> str:
        completed = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, env=env, timeout=600)
        assert completed.returncode == 0, (completed.stdout[-3000:], completed.stderr[-3000:])
        assert sandbox.token not in completed.stdout + completed.stderr
        return completed.stdout

    first = sync()
    worklogs = sandbox.worklogs()
    hours = sum(w["timeSpentSeconds"] for w in worklogs) / 3600
    rows, live, total_hours, deleted = _numbers(*WORKLOGS_LINE.search(first).groups())
    assert (rows, live, deleted) == (len(worklogs), len(worklogs), 0)
    assert total_hours == pytest.approx(hours, abs=0.1)
    assert re.search(rf"^  customers +{len(sandbox.customers())} rows$", first, re.M)
    assert (tmp_path / "pyairbyte.duckdb").exists()

    for worklog in worklogs[:2]:
        sandbox.delete_worklog(worklog["tempoWorklogId"])
    created = sandbox.create_worklog()
    second = sync()

    match = WORKLOGS_LINE.search(second)
    rows, live, total_hours, deleted = _numbers(*match.groups())
    # the 2 deleted worklogs keep a row each (the tombstone); the live count is what Tempo holds
    assert (rows, live, deleted) == (len(worklogs) + 1, len(worklogs) - 1, 2)
    expected = hours - sum(w["timeSpentSeconds"] for w in worklogs[:2]) / 3600 + created["timeSpentSeconds"] / 3600
    assert total_hours == pytest.approx(expected, abs=0.1)
    processed = int(re.search(r"^Read ([\d,]+) records", second, re.M).group(1).replace(",", ""))
    assert processed < len(worklogs) / 10  # incremental: the changes and the customers, not every worklog again

"""Regenerates integration_tests/expected_records.jsonl from a real read against the local Tempo sandbox.

    .venv/bin/python -m integration_tests.regenerate_expected_records

Starts the default sandbox data set (seed 42, 3,000 worklogs: the one the acceptance tests serve) on a
free port, runs the real `source-tempo read` entrypoint with the sample config's token and
integration_tests/configured_catalog.json (no state, so every record of every stream), and writes one
`{"stream", "data", "emitted_at"}` line per record, in Airbyte's expected-records format.

Records whose presence depends on the day of the read are left out (see `same_on_any_day`). Lines are sorted by
stream and primary key, and `emitted_at` is a fixed value (the acceptance test
ignores it), so regenerating unchanged data rewrites the file byte for byte. Review the diff before
keeping a regenerated file: it is the acceptance tests' definition of a correct full read.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any, Mapping

from integration_tests.connector_cli import Connector, Run
from sandbox import TempoSandbox

HERE = Path(__file__).resolve().parent
SAMPLE_CONFIG = HERE / "sample_config.json"
CONFIGURED_CATALOG = HERE / "configured_catalog.json"
EXPECTED_RECORDS = HERE / "expected_records.jsonl"

# The data set of the expected records, and of the sandbox the acceptance tests start.
SANDBOX_WORKLOGS = 3000
SANDBOX_SEED = 42

# 2026-01-01T00:00:00Z in milliseconds: any fixed value does, the comparison ignores emitted_at.
EMITTED_AT = 1767225600000

# The field named when a record differs; the streams with a composite key are sorted by their whole record too.
PRIMARY_KEYS = {
    "accounts": "id",
    "customers": "id",
    "workload-schemes": "id",
    "worklogs": "tempoWorklogId",
    "teams": "id",
    "plans": "id",
    "timesheet-approvals": "self",
    "holiday-schemes": "id",
    "holidays": "id",
    "holiday-scheme-members": "accountId",
    "worklog-deletions": "tempoWorklogId",
    "account-categories": "id",
    "account-category-types": "name",
    "work-attributes": "key",
    "roles": "id",
    "programs": "id",
    "generic-resources": "id",
    "skills": "id",
    "periods": "from",
    "global-configuration": "weekStart",
    "team-memberships": "id",
    "workload-scheme-members": "accountId",
    "account-links": "id",
    "user-schedules": "date",
    "timesheet-approval-logs": "updatedAt",
    "projects": "id",
    "portfolios": "id",
    "portfolio-projects": "id",
    "project-attributes": "id",
    "billing-rates-tables": "id",
    "billing-rates": "billingRatesTableId",
    "global-rates": "rateCategory",
    "project-budgets": "projectId",
    "project-budget-milestones": "id",
    "project-expenses": "id",
    "project-fixed-revenues": "id",
    "project-labor-actuals": "timeRecordId",
    "project-expense-actuals": "expenseId",
    "project-planned-labor": "date",
    "project-team-member-roles": "teamMemberId",
    "project-team-member-rates": "teamMemberId",
    "project-time-approvals": "period_from",
    "project-financial-summaries": "projectId",
    "project-scope-tasks": "id",
    "project-timeframes": "projectId",
}

# The seeded world ends with 2025 (sandbox/seed.py), but two streams read windows that end or
# start today: user-schedules has a record for every day up to today, and timesheet-approval-logs only the entries
# of the last 2 years (Tempo refuses an older updatedFrom), so its seeded entries leave the window day by day. Only
# the part of a read that is the same on any day is expected: user-schedules' days of the seeded years, and no
# timesheet-approval-logs (integration_tests/test_reporting_streams_end_to_end.py compares both with the sandbox).
SEEDED_DAYS_END = "2026-01-01"


# Windows that end "next year" or "a year from today" grow too: holidays (every year up to next year) and
# timesheet periods (up to a year from today) of the years after the seeded ones are left out likewise.
DAY_OF_RECORD = {"user-schedules": "date", "holidays": "date", "periods": "from"}


def same_on_any_day(stream: str, data: Mapping[str, Any]) -> bool:
    """Whether a record of a full read is there whatever the day of the read."""
    if stream in DAY_OF_RECORD:
        return data[DAY_OF_RECORD[stream]] < SEEDED_DAYS_END
    return stream != "timesheet-approval-logs"


def expected_record_lines(result: Run) -> list[str]:
    """The records of a read as expected-records lines, in a stable order."""
    messages = [
        message["record"]
        for message in result.of_type("RECORD")
        if same_on_any_day(message["record"]["stream"], message["record"]["data"])
    ]
    messages.sort(
        key=lambda record: (
            record["stream"],
            record["data"].get(PRIMARY_KEYS.get(record["stream"], ""), 0),
            json.dumps(record["data"], sort_keys=True),
        )
    )
    return [
        json.dumps({"stream": record["stream"], "data": record["data"], "emitted_at": EMITTED_AT})
        for record in messages
    ]


def read_sandbox(folder: Path, sandbox: TempoSandbox) -> Run:
    config = {**json.loads(SAMPLE_CONFIG.read_text()), "api_url": sandbox.base_url}
    result = Connector(folder, config).read(json.loads(CONFIGURED_CATALOG.read_text()))
    if result.returncode != 0 or result.errors():
        raise SystemExit(f"the read failed (exit code {result.returncode}): {result.errors() or result.stderr[-2000:]}")
    return result


def main() -> None:
    with TempoSandbox(worklogs=SANDBOX_WORKLOGS, seed=SANDBOX_SEED) as sandbox, tempfile.TemporaryDirectory() as folder:
        lines = expected_record_lines(read_sandbox(Path(folder), sandbox))
    EXPECTED_RECORDS.write_text("".join(line + "\n" for line in lines))
    counts = Counter(json.loads(line)["stream"] for line in lines)
    size_mb = EXPECTED_RECORDS.stat().st_size / 1_000_000
    print(f"wrote {len(lines)} records ({dict(sorted(counts.items()))}, {size_mb:.2f} MB) to {EXPECTED_RECORDS}")


if __name__ == "__main__":
    sys.exit(main())

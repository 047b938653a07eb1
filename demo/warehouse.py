"""A small DuckDB loader for Airbyte record messages: one table per stream, deduplicated on the primary key, with
typed columns for the main streams, and the report's queries.

Each table is named after its stream (`-` becomes `_`: `team_memberships`) and has `pk` (the primary key as JSON),
the record as it came (`data JSON`, for any field not flattened) and `emitted_at`; the streams in `TYPED_COLUMNS`
also get one typed column per useful field (`worklogs.time_spent_seconds BIGINT`, `worklogs.account_key`, ...), so
that a query needs no JSON path. A record carrying `_ab_cdc_deleted_at` (a worklog tombstone) deletes its row.

Why not PyAirbyte's cache: it is a 600 MB install with its own registry lookups; the demo only needs "records land
in a local DuckDB file and can be queried", which this does in a few lines. (examples/pyairbyte_sync.py shows
PyAirbyte.)
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import duckdb


def _json(path: str) -> str:
    """The SQL of the text at `path` in the record (`author.accountId`), NULL when absent."""
    return "data->>'$." + path + "'"


# The work attribute that holds a worklog's Tempo account (its key), as Tempo names it.
_ACCOUNT_OF_WORKLOG = (
    'list_filter(from_json(data->\'$.attributes.values\', \'[{"key": "VARCHAR", "value": "VARCHAR"}]\'),'
    " lambda a: a.key = '_Account_')[1].value"
)

# stream -> [(column, SQL type, SQL of its value from the record's `data`)]. A value that does not cast is NULL.
TYPED_COLUMNS: dict[str, list[tuple[str, str, str]]] = {
    "worklogs": [
        ("tempo_worklog_id", "BIGINT", _json("tempoWorklogId")),
        ("issue_id", "BIGINT", _json("issue.id")),
        ("author_account_id", "VARCHAR", _json("author.accountId")),
        ("start_date", "DATE", _json("startDate")),
        ("start_time", "TIME", _json("startTime")),
        ("time_spent_seconds", "BIGINT", _json("timeSpentSeconds")),
        ("billable_seconds", "BIGINT", _json("billableSeconds")),
        ("account_key", "VARCHAR", _ACCOUNT_OF_WORKLOG),
        # with Jira enrichment (the `jira` config): NULL otherwise, or where Jira does not know or show it
        ("issue_key", "VARCHAR", _json("issue.key")),
        ("issue_summary", "VARCHAR", _json("issue.summary")),
        ("project_key", "VARCHAR", _json("issue.projectKey")),
        ("parent_key", "VARCHAR", _json("issue.parentKey")),
        ("author_name", "VARCHAR", _json("author.displayName")),
        ("description", "VARCHAR", _json("description")),
        ("created_at", "TIMESTAMPTZ", _json("createdAt")),
        ("updated_at", "TIMESTAMPTZ", _json("updatedAt")),
    ],
    "accounts": [
        ("id", "BIGINT", _json("id")),
        ("key", "VARCHAR", _json("key")),
        ("name", "VARCHAR", _json("name")),
        ("status", "VARCHAR", _json("status")),
        ("is_global", "BOOLEAN", _json("global")),
        ("monthly_budget", "DOUBLE", _json("monthlyBudget")),
        ("lead_account_id", "VARCHAR", _json("lead.accountId")),
        ("category_name", "VARCHAR", _json("category.name")),
        ("customer_id", "BIGINT", _json("customer.id")),
        ("customer_key", "VARCHAR", _json("customer.key")),
        ("customer_name", "VARCHAR", _json("customer.name")),
    ],
    "customers": [
        ("id", "BIGINT", _json("id")),
        ("key", "VARCHAR", _json("key")),
        ("name", "VARCHAR", _json("name")),
    ],
    "teams": [
        ("id", "BIGINT", _json("id")),
        ("name", "VARCHAR", _json("name")),
        ("summary", "VARCHAR", _json("summary")),
        ("administrative", "BOOLEAN", _json("administrative")),
        ("lead_account_id", "VARCHAR", _json("lead.accountId")),
        ("program_name", "VARCHAR", _json("program.name")),
    ],
    "team-memberships": [
        ("id", "BIGINT", _json("id")),
        ("team_id", "BIGINT", _json("team.id")),
        ("member_account_id", "VARCHAR", _json("member.accountId")),
        ("role_name", "VARCHAR", _json("role.name")),
        ("commitment_percent", "DOUBLE", _json("commitmentPercent")),
        ("from_date", "DATE", _json("from")),
        ("to_date", "DATE", _json("inclusiveTo")),  # the last day; Tempo's `to` is the day after it
    ],
    "plans": [
        ("id", "BIGINT", _json("id")),
        ("assignee_id", "VARCHAR", _json("assignee.id")),
        ("assignee_type", "VARCHAR", _json("assignee.type")),
        ("plan_item_id", "VARCHAR", _json("planItem.id")),
        ("plan_item_type", "VARCHAR", _json("planItem.type")),
        ("start_date", "DATE", _json("startDate")),
        ("end_date", "DATE", _json("endDate")),
        ("planned_seconds_per_day", "BIGINT", _json("plannedSecondsPerDay")),
        ("total_planned_seconds", "BIGINT", _json("totalPlannedSeconds")),
        ("rule", "VARCHAR", _json("rule")),
        ("updated_at", "TIMESTAMPTZ", _json("updatedAt")),
    ],
    "timesheet-approvals": [
        ("team_id", "BIGINT", _json("teamId")),
        ("user_account_id", "VARCHAR", _json("userAccountId")),
        ("period_from", "DATE", _json("period.from")),
        ("period_to", "DATE", _json("period.to")),
        ("status", "VARCHAR", _json("status.key")),
        ("required_seconds", "BIGINT", _json("requiredSeconds")),
        ("time_spent_seconds", "BIGINT", _json("timeSpentSeconds")),
    ],
    "user-schedules": [
        ("account_id", "VARCHAR", _json("accountId")),
        ("date", "DATE", _json("date")),
        ("required_seconds", "BIGINT", _json("requiredSeconds")),
        ("type", "VARCHAR", _json("type")),
        ("holiday_name", "VARCHAR", _json("holiday.name")),
    ],
    "jira-issues": [
        ("id", "BIGINT", _json("id")),
        ("key", "VARCHAR", _json("key")),
        ("summary", "VARCHAR", _json("summary")),
        ("project_key", "VARCHAR", _json("project.key")),
        ("project_name", "VARCHAR", _json("project.name")),
        ("issue_type", "VARCHAR", _json("issueType.name")),
        ("status", "VARCHAR", _json("status.name")),
        ("parent_key", "VARCHAR", _json("parent.key")),
        ("updated", "TIMESTAMPTZ", _json("updated")),
    ],
    "jira-users": [
        ("account_id", "VARCHAR", _json("accountId")),
        ("display_name", "VARCHAR", _json("displayName")),
        ("active", "BOOLEAN", _json("active")),
        ("email_address", "VARCHAR", _json("emailAddress")),
    ],
    "workload-schemes": [
        ("id", "BIGINT", _json("id")),
        ("name", "VARCHAR", _json("name")),
        ("default_scheme", "BOOLEAN", _json("defaultScheme")),
        ("member_count", "BIGINT", _json("memberCount")),
    ],
}


@dataclass(frozen=True)
class Query:
    """A named query of the report: what it answers, and SQL a user can copy into `duckdb demo.duckdb`."""

    name: str
    sql: str


# The report, in order. Tempo's worklogs carry only ids of Jira issues and people: the project key and the person's
# name come from the Jira enrichment (the `jira` config); without it those columns are NULL and the queries fall back
# to the ids.
QUERIES: list[Query] = [
    Query(
        "Hours per account and month",
        """SELECT strftime(w.start_date, '%Y-%m') AS month,
       coalesce(w.account_key, '(no account)') AS account,
       any_value(a.customer_name) AS customer,
       round(sum(w.time_spent_seconds) / 3600, 1) AS hours,
       count(*) AS worklogs
FROM worklogs w LEFT JOIN accounts a ON a.key = w.account_key
GROUP BY ALL ORDER BY month DESC, hours DESC LIMIT 8""",
    ),
    Query(
        "Hours per Jira project and month (the worklog's issue.projectKey, from Jira)",
        """SELECT strftime(start_date, '%Y-%m') AS month,
       coalesce(project_key, '(not in Jira)') AS project,
       round(sum(time_spent_seconds) / 3600, 1) AS hours,
       count(DISTINCT issue_id) AS issues, count(*) AS worklogs
FROM worklogs
GROUP BY ALL ORDER BY month DESC, hours DESC LIMIT 8""",
    ),
    Query(
        "Hours per person (their name from Jira, else their account id)",
        """SELECT coalesce(any_value(author_name), author_account_id) AS person,
       round(sum(time_spent_seconds) / 3600, 1) AS hours,
       round(sum(billable_seconds) / 3600, 1) AS billable_hours,
       count(*) AS worklogs, max(start_date) AS last_day
FROM worklogs
GROUP BY author_account_id ORDER BY hours DESC LIMIT 8""",
    ),
    Query(
        "Hours per team and month (for each team its author was in that day)",
        """SELECT strftime(w.start_date, '%Y-%m') AS month, t.name AS team,
       round(sum(w.time_spent_seconds) / 3600, 1) AS hours,
       count(DISTINCT w.author_account_id) AS people
FROM worklogs w
JOIN team_memberships m ON m.member_account_id = w.author_account_id
 AND w.start_date >= m.from_date
 AND (m.to_date IS NULL OR w.start_date <= m.to_date)
JOIN teams t ON t.id = m.team_id
GROUP BY ALL ORDER BY month DESC, hours DESC LIMIT 8""",
    ),
]


def table_name(stream: str) -> str:
    return stream.replace("-", "_")


def _table(stream: str) -> str:
    return '"' + table_name(stream) + '"'


class Warehouse:
    def __init__(self, path: Path | str) -> None:
        self.connection = duckdb.connect(str(path))

    def ensure_stream(self, stream: str) -> None:
        typed = "".join(f', "{column}" {kind}' for column, kind, _ in TYPED_COLUMNS.get(stream, []))
        self.connection.execute(
            f"CREATE TABLE IF NOT EXISTS {_table(stream)} (pk VARCHAR PRIMARY KEY{typed}, data JSON, emitted_at BIGINT)"
        )

    def upsert(self, stream: str, primary_key: Sequence[str], rows: Iterable[Mapping]) -> int:
        """Inserts or replaces record messages' rows by primary key; a row carrying `_ab_cdc_deleted_at` deletes it."""
        batch, deleted = [], []
        for row in rows:
            key = json.dumps([row["data"].get(part) for part in primary_key])
            if row["data"].get("_ab_cdc_deleted_at"):
                deleted.append((key,))
            else:
                batch.append((key, row["data"], row["emitted_at"]))
        self.ensure_stream(stream)
        if batch:
            typed = "".join(f", TRY_CAST({value} AS {kind})" for _, kind, value in TYPED_COLUMNS.get(stream, []))
            # executemany inserts a few thousand rows a second; loading a JSON-lines file is ~100x faster.
            with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as staged:
                for key, data, emitted_at in batch:
                    staged.write(json.dumps({"pk": key, "data": data, "emitted_at": emitted_at}) + "\n")
            try:
                self.connection.execute(
                    f"INSERT OR REPLACE INTO {_table(stream)} SELECT pk{typed}, data, emitted_at FROM read_json(?, "
                    "columns={pk: 'VARCHAR', data: 'JSON', emitted_at: 'BIGINT'}, format='newline_delimited')",
                    [staged.name],
                )
            finally:
                Path(staged.name).unlink()
        if deleted:
            self.connection.executemany(f"DELETE FROM {_table(stream)} WHERE pk = ?", deleted)
        return len(batch) + len(deleted)

    def count(self, stream: str) -> int:
        self.ensure_stream(stream)
        return self.connection.execute(f"SELECT count(*) FROM {_table(stream)}").fetchone()[0]

    def run(self, query: Query) -> tuple[list[str], list[tuple]]:
        """The query's column names and rows (the tables it reads exist, empty, when their stream was not synced)."""
        for stream in TYPED_COLUMNS:
            self.ensure_stream(stream)
        result = self.connection.execute(query.sql)
        return [column[0] for column in result.description], result.fetchall()

"""A small DuckDB loader for Airbyte record messages: one table per stream, deduplicated on the primary key.

Why not PyAirbyte's cache: it is a 780 MB install with its own registry lookups; the demo only needs
"records land in a local DuckDB file and can be queried", which this does in a few lines.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import duckdb


def _table(stream: str) -> str:
    return '"' + stream.replace("-", "_") + '"'


class Warehouse:
    def __init__(self, path: Path) -> None:
        self.connection = duckdb.connect(str(path))

    def ensure_stream(self, stream: str) -> None:
        self.connection.execute(
            f"CREATE TABLE IF NOT EXISTS {_table(stream)} (pk VARCHAR PRIMARY KEY, data JSON, emitted_at BIGINT)"
        )

    def upsert(self, stream: str, primary_key: Sequence[str], rows: Iterable[Mapping]) -> int:
        """Inserts or replaces rows by primary key; a row carrying `_ab_cdc_deleted_at` deletes it."""
        batch, deleted = [], []
        for row in rows:
            key = json.dumps([row["data"].get(part) for part in primary_key])
            if row["data"].get("_ab_cdc_deleted_at"):
                deleted.append((key,))
            else:
                batch.append((key, row["data"], row["emitted_at"]))
        self.ensure_stream(stream)
        if batch:
            # executemany inserts a few thousand rows a second; loading a JSON-lines file is ~100x faster.
            with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as staged:
                for key, data, emitted_at in batch:
                    staged.write(json.dumps({"pk": key, "data": data, "emitted_at": emitted_at}) + "\n")
            self.connection.execute(
                f"INSERT OR REPLACE INTO {_table(stream)} SELECT pk, data, emitted_at FROM read_json(?, "
                "columns={pk: 'VARCHAR', data: 'JSON', emitted_at: 'BIGINT'}, format='newline_delimited')",
                [staged.name],
            )
            Path(staged.name).unlink()
        if deleted:
            self.connection.executemany(f"DELETE FROM {_table(stream)} WHERE pk = ?", deleted)
        return len(batch) + len(deleted)

    def count(self, stream: str) -> int:
        self.ensure_stream(stream)
        return self.connection.execute(f"SELECT count(*) FROM {_table(stream)}").fetchone()[0]

    def hours_per_account_and_month(self, limit: int = 12) -> list[tuple]:
        """Hours logged per Tempo account (the `_Account_` work attribute) and month, newest months first."""
        self.ensure_stream("worklogs")
        return self.connection.execute(
            f"""
            WITH worklog AS (
                SELECT CAST(data->>'startDate' AS DATE) AS day,
                       CAST(data->>'timeSpentSeconds' AS BIGINT) AS seconds,
                       data->'attributes'->'values' AS attribute_values
                FROM {_table("worklogs")}
            ), tagged AS (
                SELECT day, seconds,
                       coalesce(list_filter(
                           from_json(attribute_values, '[{{"key": "VARCHAR", "value": "VARCHAR"}}]'),
                           lambda a: a.key = '_Account_')[1].value, '(no account)') AS account
                FROM worklog
            )
            SELECT strftime(day, '%Y-%m') AS month, account,
                   round(sum(seconds) / 3600.0, 1) AS hours, count(*) AS worklogs
            FROM tagged GROUP BY ALL ORDER BY month DESC, hours DESC LIMIT {int(limit)}
            """
        ).fetchall()

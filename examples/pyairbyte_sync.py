"""Sync Tempo into a local DuckDB file with PyAirbyte, running this connector as a local executable.

    scripts/setup.sh && scripts/setup_pyairbyte.sh       # the connector in .venv, PyAirbyte in .venv-pyairbyte
    .venv-pyairbyte/bin/python examples/pyairbyte_sync.py --config secrets/config.json

Run it again for an incremental sync: PyAirbyte keeps the state in the cache. What to know (docs/tempo.md, "PyAirbyte"):

* `local_executable` runs this connector's `source-tempo` command. Without it, `get_source("source-tempo")` installs
  the package published as airbyte-source-tempo, which is the older 0.3.x connector until this version is released.
* PyAirbyte looks the connector up in Airbyte's registry first; `AIRBYTE_OFFLINE_MODE=1` (set below unless given)
  skips that, for machines that cannot reach it.
* A worklog deleted in Tempo comes as a tombstone (`_ab_cdc_deleted_at` set, the other fields empty) in an
  incremental sync. PyAirbyte's cache merges it on `tempoWorklogId` like any record, so the worklog's row stays,
  with its fields empty and `_ab_cdc_deleted_at` set: count and sum only the rows where `_ab_cdc_deleted_at IS NULL`
  (LIVE_WORKLOGS below).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("AIRBYTE_OFFLINE_MODE", "1")  # before importing airbyte: no registry lookup
os.environ.setdefault("DO_NOT_TRACK", "1")  # no usage reporting

import airbyte as ab  # noqa: E402  (after the environment it reads at import)
from airbyte.caches import DuckDBCache  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_STREAMS = ["worklogs", "accounts", "customers", "teams", "team-memberships"]
# The worklogs that exist in Tempo: a deleted worklog's row is a tombstone, all-null but for its id and times.
LIVE_WORKLOGS = "SELECT count(*), sum(timeSpentSeconds) / 3600 FROM {table} WHERE _ab_cdc_deleted_at IS NULL"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", type=Path, required=True, help="the connector's config JSON file")
    parser.add_argument(
        "--executable",
        type=Path,
        default=ROOT / ".venv" / "bin" / "source-tempo",
        help="the source-tempo command to run (default: .venv/bin/source-tempo of this checkout)",
    )
    parser.add_argument("--cache", type=Path, default=Path("pyairbyte.duckdb"), help="the DuckDB file to sync into")
    parser.add_argument("--streams", default=",".join(DEFAULT_STREAMS), help="comma-separated streams, or '*'")
    parser.add_argument("--full-refresh", action="store_true", help="read everything again instead of incrementally")
    options = parser.parse_args(argv)

    source = ab.get_source(
        "source-tempo", config=json.loads(options.config.read_text()), local_executable=options.executable
    )
    source.check()
    if options.streams == "*":
        source.select_all_streams()
    else:
        source.select_streams(options.streams.split(","))
    cache = DuckDBCache(db_path=options.cache, schema_name="main")
    result = source.read(cache=cache, force_full_refresh=options.full_refresh)

    print(f"Read {result.processed_records:,} records into {options.cache} (schema main):")
    with cache.get_sql_engine().connect() as connection:
        for name in result.streams:
            table = f'main."{cache.processor.get_sql_table_name(name)}"'
            rows = connection.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()
            line = f"  {name:<24} {rows:>9,} rows"
            if name == "worklogs":
                live, hours = connection.exec_driver_sql(LIVE_WORKLOGS.format(table=table)).one()
                line += f", {live:,} live worklogs ({hours or 0:,.1f} h), {rows - live:,} deleted (tombstones)"
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The main job in one command: sync Tempo into a local DuckDB file and print a small report.

    python -m demo                 # the local Tempo sandbox, with its Jira Cloud sandbox (default)
    TEMPO_API_TOKEN=... python -m demo   # or secrets/config.json: your real Tempo site
    (JIRA_SITE_URL, JIRA_EMAIL and JIRA_API_TOKEN add your Jira site's issue keys and people's names)

It runs the real connector CLI (`source-tempo check`, `discover`, `read`), the way Airbyte runs it,
lands the records in demo.duckdb (typed columns for the main streams, see demo/warehouse.py), then runs an
incremental sync (after editing, creating and deleting worklogs when on the sandbox) and prints the report's
queries (demo.warehouse.QUERIES) with their results, to copy into `duckdb demo.duckdb`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from contextlib import ExitStack
from pathlib import Path

from demo.warehouse import QUERIES, Warehouse

ROOT = Path(__file__).resolve().parent.parent
CONNECTOR = [str(Path(sys.executable).with_name("source-tempo"))]


def _say(text: str) -> None:
    print(text, flush=True)


def run_connector(args: list[str], on_message) -> int:
    """Runs `source-tempo ARGS`, handing each protocol message to on_message; returns the exit code."""
    with subprocess.Popen(CONNECTOR + args, stdout=subprocess.PIPE, text=True, bufsize=1 << 16) as process:
        for line in process.stdout:
            if line.startswith("{"):
                on_message(json.loads(line))
    return process.returncode


def single(args: list[str], kind: str) -> dict:
    """Runs a command that answers with one message of `kind` (CONNECTION_STATUS, CATALOG) and returns its body."""
    found: dict[str, dict] = {}
    code = run_connector(args, lambda message: found.setdefault(message["type"], message))
    if kind not in found:
        raise SystemExit(f"source-tempo {args[0]} failed (exit {code}): {json.dumps(found.get('TRACE'))[:500]}")
    body_key = {"CONNECTION_STATUS": "connectionStatus", "CATALOG": "catalog"}[kind]
    return found[kind][body_key]


def configured_catalog(catalog: dict) -> dict:
    streams = []
    for stream in catalog["streams"]:
        incremental = "incremental" in stream["supported_sync_modes"]
        streams.append(
            {
                "stream": stream,
                "sync_mode": "incremental" if incremental else "full_refresh",
                "destination_sync_mode": "append_dedup" if incremental else "overwrite",
                **({"cursor_field": stream["default_cursor_field"]} if incremental else {}),
                "primary_key": stream.get("source_defined_primary_key") or [],
            }
        )
    return {"streams": streams}


def progress_line(counts: dict[str, int], done: int, current: str | None, elapsed: float, width: int) -> str:
    """One line of at most `width` characters: "records 12,345 · streams 7/25 done · worklogs 3,000 · 12.3 s"."""
    parts = [f"records {sum(counts.values()):,}", f"streams {done}/{len(counts)} done"]
    if current is not None:
        parts.append(f"{current} {counts[current]:,}")
    parts.append(f"{elapsed:.1f} s")
    line = "  " + " · ".join(parts)
    if len(line) > width:  # drop the stream being read first, then cut
        line = "  " + " · ".join(parts[:2] + parts[-1:])
    return line[:width]


class Progress:
    """The sync's progress on stderr: one line redrawn in place on a terminal, a plain line every 5 s otherwise."""

    def __init__(self, streams: list[str]) -> None:
        self.counts = {name: 0 for name in streams}
        self.done: set[str] = set()
        self.current: str | None = None
        self.started = self.last = time.monotonic()
        self.tty = sys.stderr.isatty()
        self.drawn = False

    def record(self, stream: str) -> None:
        self.counts[stream] += 1
        self.current = stream

    def stream_done(self, stream: str) -> None:
        self.done.add(stream)

    def show(self) -> None:
        now = time.monotonic()
        if now - self.last < (0.2 if self.tty else 5):
            return
        self.last = now
        # the terminal's width now (COLUMNS, else the terminal's, else 80); one column spare so nothing wraps
        width = shutil.get_terminal_size((80, 24)).columns - 1
        line = progress_line(self.counts, len(self.done), self.current, now - self.started, width)
        if self.tty:
            print("\r" + line.ljust(width), end="", file=sys.stderr, flush=True)
            self.drawn = True
        else:
            print(line, file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.drawn:
            print("\r" + " " * (shutil.get_terminal_size((80, 24)).columns - 1) + "\r", end="", file=sys.stderr)


def _wrapped(text: str) -> str:
    width = max(40, shutil.get_terminal_size((80, 24)).columns - 1)
    return textwrap.fill(text, width=width, initial_indent="  ", subsequent_indent="    ", break_on_hyphens=False)


def sync(label: str, paths: dict, warehouse: Warehouse, catalog: dict, state: list | None) -> tuple[list, dict]:
    keys = {s["stream"]["name"]: [k[0] for k in s["primary_key"]] for s in catalog["streams"]}
    progress = Progress(list(keys))
    batches: dict[str, list] = {name: [] for name in keys}
    latest_state: dict[str, dict] = {}
    errors: list[str] = []

    def flush(stream: str) -> None:
        warehouse.upsert(stream, keys[stream], batches[stream])
        batches[stream].clear()

    def on_message(message: dict) -> None:
        if message["type"] == "RECORD":
            record = message["record"]
            batches[record["stream"]].append(record)
            progress.record(record["stream"])
            if len(batches[record["stream"]]) >= 5000:
                flush(record["stream"])
        elif message["type"] == "STATE":
            for stream in list(batches):
                flush(stream)  # records land before the state that covers them
            descriptor = message["state"]["stream"]["stream_descriptor"]["name"]
            latest_state[descriptor] = message["state"]
        elif message["type"] == "TRACE" and message["trace"]["type"] == "ERROR":
            errors.append(message["trace"]["error"]["message"])
        elif message["type"] == "TRACE" and message["trace"]["type"] == "STREAM_STATUS":
            status = message["trace"]["stream_status"]
            if status["status"] in ("COMPLETE", "INCOMPLETE"):
                progress.stream_done(status["stream_descriptor"]["name"])
        progress.show()

    args = ["read", "--config", paths["config"], "--catalog", paths["catalog"]]
    if state:
        Path(paths["state"]).write_text(json.dumps(state))
        args += ["--state", paths["state"]]
    code = run_connector(args, on_message)
    for stream in batches:
        flush(stream)
    progress.close()
    counts = progress.counts
    elapsed = time.monotonic() - progress.started
    _say(f"{label}: {sum(counts.values()):,} records from {len(counts)} streams in {elapsed:.1f} s:")
    _say(_wrapped(", ".join(f"{name} {count:,}" for name, count in counts.items())))
    if code != 0 or errors:
        for error in errors:
            _say(f"  ERROR: {error}")
        raise SystemExit(f"{label} failed (exit {code})")
    return list(latest_state.values()), counts


def format_table(columns: list[str], rows: list[tuple]) -> list[str]:
    """Rows under their column names, numbers right-aligned, NULL as an empty cell."""
    cells = [["" if value is None else str(value) for value in row] for row in rows]
    widths = [max([len(column)] + [len(row[i]) for row in cells]) for i, column in enumerate(columns)]
    numeric = [all(isinstance(row[i], (int, float)) for row in rows if row[i] is not None) for i in range(len(columns))]
    lines = []
    for values in [columns] + cells:
        aligned = (value.rjust(w) if right else value.ljust(w) for value, w, right in zip(values, widths, numeric))
        lines.append(("  " + "  ".join(aligned)).rstrip())
    return lines


def print_report(warehouse: Warehouse) -> None:
    """Each query of the report: its name, its SQL (to copy into `duckdb demo.duckdb`) and its result."""
    for query in QUERIES:
        _say(f"\n{query.name}:")
        _say(textwrap.indent(query.sql, "    ") + ";")
        columns, rows = warehouse.run(query)
        for line in format_table(columns, rows):
            _say(line)
        if not rows:
            _say("  (no rows)")


def real_site_config() -> dict | None:
    secrets = ROOT / "secrets" / "config.json"
    if os.environ.get("TEMPO_API_TOKEN"):
        config = {"api_token": os.environ["TEMPO_API_TOKEN"], "region": os.environ.get("TEMPO_REGION", "global")}
        if os.environ.get("TEMPO_START_DATE"):
            config["start_date"] = os.environ["TEMPO_START_DATE"]
        if os.environ.get("JIRA_SITE_URL"):
            config["jira"] = {
                "site_url": os.environ["JIRA_SITE_URL"],
                "email": os.environ.get("JIRA_EMAIL", ""),
                "api_token": os.environ.get("JIRA_API_TOKEN", ""),
            }
        return config
    if secrets.exists():
        return json.loads(secrets.read_text())
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--worklogs", type=int, default=5000, help="worklogs seeded in the sandbox (default 5000)")
    parser.add_argument("--duckdb", type=Path, default=ROOT / "demo.duckdb", help="where the records land")
    parser.add_argument("--no-jira", action="store_true", help="without the Jira enrichment (sandbox only)")
    options = parser.parse_args()

    with ExitStack() as stack, tempfile.TemporaryDirectory() as folder:
        config = real_site_config()
        sandbox = None
        if config is None:
            from sandbox import TempoSandbox

            sandbox = stack.enter_context(TempoSandbox(worklogs=options.worklogs))
            sandbox.faults.rate_limit_per_second = 5  # Tempo's limit, so the demo paces like a real sync
            config = {"api_token": sandbox.token, "api_url": sandbox.base_url}
            _say(f"Local Tempo sandbox at {sandbox.base_url} with {options.worklogs} worklogs (5 requests/s limit)")
            if not options.no_jira:
                from sandbox.jira import JiraSandbox

                jira = stack.enter_context(JiraSandbox.for_tempo(sandbox))
                config["jira"] = jira.config()  # enrich_worklogs: true by default
                _say(f"Local Jira Cloud sandbox at {jira.site_url}: issue keys and people's names for the worklogs")
        else:
            _say("Syncing the Tempo site of the configured token")
        paths = {name: str(Path(folder) / f"{name}.json") for name in ("config", "catalog", "state")}
        Path(paths["config"]).write_text(json.dumps(config))

        status = single(["check", "--config", paths["config"]], "CONNECTION_STATUS")
        _say(f"check: {status['status']} {status.get('message') or ''}".rstrip())
        if status["status"] != "SUCCEEDED":
            raise SystemExit(1)
        catalog = configured_catalog(single(["discover", "--config", paths["config"]], "CATALOG"))
        _say(f"discover: {len(catalog['streams'])} streams")
        _say(_wrapped(", ".join(s["stream"]["name"] for s in catalog["streams"])))
        Path(paths["catalog"]).write_text(json.dumps(catalog))

        options.duckdb.unlink(missing_ok=True)
        warehouse = Warehouse(options.duckdb)
        state, _ = sync("full sync", paths, warehouse, catalog, None)
        if sandbox is not None:
            worklogs = sandbox.worklogs()
            for worklog in worklogs[:3]:
                sandbox.edit_worklog(worklog["tempoWorklogId"], description="Edited after the first sync")
            sandbox.create_worklog()
            for worklog in worklogs[-2:]:
                sandbox.delete_worklog(worklog["tempoWorklogId"])
            _say("Edited 3 worklogs, created 1 and deleted 2 in the sandbox (their tombstones remove them below)")
        sync("incremental sync", paths, warehouse, catalog, state)

        _say(f"\nRecords in {options.duckdb} (one table per stream, - as _):")
        for stream in catalog["streams"]:
            name = stream["stream"]["name"]
            _say(f"  {name:<28} {warehouse.count(name):>8,}")
        print_report(warehouse)


if __name__ == "__main__":
    main()

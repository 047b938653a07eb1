"""The main job in one command: sync Tempo into a local DuckDB file and print a small report.

    python -m demo                 # the local Tempo sandbox (default)
    TEMPO_API_TOKEN=... python -m demo   # or secrets/config.json: your real Tempo site

It runs the real connector CLI (`source-tempo check`, `discover`, `read`), the way Airbyte runs it,
lands the records in demo.duckdb, then runs an incremental sync (after editing, creating and deleting worklogs when
on the sandbox) and reports hours logged per account and month.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from demo.warehouse import Warehouse

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


def sync(label: str, paths: dict, warehouse: Warehouse, catalog: dict, state: list | None) -> tuple[list, dict]:
    keys = {s["stream"]["name"]: [k[0] for k in s["primary_key"]] for s in catalog["streams"]}
    counts = {name: 0 for name in keys}
    batches: dict[str, list] = {name: [] for name in keys}
    latest_state: dict[str, dict] = {}
    errors: list[str] = []
    started, last_progress = time.monotonic(), 0.0

    def flush(stream: str) -> None:
        warehouse.upsert(stream, keys[stream], batches[stream])
        batches[stream].clear()

    def on_message(message: dict) -> None:
        nonlocal last_progress
        if message["type"] == "RECORD":
            record = message["record"]
            batches[record["stream"]].append(record)
            counts[record["stream"]] += 1
            if len(batches[record["stream"]]) >= 5000:
                flush(record["stream"])
        elif message["type"] == "STATE":
            for stream in list(batches):
                flush(stream)  # records land before the state that covers them
            descriptor = message["state"]["stream"]["stream_descriptor"]["name"]
            latest_state[descriptor] = message["state"]
        elif message["type"] == "TRACE" and message["trace"]["type"] == "ERROR":
            errors.append(message["trace"]["error"]["message"])
        now = time.monotonic()
        if now - last_progress > (0.5 if sys.stderr.isatty() else 5):
            last_progress = now
            progress = ", ".join(f"{name} {count}" for name, count in counts.items())
            ending = "" if sys.stderr.isatty() else "\n"
            print(f"\r  {label}: {progress} ({now - started:.1f} s)", end=ending, file=sys.stderr, flush=True)

    args = ["read", "--config", paths["config"], "--catalog", paths["catalog"]]
    if state:
        Path(paths["state"]).write_text(json.dumps(state))
        args += ["--state", paths["state"]]
    code = run_connector(args, on_message)
    for stream in batches:
        flush(stream)
    elapsed = time.monotonic() - started
    if sys.stderr.isatty():
        print(file=sys.stderr)
    _say(
        f"  {label}: {sum(counts.values())} records in {elapsed:.1f} s: "
        + ", ".join(f"{k} {v}" for k, v in counts.items())
    )
    if code != 0 or errors:
        for error in errors:
            _say(f"  ERROR: {error}")
        raise SystemExit(f"{label} failed (exit {code})")
    return list(latest_state.values()), counts


def real_site_config() -> dict | None:
    secrets = ROOT / "secrets" / "config.json"
    if os.environ.get("TEMPO_API_TOKEN"):
        config = {"api_token": os.environ["TEMPO_API_TOKEN"], "region": os.environ.get("TEMPO_REGION", "global")}
        if os.environ.get("TEMPO_START_DATE"):
            config["start_date"] = os.environ["TEMPO_START_DATE"]
        return config
    if secrets.exists():
        return json.loads(secrets.read_text())
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--worklogs", type=int, default=5000, help="worklogs seeded in the sandbox (default 5000)")
    parser.add_argument("--duckdb", type=Path, default=ROOT / "demo.duckdb", help="where the records land")
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
        else:
            _say("Syncing the Tempo site of the configured token")
        paths = {name: str(Path(folder) / f"{name}.json") for name in ("config", "catalog", "state")}
        Path(paths["config"]).write_text(json.dumps(config))

        status = single(["check", "--config", paths["config"]], "CONNECTION_STATUS")
        _say(f"check: {status['status']} {status.get('message') or ''}".rstrip())
        if status["status"] != "SUCCEEDED":
            raise SystemExit(1)
        catalog = configured_catalog(single(["discover", "--config", paths["config"]], "CATALOG"))
        _say("discover: " + ", ".join(s["stream"]["name"] for s in catalog["streams"]))
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

        _say(f"\nRecords in {options.duckdb}:")
        for stream in catalog["streams"]:
            name = stream["stream"]["name"]
            _say(f"  {name:<24} {warehouse.count(name):>8}")
        _say("\nHours logged per account and month (latest months):")
        _say(f"  {'month':<8} {'account':<28} {'hours':>8} {'worklogs':>9}")
        for month, account, hours, count in warehouse.hours_per_account_and_month():
            _say(f"  {month:<8} {account:<28} {hours:>8} {count:>9}")


if __name__ == "__main__":
    main()

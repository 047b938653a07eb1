"""Benchmark rows of the Jira enrichment: Tempo and Jira requests, wall time and peak memory of a sync without Jira,
with Jira enrichment, and with the Jira streams only; then an incremental sync after a few changes.

`benchmarks/run.py --scenario jira` calls `scenario(ctx, run)` (`run` is run.py's module: its Sandbox, connector
and Row). On its own: `.venv/bin/python benchmarks/run.py --scenario jira [--quick]`.

The sites: 100,000 worklogs over 5,000 Jira issues and 200 people (--quick: 5,000 over 500 and 50). The Tempo
sandbox seeds 500 issues and 25 people, so `serve` (this file, run as a subprocess) starts an empty Tempo sandbox,
creates the worklogs through its public `create_worklog` spread over the issues and people, and serves a Jira
sandbox (sandbox/jira.py) with exactly those issues and people beside it. Tempo answers at its rate limit
(5 requests/s) after 600 ms per request, Jira after 300 ms: enrichment's Jira requests run beside Tempo's.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SIZES = {False: (100_000, 5_000, 200), True: (5_000, 500, 50)}  # quick -> (worklogs, issues, people)
TEMPO_LATENCY_MS, JIRA_LATENCY_MS = 600, 300
CHANGES = 10  # issues moved in Jira and worklogs added in Tempo before the incremental sync


def people(count: int) -> list[str]:
    return [f"5b10ac8d82e05b22cc{n:06x}" for n in range(count)]


def issue_ids(count: int) -> list[int]:
    return [10000 + n for n in range(count)]


def serve(argv: list[str]) -> int:
    """The Tempo and Jira sandboxes of the benchmark, in this process until SIGTERM."""
    sys.path.insert(0, str(REPO))
    from sandbox import TempoSandbox
    from sandbox.jira import JiraSandbox

    parser = argparse.ArgumentParser()
    for name in ("--port", "--jira-port", "--worklogs", "--issues", "--people"):
        parser.add_argument(name, type=int, required=True)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    tempo = TempoSandbox(worklogs=0, port=args.port, rate_limit_per_second=5, latency_seconds=TEMPO_LATENCY_MS / 1000)
    ids, who = issue_ids(args.issues), people(args.people)
    base = int(time.time()) - args.worklogs - 86400
    first_day = 1640995200  # 2022-01-01: worklogs dated over 4 years, as the Tempo sandbox's, so that a first
    for n in range(args.worklogs):  # sync reads its startDate windows in parallel
        moment = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(base + n))
        tempo.create_worklog(
            issueId=ids[(n * 7919) % len(ids)],
            authorAccountId=who[(n * 31) % len(who)],
            startDate=time.strftime("%Y-%m-%d", time.gmtime(first_day + (n * 86400 * 1461 // args.worklogs))),
            createdAt=moment,
            updatedAt=moment,
        )
    tempo.reset_stats()
    jira = JiraSandbox(ids, who, port=args.jira_port)
    jira.faults.latency_seconds = JIRA_LATENCY_MS / 1000
    tempo.start()
    jira.start()
    print(f"ready in {time.perf_counter() - started:.1f} s", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    while not stop.wait(0.5):
        pass
    jira.stop()
    tempo.stop()
    return 0


def _jira(port: int, method: str, route: str, body: Any = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"http://127.0.0.1:{port}/_control/{route}", data=data, method=method)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"{}")


def scenario(ctx: Any, run: Any) -> list:
    """The rows: `run` is benchmarks/run.py's module."""
    worklogs, n_issues, n_people = SIZES[bool(ctx.args.quick)]

    class Sites(run.Sandbox):
        """run.py's Sandbox (stats, CPU, stop), started as this file's `serve`."""

        def __init__(self) -> None:
            super().__init__(worklogs, ctx.workdir)
            self.jira_port = run.free_port()

        def start(self, timeout: float = 900) -> Any:
            self.args = [
                *("--port", str(self.port), "--jira-port", str(self.jira_port)),
                *("--worklogs", str(worklogs), "--issues", str(n_issues), "--people", str(n_people)),
            ]
            started = time.perf_counter()
            with open(self.log_path, "wb") as out:
                self.process = run.subprocess.Popen(
                    [sys.executable, __file__, "serve", *self.args], cwd=REPO, stdout=out, stderr=run.subprocess.STDOUT
                )
            while b"ready in" not in self.log_path.read_bytes():
                if self.process.poll() is not None or time.perf_counter() - started > timeout:
                    self.stop()
                    raise RuntimeError(f"benchmark sites did not start: {self.log_path.read_text()[-2000:]}")
                time.sleep(0.2)
            run.log(f"Tempo and Jira sandboxes ({worklogs} worklogs) ready in {time.perf_counter() - started:.1f} s")
            return self

    rows = []
    with Sites() as sites:

        def connector_for(name: str) -> Any:
            """One per config: run.py's Connector keeps the first discover's catalog. jira-issues incremental too
            (run.py's catalogs make worklogs the only incremental stream)."""
            connector = run.ours(ctx.workdir / name)
            connector.catalog = lambda config, streams: _incremental(run.Connector.catalog(connector, config, streams))
            return connector

        jira = {"site_url": f"http://127.0.0.1:{sites.jira_port}", "email": "sandbox@example.com"}
        jira["api_token"] = "jira-sandbox-token"
        tempo_only = run.our_config(sites)
        enriched = run.our_config(sites, jira=jira)
        streams_only = run.our_config(sites, jira={**jira, "enrich_worklogs": False})
        everything = ("worklogs", "jira-issues", "jira-users")

        def measure(config: dict, streams: tuple[str, ...], state: list | None = None):
            _jira(sites.jira_port, "POST", "reset-stats")
            connector = connector_for(f"jira-{len(rows)}")
            measured = connector.read(sites, config, streams, state=state)
            stats = _jira(sites.jira_port, "GET", "stats")
            asked = stats["ids"]
            extra = {
                "jira_requests": stats["total"],
                "jira_by_path": stats["requests"],
                "issue_ids_asked": len(asked),
                "issue_ids_asked_twice": len(asked) - len(set(asked)),
            }
            measured.config.pop("jira", None)  # it holds the Jira token
            return measured, extra

        base, _ = measure(tempo_only, ("worklogs",))
        rows.append(run.Row("jira", "worklogs, no jira config", base, worklogs, "baseline", None, {"jira_requests": 0}))
        for label, config, streams in (
            ("worklogs enriched + jira-issues + jira-users", enriched, everything),
            ("worklogs + jira-issues + jira-users, no enrichment", streams_only, everything),
        ):
            measured, extra = measure(config, streams)
            floor = -(-n_issues // 100) + -(-n_people // 100)
            added = measured.wall_s - base.wall_s
            target = (
                f"Jira {extra['jira_requests']} requests (bulk floor {floor}), each issue once: "
                f"{extra['issue_ids_asked_twice'] == 0}; +{added:.1f} s wall vs no jira"
            )
            met = run._failed(measured) is None and extra["issue_ids_asked_twice"] == 0
            rows.append(run.Row("jira", label, measured, worklogs, target, met, extra))
        state = list(measured.states.values())
        for n in range(CHANGES):
            _jira(sites.jira_port, "POST", "move", {"issue_id": issue_ids(n_issues)[n * 13], "project_key": "OPS"})
            sites.control("POST", "worklogs", {"issueId": issue_ids(n_issues)[-1 - n], "authorAccountId": people(1)[0]})
        measured, extra = measure(streams_only, everything, state=state)
        target = f"Jira {extra['jira_requests']} requests after {CHANGES} moves and {CHANGES} new worklogs"
        met = run._failed(measured) is None and extra["jira_requests"] <= 6
        label = f"incremental after {CHANGES} moves + {CHANGES} new worklogs"
        rows.append(run.Row("jira", label, measured, worklogs, target, met, extra))
    return rows


def _incremental(catalog: dict) -> dict:
    for configured in catalog["streams"]:
        if "incremental" in configured["stream"].get("supported_sync_modes", []):
            configured["sync_mode"] = "incremental"
            configured["cursor_field"] = configured["stream"].get("default_cursor_field") or []
    return catalog


if __name__ == "__main__":
    if sys.argv[1:2] == ["serve"]:
        sys.exit(serve(sys.argv[2:]))
    sys.exit("run it through benchmarks/run.py --scenario jira")

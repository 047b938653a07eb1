"""Performance benchmark of the source-tempo connector against the local Tempo sandbox.

    .venv/bin/python benchmarks/run.py [--quick] [--scenario NAME ...] [--with-upstream | --setup-upstream]
                                       [--profile]

Every run starts the sandbox (python -m sandbox) in its own process, runs the real
`source-tempo read` CLI as another process and reads its stdout as a stream, the way the Airbyte platform
does.  Per run it measures records, requests and 429s (the sandbox's /_control/stats, reset before each
run), wall time from connector start to exit, CPU seconds and peak RSS (os.wait4 rusage of the connector,
cross-checked with VmHWM from /proc/<pid>/status polled every 20 ms) and the floor = requests / 5 per s
(Tempo's rate limit).  One markdown table is printed; everything measured goes to
benchmarks/results/latest.json.  See benchmarks/README.md for the scenarios and their targets.

The driver stays small on purpose (standard library only, records are counted, not parsed): ru_maxrss of
a child includes what it inherited at fork time, and the driver shares the 2 cores with the connector and
the sandbox.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import hashlib
import http.client
import json
import math
import os
import platform
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "benchmarks"
RESULTS = BENCH / "results"
UPSTREAM_VENV = BENCH / ".venv-upstream"
UPSTREAM_PACKAGE = "airbyte-source-tempo"
UPSTREAM_VERSION = "0.3.14"
TOKEN = "sandbox-token"
TEMPO_RATE = 5.0  # requests per second per token: the floor of every sync
SEED = 42
SEED_STREAMS = ("accounts", "customers", "workload-schemes", "worklogs")
CONNECTOR_TIMEOUT_S = 1200
# (full, --quick) sizes
SIZES = {
    "rate_bound_worklogs": (1_000_000, 50_000),
    "sweep_worklogs": (200_000, 20_000),
    "cpu_bound_worklogs": (1_000_000, 100_000),
    "memory_worklogs": ((10_000, 1_000_000), (10_000, 100_000)),
    "incremental_worklogs": (100_000, 10_000),
    "incremental_edits": ((10, 2_500), (10, 250)),
    "upstream_worklogs": (20_000, 1_000),
}
# (page size, workers) tried by `--only sweep`, the measurement behind the defaults
SWEEP = ((1000, 5), (1000, 8), (2000, 5), (2000, 8), (2500, 6), (2500, 8), (5000, 5), (5000, 10))

_RECORD_STREAM = re.compile(rb'"stream":\s*"([^"]*)"')
_WORKLOG_ID = re.compile(rb'"tempoWorklogId":\s*(\d+)')


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------------
# The sandbox, in its own process
# --------------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sandbox:
    """`python -m sandbox` as a subprocess, plus a client of its control interface."""

    def __init__(
        self,
        worklogs: int,
        workdir: Path,
        *,
        rate_limit: float | None = None,
        latency_ms: float = 0.0,
        max_limit: int | None = None,
        links_to_sandbox: bool = False,
    ) -> None:
        self.worklogs = worklogs
        self.port = free_port()
        self.args = ["--port", str(self.port), "--worklogs", str(worklogs), "--seed", str(SEED)]
        if rate_limit is not None:
            self.args += ["--rate-limit", str(rate_limit)]
        if latency_ms:
            self.args += ["--latency-ms", str(latency_ms)]
        if max_limit is not None:
            self.args += ["--max-limit", str(max_limit)]
        if links_to_sandbox:  # metadata.next links point back here, so a connector following them stays local
            self.args += ["--next-host", f"http://127.0.0.1:{self.port}"]
        self.log_path = workdir / f"sandbox-{self.port}.log"
        self.process: subprocess.Popen | None = None
        self._conn: http.client.HTTPConnection | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/4"

    def start(self, timeout: float = 300) -> Sandbox:
        started = time.perf_counter()
        with open(self.log_path, "wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "sandbox", *self.args],
                cwd=REPO,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        while True:  # ready when its port answers
            if self.process.poll() is not None:
                output = self.log_path.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"sandbox exited with {self.process.returncode}: {output}")
            try:
                self.stats()
                break
            except OSError:
                if time.perf_counter() - started > timeout:
                    self.stop()
                    raise RuntimeError(f"sandbox did not answer on port {self.port} within {timeout} s") from None
                time.sleep(0.1)
        log(f"sandbox {' '.join(self.args)} ready in {time.perf_counter() - started:.1f} s")
        return self

    def stop(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def request(self, method: str, path: str, body: Any = None, token: bool = False) -> tuple[int, Any]:
        """One request on a kept-alive connection; reconnects once when the server closed it."""
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {TOKEN}"
        payload = json.dumps(body).encode() if body is not None else None
        for attempt in (1, 2):
            if self._conn is None:
                self._conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self._conn.request(method, path, body=payload, headers=headers)
                response = self._conn.getresponse()
                data = response.read()
                return response.status, json.loads(data) if data else None
            except (http.client.HTTPException, ConnectionError):
                self._conn.close()
                self._conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def control(self, method: str, path: str, body: Any = None) -> Any:
        status, data = self.request(method, f"/_control/{path}", body)
        if status >= 300:
            raise RuntimeError(f"control {method} {path} -> {status}: {data}")
        return data

    def stats(self) -> dict:
        return self.control("GET", "stats")

    def cpu_s(self) -> float:
        """CPU seconds (user+sys) the sandbox process has used so far."""
        assert self.process is not None
        with open(f"/proc/{self.process.pid}/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def reset_stats(self) -> None:
        self.control("POST", "reset-stats")


class PageServer(Sandbox):
    """benchmarks/page_server.py as a subprocess: worklogs computed from their index, pages rendered from a
    template, so that a million worklogs need neither gigabytes nor much of the 2 cores (see its docstring)."""

    def __init__(
        self,
        worklogs: int,
        workdir: Path,
        *,
        rate_limit: float | None = None,
        latency_ms: float = 0.0,
        latency_per_record_ms: float = 0.0,
    ) -> None:
        super().__init__(worklogs, workdir)
        self.args = ["--port", str(self.port), "--worklogs", str(worklogs)]
        if rate_limit is not None:
            self.args += ["--rate-limit", str(rate_limit)]
        if latency_ms:
            self.args += ["--latency-ms", str(latency_ms)]
        if latency_per_record_ms:
            self.args += ["--latency-per-record-ms", str(latency_per_record_ms)]
        self.log_path = workdir / f"page-server-{self.port}.log"

    def start(self, timeout: float = 60) -> Sandbox:
        started = time.perf_counter()
        with open(self.log_path, "wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, str(BENCH / "page_server.py"), *self.args],
                cwd=REPO,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        while True:
            if self.process.poll() is not None:
                output = self.log_path.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"page server exited with {self.process.returncode}: {output}")
            try:
                self.stats()
                break
            except OSError:
                if time.perf_counter() - started > timeout:
                    self.stop()
                    raise RuntimeError(f"page server did not answer on port {self.port}") from None
                time.sleep(0.1)
        log(f"page server {' '.join(self.args)} ready in {time.perf_counter() - started:.1f} s")
        return self

    def trace_summary(self) -> dict:
        """The run as the server saw it: from the first request's arrival to the last answer, against the floor.
        Start-up and the last records' processing are outside this span, so span/floor shows how full the
        connector kept the budget while it was reading, apart from how long it took to start."""
        trace = self.control("GET", "trace") or []
        if not trace:
            return {}
        first, last = min(t[0] for t in trace), max(t[1] for t in trace)
        span = last - first
        busy = sum(t[1] - t[0] for t in trace)
        return {
            "span_s": round(span, 2),
            "span_over_floor": round(span / (len(trace) / TEMPO_RATE), 3),
            "mean_in_flight": round(busy / span, 2) if span else None,
        }


# --------------------------------------------------------------------------------------------------
# One connector run, measured
# --------------------------------------------------------------------------------------------------
@dataclass
class Measured:
    command: list[str]
    config: dict = field(default_factory=dict)  # without the token
    returncode: int = 0
    records_by_stream: dict[str, int] = field(default_factory=dict)
    wall_s: float = 0.0
    first_record_s: float | None = None  # start-up: process start to first record on stdout
    last_record_s: float | None = None
    cpu_user_s: float = 0.0
    cpu_sys_s: float = 0.0
    maxrss_mb: float = 0.0  # ru_maxrss from os.wait4
    vmhwm_mb: float | None = None  # VmHWM from /proc/<pid>/status, polled every 20 ms
    stats: dict = field(default_factory=dict)
    sandbox_cpu_s: float = 0.0  # CPU the sandbox used during the run: it shares the 2 cores
    driver_cpu_s: float = 0.0  # CPU this driver used reading the connector's stdout (should stay small)
    states: dict[str, dict] = field(default_factory=dict)  # newest STATE message per stream
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    log_levels: dict[str, int] = field(default_factory=dict)
    loadavg_before: tuple[float, float, float] = (0.0, 0.0, 0.0)
    stderr_tail: str = ""
    worklog_ids: list[int] | None = None
    timed_out: bool = False

    @property
    def records(self) -> int:
        return sum(self.records_by_stream.values())

    @property
    def requests(self) -> int:
        return int(self.stats.get("requests", 0))

    @property
    def throttled(self) -> int:
        return int(self.stats.get("throttled", 0))

    @property
    def cpu_s(self) -> float:
        return self.cpu_user_s + self.cpu_sys_s

    @property
    def floor_s(self) -> float:
        return self.requests / TEMPO_RATE

    def summary(self) -> dict:
        d = asdict(self)
        d.update(
            records=self.records,
            requests=self.requests,
            throttled=self.throttled,
            cpu_s=round(self.cpu_s, 3),
            floor_s=self.floor_s,
            records_per_s=round(self.records / self.wall_s, 1) if self.wall_s else None,
            wall_over_floor=round(self.wall_s / self.floor_s, 3) if self.floor_s else None,
        )
        if d["worklog_ids"] is not None:
            d["worklog_ids"] = f"{len(d['worklog_ids'])} ids"
        return d


def _vmhwm_kb(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status", "rb") as status:
            for line in status:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, ValueError):
        pass
    return None  # gone, or a zombie (no memory map left)


def run_connector(
    command: list[str], sandbox: Sandbox, workdir: Path, *, collect_worklog_ids: bool = False
) -> Measured:
    """Runs one `read`, reading stdout as a stream; the sandbox's stats are reset just before it starts."""
    sandbox.reset_stats()
    sandbox_cpu_before = sandbox.cpu_s()
    driver_before = os.times()
    result = Measured(command=command, loadavg_before=os.getloadavg())
    stderr_path = workdir / f"connector-stderr-{time.time_ns()}.txt"
    counts: collections.Counter = collections.Counter()
    ids: list[int] | None = [] if collect_worklog_ids else None
    hwm = {"kb": 0}
    done = threading.Event()
    with open(stderr_path, "wb") as stderr:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, bufsize=1 << 20, cwd=workdir)

    def watch() -> None:  # VmHWM every 20 ms, and a timeout
        while not done.wait(0.02):
            kb = _vmhwm_kb(process.pid)
            if kb is not None and kb > hwm["kb"]:
                hwm["kb"] = kb
            if time.perf_counter() - started > CONNECTOR_TIMEOUT_S:
                result.timed_out = True
                process.kill()
                return

    watcher = threading.Thread(target=watch, name="vmhwm", daemon=True)
    watcher.start()
    assert process.stdout is not None
    levels: collections.Counter = collections.Counter()
    last_record_at = started
    for line in process.stdout:
        if b'"RECORD"' in line[:24]:
            match = _RECORD_STREAM.search(line, 0, 256)
            stream = match.group(1).decode() if match else "?"
            counts[stream] += 1
            last_record_at = time.perf_counter()
            if result.first_record_s is None:
                result.first_record_s = last_record_at - started
            if ids is not None and stream == "worklogs":
                id_match = _WORKLOG_ID.search(line)
                if id_match:
                    ids.append(int(id_match.group(1)))
            continue
        try:
            message = json.loads(line)
        except ValueError:
            continue  # not a protocol message (a stray print)
        kind = message.get("type")
        if kind == "STATE":
            state = message["state"]
            name = (state.get("stream") or {}).get("stream_descriptor", {}).get("name", "?")
            result.states[name] = state
        elif kind == "TRACE" and (message["trace"].get("error") or None):
            result.errors.append(message["trace"]["error"].get("message") or "")
        elif kind == "LOG":
            level = message["log"].get("level", "?")
            levels[level] += 1
            if level in ("WARN", "WARNING", "ERROR", "FATAL") and len(result.warnings) < 20:
                result.warnings.append(message["log"].get("message", "")[:500])
    result.last_record_s = last_record_at - started if counts else None
    kb = _vmhwm_kb(process.pid)
    done.set()
    watcher.join()
    if kb is not None and kb > hwm["kb"]:
        hwm["kb"] = kb
    _, status, rusage = os.wait4(process.pid, 0)
    result.wall_s = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, so Popen must not wait again
    process.stdout.close()
    result.returncode = process.returncode
    result.cpu_user_s = rusage.ru_utime
    result.cpu_sys_s = rusage.ru_stime
    result.maxrss_mb = rusage.ru_maxrss / 1024  # KiB on Linux
    result.vmhwm_mb = hwm["kb"] / 1024 if hwm["kb"] else None
    result.records_by_stream = dict(sorted(counts.items()))
    result.log_levels = dict(levels)
    result.worklog_ids = ids
    result.stats = sandbox.stats()
    if isinstance(sandbox, PageServer):
        result.stats["server_view"] = sandbox.trace_summary()
    result.sandbox_cpu_s = sandbox.cpu_s() - sandbox_cpu_before
    driver_after = os.times()
    result.driver_cpu_s = driver_after.user + driver_after.system - driver_before.user - driver_before.system
    if result.returncode != 0 or result.errors:
        result.stderr_tail = stderr_path.read_text(errors="replace")[-3000:]
    stderr_path.unlink(missing_ok=True)
    log(
        f"  {result.records} records, {result.requests} requests ({result.throttled} x 429), "
        f"{result.wall_s:.2f} s wall, {result.cpu_s:.2f} s CPU, {result.maxrss_mb:.0f} MB RSS, exit {result.returncode}"
    )
    return result


# --------------------------------------------------------------------------------------------------
# Connectors: ours and upstream
# --------------------------------------------------------------------------------------------------
class Connector:
    """A connector command line plus the folder its config, catalog and state files live in."""

    def __init__(self, name: str, command: list[str], workdir: Path) -> None:
        self.name = name
        self.command = command
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self._discovered: dict[str, dict] | None = None

    def _write(self, name: str, content: Any) -> str:
        path = self.workdir / name
        path.write_text(json.dumps(content))
        return str(path)

    def discover(self, config: dict) -> dict[str, dict]:
        if self._discovered is None:
            out = subprocess.run(
                [*self.command, "discover", "--config", self._write("discover-config.json", config)],
                capture_output=True,
                cwd=self.workdir,
                timeout=300,
            )
            for line in out.stdout.splitlines():
                if line.startswith(b"{") and b'"CATALOG"' in line[:40]:
                    catalog = json.loads(line)["catalog"]
                    self._discovered = {s["name"]: s for s in catalog["streams"]}
            if self._discovered is None:
                traces = [
                    json.loads(line)["trace"]["error"].get("internal_message") or ""
                    for line in out.stdout.splitlines()
                    if line.startswith(b"{") and b'"ERROR"' in line and b'"TRACE"' in line[:30]
                ]
                detail = "; ".join(traces) or out.stderr.decode(errors="replace")[-2000:]
                raise RuntimeError(f"{self.name} discover gave no catalog (exit {out.returncode}): {detail}")
        return self._discovered

    def catalog(self, config: dict, streams: tuple[str, ...]) -> dict:
        """A configured catalog from the connector's own discover output: worklogs incremental, others full refresh."""
        discovered = self.discover(config)
        configured = []
        for name in streams:
            if name not in discovered:
                continue
            stream = discovered[name]
            incremental = name == "worklogs" and "incremental" in stream.get("supported_sync_modes", [])
            configured.append(
                {
                    "stream": stream,
                    "sync_mode": "incremental" if incremental else "full_refresh",
                    "destination_sync_mode": "append",
                    **({"cursor_field": stream.get("default_cursor_field") or []} if incremental else {}),
                }
            )
        return {"streams": configured}

    def read(
        self,
        sandbox: Sandbox,
        config: dict,
        streams: tuple[str, ...],
        state: list | None = None,
        collect_worklog_ids: bool = False,
    ) -> Measured:
        args = [
            "read",
            "--config",
            self._write("config.json", config),
            "--catalog",
            self._write("catalog.json", self.catalog(config, streams)),
        ]
        if state is not None:
            args += ["--state", self._write("state.json", state)]
        result = run_connector([*self.command, *args], sandbox, self.workdir, collect_worklog_ids=collect_worklog_ids)
        result.config = {key: value for key, value in config.items() if key != "api_token"}
        return result


def ours(workdir: Path) -> Connector:
    script = Path(sys.executable).parent / "source-tempo"
    if not script.exists():
        script = REPO / ".venv" / "bin" / "source-tempo"
    return Connector("source-tempo (this repo)", [str(script)], workdir / "ours")


def our_config(sandbox: Sandbox, **overrides: Any) -> dict:
    return {"api_token": TOKEN, "api_url": sandbox.base_url, **overrides}


UPSTREAM_LAUNCHER = '''"""Runs upstream source-tempo from a PRIVATE copy of its manifest (url_base: the sandbox)."""
import sys

from airbyte_cdk.entrypoint import launch
from airbyte_cdk.sources.declarative.yaml_declarative_source import YamlDeclarativeSource


class PatchedManifestSource(YamlDeclarativeSource):
    def _read_and_parse_yaml_file(self, path_to_yaml_file):
        with open(path_to_yaml_file, encoding="utf-8") as manifest:
            return self._parse(manifest.read())


if __name__ == "__main__":
    launch(PatchedManifestSource(path_to_yaml=sys.argv[1]), sys.argv[2:])
'''


def upstream_python() -> Path:
    return UPSTREAM_VENV / "bin" / "python"


def find_python310() -> tuple[str, dict]:
    """A Python 3.10 interpreter to build the upstream venv with (pyenv's shims need PYENV_VERSION)."""
    env = {**os.environ, "PYENV_VERSION": os.environ.get("PYENV_VERSION", "3.10.13")}
    candidates = [os.environ.get("BENCH_PYTHON310", "")]
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates += sorted(str(p) for p in root.glob("versions/3.10.*/bin/python3.10"))
    candidates += [shutil.which("python3.10") or ""]
    for candidate in filter(None, candidates):
        try:
            out = subprocess.run(
                [candidate, "-c", "import sys; print(sys.version_info[:2] == (3, 10))"],
                capture_output=True,
                env=env,
                timeout=60,
            )
        except OSError:
            continue
        if out.stdout.strip() == b"True":
            return candidate, env
    raise SystemExit("No Python 3.10 found for the upstream connector (set BENCH_PYTHON310=/path/to/python3.10).")


def setup_upstream() -> None:
    python, env = find_python310()
    log(f"creating {UPSTREAM_VENV} with {python} and installing {UPSTREAM_PACKAGE}=={UPSTREAM_VERSION}")
    subprocess.run([python, "-m", "venv", "--clear", str(UPSTREAM_VENV)], check=True, env=env)
    subprocess.run(
        [str(upstream_python()), "-m", "pip", "install", "--quiet", f"{UPSTREAM_PACKAGE}=={UPSTREAM_VERSION}"],
        check=True,
    )


def upstream_installed_manifest() -> tuple[Path, str]:
    out = subprocess.run(  # -I: isolated, so this repo's own source_tempo (cwd, PYTHONPATH) cannot shadow upstream's
        [
            str(upstream_python()),
            "-I",
            "-c",
            "import importlib.metadata as m, importlib.util as u, pathlib; "
            f"print(m.version('{UPSTREAM_PACKAGE}')); "
            "print(pathlib.Path(u.find_spec('source_tempo').origin).parent / 'manifest.yaml')",
        ],
        capture_output=True,
        check=True,
        text=True,
    )
    version, manifest = out.stdout.split()
    if UPSTREAM_VENV.resolve() not in Path(manifest).resolve().parents:
        raise RuntimeError(f"upstream's manifest resolved outside {UPSTREAM_VENV}: {manifest}")
    return Path(manifest), version


def upstream(workdir: Path, sandbox: Sandbox) -> tuple[Connector, dict]:
    """The upstream connector running a private, patched copy of its installed manifest."""
    installed, version = upstream_installed_manifest()
    folder = workdir / "upstream"
    folder.mkdir(parents=True, exist_ok=True)
    text = installed.read_text(encoding="utf-8")
    pattern = re.compile(r"^(\s*url_base:\s*)(\S+)\s*$", re.MULTILINE)
    found = pattern.findall(text)
    if len(found) != 1:
        raise RuntimeError(f"expected one url_base in {installed}, found {found}")
    patched = pattern.sub(lambda m: f"{m.group(1)}{sandbox.base_url}/", text)
    manifest = folder / "manifest.yaml"
    manifest.write_text(patched, encoding="utf-8")
    launcher = folder / "launcher.py"
    launcher.write_text(UPSTREAM_LAUNCHER, encoding="utf-8")
    info = {
        "version": version,
        "installed_manifest": str(installed),
        "original_url_base": found[0][1],
        "patched_url_base": f"{sandbox.base_url}/",
    }
    command = [str(upstream_python()), "-I", str(launcher), str(manifest)]
    return Connector(f"upstream {version}", command, folder), info


# --------------------------------------------------------------------------------------------------
# Scenarios
# --------------------------------------------------------------------------------------------------
@dataclass
class Row:
    scenario: str
    run: str
    measured: Measured
    worklogs: int
    target: str = ""
    met: bool | None = None
    extra: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return {
            "scenario": self.scenario,
            "run": self.run,
            "worklogs_in_sandbox": self.worklogs,
            "target": self.target,
            "met": self.met,
            **self.extra,
            "measured": self.measured.summary(),
        }


def _failed(m: Measured) -> str | None:
    if m.timed_out:
        return f"timed out after {CONNECTOR_TIMEOUT_S} s"
    if m.returncode != 0 or m.errors:
        return f"exit {m.returncode}; " + "; ".join(e[:200] for e in m.errors[:2])
    return None


def _missing(m: Measured, n: int) -> str:
    """'' when the run delivered every worklog the server holds, else what is missing (a finding, never hidden)."""
    got = m.records_by_stream.get("worklogs", 0)
    return "" if got >= n or _failed(m) else f"; MISSING {n - got:,} worklogs"


def repeated(ctx: Context, measure: Callable[[], Measured]) -> tuple[Measured, list[Measured], dict]:
    """Runs `measure` --repeat times: the row shows the median run by wall time (or the first failed run,
    so that a flaky failure is never hidden); every run's numbers go to the JSON."""
    runs = [measure() for _ in range(max(1, ctx.args.repeat))]
    failed = [run for run in runs if _failed(run)]
    chosen = failed[0] if failed else sorted(runs, key=lambda run: run.wall_s)[len(runs) // 2]
    extra: dict = {}
    if len(runs) > 1:
        extra["repeats"] = [
            {
                "wall_s": round(run.wall_s, 2),
                "records_per_s": round(run.records / run.wall_s) if run.wall_s else None,
                "cpu_s": round(run.cpu_s, 2),
                "maxrss_mb": round(run.maxrss_mb, 1),
                "requests": run.requests,
                "throttled": run.throttled,
                "failed": _failed(run),
            }
            for run in runs
        ]
        extra["failed_repeats"] = len(failed)
    return chosen, runs, extra


def scenario_startup(ctx: Context) -> list[Row]:
    """`spec` and `check` from process start to exit, each run --repeat x 2 times (the median shown), plus the
    CDK's import floor: `python -c "import airbyte_cdk"`, which every command that uses the CDK pays."""
    rows = []
    n = 1_000
    with Sandbox(n, ctx.workdir) as sandbox:
        connector = ours(ctx.workdir)
        config_path = connector._write("startup-config.json", our_config(sandbox))
        commands = {
            "spec": [*connector.command, "spec"],
            "check": [*connector.command, "check", "--config", config_path],
            "import airbyte_cdk (the CDK's floor)": [sys.executable, "-c", "import airbyte_cdk"],
        }
        for name, command in commands.items():
            measure = lambda command=command: run_connector(command, sandbox, connector.workdir)  # noqa: E731
            runs = [measure() for _ in range(max(3, 2 * ctx.args.repeat))]
            failed = [run for run in runs if _failed(run)]
            m = failed[0] if failed else sorted(runs, key=lambda run: run.wall_s)[len(runs) // 2]
            cpu = sorted(run.cpu_s for run in runs)[len(runs) // 2]
            extra = {"wall_s_runs": [round(run.wall_s, 2) for run in runs], "cpu_s_median": cpu}
            if name.startswith("import"):
                target, met = f"CPU {cpu:.2f} s: what no lazy import can remove", None
            else:
                target, met = f"{m.wall_s:.2f} s wall, {cpu:.2f} s CPU (< 1 s)", _failed(m) is None and m.wall_s < 1
            rows.append(Row("startup", name, m, n, target, met, extra))
    return rows


def scenario_rate_bound(ctx: Context) -> list[Row]:
    """Tempo's limits with a latency that grows with the page: the defaults must keep the budget full."""
    n = ctx.size("rate_bound_worklogs")
    with PageServer(n, ctx.workdir, rate_limit=5, latency_ms=300, latency_per_record_ms=0.3) as server:
        connector = ours(ctx.workdir)
        m, _, extra = repeated(ctx, lambda: connector.read(server, our_config(server), SEED_STREAMS))
    ratio = m.wall_s / m.floor_s if m.floor_s else math.inf
    share = m.throttled / m.requests if m.requests else 0.0
    met = _failed(m) is None and ratio <= 1.15 and share <= 0.01 and not _missing(m, n)
    target = f"wall/floor {ratio:.2f} (<= 1.15), 429 share {share:.1%} (<= 1%)" + _missing(m, n)
    extra.update(max_in_flight=m.stats.get("max_in_flight"), by_path=m.stats.get("by_path"))
    run = "first sync, 4 streams, defaults; 5 req/s, 0.3 s + 0.3 ms/record"
    return [Row("rate-bound", run, m, n, target, met, extra)]


def scenario_sweep(ctx: Context) -> list[Row]:
    """How the defaults were chosen: page size x workers against the rate-bound server (not in the default set)."""
    rows = []
    n = ctx.size("sweep_worklogs")
    with PageServer(n, ctx.workdir, rate_limit=5, latency_ms=300, latency_per_record_ms=0.3) as server:
        connector = ours(ctx.workdir)
        for page_size, workers in SWEEP:
            config = our_config(server, page_size=page_size, num_workers=workers)
            m = connector.read(server, config, ("worklogs",))
            ratio = m.wall_s / m.floor_s if m.floor_s else math.inf
            view = m.stats.get("server_view") or {}
            target = (
                f"wall/floor {ratio:.2f}; {m.records / m.wall_s:,.0f} records/s; server's span/floor "
                f"{view.get('span_over_floor')}, {view.get('mean_in_flight')} in flight" + _missing(m, n)
            )
            rows.append(Row("sweep", f"worklogs, page {page_size}, {workers} workers", m, n, target, None))
    return rows


def scenario_cpu_bound(ctx: Context) -> list[Row]:
    """Pages that cost the server almost nothing, no limits: the connector's own speed, and its CPU seconds."""
    n = ctx.size("cpu_bound_worklogs")
    with PageServer(n, ctx.workdir) as server:
        connector = ours(ctx.workdir)
        config = our_config(server, page_size=5000, requests_per_second=100)
        m, _, extra = repeated(ctx, lambda: connector.read(server, config, SEED_STREAMS))
        rate = m.records / m.wall_s
        steady = None
        if m.first_record_s is not None and m.last_record_s and m.last_record_s > m.first_record_s:
            steady = m.records / (m.last_record_s - m.first_record_s)
        extra.update(
            startup_s=m.first_record_s,
            records_per_s_first_to_last_record=steady,
            records_per_cpu_s=m.records / m.cpu_s if m.cpu_s else None,
        )
        if ctx.args.profile:
            ctx.profile = profile_connector(connector, server, config)
    target = f"{rate:,.0f} records/s (>= 25,000); {m.records / m.cpu_s if m.cpu_s else 0:,.0f} per connector CPU s"
    target += _missing(m, n)
    met = _failed(m) is None and rate >= 25_000 and not _missing(m, n)
    return [Row("cpu-bound", "first sync, 4 streams, page 5000, 100 req/s", m, n, target, met, extra)]


def scenario_incremental(ctx: Context) -> list[Row]:
    """A first sync of the sandbox (setup), then incremental syncs after K edits: one worklogs request each."""
    n = ctx.size("incremental_worklogs")
    with Sandbox(n, ctx.workdir) as sandbox:
        connector = ours(ctx.workdir)
        config = our_config(sandbox, page_size=5000, requests_per_second=100)
        full = connector.read(sandbox, config, SEED_STREAMS)
        rows = [Row("incremental", "first sync (setup), page 5000, 100 req/s", full, n)]
        if _failed(full) is None:
            rows += incremental_after_edits(ctx, sandbox, connector, config, full)
    return rows


def incremental_after_edits(
    ctx: Context, sandbox: Sandbox, connector: Connector, config: dict, full: Measured
) -> list[Row]:
    rows = []
    state = list(full.states.values())
    page_size = int(config["page_size"])
    ks = ctx.size("incremental_edits")
    # worklogs to edit: a fixed sample of existing ids, fetched outside any measured run
    status, page = sandbox.request("GET", f"/4/worklogs?offset=0&limit={min(5000, sandbox.worklogs)}", token=True)
    if status != 200:
        raise RuntimeError(f"could not list worklogs to edit: {status} {page}")
    pool = [w["tempoWorklogId"] for w in page["results"]]
    chosen = random.Random(SEED).sample(pool, min(len(pool), sum(ks)))
    start = 0
    for k in ks:
        edited = chosen[start : start + k]
        start += k
        started = time.perf_counter()
        for i, worklog_id in enumerate(edited):
            sandbox.control("PUT", f"worklogs/{worklog_id}", {"description": f"benchmark edit {k}/{i}"})
        log(f"edited {k} worklogs in {time.perf_counter() - started:.1f} s; incremental sync")
        m = connector.read(sandbox, config, SEED_STREAMS, state=state, collect_worklog_ids=True)
        worklog_requests = int(m.stats.get("by_path", {}).get("/4/worklogs/search", 0))
        bound = math.ceil((k + 1) / page_size) + 1
        missing = sorted(set(edited) - set(m.worklog_ids or []))
        met = _failed(m) is None and worklog_requests <= bound and not missing
        target = f"worklogs requests {worklog_requests} (<= {bound}); edits delivered {k - len(missing)}/{k}"
        extra = {
            "edits": k,
            "worklogs_requests": worklog_requests,
            "bound": bound,
            "edited_ids_missing": missing[:50],
            "state_in": state,
        }
        rows.append(Row("incremental", f"after K={k:,} edits, last state", m, sandbox.worklogs, target, met, extra))
        if m.states:
            state = list(m.states.values())
    return rows


def scenario_memory(ctx: Context) -> list[Row]:
    """Peak RSS with the default config (nothing but the token) against Tempo's limits and latency, judged on the
    highest of the repeats; the cpu-bound row shows the worst case, a connector whose output is the bottleneck
    (every worker then holds a page while the CDK's queue is full)."""
    rows = []
    sizes = ctx.size("memory_worklogs")
    peaks = []
    for n in sizes:
        with PageServer(n, ctx.workdir, rate_limit=5, latency_ms=300, latency_per_record_ms=0.3) as server:
            connector = ours(ctx.workdir)
            config = our_config(server)
            m, runs, extra = repeated(ctx, lambda: connector.read(server, config, ("worklogs",)))  # noqa: B023
        peaks.append(max(run.maxrss_mb for run in runs))
        extra["peak_rss_mb_max_of_repeats"] = peaks[-1]
        rows.append(Row("memory", f"worklogs first sync, {n:,} worklogs, defaults, 5 req/s", m, n, extra=extra))
    growth = peaks[-1] / peaks[0] - 1 if peaks[0] else math.inf
    for row, peak in zip(rows, peaks):
        row.target = f"peak RSS {peak:.0f} MB (< 250)" + _missing(row.measured, row.worklogs)
        row.met = _failed(row.measured) is None and peak < 250 and not _missing(row.measured, row.worklogs)
    rows[-1].target += f"; {growth:+.0%} vs {sizes[0]:,} (within 20%)"
    rows[-1].met = bool(rows[-1].met and abs(growth) <= 0.20)
    rows[-1].extra["rss_growth"] = growth
    return rows


def scenario_upstream(ctx: Context) -> list[Row]:
    """Both on the same seeded data. Ours against a sandbox limited to Tempo's 5 requests/s; upstream against
    one without a limit (its retries on 429 would only slow it further), so its wall time is a best case,
    and its requests / 5 is the least it needs on real Tempo. Ours is judged against the larger of the two."""
    n = ctx.size("upstream_worklogs")
    with Sandbox(n, ctx.workdir, rate_limit=5) as limited:
        ours_connector = ours(ctx.workdir)
        ours_run, _, ours_extra = repeated(ctx, lambda: ours_connector.read(limited, our_config(limited), SEED_STREAMS))
    with Sandbox(n, ctx.workdir, links_to_sandbox=True) as sandbox:
        connector, info = upstream(ctx.workdir, sandbox)
        upstream_run = connector.read(sandbox, {"api_token": TOKEN}, SEED_STREAMS)
    best_case = max(upstream_run.wall_s, upstream_run.floor_s)
    wall_ratio = best_case / ours_run.wall_s if ours_run.wall_s else math.inf
    request_ratio = upstream_run.requests / ours_run.requests if ours_run.requests else math.inf
    met = _failed(ours_run) is None and _failed(upstream_run) is None and wall_ratio >= 20
    target = (
        f"upstream needs >= {best_case:.1f} s under Tempo's limit (measured {upstream_run.wall_s:.1f} s unlimited, "
        f"{upstream_run.requests} requests / 5): ours {wall_ratio:.1f}x faster (>= 20x), "
        f"{request_ratio:.1f}x fewer requests"
    )
    info.update(
        upstream_by_path=upstream_run.stats.get("by_path"),
        upstream_by_status=upstream_run.stats.get("by_status"),
        ours_by_path=ours_run.stats.get("by_path"),
        ours_by_status=ours_run.stats.get("by_status"),
        upstream_best_case_s=best_case,
        wall_ratio=wall_ratio,
        request_ratio=request_ratio,
    )
    return [
        Row("upstream", "ours: first sync, 4 streams, defaults, sandbox at 5 req/s", ours_run, n, extra=ours_extra),
        Row("upstream", f"upstream {info['version']}: first sync, no limit", upstream_run, n, target, met, info),
    ]


# --------------------------------------------------------------------------------------------------
# Profiling (optional): py-spy on a separate, unmeasured run of the cpu-bound sync
# --------------------------------------------------------------------------------------------------
def profile_connector(connector: Connector, sandbox: Sandbox, config: dict) -> dict:
    py_spy = (
        os.environ.get("PY_SPY")
        or shutil.which("py-spy", path=str(Path(sys.executable).parent))
        or shutil.which("py-spy")
    )
    if not py_spy:
        log("--profile: py-spy not found (pip install py-spy into the venv); skipped")
        return {"error": "py-spy not found"}
    raw = connector.workdir / "profile.txt"
    command = [
        py_spy, "record", "--threads", "--gil", "--format", "raw", "--rate", "200", "--output", str(raw), "--",
        *connector.command, "read",
        "--config", connector._write("config.json", config),
        "--catalog", connector._write("catalog.json", connector.catalog(config, SEED_STREAMS)),
    ]  # fmt: skip
    log("profiling the cpu-bound sync under py-spy (not a measured run)")
    with open(os.devnull, "wb") as devnull:
        subprocess.run(command, stdout=devnull, stderr=subprocess.DEVNULL, cwd=connector.workdir, check=False)
    if not raw.exists():
        return {"error": "py-spy wrote no profile"}
    return summarize_profile(raw.read_text())


_PLUMBING = re.compile(r"\((threading\.py|concurrent/futures/|<frozen importlib|queue\.py|source-tempo\))")


def summarize_profile(text: str, top: int = 10) -> dict:
    """Top functions (line numbers merged) by own samples, overall and per thread (worker threads grouped),
    and by inclusive samples without the thread/import plumbing; plus the share spent importing.

    Sampled with --gil: only the thread holding the GIL counts, so the shares are of the CPU spent in
    Python (and in C code called with the GIL held, such as orjson), not of time spent waiting.
    """
    own: collections.Counter = collections.Counter()
    inclusive: collections.Counter = collections.Counter()
    by_thread: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    thread_total: collections.Counter = collections.Counter()
    importing = 0
    for line in text.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        samples = int(count)
        frames = stack.split(";")
        thread = frames[0].split(": ", 1)[-1]
        thread = re.sub(r"_\d+$", "", thread)  # workerpool_0, workerpool_1 ... -> workerpool
        if thread.startswith("thread ("):
            thread = "unnamed thread"
        functions = [re.sub(r":\d+\)$", ")", frame) for frame in frames[1:]]
        if not functions:
            continue  # a sample without a Python frame
        if any("<frozen importlib._bootstrap>" in function for function in functions):
            importing += samples
        own[functions[-1]] += samples
        by_thread[thread][functions[-1]] += samples
        thread_total[thread] += samples
        for function in set(functions):
            if not _PLUMBING.search(function):
                inclusive[function] += samples
    total = sum(thread_total.values()) or 1

    def pct(counter: collections.Counter) -> list[tuple[str, float]]:
        return [(name, round(100 * n / total, 1)) for name, n in counter.most_common(top)]

    return {
        "samples": total,
        "thread_share": {t: round(100 * n / total, 1) for t, n in thread_total.most_common()},
        "importing_share": round(100 * importing / total, 1),
        "top_self": pct(own),
        "top_inclusive": pct(inclusive),
        "top_self_by_thread": {t: pct(c) for t, c in by_thread.items()},
    }


# --------------------------------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------------------------------
class Context:
    def __init__(self, args: argparse.Namespace, workdir: Path, selected: list[str]) -> None:
        self.args = args
        self.workdir = workdir
        self.selected = selected
        self.profile: dict | None = None

    def size(self, name: str) -> Any:
        full, quick = SIZES[name]
        return quick if self.args.quick else full

    def wants(self, scenario: str) -> bool:
        return scenario in self.selected


def fmt_table(rows: list[Row]) -> str:
    """One line per row. `connector CPU s` is the connector process's own user+sys time (wait4 rusage): the
    sandbox shares the 2 cores, and its CPU is in its own column, never in the connector's figure."""
    header = (
        "| row | run | worklogs | records | requests | 429s | wall s | records/s | connector CPU s "
        "| records per CPU s | peak RSS MB (wait4 / VmHWM) | server CPU s | floor s | wall/floor | target | met |"
    )
    lines = [header, "|" + "---|" * (header.count("|") - 1)]
    for row in rows:
        m = row.measured
        share = f"{m.throttled} ({m.throttled / m.requests:.1%})" if m.requests else "0"
        hwm = f"{m.vmhwm_mb:.0f}" if m.vmhwm_mb else "-"
        failed = _failed(m)
        met = "" if row.met is None else ("yes" if row.met else "**no**")
        target = row.target + (f" -- FAILED RUN: {failed}" if failed else "")
        per_cpu = f"{m.records / m.cpu_s:,.0f}" if m.cpu_s and m.records else "-"
        lines.append(
            f"| {row.scenario} | {row.run} | {row.worklogs:,} | {m.records:,} | {m.requests:,} | {share} "
            f"| {m.wall_s:.2f} | {m.records / m.wall_s if m.wall_s else 0:,.0f} | {m.cpu_s:.2f} | {per_cpu} "
            f"| {m.maxrss_mb:.0f} / {hwm} | {m.sandbox_cpu_s:.1f} "
            f"| {m.floor_s:.1f} | {m.wall_s / m.floor_s if m.floor_s else 0:.2f} | {target} | {met} |"
        )
    return "\n".join(lines)


def fmt_notes(rows: list[Row], profile: dict | None) -> str:
    notes = []
    for row in rows:
        m = row.measured
        if row.scenario == "rate-bound":
            notes.append(
                f"- rate-bound: first record after {m.first_record_s or 0:.1f} s (start-up), last after "
                f"{m.last_record_s or 0:.1f} s; max requests in flight {m.stats.get('max_in_flight')}; "
                f"by path {m.stats.get('by_path')}; as the server saw it (first request to last answer): "
                f"{m.stats.get('server_view')}"
            )
        if row.scenario == "cpu-bound":
            steady = row.extra.get("records_per_s_first_to_last_record")
            notes.append(
                f"- cpu-bound: first record after {row.extra.get('startup_s') or 0:.1f} s (start-up); "
                f"{steady or 0:,.0f} records/s from first to last record; "
                f"{row.extra.get('records_per_cpu_s') or 0:,.0f} records per connector CPU second"
            )
        if row.scenario == "upstream" and "version" in row.extra:
            x = row.extra
            notes.append(
                f"- upstream {x['version']}: ran a private copy of {x['installed_manifest']} with url_base "
                f"{x['original_url_base']} -> {x['patched_url_base']} (sandbox next links point at the sandbox)"
            )
            notes.append(f"  - upstream requests by path {x['upstream_by_path']}, by status {x['upstream_by_status']}")
            notes.append(f"  - ours requests by path {x['ours_by_path']}, by status {x['ours_by_status']}")
            if len(x["upstream_by_status"] or {}) > 1:
                notes.append("  - (the sandbox counts statuses per request, not per path: see errors in latest.json)")
        if row.scenario in ("upstream",) or _failed(m):
            notes.append(f"  - {row.run}: records by stream {m.records_by_stream}")
        if _failed(m):
            notes.append(f"  - {row.run} FAILED: {_failed(m)}")
        if m.warnings:
            notes.append(f"  - {row.run}: {len(m.warnings)} warning/error log lines, first: {m.warnings[0][:200]}")
    loads = sorted({round(r.measured.loadavg_before[0], 1) for r in rows})
    notes.append(f"- 1-min load average before the runs: {loads} on {os.cpu_count()} cores")
    if profile and "top_self" in profile:
        notes.append(
            f"- py-spy --gil profile of the cpu-bound sync (extra run), share of GIL-holding samples by thread: "
            f"{profile['thread_share']}; {profile['importing_share']}% importing modules (start-up)"
        )
        notes.append("  - inclusive: " + "; ".join(f"{pct}% {name}" for name, pct in profile["top_inclusive"]))
        for thread, top in profile["top_self_by_thread"].items():
            notes.append(f"  - own, {thread}: " + "; ".join(f"{pct}% {name}" for name, pct in top[:10]))
    return "\n".join(notes)


def git_info() -> dict:
    """Which connector code was measured: HEAD and the files changed on top of it."""

    def git(*args: str) -> str:
        out = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=False)
        return out.stdout.strip()

    digest = hashlib.sha256()
    for path in sorted((REPO / "source_tempo").glob("*.*")):
        if path.suffix in (".py", ".yaml"):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return {
        "head": git("rev-parse", "--short", "HEAD"),
        "uncommitted": git("status", "--porcelain", "--", "source_tempo", "pyproject.toml").splitlines(),
        "source_digest": digest.hexdigest()[:12],
    }


# Every row, in the order they run: (name, function of the Context returning rows). Other benchmark modules
# (e.g. benchmarks/jira_enrichment.py) add theirs here.
ROWS: list[tuple[str, Callable[[Context], list[Row]]]] = [
    ("startup", scenario_startup),
    ("rate-bound", scenario_rate_bound),
    ("cpu-bound", scenario_cpu_bound),
    ("memory", scenario_memory),
    ("incremental", scenario_incremental),
    ("upstream", scenario_upstream),
    # Jira enrichment rows (benchmarks/jira_enrichment.py), given this module for its Sandbox, connector and Row
    ("jira", lambda ctx: __import__("jira_enrichment").scenario(ctx, sys.modules[__name__])),
    ("sweep", scenario_sweep),
]
OPT_IN = {"sweep"}  # not in the default set: rows that justify a default rather than check a target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run in well under a minute")
    names = [name for name, _ in ROWS]
    parser.add_argument(
        "--only",
        action="append",
        choices=names,
        metavar="ROW",
        help=f"run only this row (repeatable): {', '.join(names)}",
    )
    parser.add_argument("--scenario", action="append", choices=names, help=argparse.SUPPRESS)  # the old spelling
    parser.add_argument("--with-upstream", action="store_true", help="include the upstream comparison")
    parser.add_argument(
        "--setup-upstream", action="store_true", help=f"create {UPSTREAM_VENV.name} (Python 3.10) and include upstream"
    )
    parser.add_argument("--profile", action="store_true", help="also profile the cpu-bound sync with py-spy")
    parser.add_argument(
        "--repeat",
        type=int,
        default=None,
        help="runs per measurement, the median by wall time is shown (default 3, 1 with --quick; "
        "not for incremental syncs nor the upstream connector)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the work folder (configs, catalogs, profile)")
    args = parser.parse_args(argv)
    if args.repeat is None:
        args.repeat = 1 if args.quick else 3

    if args.setup_upstream:
        setup_upstream()
    only = list(args.only or []) + list(args.scenario or [])
    if only:
        selected = list(dict.fromkeys(only))
    else:
        selected = [name for name, _ in ROWS if name not in OPT_IN]
        # upstream: when asked, or whenever its venv exists (not in a --quick smoke run unless asked)
        if not (args.with_upstream or args.setup_upstream or (upstream_python().exists() and not args.quick)):
            selected.remove("upstream")
    if "upstream" in selected and not upstream_python().exists():
        raise SystemExit(f"{UPSTREAM_VENV} does not exist: run with --setup-upstream first")

    code = git_info()
    workdir = Path(tempfile.mkdtemp(prefix="tempo-bench-"))
    ctx = Context(args, workdir, selected)
    problems: list[str] = []
    rows: list[Row] = []
    started = time.perf_counter()
    runners = [(name, runner) for name, runner in ROWS if name in selected]
    try:
        for name, runner in runners:
            log(f"row {name}")
            try:
                rows += runner(ctx)
            except Exception as error:  # one broken row must not lose the others' numbers
                problems.append(f"row {name} could not run: {error!r}")
                log(problems[-1])
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            log(f"work folder kept: {workdir}")

    table = fmt_table(rows)
    notes = fmt_notes(rows, ctx.profile)
    code_after = git_info()
    notes += f"\n- connector code: HEAD {code['head']}, uncommitted {code['uncommitted'] or 'none'}"
    if code_after["source_digest"] != code["source_digest"]:
        notes += "\n- WARNING: source_tempo/ changed while the benchmark ran: rows may measure different code"
    notes += "".join(f"\n- PROBLEM: {problem[:600]}" for problem in problems)
    print(table)
    print()
    print(notes)
    RESULTS.mkdir(parents=True, exist_ok=True)
    report = {
        "command": "python benchmarks/run.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "finished_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "duration_s": round(time.perf_counter() - started, 1),
        "quick": args.quick,
        "connector_code": code,
        "connector_code_after": code_after,
        "problems": problems,
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0], "platform": platform.platform()},
        "tempo_rate_per_s": TEMPO_RATE,
        "rows": [row.as_json() for row in rows],
        "profile": ctx.profile,
        "table_markdown": table,
        "notes": notes,
    }
    (RESULTS / "latest.json").write_text(json.dumps(report, indent=2, default=str))
    log(f"wrote {RESULTS / 'latest.json'} ({report['duration_s']} s)")
    # a missed target is a finding (see the table), a connector run that failed is an error
    return 2 if problems or any(_failed(row.measured) for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())

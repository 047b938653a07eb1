"""A Tempo stand-in for the large benchmark rows: worklogs computed from their index, pages rendered from templates.

    python benchmarks/page_server.py --port 8766 --worklogs 1000000 [--rate-limit 5]
        [--latency-ms 300] [--latency-per-record-ms 0.3]

Why not the sandbox (sandbox/server.py): it holds every worklog as a dict plus its JSON bytes, so a
million worklogs take gigabytes and minutes to seed, and its per-record work shares the 2 cores with the
connector under test. Here worklog i (0-based) is a pure function of i, and both its `startDate` and its
`updatedAt` grow with i, so every `POST /4/worklogs/search` (a startDate window `from`/`to`, `updatedFrom`,
ordered by UPDATED then ID: what the connector sends) is one contiguous range of indexes, found with
arithmetic. A page is rendered from a byte template (about a microsecond a record), nothing is stored:
memory is flat whatever `--worklogs`, and the server's CPU stays a small share of the connector's.

What it serves, enough for a first sync of the four seed streams: `/4/accounts` (and its search), `/4/customers`,
`/4/workload-schemes` (the sandbox's seeded lists, pre-rendered), `/4/worklogs/search`. Two worklogs per
`updatedAt` second, so paging within one second is exercised. startDates spread evenly over the five years
before today (the connector's first-sync windows), updatedAt over the days before now.

Limits as Tempo's: `--rate-limit` requests per second per token (a moving 1-second window; 429 with
Retry-After beyond, answered at once), then a delay of `--latency-ms` + `--latency-per-record-ms` x the records
on the page (Tempo's latency grows with the page). `GET /_control/stats` and `POST /_control/reset-stats` as in
the sandbox: requests, throttled, by_path, by_status, max_in_flight; `GET /_control/trace` lists every request
as (arrived, answered, status, window `from`, records), on the server's monotonic clock.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import math
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

PER_SECOND = 2  # worklogs per updatedAt second
HOST = "https://api.tempo.io"

_WORKLOG = (
    b'{"self":"' + HOST.encode() + b'/4/worklogs/%d","tempoWorklogId":%d,'
    b'"issue":{"self":"https://bench-site.atlassian.net/rest/api/2/issue/%d","id":%d},'
    b'"timeSpentSeconds":%d,"billableSeconds":%d,"startDate":"%s","startTime":"09:30:00",'
    b'"startDateTimeUtc":"%sT08:30:00Z","description":"Benchmark worklog %d","createdAt":"%s","updatedAt":"%s",'
    b'"author":{"self":"https://bench-site.atlassian.net/rest/api/2/user?accountId=%s","accountId":"%s"},'
    b'"attributes":{"self":"' + HOST.encode() + b'/4/worklogs/%d/work-attribute-values",'
    b'"values":[{"key":"_Billable_","value":"true"},{"key":"_Account_","value":"BENCH_%d"}]}}'
)
_AUTHORS = [b"5b10ac8d82e05b22cc7d4%03d" % n for n in range(40)]


class Worklogs:
    """Worklog i as a pure function of i; queries as index arithmetic."""

    def __init__(self, count: int, now: dt.datetime | None = None) -> None:
        now = now or dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
        self.count = count
        self.first_day = now.date() - dt.timedelta(days=5 * 365)
        self.days = 5 * 365 - 1  # startDates in [first_day, yesterday]
        seconds = math.ceil(count / PER_SECOND)
        self.first_updated = int(now.timestamp()) - 86400 - seconds  # the newest a day before now
        self._day_text: dict[int, bytes] = {}

    def day(self, i: int) -> int:
        return i * self.days // max(1, self.count)

    def day_text(self, d: int) -> bytes:
        text = self._day_text.get(d)
        if text is None:
            text = self._day_text[d] = (self.first_day + dt.timedelta(days=d)).isoformat().encode()
        return text

    @staticmethod
    def ts(epoch: int) -> bytes:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch)).encode()

    def first_on_or_after_day(self, date_text: str) -> int:
        days = (dt.date.fromisoformat(date_text) - self.first_day).days
        if days <= 0:
            return 0
        return min(self.count, -(-days * self.count // self.days))  # the least i with day(i) >= days

    def first_updated_on_or_after(self, timestamp: str) -> int:
        epoch = int(dt.datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp())
        return min(self.count, max(0, (epoch - self.first_updated) * PER_SECOND))

    def select(self, body: dict) -> tuple[int, int]:
        """[lo, hi) of the worklogs matching a search body."""
        lo, hi = 0, self.count
        if body.get("from"):
            lo = max(lo, self.first_on_or_after_day(body["from"]))
        if body.get("to"):
            to = dt.date.fromisoformat(body["to"]) + dt.timedelta(days=1)
            hi = min(hi, self.first_on_or_after_day(to.isoformat()))
        if body.get("updatedFrom"):
            lo = max(lo, self.first_updated_on_or_after(body["updatedFrom"]))
        return lo, max(lo, hi)

    def render(self, lo: int, hi: int) -> list[bytes]:
        out = []
        template, authors, first_updated = _WORKLOG, _AUTHORS, self.first_updated
        last_epoch, last_ts = -1, b""
        for i in range(lo, hi):
            wid = i + 1
            date = self.day_text(self.day(i))
            epoch = first_updated + i // PER_SECOND
            if epoch != last_epoch:
                last_epoch, last_ts = epoch, self.ts(epoch)
            author = authors[i % 40]
            seconds = 900 * (1 + i % 16)
            issue = 10000 + i % 5000
            values = (wid, wid, issue, issue, seconds, seconds, date, date, wid, last_ts, last_ts)
            out.append(template % (*values, author, author, wid, i % 97))
        return out


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.requests = 0
        self.throttled = 0
        self.by_path: collections.Counter = collections.Counter()
        self.by_status: collections.Counter = collections.Counter()
        self.in_flight = 0
        self.max_in_flight = 0
        self.records = 0
        self.trace: list = []  # (arrived, answered, status, window `from`, records) per request, seconds

    def as_dict(self) -> dict:
        return {
            "requests": self.requests,
            "throttled": self.throttled,
            "by_path": dict(self.by_path),
            "by_status": {str(k): v for k, v in self.by_status.items()},
            "max_in_flight": self.max_in_flight,
            "worklogs_served": self.records,
        }


class PageServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def __init__(self, port: int, worklogs: int, rate_limit: float | None, latency_s: float, per_record_s: float):
        super().__init__(("127.0.0.1", port), Handler)
        self.worklogs = Worklogs(worklogs)
        self.rate_limit = rate_limit
        self.latency_s = latency_s
        self.per_record_s = per_record_s
        self.stats = Stats()
        self.window: collections.deque = collections.deque()
        lists = _small_lists()
        self.lists = {
            path: [json.dumps(r, separators=(",", ":")).encode() for r in rows] for path, rows in lists.items()
        }

    def admit(self) -> int | None:
        """None when the request may go on, else the Retry-After seconds (a moving one-second window)."""
        if not self.rate_limit:
            return None
        n = max(1, int(self.rate_limit))
        window = n / self.rate_limit
        now = time.monotonic()
        with self.stats.lock:
            while self.window and self.window[0] <= now - window:
                self.window.popleft()
            if len(self.window) >= n:
                return max(1, math.ceil(self.window[0] + window - now))
            self.window.append(now)
            return None


def _small_lists() -> dict[str, list]:
    """The sandbox's seeded accounts, customers and workload schemes (a small seed: these lists do not grow)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from sandbox import seed

    data = seed.generate(42, 100)
    # The two work attributes every benchmark worklog carries: discover reads them for the worklogs' columns.
    attributes = [
        {"self": f"{HOST}/4/work-attributes/{key}", "key": key, "name": name, "type": kind, "required": required}
        for key, name, kind, required in (
            ("_Billable_", "Billable", "CHECKBOX", True),
            ("_Account_", "Account", "ACCOUNT", False),
        )
    ]
    return {
        "/4/accounts": data.accounts,
        "/4/customers": data.customers,
        "/4/workload-schemes": data.workload_schemes,
        "/4/work-attributes": attributes if os.environ.get("BENCH_NO_ATTRIBUTES") is None else [],
    }


def envelope(path: str, offset: int, limit: int, items: list[bytes], more: bool) -> bytes:
    meta = {"count": len(items), "offset": offset, "limit": limit}
    if more:
        meta["next"] = f"{HOST}{path}?offset={offset + limit}&limit={limit}"
    return b'{"self":"%s%s","metadata":%s,"results":[%s]}' % (
        HOST.encode(),
        path.encode(),
        json.dumps(meta, separators=(",", ":")).encode(),
        b",".join(items),
    )


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: PageServer

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's signature
        pass

    def do_GET(self) -> None:  # noqa: N802 - the base class's naming
        self.dispatch("GET")

    def do_POST(self) -> None:  # noqa: N802
        self.dispatch("POST")

    def send(self, status: int, body: bytes, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def dispatch(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        stats = self.server.stats
        if url.path.startswith("/_control/"):
            if url.path == "/_control/reset-stats":
                with stats.lock:
                    stats.reset()
                self.send(200, b"{}")
            elif url.path == "/_control/trace":
                with stats.lock:
                    self.send(200, json.dumps(stats.trace).encode())
            else:
                with stats.lock:
                    self.send(200, json.dumps(stats.as_dict()).encode())
            return
        with stats.lock:
            stats.requests += 1
            stats.by_path[url.path] += 1
            stats.in_flight += 1
            stats.max_in_flight = max(stats.max_in_flight, stats.in_flight)
        arrived = time.monotonic()
        try:
            status, body, headers = self.answer(method, url.path, dict(parse_qsl(url.query)), raw)
        finally:
            with stats.lock:
                stats.in_flight -= 1
        with stats.lock:
            stats.by_status[status] += 1
            stats.throttled += status == 429
            window = json.loads(raw).get("from") if raw[:1] == b"{" else None
            stats.trace.append((arrived, time.monotonic(), status, window, body.count(b'"tempoWorklogId"')))
        self.send(status, body, headers)

    def answer(self, method: str, path: str, query: dict, raw: bytes) -> tuple[int, bytes, dict]:
        server = self.server
        retry = server.admit()
        if retry is not None:
            return 429, b'{"errors":[{"message":"Rate limit exceeded"}]}', {"Retry-After": str(retry)}
        offset = int(query.get("offset") or 0)
        limit = min(5000, int(query.get("limit") or 50))
        if path == "/4/worklogs/search" and method == "POST":
            lo, hi = server.worklogs.select(json.loads(raw or b"{}"))
            start = min(hi, lo + offset)
            end = min(hi, start + limit)
            delay = server.latency_s + server.per_record_s * (end - start)
            if delay:
                time.sleep(delay)
            items = server.worklogs.render(start, end)
            with server.stats.lock:
                server.stats.records += len(items)
            return 200, envelope(path, offset, limit, items, end < hi), {}
        if path == "/4/accounts/search" and method == "POST":
            path = "/4/accounts"  # the connector searches accounts of every status: all of them here
        if path in server.lists:
            rows = server.lists[path]
            if server.latency_s:
                time.sleep(server.latency_s)
            return 200, envelope(path, offset, limit, rows[offset : offset + limit], offset + limit < len(rows)), {}
        return 404, b'{"errors":[{"message":"Not found"}]}', {}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--worklogs", type=int, default=1_000_000)
    parser.add_argument("--rate-limit", type=float, default=None)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--latency-per-record-ms", type=float, default=0.0)
    args = parser.parse_args(argv)
    server = PageServer(
        args.port, args.worklogs, args.rate_limit, args.latency_ms / 1000, args.latency_per_record_ms / 1000
    )
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown, daemon=True).start())
    print(f"page server: {args.worklogs} worklogs on http://127.0.0.1:{server.server_address[1]}/4", flush=True)
    server.serve_forever(poll_interval=0.2)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""A local, standard-library-only imitation of the Jira Cloud REST API v3 parts the connector uses.

Its issues and people are the ones the Tempo sandbox's worklogs and organisation point at, so that the
connector's Jira enrichment can be tested end to end:

    from sandbox import TempoSandbox
    from sandbox.jira import JiraSandbox
    with TempoSandbox(worklogs=3000) as tempo, JiraSandbox.for_tempo(tempo) as jira:
        jira.site_url, jira.email, jira.token       # the connector's `jira` config

or from a shell (it seeds the same Tempo data itself, from the same seed and worklog count):

    python -m sandbox.jira --port 18766 --worklogs 3000 [--seed 42] [--latency-ms 0] [--rate-limit N]

Paths, parameters and shapes follow ``reference/jira-cloud-openapi-subset.json``; limits and behaviours from
``reference/jira-cloud-facts.md``:

    GET  /rest/api/3/myself                 the credentials' user (401 on bad credentials)
    GET  /rest/api/3/serverInfo             anonymous
    POST /rest/api/3/issue/bulkfetch        {issueIdsOrKeys (1..100), fields}: issues in ascending id order;
                                            unknown, deleted or invisible ids are left out (not in issueErrors);
                                            an old key of a moved issue finds the issue under its new key
    GET  /rest/api/3/issue/{idOrKey}        404 when not found
    GET|POST /rest/api/3/search/jql         jql (clauses joined by AND: ``updated >= -<N>m``,
                                            ``updated >= "yyyy-MM-dd HH:mm"`` (UTC), ``id in (1, 2)``,
                                            ``project = KEY``, then an optional ORDER BY), fields, maxResults
                                            (default 50; at most 5000 with fields=id, else 100), nextPageToken;
                                            an unbounded or empty query is refused (400)
    GET  /rest/api/3/user/bulk              accountId (repeated), startAt, maxResults (default 10, at most
                                            ``user_bulk_max``, 100): PageBeanUser; unknown ids are left out

Behaviour the sandbox assumes where the facts are silent:

* Basic auth ``EMAIL:TOKEN``. ``TOKEN_NO_USER_BROWSE`` is refused with 403 on ``/user/bulk`` (a user without the
  Browse users and groups permission) and works elsewhere. Anything else: 401 with Jira's JSON error body.
* Issues: one per issue id of the Tempo worklogs, in 7 projects (``project id = 10000 + issue id % 7``, as the Tempo
  sandbox's hidden project); the lowest id of each project is its Epic, every other issue but every fifth has
  that Epic as ``parent``. ``moved_issue_ids`` were moved to another project before the seed (their old keys still
  find them); ``deleted_issue_id`` is referenced by worklogs but deleted in Jira.
* People: every accountId of the Tempo sandbox's worklogs, accounts and organisation; ``private_account_id`` hides
  its email (``emailAddress`` absent); one person is inactive.
* ``faults``: ``rate_limit_429`` answers that many requests with 429 and ``Retry-After: retry_after`` (seconds);
  ``down`` answers every API request 503 (no Retry-After); ``latency_seconds`` delays every API answer.
* ``stats()``: requests per path and the issue ids bulk requests asked for. Control routes (no auth, not
  counted): ``GET /_control/stats``, ``POST /_control/reset-stats``, ``POST /_control/faults`` (JiraFaults fields),
  ``POST /_control/move`` (``{"issue_id", "project_key"}``).
"""

from __future__ import annotations

import argparse
import base64
import json
import re
import signal
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterable
from urllib.parse import parse_qs, urlsplit

HOST = "127.0.0.1"
EMAIL = "sandbox@example.com"
TOKEN = "jira-sandbox-token"
TOKEN_NO_USER_BROWSE = "jira-sandbox-token-no-user-browse"
MYSELF_ACCOUNT_ID = "5b10ac8d82e05b22cc7d4ef5"
BULKFETCH_MAX = 100
SEARCH_MAX_IDS_ONLY = 5000
SEARCH_MAX = 100
SEED_UPDATED = "2025-12-15T09:30:00.000+0000"

PROJECTS = [
    ("ALPHA", "Alpha platform"),
    ("BETA", "Beta mobile"),
    ("GAMMA", "Gamma data"),
    ("DELTA", "Delta billing"),
    ("OPS", "Operations"),
    ("SUP", "Support"),
    ("MNT", "Maintenance"),
]
ISSUE_TYPES = {
    "Epic": {"id": "10000", "name": "Epic", "subtask": False, "hierarchyLevel": 1},
    "Story": {"id": "10001", "name": "Story", "subtask": False, "hierarchyLevel": 0},
    "Task": {"id": "10002", "name": "Task", "subtask": False, "hierarchyLevel": 0},
    "Bug": {"id": "10003", "name": "Bug", "subtask": False, "hierarchyLevel": 0},
}
STATUSES = [
    ("1", "To Do", 2, "new", "To Do"),
    ("3", "In Progress", 4, "indeterminate", "In Progress"),
    ("10001", "Done", 3, "done", "Done"),
]
FIRST_NAMES = ["Ada", "Bjørn", "Chen", "Dana", "Emeka", "Fatima", "Gustav", "Hana", "Ivan", "Júlia", "Kofi", "Lena"]
LAST_NAMES = ["Lovelace", "Sørensen", "Wei", "Scully", "Okafor", "Haddad", "Berg", "Sato", "Petrov", "Costa"]
TIME_ZONES = ["Europe/Oslo", "America/New_York", "Asia/Tokyo", "Europe/London", "Australia/Sydney", "UTC"]


@dataclass
class JiraFaults:
    rate_limit_429: int = 0
    retry_after: int = 1
    down: bool = False
    latency_seconds: float = 0.0


def _jira_time(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000+0000", time.gmtime(epoch))


def _epoch(jira_time: str) -> float:
    return time.mktime(time.strptime(jira_time[:19], "%Y-%m-%dT%H:%M:%S")) - time.timezone


def _account_ids(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "accountId" and isinstance(value, str):
                found.add(value)
            else:
                _account_ids(value, found)
    elif isinstance(node, (list, tuple)):
        for value in node:
            _account_ids(value, found)
    elif hasattr(node, "__dict__"):
        _account_ids(vars(node), found)


class JiraSandbox:
    """A running imitation of a Jira Cloud site; see the module docstring."""

    def __init__(self, issue_ids: Iterable[int], account_ids: Iterable[str], port: int = 0) -> None:
        self.requested_port = port
        self.email, self.token = EMAIL, TOKEN
        self.faults = JiraFaults()
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._requests: dict[str, int] = {}
        self._ids_asked: list[int] = []
        self.issues: dict[str, dict] = {}  # id -> IssueBean
        self._old_keys: dict[str, str] = {}  # a key an issue had before it moved -> its id
        self._next_number: dict[str, int] = {}
        ids = sorted(set(issue_ids))
        epics: dict[str, str] = {}
        for position, issue_id in enumerate(ids):
            project_id = 10000 + issue_id % 7
            key, name = PROJECTS[project_id - 10000]
            number = self._next_number.get(key, 0) + 1
            self._next_number[key] = number
            kind = "Epic" if key not in epics else ("Bug", "Story", "Task")[position % 3]
            status = STATUSES[position % 3]
            issue = {
                "id": str(issue_id),
                "key": f"{key}-{number}",
                "fields": {
                    "summary": f"{kind} {number} of {name}",
                    "project": {"id": str(project_id), "key": key, "name": name},
                    "issuetype": dict(ISSUE_TYPES[kind]),
                    "status": {
                        "id": status[0],
                        "name": status[1],
                        "statusCategory": {"id": status[2], "key": status[3], "name": status[4]},
                    },
                    "labels": ["sandbox", key.lower()] if position % 4 == 0 else [],
                    "created": _jira_time(1640995200 + position * 3600),
                    "updated": _jira_time(_epoch(SEED_UPDATED) - position * 60),
                    "parent": None,
                },
            }
            if kind == "Epic":
                epics[key] = issue["id"]
            elif position % 5:
                issue["fields"]["parent"] = epics[key]  # resolved to the parent's id, expanded when served
            self.issues[issue["id"]] = issue
        # a deleted issue (worklogs still point at it) and two issues moved before the seed
        self.deleted_issue_id = ids[3] if len(ids) > 3 else None
        if self.deleted_issue_id is not None:
            del self.issues[str(self.deleted_issue_id)]
        movable = [i for i in ids[10:] if str(i) in self.issues and self.issues[str(i)]["fields"]["parent"]]
        self.moved_issue_ids = movable[:2]
        for issue_id in self.moved_issue_ids:
            self.move_issue(issue_id, "SUP" if not self.key_of(issue_id).startswith("SUP") else "OPS", SEED_UPDATED)
        self.people: dict[str, dict] = {}
        for position, account_id in enumerate(sorted(set(account_ids) | {MYSELF_ACCOUNT_ID})):
            first, last = FIRST_NAMES[position % len(FIRST_NAMES)], LAST_NAMES[position % len(LAST_NAMES)]
            person = {
                "accountId": account_id,
                "accountType": "atlassian",
                "active": True,
                "displayName": "Sandbox Admin" if account_id == MYSELF_ACCOUNT_ID else f"{first} {last}",
                "emailAddress": f"{first.lower()}.{last.lower()}.{position}@example.com",
                "timeZone": TIME_ZONES[position % len(TIME_ZONES)],
                "locale": "en_US",
            }
            self.people[account_id] = person
        others = [a for a in sorted(self.people) if a != MYSELF_ACCOUNT_ID]
        self.private_account_id = others[1] if len(others) > 1 else None
        if self.private_account_id:
            del self.people[self.private_account_id]["emailAddress"]
        self.inactive_account_id = others[2] if len(others) > 2 else None
        if self.inactive_account_id:
            self.people[self.inactive_account_id]["active"] = False

    @classmethod
    def for_tempo(cls, tempo: Any, port: int = 0) -> JiraSandbox:
        """The Jira site of a TempoSandbox (started or not): its worklogs' issues, its people."""
        found: set[str] = set()
        for source in (tempo.worklogs(), tempo.accounts()):
            _account_ids(source, found)
        for name in ("_org", "_reporting"):
            _account_ids(getattr(tempo, name, None), found)
        found |= set(getattr(tempo, "_user_offsets", {}))
        issue_ids = {w["issue"]["id"] for w in tempo.worklogs() if w.get("issue")}
        return cls(issue_ids, found, port)

    # -- data changes --------------------------------------------------------
    def key_of(self, issue_id: int | str) -> str:
        return self.issues[str(issue_id)]["key"]

    def move_issue(self, issue_id: int | str, project_key: str, when: str | None = None) -> str:
        """Moves an issue to another project: a new key there, its old key still finds it. Returns the new key."""
        with self._lock:
            issue = self.issues[str(issue_id)]
            self._old_keys[issue["key"]] = issue["id"]
            number = self._next_number.get(project_key, 0) + 1
            self._next_number[project_key] = number
            project_id = 10000 + [k for k, _ in PROJECTS].index(project_key)
            issue["key"] = f"{project_key}-{number}"
            issue["fields"]["project"] = {
                "id": str(project_id),
                "key": project_key,
                "name": dict(PROJECTS)[project_key],
            }
            issue["fields"]["updated"] = when or _jira_time(time.time())
            return issue["key"]

    def delete_issue(self, issue_id: int | str) -> None:
        with self._lock:
            del self.issues[str(issue_id)]

    # -- serving --------------------------------------------------------------
    def start(self) -> JiraSandbox:
        server = ThreadingHTTPServer((HOST, self.requested_port), _Handler)
        server.daemon_threads = True
        server.jira = self  # type: ignore[attr-defined]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name="jira-sandbox", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> JiraSandbox:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "not started"
        return self._server.server_address[1]

    @property
    def site_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def config(self, **overrides: Any) -> dict[str, Any]:
        """The connector's `jira` config object for this site."""
        return {"site_url": self.site_url, "email": self.email, "api_token": self.token, **overrides}

    def stats(self) -> dict[str, Any]:
        with self._lock:
            return {
                "requests": dict(self._requests),
                "total": sum(self._requests.values()),
                "ids": list(self._ids_asked),
            }

    def reset_stats(self) -> None:
        with self._lock:
            self._requests.clear()
            self._ids_asked.clear()

    def _issue_out(self, issue: dict, fields: list[str] | None) -> dict:
        out_fields = dict(issue["fields"])
        parent_id = out_fields.get("parent")
        if parent_id and parent_id in self.issues:
            parent = self.issues[parent_id]
            out_fields["parent"] = {
                "id": parent["id"],
                "key": parent["key"],
                "fields": {
                    "summary": parent["fields"]["summary"],
                    "status": parent["fields"]["status"],
                    "issuetype": parent["fields"]["issuetype"],
                },
            }
        else:
            out_fields.pop("parent", None)
        if fields and not any(f.startswith("*") for f in fields):
            out_fields = {k: v for k, v in out_fields.items() if k in fields}
        return {
            "id": issue["id"],
            "key": issue["key"],
            "self": f"{self.site_url}/rest/api/3/issue/{issue['id']}",
            "fields": out_fields,
        }

    def _find(self, id_or_key: str) -> dict | None:
        issue = self.issues.get(id_or_key)
        if issue is None:
            upper = id_or_key.upper()
            issue = next((i for i in self.issues.values() if i["key"] == upper), None)
            if issue is None and upper in self._old_keys:
                issue = self.issues.get(self._old_keys[upper])
        return issue

    def handle(self, method: str, path: str, query: dict[str, list[str]], body: bytes, auth: str | None):
        """(status, body, headers) of one API request, or of the control interface (no auth, not counted)."""
        if path.startswith("/_control/"):
            return self.handle_control(method, path, body)
        with self._lock:
            self._requests[
                path
                if not path.startswith("/rest/api/3/issue/") or path.endswith("bulkfetch")
                else "/rest/api/3/issue/{id}"
            ] = self._requests.get(path, 0) + 1
            faults = self.faults
            if faults.rate_limit_429 > 0:
                faults.rate_limit_429 -= 1
                return (
                    429,
                    {"errorMessages": ["Rate limit exceeded."]},
                    {"Retry-After": str(faults.retry_after), "RateLimit-Reason": "jira-burst-based"},
                )
        if faults.down:
            return 503, {"errorMessages": ["Service unavailable"]}, {}
        if faults.latency_seconds:
            time.sleep(faults.latency_seconds)
        if path == "/rest/api/3/serverInfo":
            return 200, {"baseUrl": self.site_url, "deploymentType": "Cloud", "serverTimeZone": "UTC"}, {}
        token = None
        if auth and auth.startswith("Basic "):
            try:
                email, _, token = base64.b64decode(auth[6:]).decode().partition(":")
            except ValueError:
                email = ""
            if email != self.email:
                token = None
        if token not in (TOKEN, TOKEN_NO_USER_BROWSE):
            return 401, {"errorMessages": ["Client must be authenticated to access this resource."]}, {}
        try:
            payload = json.loads(body) if body else {}
        except ValueError:
            return 400, {"errorMessages": ["Invalid request payload."]}, {}
        if path == "/rest/api/3/myself" and method == "GET":
            return 200, self.people[MYSELF_ACCOUNT_ID], {}
        if path == "/rest/api/3/issue/bulkfetch" and method == "POST":
            asked = [str(i) for i in payload.get("issueIdsOrKeys") or []]
            if not asked or len(asked) > BULKFETCH_MAX:
                return 400, {"errorMessages": [f"Provide between 1 and {BULKFETCH_MAX} issue IDs or keys."]}, {}
            with self._lock:
                self._ids_asked.extend(int(i) for i in asked if i.isdigit())
                found = {issue["id"]: issue for issue in (self._find(i) for i in asked) if issue is not None}
                issues = [self._issue_out(found[i], payload.get("fields")) for i in sorted(found, key=int)]
            return 200, {"issues": issues, "issueErrors": []}, {}
        if path.startswith("/rest/api/3/issue/") and method == "GET":
            with self._lock:
                issue = self._find(path.rsplit("/", 1)[1])
                if issue is None:
                    return 404, {"errorMessages": ["Issue does not exist or you do not have permission to see it."]}, {}
                return 200, self._issue_out(issue, (query.get("fields") or [""])[0].split(",") or None), {}
        if path == "/rest/api/3/search/jql" and method in ("GET", "POST"):
            if method == "GET":
                payload = {
                    "jql": (query.get("jql") or [""])[0],
                    "fields": ",".join(query.get("fields") or []).split(",") if query.get("fields") else None,
                    "maxResults": int((query.get("maxResults") or ["50"])[0]),
                    "nextPageToken": (query.get("nextPageToken") or [None])[0],
                }
            return self._search(payload)
        if path == "/rest/api/3/user/bulk" and method == "GET":
            if token == TOKEN_NO_USER_BROWSE:
                return 403, {"errorMessages": ["You do not have the permission to browse users."]}, {}
            asked = query.get("accountId") or []
            if not asked:
                return 400, {"errorMessages": ["accountId is required."]}, {}
            start = int((query.get("startAt") or ["0"])[0])
            size = min(int((query.get("maxResults") or ["10"])[0]), 100)
            with self._lock:
                known = [self.people[a] for a in dict.fromkeys(asked) if a in self.people]
            page = known[start : start + size]
            last = start + size >= len(known)
            out = {"startAt": start, "maxResults": size, "total": len(known), "isLast": last, "values": page}
            if not last:
                out["nextPage"] = f"{self.site_url}/rest/api/3/user/bulk?startAt={start + size}"
            return 200, out, {}
        return 404, {"errorMessages": [f"No API at {method} {path}."]}, {}

    def handle_control(self, method: str, path: str, body: bytes) -> tuple[int, Any, dict]:
        """GET stats, POST reset-stats, POST faults (JiraFaults fields), POST move {"issue_id", "project_key"}."""
        payload = json.loads(body) if body else {}
        if path == "/_control/stats" and method == "GET":
            return 200, self.stats(), {}
        if path == "/_control/reset-stats" and method == "POST":
            self.reset_stats()
            return 200, {}, {}
        if path == "/_control/faults" and method == "POST":
            for name, value in payload.items():
                setattr(self.faults, name, value)
            return 200, vars(self.faults), {}
        if path == "/_control/move" and method == "POST":
            return 200, {"key": self.move_issue(payload["issue_id"], payload["project_key"])}, {}
        return 404, {"errorMessages": [f"No control route {method} {path}."]}, {}

    def _search(self, payload: dict) -> tuple[int, dict, dict]:
        jql = (payload.get("jql") or "").strip()
        condition = re.split(r"(?i)\s+order\s+by\s+", jql)[0].strip()
        if not condition or re.match(r"(?i)^order\s+by", jql):
            return 400, {"errorMessages": ["Unbounded JQL queries are not allowed here."]}, {}
        with self._lock:
            matching = list(self.issues.values())
            for clause in re.split(r"(?i)\s+AND\s+", condition):
                clause = clause.strip()
                relative = re.fullmatch(r'(?i)updated\s*>=\s*"?-(\d+)m"?', clause)
                absolute = re.fullmatch(r'(?i)updated\s*>=\s*"(\d{4}-\d{2}-\d{2} \d{2}:\d{2})"', clause)
                ids = re.fullmatch(r"(?i)id\s+in\s*\(([\d,\s]*)\)", clause)
                project = re.fullmatch(r"(?i)project\s*=\s*\"?(\w+)\"?", clause)
                if relative:
                    since = time.time() - int(relative.group(1)) * 60
                elif absolute:
                    since = time.mktime(time.strptime(absolute.group(1), "%Y-%m-%d %H:%M")) - time.timezone
                if relative or absolute:
                    matching = [i for i in matching if _epoch(i["fields"]["updated"]) >= since]
                elif ids:
                    wanted = {x.strip() for x in ids.group(1).split(",") if x.strip()}
                    matching = [i for i in matching if i["id"] in wanted]
                elif project:
                    matching = [i for i in matching if i["fields"]["project"]["key"] == project.group(1).upper()]
                else:
                    return 400, {"errorMessages": [f"The JQL clause {clause!r} is not supported by the sandbox."]}, {}
            matching.sort(key=lambda i: int(i["id"]))
            fields = payload.get("fields") or ["id"]
            cap = SEARCH_MAX_IDS_ONLY if fields in (["id"], ["key"], ["id", "key"]) else SEARCH_MAX
            size = max(1, min(int(payload.get("maxResults") or 50), cap))
            token = payload.get("nextPageToken")
            start = int(base64.b64decode(token).decode()) if token else 0
            page = matching[start : start + size]
            out_issues = [{"id": i["id"]} if fields == ["id"] else self._issue_out(i, fields) for i in page]
        last = start + size >= len(matching)
        out: dict[str, Any] = {"issues": out_issues, "isLast": last}
        if not last:
            out["nextPageToken"] = base64.b64encode(str(start + size).encode()).decode()
        return 200, out, {}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "jira-sandbox"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - signature of the base class
        pass

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        url = urlsplit(self.path)
        jira: JiraSandbox = self.server.jira  # type: ignore[attr-defined]
        status, payload, headers = jira.handle(
            self.command, url.path, parse_qs(url.query), body, self.headers.get("Authorization")
        )
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _dispatch


def main(argv: list[str] | None = None) -> int:
    from .server import TempoSandbox

    p = argparse.ArgumentParser(prog="python -m sandbox.jira", description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, default=18766, help="port on 127.0.0.1 (0 = any free port)")
    p.add_argument("--worklogs", type=int, default=5000, help="the Tempo sandbox's --worklogs")
    p.add_argument("--seed", type=int, default=42, help="the Tempo sandbox's --seed")
    p.add_argument("--latency-ms", type=float, default=0.0)
    args = p.parse_args(argv)
    jira = JiraSandbox.for_tempo(TempoSandbox(worklogs=args.worklogs, seed=args.seed), port=args.port)
    jira.faults.latency_seconds = args.latency_ms / 1000
    jira.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    print(f"Jira sandbox: {len(jira.issues)} issues, {len(jira.people)} people")
    print(f"jira config: {json.dumps(jira.config())}", flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        jira.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

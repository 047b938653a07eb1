"""Jira enrichment: Jira's issue keys, summaries, projects and people's names beside the ids Tempo v4 gives.

Why Python: what the Jira streams read is not a list any Jira endpoint serves, but the ids that the Tempo records
of the same sync name; and the worklogs' in-line enrichment needs lookups batched per page and a cache shared
across streams and threads. YAML declares the rest: the spec's `jira` object, the Jira requesters (Basic auth,
their error handler with Retry-After, their own rate budget) and the streams with their schemas.

Design (the simplest that is correct under the CDK's concurrent reads):

* `JIRA_SYNC` (one `JiraSync` per process, one sync per process) is the registry. `SourceTempo.read` sees every
  message of the sync in its main thread: it hands each Tempo record to `note_record`, which keeps the issue ids
  of worklogs and every accountId a record names (authors, leads, contacts, members, approvers, reviewers,
  actors), and each Tempo stream's end (COMPLETE or INCOMPLETE) to `stream_done`.
* The CDK reads streams concurrently, in no order it promises, so a Jira stream waits (`wait_for_tempo`) in its
  partition until every selected Tempo stream has ended, then reads the registry. A waiting partition holds one
  worker thread: the manifest's `concurrency_level` adds two workers when `jira` is configured, so the Tempo
  streams always keep the workers they had. (Fetching the ids again from Tempo in the Jira streams would cost a
  whole second read of worklogs; restarting the CDK's reader for a second phase would need its internals.)
* `JiraDirectory` fetches in bulk: `POST /issue/bulkfetch` with 100 ids (the stored spec's limit; the 1000 of the
  newer text needs single-valued fields only, and `labels` is not) and `GET /user/bulk` with 100 accountIds
  (the facts name no limit; Jira's page `maxResults` is followed with `startAt` until `isLast`), up to
  `PARALLEL_REQUESTS` bulk requests at once, paced by Jira's own budget (manifest `api_budget`, 10/s), so that their
  latencies overlap. Each id is asked at most once per sync: an id asked by one thread is awaited by the others,
  and an id Jira did not return is remembered as missing. Records are kept in a bounded LRU cache (`CACHE_SIZE`
  issues and as many people), so memory is flat in the number of worklogs; an id evicted and needed again is
  fetched again.
* Worklogs enrichment (`JiraEnrichedWorklogs`, the worklogs extractor when `jira.enrich_worklogs`): each page's
  missing issues and authors are fetched in bulk before its records leave, in the worklogs thread: while one
  worklogs window waits for Jira, the others read Tempo. A page's Jira lookups do delay that window's next Tempo
  request (paging is sequential within a window), which the benchmark's rows show. jira-issues then finds those
  issues in the cache and asks Jira for none of them.
* Incremental jira-issues: its state is the CDK cursor on `updated`, plus what `SourceTempo.read` adds to the
  stream's state messages: `referencedIssueIds`, every id referenced so far in a compact form of ranges
  (`encode_ids`), and `readFromJiraAt`, when that sync asked Jira. The next sync fetches the ids newly referenced,
  plus the referenced ids that a JQL search (`updated >= -<N>m` with N the minutes since `readFromJiraAt` plus
  10: relative minutes have no time zone to get wrong; ids only, 5000 per page) finds updated in Jira since:
  moved issues (a new key) included.
  Requests follow what changed, not the size of the site. A deleted or invisible issue is logged with its id and
  dropped from `referencedIssueIds`.
* jira-users is read in full each sync, for the accountIds the selected Tempo streams name in that sync.
"""

from __future__ import annotations

import logging
import math
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import InitVar, dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterable, List, Mapping, MutableMapping

import requests
from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.declarative.retrievers.retriever import Retriever
from airbyte_cdk.sources.declarative.transformations.config_transformations.config_transformation import (
    ConfigTransformation,
)
from airbyte_cdk.sources.types import Config, StreamSlice, StreamState
from airbyte_cdk.utils.airbyte_secrets_utils import filter_secrets
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_tempo.components.config import _tidy, connection_specification
from source_tempo.components.paging import TempoResultsExtractor

LOGGER = logging.getLogger("airbyte")

JIRA_STREAMS = ("jira-issues", "jira-users")
ISSUES_PER_REQUEST = 100
USERS_PER_REQUEST = 100
SEARCH_PAGE = 5000
CACHE_SIZE = 20_000
STATE_IDS_KEY = "referencedIssueIds"
STATE_SYNCED_KEY = "readFromJiraAt"  # when jira-issues last asked Jira: the next JQL window starts there
ISSUE_FIELDS = ["summary", "project", "issuetype", "status", "parent", "labels", "created", "updated"]
# minutes added to the JQL window: Jira's search index lags writes, and the machine's clock may lag Jira's
SEARCH_SLACK_MINUTES = 10
SHOWN_IDS = 20


def jira_config(config: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    """The `jira` object when it is configured (an empty or missing one means no Jira)."""
    value = (config or {}).get("jira")
    return value if isinstance(value, Mapping) and value else None


def enrich_worklogs(config: Mapping[str, Any] | None) -> bool:
    jira = jira_config(config)
    return bool(jira) and jira.get("enrich_worklogs", True) is not False


# ---- config -------------------------------------------------------------------------------------------------
class TidyJiraConfig(ConfigTransformation):
    """`TidyConfig` for the fields inside `jira` (whitespace around text, "true"/"false" as booleans); an empty
    `jira` object (what a form leaves) is taken out, so that it means no Jira."""

    def transform(self, config: MutableMapping[str, Any]) -> None:
        jira = config.get("jira")
        if isinstance(jira, Mapping):
            properties = connection_specification()["properties"]["jira"]["properties"]
            tidy = {name: _tidy(value, (properties.get(name) or {}).get("type")) for name, value in jira.items()}
            tidy = {name: value for name, value in tidy.items() if value not in (None, "")}
            if tidy:
                config["jira"] = tidy
            else:
                del config["jira"]


# ---- the registry ------------------------------------------------------------------------------------------
def encode_ids(ids: Iterable[int]) -> str:
    """Sorted ids as ranges, `10000-10498,10501`: Jira ids of a site are dense, so this stays small."""
    parts: list[str] = []
    run: list[int] = []
    for value in sorted(set(ids)):
        if run and value == run[-1] + 1:
            run.append(value)
            continue
        if run:
            parts.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
        run = [value]
    if run:
        parts.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
    return ",".join(parts)


def decode_ids(text: Any) -> set[int]:
    ids: set[int] = set()
    for part in str(text or "").split(","):
        low, dash, high = part.strip().partition("-")
        if low.isdigit() and (not dash or high.isdigit()):
            ids.update(range(int(low), int(high or low) + 1))
    return ids


def _account_ids(node: Any, found: set[str]) -> None:
    if isinstance(node, Mapping):
        for key, value in node.items():
            if key in ("accountId", "userAccountId") and isinstance(value, str) and value:
                found.add(value)
            elif isinstance(value, (Mapping, list)):
                _account_ids(value, found)
    elif isinstance(node, list):
        for value in node:
            if isinstance(value, (Mapping, list)):
                _account_ids(value, found)


class JiraSync:
    """The ids the sync's Tempo records reference, and whether the Tempo streams have ended (see the module
    docstring). Memory: a few dozen bytes per distinct id, nothing per worklog."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self.reset()

    def reset(self) -> None:
        with self._condition:
            self.active = False
            self.pending: set[str] = set()
            self.issue_ids: set[int] = set()
            self.account_ids: set[str] = set()
            self.previous_state: Mapping[str, Any] = {}
            self.known_issue_ids: set[int] | None = None  # every referenced id after jira-issues ran
            self.read_at: str | None = None  # when jira-issues of this sync asked Jira
            self.directory: JiraDirectory | None = None
            self._condition.notify_all()

    def begin(self, tempo_streams: Iterable[str], previous_state: Mapping[str, Any] | None) -> None:
        self.reset()
        with self._condition:
            self.active = True
            self.pending = set(tempo_streams)
            self.previous_state = dict(previous_state or {})

    def note_record(self, stream: str, record: Mapping[str, Any]) -> None:
        if stream in JIRA_STREAMS:
            return
        if stream == "worklogs":
            issue, author = record.get("issue"), record.get("author")
            if isinstance(issue, Mapping) and issue.get("id") is not None:
                self.issue_ids.add(int(issue["id"]))
            if isinstance(author, Mapping) and author.get("accountId"):
                self.account_ids.add(author["accountId"])
            return
        _account_ids(record, self.account_ids)

    def stream_done(self, stream: str) -> None:
        with self._condition:
            self.pending.discard(stream)
            if not self.pending:
                self._condition.notify_all()

    def end(self) -> None:
        with self._condition:
            self.active = False
            self.pending.clear()
            self._condition.notify_all()

    def wait_for_tempo(self) -> None:
        with self._condition:
            if self.pending:
                LOGGER.info(f"Jira streams wait for the Tempo streams to end: {', '.join(sorted(self.pending))}")
            self._condition.wait_for(lambda: not self.pending)

    def state_with_ids(self, state: Mapping[str, Any]) -> dict[str, Any]:
        """jira-issues' state as the CDK's cursor wrote it, plus every issue id referenced so far."""
        known = self.known_issue_ids
        if known is None:  # jira-issues has not read yet: what the previous state held, plus this sync's ids
            known = decode_ids(self.previous_state.get(STATE_IDS_KEY)) | self.issue_ids
        read_at = self.read_at or self.previous_state.get(STATE_SYNCED_KEY)
        return {**state, STATE_IDS_KEY: encode_ids(known), **({STATE_SYNCED_KEY: read_at} if read_at else {})}

    def directory_for(self, config: Mapping[str, Any]) -> JiraDirectory:
        with self._condition:
            if self.directory is None:
                self.directory = JiraDirectory()
            return self.directory


JIRA_SYNC = JiraSync()


# ---- fetching in bulk, through a bounded cache -------------------------------------------------------------
_MISSING = object()
PARALLEL_REQUESTS = 4
_PARALLEL = ThreadPoolExecutor(max_workers=PARALLEL_REQUESTS, thread_name_prefix="jira")


class _Lru:
    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[str, Any] = OrderedDict()

    def get(self, key: str) -> Any:
        value = self.items.get(key, None)
        if key in self.items:
            self.items.move_to_end(key)
            return value
        return None

    def __contains__(self, key: str) -> bool:
        return key in self.items

    def put(self, key: str, value: Any) -> None:
        self.items[key] = value
        self.items.move_to_end(key)
        while len(self.items) > self.size:
            self.items.popitem(last=False)


def issue_record(issue: Mapping[str, Any]) -> dict[str, Any]:
    """A bulkfetch issue as a jira-issues record: Jira's field names, at the top level."""
    fields = issue.get("fields") or {}
    parent = fields.get("parent")
    parent_fields = (parent or {}).get("fields") or {}
    status = fields.get("status")
    return {
        "id": str(issue.get("id")),
        "key": issue.get("key"),
        "summary": fields.get("summary"),
        "project": _pick(fields.get("project"), ("id", "key", "name")),
        "issuetype": _pick(fields.get("issuetype"), ("id", "name", "subtask", "hierarchyLevel")),
        "status": {
            **_pick(status, ("id", "name")),
            "statusCategory": _pick((status or {}).get("statusCategory"), ("id", "key", "name")) or None,
        }
        if status
        else None,
        "parent": {
            "id": parent.get("id"),
            "key": parent.get("key"),
            "summary": parent_fields.get("summary"),
            "issuetype": _pick(parent_fields.get("issuetype"), ("id", "name", "subtask", "hierarchyLevel")),
        }
        if parent
        else None,
        "labels": list(fields.get("labels") or []),
        "created": _rfc3339(fields.get("created")),
        "updated": _rfc3339(fields.get("updated")),
    }


def _rfc3339(value: Any) -> Any:
    """Jira's `2025-12-15T09:30:00.000+0000` as RFC 3339 (`+00:00`), which destinations parse as a date-time."""
    if isinstance(value, str) and len(value) > 5 and value[-5] in "+-" and value[-4:].isdigit():
        return f"{value[:-2]}:{value[-2:]}"
    return value


def user_record(user: Mapping[str, Any]) -> dict[str, Any]:
    """A Jira user as a jira-users record; `emailAddress` is null where the profile hides it."""
    return {
        name: user.get(name)
        for name in ("accountId", "displayName", "active", "accountType", "timeZone", "emailAddress")
    }


def _pick(value: Any, names: Iterable[str]) -> dict[str, Any]:
    return {name: value.get(name) for name in names} if isinstance(value, Mapping) else {}


class JiraDirectory:
    """Issues and people by id: bulk requests, each id at most once per sync, a bounded LRU cache."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self._condition = threading.Condition()
        self._issues = _Lru(size)
        self._users = _Lru(size)
        self._asked: dict[str, set[str]] = {"issues": set(), "users": set()}  # ids asked this sync
        self._in_flight: dict[str, set[str]] = {"issues": set(), "users": set()}
        self.requests = {"issues": 0, "users": 0}

    def issues(self, ids: Iterable[str], post_requester: Any) -> dict[str, dict | None]:
        return self._lookup("issues", self._issues, ids, lambda chunk: self._fetch_issues(chunk, post_requester))

    def users(self, ids: Iterable[str], get_requester: Any) -> dict[str, dict | None]:
        return self._lookup("users", self._users, ids, lambda chunk: self._fetch_users(chunk, get_requester))

    def _lookup(self, kind: str, cache: _Lru, ids: Iterable[str], fetch: Any) -> dict[str, dict | None]:
        wanted = list(dict.fromkeys(str(i) for i in ids))
        fetched: dict[str, Any] = {}  # this call's answers: a lookup larger than the cache still gets them all
        size = ISSUES_PER_REQUEST if kind == "issues" else USERS_PER_REQUEST
        with self._condition:
            mine = [i for i in wanted if i not in cache and i not in self._in_flight[kind]]
            self._in_flight[kind].update(mine)
        try:
            chunks = [mine[start : start + size] for start in range(0, len(mine), size)]
            # several bulk requests at once (the Jira budget still paces them): their latency overlaps
            answers = _PARALLEL.map(fetch, chunks) if len(chunks) > 1 else map(fetch, chunks)
            for chunk, found in zip(chunks, answers):
                with self._condition:
                    for key in chunk:
                        fetched[key] = found.get(key, _MISSING)
                        cache.put(key, fetched[key])
                        self._asked[kind].add(key)
                        self._in_flight[kind].discard(key)
                    self._condition.notify_all()
        finally:
            with self._condition:
                self._in_flight[kind].difference_update(mine)
                self._condition.notify_all()
        out: dict[str, Any] = dict(fetched)
        evicted: list[str] = []
        with self._condition:
            for key in wanted:
                if key in out:
                    continue
                # another thread is fetching it: wait for that answer rather than ask Jira twice
                self._condition.wait_for(lambda key=key: key not in self._in_flight[kind])
                if key in cache:
                    out[key] = cache.get(key)
                else:
                    evicted.append(key)  # by the cache's bound since it was fetched: asked again, outside the lock
        for start in range(0, len(evicted), size):
            chunk = evicted[start : start + size]
            found = fetch(chunk)
            with self._condition:
                for key in chunk:
                    out[key] = found.get(key, _MISSING)
                    cache.put(key, out[key])
        return {key: None if out[key] is _MISSING else out[key] for key in wanted}

    def _fetch_issues(self, ids: List[str], post_requester: Any) -> dict[str, dict]:
        self.requests["issues"] += 1
        response = send(
            post_requester, path="issue/bulkfetch", request_body_json={"issueIdsOrKeys": ids, "fields": ISSUE_FIELDS}
        )
        body = _json(response)
        for error in body.get("issueErrors") or []:
            LOGGER.warning(f"Jira could not return issue {error.get('id')} this time: {error.get('errorMessage')}")
        return {str(issue.get("id")): issue_record(issue) for issue in body.get("issues") or []}

    def _fetch_users(self, ids: List[str], get_requester: Any) -> dict[str, dict]:
        found: dict[str, dict] = {}
        start = 0
        while True:
            self.requests["users"] += 1
            response = send(
                get_requester,
                path="user/bulk",
                request_params={"accountId": ids, "startAt": start, "maxResults": len(ids)},
            )
            body = _json(response)
            values = body.get("values") or []
            for user in values:
                found[str(user.get("accountId"))] = user_record(user)
            if body.get("isLast", True) or not values:
                return found
            start += len(values)


def send(requester: Any, **request: Any) -> requests.Response | None:
    """The requester's request; a Jira that cannot be reached (refused, DNS, TLS, timeouts after the retries) fails
    with a message naming `jira.site_url` instead of the CDK's "Exhausted available request attempts". The manifest's
    own messages (401, 403, 429, 5xx) start with "Jira" and pass as they are."""
    try:
        return requester.send_request(**request)
    except AirbyteTracedException as error:
        if (error.message or "").startswith("Jira"):
            raise
        cause = error.internal_message or error.message or type(error).__name__
        if _RETRIED_ANSWER in cause:  # retries used up on Jira's answers (429, 5xx): the manifest's message for it
            raise AirbyteTracedException(
                message=cause[cause.index(_RETRIED_ANSWER) + len("Exception: ") :],
                internal_message=cause,
                failure_type=error.failure_type or FailureType.transient_error,
            ) from None
    except requests.RequestException as error:
        cause = type(error).__name__
    site = str((jira_config(requester.config) or {}).get("site_url", "")).rstrip("/")
    kind = next((name for name in _NETWORK_ERRORS if name in cause), "the connection failed")
    raise AirbyteTracedException(
        message=(
            f"Could not reach Jira at `jira.site_url` ({site}): {kind}, also after the retries. Check the site URL "
            "(https://<your-site>.atlassian.net) and that this machine can reach it, or try again later."
        ),
        internal_message=filter_secrets(cause),
        failure_type=FailureType.transient_error,
    )


_RETRIED_ANSWER = "Exception: Jira "  # how the CDK quotes a response filter's message when it gave up retrying
_NETWORK_ERRORS = (
    "ConnectTimeout",
    "ReadTimeout",
    "SSLError",
    "NameResolutionError",
    "Connection refused",
    "ConnectionError",
)


def _json(response: requests.Response | None) -> Mapping[str, Any]:
    try:
        body = response.json() if response is not None else {}
    except ValueError:
        body = None
    if not isinstance(body, Mapping):
        url = response.url.split("?")[0] if response is not None else "Jira"
        raise AirbyteTracedException(
            message=f"Jira answered {url} with a body that is not a JSON object; try the sync again later.",
            failure_type=FailureType.transient_error,
        )
    return body


def _report_missing(kind: str, missing: List[str], why: str) -> None:
    if missing:
        shown = ", ".join(missing[:SHOWN_IDS]) + (" ..." if len(missing) > SHOWN_IDS else "")
        LOGGER.warning(f"Jira did not return {len(missing)} {kind} ({why}): {shown}")


# ---- the streams' retrievers -------------------------------------------------------------------------------
@dataclass
class _JiraRetriever(Retriever):
    config: Config
    parameters: InitVar[Mapping[str, Any]]
    get_requester: Any = None
    post_requester: Any = None
    name: str = ""
    _state: StreamState = field(default_factory=dict)

    def __post_init__(self, parameters: Mapping[str, Any]) -> None:
        self.name = self.name or parameters.get("name", "")

    @property  # type: ignore[override]
    def state(self) -> StreamState:
        return self._state

    @state.setter
    def state(self, value: StreamState) -> None:
        self._state = dict(value)

    def stream_slices(self) -> Iterable[StreamSlice | None]:
        yield StreamSlice(partition={}, cursor_slice={})


@dataclass
class JiraIssues(_JiraRetriever):
    """jira-issues: the issues referenced by worklogs, newly or updated in Jira since the last sync (see above)."""

    def read_records(
        self, records_schema: Mapping[str, Any], stream_slice: StreamSlice | None = None
    ) -> Iterable[Mapping[str, Any]]:
        JIRA_SYNC.wait_for_tempo()
        previous = JIRA_SYNC.previous_state
        known = decode_ids(previous.get(STATE_IDS_KEY))
        wanted = set(JIRA_SYNC.issue_ids)
        read_at = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f%z")
        if known and previous.get(STATE_SYNCED_KEY):
            wanted |= known & self._updated_since(str(previous[STATE_SYNCED_KEY]))
        directory = JIRA_SYNC.directory_for(self.config)
        found = directory.issues([str(i) for i in sorted(wanted)], self.post_requester)
        missing = [key for key, record in found.items() if record is None]
        _report_missing(
            "issue(s)", missing, "deleted, or not visible to the `jira.email` user: Browse projects permission"
        )
        JIRA_SYNC.known_issue_ids = (known | JIRA_SYNC.issue_ids) - {int(key) for key in missing}
        JIRA_SYNC.read_at = read_at
        for key in sorted(found, key=int):
            if found[key] is not None:
                yield dict(found[key])

    def _updated_since(self, saved: str) -> set[int]:
        """Ids of the site's issues updated since `saved` (JQL relative minutes: no time zone to get wrong)."""
        since = _parse_time(saved)
        if since is None:
            return set()
        minutes = math.ceil((datetime.now(timezone.utc) - since).total_seconds() / 60) + SEARCH_SLACK_MINUTES
        ids: set[int] = set()
        token = None
        while True:
            body: dict[str, Any] = {
                "jql": f"updated >= -{max(minutes, 1)}m",
                "fields": ["id"],
                "maxResults": SEARCH_PAGE,
            }
            if token:
                body["nextPageToken"] = token
            page = _json(send(self.post_requester, path="search/jql", request_body_json=body))
            ids.update(int(issue["id"]) for issue in page.get("issues") or [] if str(issue.get("id", "")).isdigit())
            token = page.get("nextPageToken")
            if page.get("isLast", True) or not token:
                return ids


@dataclass
class JiraUsers(_JiraRetriever):
    """jira-users: the people the sync's Tempo records name by accountId."""

    def read_records(
        self, records_schema: Mapping[str, Any], stream_slice: StreamSlice | None = None
    ) -> Iterable[Mapping[str, Any]]:
        JIRA_SYNC.wait_for_tempo()
        directory = JIRA_SYNC.directory_for(self.config)
        found = directory.users(sorted(JIRA_SYNC.account_ids), self.get_requester)
        missing = [key for key, record in found.items() if record is None]
        _report_missing("people", missing, "unknown accountIds, or the Browse users and groups permission is missing")
        for key in sorted(found):
            if found[key] is not None:
                yield dict(found[key])


def _parse_time(value: str) -> datetime | None:
    for pattern in ("%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%dT%H:%M:%S%z"):
        try:
            parsed = datetime.strptime(value, pattern)
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
        except ValueError:
            continue
    return None


# ---- worklogs enrichment -----------------------------------------------------------------------------------
@dataclass
class JiraEnrichedWorklogs(TempoResultsExtractor):
    """The worklogs extractor; with `jira.enrich_worklogs`, each page's records also carry `issue.key`,
    `issue.summary`, `issue.projectKey`, `issue.parentKey` and `author.displayName` (null when Jira does not know or
    show them), looked up in bulk per page (see the module docstring)."""

    get_requester: Any = None
    post_requester: Any = None

    def extract_records(self, response: requests.Response) -> Iterable[MutableMapping[Any, Any]]:
        records = super().extract_records(response)
        # only in a sync (SourceTempo.read): `check` reads a page of worklogs too, and probes Jira on its own
        if not JIRA_SYNC.active or not enrich_worklogs(self.config) or not records:
            return records
        directory = JIRA_SYNC.directory_for(self.config)
        issue_ids = {
            str(r["issue"]["id"])
            for r in records
            if isinstance(r.get("issue"), Mapping) and r["issue"].get("id") is not None
        }
        authors = {
            r["author"]["accountId"]
            for r in records
            if isinstance(r.get("author"), Mapping) and r["author"].get("accountId")
        }
        issues = directory.issues(sorted(issue_ids), self.post_requester)
        people = directory.users(sorted(authors), self.get_requester)
        for record in records:
            issue = record.get("issue")
            if isinstance(issue, MutableMapping):
                found = issues.get(str(issue.get("id"))) or {}
                issue["key"] = found.get("key")
                issue["summary"] = found.get("summary")
                issue["projectKey"] = (found.get("project") or {}).get("key")
                issue["parentKey"] = (found.get("parent") or {}).get("key")
            author = record.get("author")
            if isinstance(author, MutableMapping):
                author["displayName"] = (people.get(author.get("accountId")) or {}).get("displayName")
        return records


# ---- check ----------------------------------------------------------------------------------------------------
def check_jira(config: Mapping[str, Any], timeout: float = 30) -> str | None:
    """None when Jira accepts the `jira` credentials (GET /rest/api/3/myself), else why not, naming the fields."""
    jira = jira_config(config)
    if jira is None:
        return None
    site = str(jira.get("site_url", "")).rstrip("/")
    try:
        response = requests.get(
            f"{site}/rest/api/3/myself",
            auth=(str(jira.get("email", "")), str(jira.get("api_token", ""))),
            headers={"Accept": "application/json"},
            timeout=timeout,
        )
    except requests.RequestException as error:
        return filter_secrets(
            f"Tempo accepted the connection, but Jira could not be reached at `jira.site_url` ({site}): "
            f"{type(error).__name__}. Check the site URL (https://<your-site>.atlassian.net)."
        )
    if response.status_code in (401, 403):
        return (
            f"Tempo accepted the connection, but Jira refused the `jira` credentials (HTTP {response.status_code} at "
            f"{site}/rest/api/3/myself): check `jira.email` (the Atlassian account's email) and `jira.api_token` "
            "(an API token of that account, id.atlassian.com > Security > API tokens), and that `jira.site_url` is "
            "its site."
        )
    if response.status_code >= 400:
        return (
            f"Tempo accepted the connection, but Jira answered HTTP {response.status_code} at "
            f"{site}/rest/api/3/myself: check `jira.site_url` (https://<your-site>.atlassian.net), or try again later."
        )
    return None


def is_jira_stream(name: str) -> bool:
    return name in JIRA_STREAMS

"""A local, standard-library-only imitation of the Tempo REST API v4.

Every connector test and demo runs against this sandbox (there is no Tempo account),
so it copies Tempo where a connector can go wrong: offset/limit paging with absolute
``metadata.next`` links, the ``updatedFrom`` filter, worklog ordering, the papertrail
(deletions) endpoint with token paging, HTML error bodies, 401/403/429/5xx answers.
Paths, parameters and record shapes come from ``reference/tempo-openapi-v4.yaml``;
rate limit, page sizes, ordering and quirks from ``reference/tempo-facts.md``.

Endpoints (``Authorization: Bearer <token>`` required)::

    GET  /4/accounts              OPEN and CLOSED accounts only (PageableAccount)
    POST /4/accounts/search       AccountSearchInput body; offset/limit in the query
    GET  /4/customers             PageableCustomer
    GET  /4/workload-schemes      PageableWorkloadScheme
    GET  /4/worklogs              from, to, updatedFrom, issueId, projectId, orderBy, offset, limit
    POST /4/worklogs/search       WorklogSearchInput body; offset/limit in the query
    POST /4/papertrail/search     AuditLogSearchInput body; nextPageToken/limit in the query
    GET  /4/teams                 PageableTeam
    GET  /4/plans                 from, to (both required), updatedFrom, offset, limit (PageablePlan)
    GET  /4/timesheet-approvals/team/{teamId}   from (required), to (TimesheetApprovalResults)
    GET  /4/holiday-schemes       HolidaySchemeResults (not paginated)
    GET  /4/holiday-schemes/{id}/holidays       year (HolidayResults, not paginated)
    GET  /4/holiday-schemes/{id}/members        offset, limit (PageableUser)
    GET  /4/account-categories, /4/account-category-types, /4/roles, /4/programs   (not paginated)
    GET  /4/work-attributes, /4/skills          offset, limit
    POST /4/generic-resources/search            offset, limit in the JSON body
    GET  /4/periods               from, to (both required): {"periods": [...]}
    GET  /4/globalconfiguration   one object

The catalogs and settings (account categories to the global configuration) are seeded and
served by ``catalogs.py``, whose docstring lists what they assume.
Teams, plans, timesheet approvals and holiday schemes are seeded by ``org.py``; change
them with the Python API only (``edit_plan``; ``faults.gone_paths`` for deleted ones).
Team memberships, workload-scheme members, account links, user schedules and timesheet
approval logs are seeded and served by ``reporting.py`` (its docstring lists their
endpoints, assumptions and control routes).
Projects, portfolios, project attributes, billing rates tables, global rates and what is
under each project (Financial Manager) are seeded and served by ``finance.py`` (its
docstring lists their endpoints and assumptions; budget and timeframe may answer 204).

Control interface (no auth, never counted in the stats, never delayed or throttled)::

    GET    /_control/stats            -> TempoSandbox.stats()
    POST   /_control/reset-stats
    GET    /_control/faults           -> current SandboxFaults as JSON (sets as sorted lists)
    POST   /_control/faults           JSON object of SandboxFaults fields (sets as lists)
    GET    /_control/clock            -> {"now": clock_now()}
    GET    /_control/oauth            -> oauth.stats();  POST changes it (see oauth.py)
    POST   /_control/worklogs         create (JSON fields, as create_worklog)       -> 201 worklog
    GET    /_control/worklogs/{id}    -> worklog
    PUT    /_control/worklogs/{id}    edit (JSON changes, as edit_worklog)         -> 200 worklog
    DELETE /_control/worklogs/{id}    delete (as delete_worklog)                    -> 200 audit event

Behaviour the sandbox ASSUMES where Tempo's documentation is silent
------------------------------------------------------------------
Tokens
    ``sandbox-token`` (VALID_TOKEN) has every scope.  ``sandbox-token-no-worklogs``
    (TOKEN_NO_WORKLOGS) gets 403 with an HTML body on every ``/4/worklogs*`` path and
    works elsewhere (a token missing one scope).  ``sandbox-token-eu``
    (TOKEN_OTHER_REGION) is a token of another cluster: 401 everywhere.  A missing or
    unknown token gets 401 with an HTML body (``<html><body><h1>401 Unauthorized</h1>``).
    The ``Bearer`` prefix is required.
    ``faults.scope_denied_paths`` (exact paths) and ``faults.scope_denied_prefixes`` (every
    path under a prefix, e.g. ``/4/skills``) answer that same 403 for any valid token.
    Access tokens issued by the OAuth token endpoint (``POST /oauth/token/``, see ``oauth.py``;
    ``sandbox.oauth`` in Python) have every scope until they expire, then get the same 401.
Order of checks for a ``/4`` request
    ``http_faults`` (the network or a gateway in front) -> rate limiter (429, answered at once,
    like a gateway) -> latency sleep -> ``fail_5xx_every``
    (503) -> unknown path (404, JSON) -> token (401) -> scope (403) -> ``gone_paths`` (404) ->
    ``html_error_paths`` (500) -> wrong method (405, JSON) -> request validation (400, JSON) -> 200.
Error bodies
    4xx answers produced by the API itself use Tempo's shape
    ``{"errors":[{"message":"..."}]}``.  401, 403, 503 and the ``html_error_paths`` 500
    answer ``text/html`` (as a gateway would), so a connector must not assume JSON.
Paging (offset/limit endpoints)
    ``offset`` defaults to 0, ``limit`` to 50; ``limit`` is clamped to
    ``faults.max_limit`` (5000) and ``metadata.limit`` reports the clamped value.
    ``offset < 0``, ``limit < 1`` or a non-integer value -> 400.  ``metadata.count`` is
    the size of THIS page.  ``metadata.next`` is present only when records exist after
    this page; ``metadata.previous`` only when ``offset > 0``.  ``self``, ``next`` and
    ``previous`` are ABSOLUTE URLs on ``faults.next_host`` (default
    ``https://api.tempo.io``), NOT on the sandbox: ``self`` is
    ``<next_host><path>?<query as received>``; ``next``/``previous`` are
    ``<next_host><path>?<the other query parameters in received order>&offset=N&limit=L``
    (e.g. ``https://api.tempo.io/4/customers?offset=50&limit=50``).  A connector that
    follows ``next`` leaves the sandbox.  Record ``self`` links also use next_host;
    links to Jira (``issue.self``, ``author.self``, ``lead.self``, user ``contact.self``)
    point at ``https://sandbox-site.atlassian.net`` like real Tempo responses.
    Paging is by position in the current data: edits during a walk shift records
    between pages exactly as offset paging does on a live system.
ignore_paging_paths
    For these paths offset/limit are ignored: ALL matching records come in one page with
    ``metadata.offset`` 0 and ``metadata.count`` = all of them, and ``metadata.next`` is
    STILL set (``offset=<limit>&limit=<limit>``) as if more existed.  Requesting that
    ``next`` returns the same everything again -- a connector must notice it, not loop.
    On /4/papertrail/search the token is ignored and a nextPageToken is still given.
Worklog ordering
    Default (both endpoints): START_DATE_TIME ascending = (startDate, startTime) -- the
    worker's local date and time -- then tempoWorklogId ascending.  GET ``orderBy=X``
    orders by X DESCENDING (per the OpenAPI text).  POST search ``orderBy`` is a list of
    ``{"field": ID|START_DATE_TIME|UPDATED, "order": ASC|DESC}`` applied in order.
    Ties that remain are ALWAYS broken by tempoWorklogId ASCENDING (whatever the
    direction of the other keys) unless ID itself is one of the keys.  UPDATED compares
    ``updatedAt`` at second precision.
updatedFrom
    ``YYYY-MM-DD`` (midnight UTC), ``YYYY-MM-DDTHH:MM:SS`` optionally followed by
    fractional seconds and ``Z``, ``+00:00`` or ``-00:00``; other offsets, other shapes
    and impossible dates -> 400 ``Invalid date format for updatedFrom: <value>``.
    Fractions are truncated; inclusive at second precision: included when
    ``updatedAt >= updatedFrom``.  ``from``/``to`` must be ``YYYY-MM-DD`` (400 otherwise,
    400 when from > to) and filter ``startDate`` inclusively.
Accounts search
    Without ``statuses`` (or with an empty list) POST /4/accounts/search returns OPEN and
    CLOSED accounts like GET; ARCHIVED come only when asked for.  ``ids``, ``keys`` and
    ``global`` filter too.  Accounts are ordered by id.
Papertrail
    ``from`` is required and must be an ISO 8601 date-time (a bare date -> 400); any UTC
    offset is accepted.  ``to`` is inclusive.  ``limit`` defaults to 100 and must be
    1..1000 (400 otherwise).  Events are ordered by (timestamp, insertion order)
    ascending.  ``nextPageToken`` is an opaque token naming the last event served; the
    next page is every matching event after it, so events recorded meanwhile are not
    skipped; the request body must be sent again with the token (a garbled token ->
    400).  ``metadata`` has ``limit`` and, only when more events exist,
    ``nextPageToken`` and ``nextPageUrl`` (absolute on next_host).  Events are recorded
    for sandbox creations (Created), edits (Updated) and deletions (Deleted) of worklogs;
    the seed adds deletions plus a few Updated worklog and Created customer events, so a
    connector must filter on entityType and action.  Tempo refuses ``from`` older than
    180 days; the seeded events are from 2022-2025, so this is NOT enforced by default:
    set ``faults.papertrail_max_age_days = 180`` to get Tempo's 400.
Rate limiter (``faults.rate_limit_per_second``)
    Per token (the raw Authorization value), sliding window: at most
    ``max(1, floor(rate))`` answered requests within any window of
    ``max(1, floor(rate)) / rate`` seconds -- exactly 1 s for integral rates.  Throttled
    requests do not use up the window; they get 429, ``Retry-After: 1`` (or more when the
    window is longer than 1 s) and ``{"errors":[{"message":"Rate limit exceeded"}]}``.
fail_5xx_every
    Counts the requests that passed the rate limiter since the value was last set (or
    since reset_stats); every Nth gets 503 with an HTML body.  Deterministic.
http_faults (network and gateway faults, each a ``FaultRule`` or its dict)
    Each rule applies to one ``path`` (None: every /4 path) and fires on the first ``times``
    matching requests (None: no limit), or on every ``every``-th matching request (both: every
    Nth, at most ``times`` times); the first rule that fires decides the request, before the
    rate limiter and the token check (it is the network or a gateway in front of Tempo).
    Counters start when the rules are set; ``stats()["faults_fired"]`` counts by kind.
    ``stall``: no byte for ``seconds``, before the status line (``at="headers"``) or after the
    headers and half the body (``at="body"``); then the rest is sent if the client is still
    there.  ``reset``: the headers and half the body, then a TCP RST.  ``truncate``: the headers
    and half the body, then the connection closes; with ``honest_length`` (default) the
    Content-Length is the whole body's (the client sees the connection end early), without it
    the Content-Length is the half's (a complete answer that is not valid JSON).  ``html_200``:
    200 with a proxy's HTML sign-in page.  ``gateway``: ``status`` 502 or 504 with an nginx-like
    HTML page.  ``retry_after``: ``status`` 429 (JSON) or 503 (HTML) with ``Retry-After``:
    ``seconds`` as a number (0 and 3600 included), or with ``http_date`` an HTTP-date that far
    ahead.  Stalls end at once when the sandbox stops.
duplicate_page_start_paths
    Offset-paged answers on these paths after the first page start early: page N (``offset`` N x
    ``limit``) starts N records early, so the last record of each page comes again first on the
    next one -- what offset paging gives when a record is inserted before the offset between
    every two requests.  ``metadata.offset`` still reports the requested offset; ``next`` is set
    while records remain after the page.  Nothing is skipped.
gzip_paths
    Answers on these paths are gzip-encoded (``Content-Encoding: gzip``) when the request's
    ``Accept-Encoding`` allows it.
fault_retry_after
    When set (seconds, 0 included), every fault answer carries ``Retry-After: <n>``:
    fail_5xx_every, html_error_paths, malformed_json_paths, and the html_200, gateway and
    truncate faults of http_faults; a test's retries then wait what the connector's minimum is.
Clock for edits
    ``clock_now()`` is the real current UTC time truncated to the second, but never
    earlier than one second after the newest ``updatedAt`` in the data, so every edit or
    creation moves the worklog to the end of UPDATED order (rapid edits therefore get
    strictly increasing, possibly slightly future, timestamps).  An explicit
    ``updatedAt`` passed to edit_worklog/create_worklog wins.
Stats
    ``requests`` and ``by_path`` count every request that is not ``/_control`` (including
    404s, 401s, 429s); ``max_in_flight`` is the highest number of such requests being
    handled at once (latency sleeps included).
Performance
    Worklogs are kept by id with their serialized JSON bytes cached (dropped on edit) and
    a sorted ``(updatedAt, tempoWorklogId)`` index: UPDATED-ascending pages filtered only
    by ``updatedFrom`` are a bisect plus a slice; other orders/filters are computed once
    per data version and cached, so walking pages is cheap.  Page bodies are built by
    joining the cached bytes.
Teams and timesheet approvals
    Teams are ordered by id.  A timesheet period is a calendar month (Tempo's period
    configuration is not imitated): GET .../timesheet-approvals/team/{id}?from=D answers
    for the month containing D, one approval per member whose membership overlaps that
    month (none after 2025: the seeded memberships end by then).  ``to`` is optional and
    ignored, but must not be before ``from`` (400).  An unknown or non-numeric team id ->
    404 ``Team cannot be found in the system``.  ``metadata`` holds ``count`` only.
Plans
    ``from``/``to`` are required ``YYYY-MM-DD`` (400 otherwise, 400 when from > to); a plan
    is served when it overlaps [from, to], its last recurrence (``recurrenceEndDate``)
    counting as its end.  ``updatedFrom`` is parsed and compared like the worklogs' one.
    ``totalPlannedSecondsInScope`` is computed per request: planned seconds of the days
    (working days unless ``includeNonWorkingDays``) inside [from, to], recurrences
    ignored.  Plans are ordered by id; ``createdAt``/``updatedAt`` carry ``.000Z``.
Holidays
    FIXED holidays recur every year with the same id; FLOATING ones have an id per year.
    Holidays exist for 2022-2026 only (``org.HOLIDAY_YEARS``); another ``year`` answers an
    empty list, a missing one the current year's, a non-integer one 400.  Holidays are
    ordered by date.  Holiday-scheme members are paged like the other lists.  An unknown
    scheme id -> 404 ``Holiday scheme cannot be found in the system`` (holidays, members).
gone_paths
    Answers 404 JSON after the token and scope checks, as if the team or scheme of the path
    was deleted after the connector listed it.
Not imitated
    ``/4/worklogs/{id}`` and the other endpoints, the OAuth consent (``oauth.py``
    serves the token endpoint: refresh with rotation and expiry), and
    Tempo's silent omission of worklogs the token's user may not see.
"""

from __future__ import annotations

import bisect
import collections
import contextlib
import dataclasses
import datetime as _dt
import email.utils
import gc
import gzip
import json
import math
import re
import socket
import struct
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterable, Iterator
from urllib.parse import parse_qsl, urlencode, urlsplit

from . import catalogs as _catalogs
from . import finance as _finance
from . import oauth as _oauth
from . import org as _org
from . import reporting as _reporting
from . import seed as _seed
from .common import (
    _DATE_RE,
    ApiError,
    NoContent,
    _decode_token,
    _encode_token,
    _envelope,
    _int_param,
    normalize_timestamp,
    parse_date,
    parse_datetime_epoch,
    parse_updated_from,
)

VALID_TOKEN = "sandbox-token"
TOKEN_NO_WORKLOGS = "sandbox-token-no-worklogs"
TOKEN_OTHER_REGION = "sandbox-token-eu"
TOKENS = (VALID_TOKEN, TOKEN_NO_WORKLOGS, TOKEN_OTHER_REGION)
DEFAULT_NEXT_HOST = _seed.DEFAULT_HOST
HOST = "127.0.0.1"
#: accountId recorded as the author of papertrail events made through the sandbox
SANDBOX_USER_ACCOUNT_ID = "5b10ac8d82e05b22cc7d4ef5"

JSON_CT = "application/json; charset=utf-8"
HTML_CT = "text/html; charset=utf-8"

_WORKLOG_FIELDS = {
    "self",
    "tempoWorklogId",
    "issue",
    "timeSpentSeconds",
    "billableSeconds",
    "startDate",
    "startTime",
    "startDateTimeUtc",
    "description",
    "createdAt",
    "updatedAt",
    "author",
    "attributes",
}
_REQUIRED_WORKLOG_FIELDS = {
    "attributes",
    "author",
    "createdAt",
    "issue",
    "self",
    "startDate",
    "tempoWorklogId",
    "timeSpentSeconds",
    "updatedAt",
}
_ORDER_FIELDS = ("ID", "START_DATE_TIME", "UPDATED")
_ACCOUNT_STATUSES = ("OPEN", "CLOSED", "ARCHIVED")


# ---------------------------------------------------------------------------
# faults
# ---------------------------------------------------------------------------
@dataclass
class SandboxFaults:
    """Misbehaviour switches; all off by default.  Change them at any time.

    Prefer ``update(**changes)`` (validates, turns lists into sets, swaps whole sets so
    request threads never see a half-changed value); plain attribute assignment works too.
    Paths are request paths such as ``"/4/worklogs/search"`` (``"/worklogs/search"``
    without the ``/4`` prefix is accepted as well).
    """

    rate_limit_per_second: float | None = None
    latency_seconds: float = 0.0
    fail_5xx_every: int | None = None
    max_limit: int = 5000
    ignore_paging_paths: set[str] = field(default_factory=set)
    scope_denied_paths: set[str] = field(default_factory=set)
    #: 403 (as a missing scope) for every path under one of these prefixes, e.g. ``"/4/skills"``
    scope_denied_prefixes: set[str] = field(default_factory=set)
    next_host: str = DEFAULT_NEXT_HOST
    malformed_json_paths: set[str] = field(default_factory=set)
    html_error_paths: set[str] = field(default_factory=set)
    #: answer 404 (Tempo's JSON) as if the entity of the path was deleted after it was listed
    gone_paths: set[str] = field(default_factory=set)
    #: sandbox extension: refuse papertrail ``from`` older than this many days (Tempo: 180)
    papertrail_max_age_days: int | None = None
    #: network and gateway faults, each a FaultRule (or its dict): stalls, resets, truncated bodies, HTML
    #: pages, 502/504 gateway pages, Retry-After answers; each can fire a limited number of times
    http_faults: list[FaultRule] = field(default_factory=list)
    #: offset-paged answers after the first page start early: the last record of the previous page comes
    #: again first, as when a record is inserted before the offset between every two requests
    duplicate_page_start_paths: set[str] = field(default_factory=set)
    #: answer these paths gzip-encoded (Content-Encoding: gzip) when the request accepts gzip
    gzip_paths: set[str] = field(default_factory=set)
    #: add ``Retry-After: <n>`` to every fault answer (fail_5xx_every, html_error_paths, malformed_json_paths,
    #: html_200/gateway/truncated faults), so a test's retries wait as little as the connector allows
    fault_retry_after: int | None = None

    _SET_FIELDS = (
        "ignore_paging_paths",
        "scope_denied_paths",
        "scope_denied_prefixes",
        "malformed_json_paths",
        "html_error_paths",
        "gone_paths",
        "duplicate_page_start_paths",
        "gzip_paths",
    )

    def update(self, **changes: Any) -> SandboxFaults:
        names = {f.name for f in dataclasses.fields(self)}
        unknown = set(changes) - names
        if unknown:
            raise ValueError(f"unknown fault field(s): {sorted(unknown)}")
        clean: dict[str, Any] = {}
        for name, value in changes.items():
            if name in self._SET_FIELDS:
                if value is None:
                    value = set()
                if isinstance(value, str) or not isinstance(value, Iterable):
                    raise ValueError(f"{name} must be a list/set of paths")
                value = {str(v) for v in value}
            elif name in ("rate_limit_per_second",):
                if value is not None:
                    value = float(value)
                    if value <= 0:
                        raise ValueError(f"{name} must be > 0 or null")
            elif name == "latency_seconds":
                value = float(value or 0.0)
                if value < 0:
                    raise ValueError("latency_seconds must be >= 0")
            elif name == "http_faults":
                value = [rule if isinstance(rule, FaultRule) else FaultRule.from_dict(rule) for rule in value or []]
            elif name == "fault_retry_after":
                if value is not None and (isinstance(value, bool) or int(value) != value or int(value) < 0):
                    raise ValueError("fault_retry_after must be an integer >= 0 or null")
                value = None if value is None else int(value)
            elif name in ("fail_5xx_every", "papertrail_max_age_days"):
                if value is not None:
                    if isinstance(value, bool) or int(value) != value or int(value) < 1:
                        raise ValueError(f"{name} must be a positive integer or null")
                    value = int(value)
            elif name == "max_limit":
                if isinstance(value, bool) or int(value) != value or int(value) < 1:
                    raise ValueError("max_limit must be a positive integer")
                value = int(value)
            elif name == "next_host":
                value = str(value).rstrip("/")
                if not re.match(r"^https?://[^/]+$", value):
                    raise ValueError("next_host must look like https://host[:port]")
            clean[name] = value
        for name, value in clean.items():
            setattr(self, name, value)
        return self

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            if f.name == "http_faults":
                v = [rule.to_dict() for rule in v]
            out[f.name] = sorted(v) if isinstance(v, set) else v
        return out

    def take_http_fault(self, path: str, explicit_only: bool = False) -> FaultRule | None:
        """The first rule of ``http_faults`` that fires for this request (it counts as fired), or None;
        with ``explicit_only``, only rules that name a path are considered."""
        for rule in self.http_faults:
            if explicit_only and rule.path is None:
                continue
            if rule.fires(path):
                return rule
        return None


_FAULT_KINDS = ("stall", "reset", "truncate", "html_200", "gateway", "retry_after")


@dataclass
class FaultRule:
    """One network or gateway fault of ``SandboxFaults.http_faults`` (see the module docstring).

    ``kind``: stall | reset | truncate | html_200 | gateway | retry_after.  ``path``: the request path it
    applies to (None: every /4 path).  ``times``: fire on the first N matching requests only (None: no limit);
    ``every``: fire on every Nth matching request only.  ``seconds``: how long a stall lasts, or the wait a
    retry_after answer asks for.  ``at``: where a stall happens, "headers" (before the status line) or
    "body" (after the headers and half the body).  ``honest_length``: a truncated body keeps the full
    Content-Length (the client sees the connection end early) or declares the truncated length (the client
    gets a complete answer that is not valid JSON).  ``status``: 502 or 504 for gateway, 429 or 503 for
    retry_after.  ``http_date``: retry_after sends an HTTP-date ``seconds`` from now instead of seconds.
    """

    kind: str
    path: str | None = None
    times: int | None = None
    every: int | None = None
    seconds: float = 0.0
    at: str = "headers"
    honest_length: bool = True
    status: int | None = None
    http_date: bool = False
    seen: int = field(default=0, compare=False, repr=False)
    fired: int = field(default=0, compare=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, compare=False, repr=False)

    _DEFAULT_STATUS = {"gateway": 502, "retry_after": 429}
    _ALLOWED_STATUS = {"gateway": (502, 504), "retry_after": (429, 503)}

    def __post_init__(self) -> None:
        if self.kind not in _FAULT_KINDS:
            raise ValueError(f"fault kind must be one of {', '.join(_FAULT_KINDS)}, got {self.kind!r}")
        for name in ("times", "every"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or int(value) != value or int(value) < 1):
                raise ValueError(f"{name} must be a positive integer or null")
        if self.at not in ("headers", "body"):
            raise ValueError("at must be 'headers' or 'body'")
        self.seconds = float(self.seconds or 0.0)
        if self.seconds < 0:
            raise ValueError("seconds must be >= 0")
        if self.status is None:
            self.status = self._DEFAULT_STATUS.get(self.kind)
        if self.kind in self._ALLOWED_STATUS and self.status not in self._ALLOWED_STATUS[self.kind]:
            raise ValueError(f"status of a {self.kind} fault must be one of {self._ALLOWED_STATUS[self.kind]}")

    @classmethod
    def from_dict(cls, spec: dict[str, Any]) -> FaultRule:
        if not isinstance(spec, dict):
            raise ValueError("each of http_faults must be an object")
        names = {f.name for f in dataclasses.fields(cls)} - {"seen", "fired", "_lock"}
        unknown = set(spec) - names
        if unknown:
            raise ValueError(f"unknown http_faults field(s): {sorted(unknown)}")
        return cls(**spec)

    def to_dict(self) -> dict[str, Any]:
        names = ("kind", "path", "times", "every", "seconds", "at", "honest_length", "status", "http_date")
        return {name: getattr(self, name) for name in names}

    def fires(self, path: str) -> bool:
        if self.path is not None and not _path_hit({self.path}, path):
            return False
        with self._lock:
            self.seen += 1
            if self.every is not None and self.seen % self.every:
                return False
            if self.times is not None and self.fired >= self.times:
                return False
            self.fired += 1
            return True


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cyclic GC during bulk work on many small objects (it dominates otherwise)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _path_hit(paths: set[str], path: str) -> bool:
    if not paths:
        return False
    return path in paths or (path.startswith("/4/") and path[2:] in paths)


# ---------------------------------------------------------------------------
# error bodies (Tempo's error and the parameter parsing are in common.py)
# ---------------------------------------------------------------------------
def _err_body(message: str) -> bytes:
    return _seed.dumps({"errors": [{"message": message}]})


def _html(status: int, title: str, text: str) -> bytes:
    return (
        f"<html><body><h1>{status} {title}</h1><p>{text}</p><hr><address>tempo-sandbox</address></body></html>"
    ).encode()


# ---------------------------------------------------------------------------
# worklog store
# ---------------------------------------------------------------------------
_WorklogFilter = collections.namedtuple("_WorklogFilter", "date_from date_to updated_from authors issues projects")
_NO_FILTER = _WorklogFilter(None, None, None, None, None, None)
_UPDATED_ASC = (("UPDATED", False), ("ID", False))
_DEFAULT_ORDER = (("START_DATE_TIME", False), ("ID", False))


class _WorklogStore:
    """Worklogs keyed by id, with cached JSON bytes and a sorted (updatedAt, id) index."""

    def __init__(self, recs: dict[int, dict], raw: dict[int, bytes]):
        self.lock = threading.RLock()
        self.recs = recs
        self.raw = raw
        self.upd_keys = sorted((r["updatedAt"], i) for i, r in recs.items())
        self.version = 0
        self._orders: dict[tuple, list[int]] = {}
        self._queries: collections.OrderedDict = collections.OrderedDict()

    # -- mutation ----------------------------------------------------------
    def _touch(self) -> None:
        self.version += 1
        self._orders.clear()
        self._queries.clear()

    def put(self, rec: dict) -> None:
        with self.lock:
            wid = rec["tempoWorklogId"]
            old = self.recs.get(wid)
            if old is not None:
                self._remove_key(old["updatedAt"], wid)
            self.recs[wid] = rec
            self.raw.pop(wid, None)
            bisect.insort(self.upd_keys, (rec["updatedAt"], wid))
            self._touch()

    def remove(self, wid: int) -> dict:
        with self.lock:
            rec = self.recs.pop(wid)
            self.raw.pop(wid, None)
            self._remove_key(rec["updatedAt"], wid)
            self._touch()
            return rec

    def _remove_key(self, updated: str, wid: int) -> None:
        k = (updated, wid)
        i = bisect.bisect_left(self.upd_keys, k)
        if i < len(self.upd_keys) and self.upd_keys[i] == k:
            del self.upd_keys[i]
        else:  # defensive: index out of sync
            self.upd_keys = sorted((r["updatedAt"], j) for j, r in self.recs.items())

    def newest_updated(self) -> str | None:
        with self.lock:
            return self.upd_keys[-1][0] if self.upd_keys else None

    # -- reading -----------------------------------------------------------
    def bytes_for(self, ids: Iterable[int]) -> list[bytes]:
        raw, recs, dumps = self.raw, self.recs, _seed.dumps
        out = []
        for i in ids:
            b = raw.get(i)
            if b is None:
                b = raw[i] = dumps(recs[i])
            out.append(b)
        return out

    def _ordered(self, spec: tuple) -> list[int]:
        ids = self._orders.get(spec)
        if ids is not None:
            return ids
        if spec == _UPDATED_ASC:
            ids = [k[1] for k in self.upd_keys]
        else:
            recs = self.recs
            ids = sorted(recs)
            for fld, desc in reversed(spec):
                if fld == "ID":
                    ids.sort(reverse=desc)
                elif fld == "UPDATED":
                    ids.sort(key=lambda i: recs[i]["updatedAt"], reverse=desc)
                else:
                    ids.sort(key=lambda i: (recs[i]["startDate"], recs[i].get("startTime") or ""), reverse=desc)
        self._orders[spec] = ids
        return ids

    def select(self, spec: tuple, flt: _WorklogFilter) -> tuple[Any, int, int, bool]:
        """Matching records in order: (sequence, start, end, seq_holds_keys)."""
        with self.lock:
            if spec == _UPDATED_ASC and flt._replace(updated_from=None) == _NO_FILTER:
                start = 0
                if flt.updated_from is not None:
                    start = bisect.bisect_left(self.upd_keys, (flt.updated_from,))
                return self.upd_keys, start, len(self.upd_keys), True
            qkey = (self.version, spec, flt)
            ids = self._queries.get(qkey)
            if ids is None:
                ids = self._filter(spec, flt)
                self._queries[qkey] = ids
                while len(self._queries) > 24:
                    self._queries.popitem(last=False)
            else:
                self._queries.move_to_end(qkey)
            return ids, 0, len(ids), False

    def _filter(self, spec: tuple, flt: _WorklogFilter) -> list[int]:
        recs = self.recs
        if spec == _UPDATED_ASC and flt.updated_from is not None:
            start = bisect.bisect_left(self.upd_keys, (flt.updated_from,))
            candidates: Iterable[int] = [k[1] for k in self.upd_keys[start:]]
            uf = None
        else:
            candidates = self._ordered(spec)
            uf = flt.updated_from
        df, dt_, authors, issues, projects = flt.date_from, flt.date_to, flt.authors, flt.issues, flt.projects
        out = []
        for i in candidates:
            r = recs[i]
            if uf is not None and r["updatedAt"] < uf:
                continue
            if df is not None and r["startDate"] < df:
                continue
            if dt_ is not None and r["startDate"] > dt_:
                continue
            if authors is not None and (r.get("author") or {}).get("accountId") not in authors:
                continue
            if issues is not None or projects is not None:
                issue_id = (r.get("issue") or {}).get("id")
                if issues is not None and issue_id not in issues:
                    continue
                if projects is not None and (issue_id is None or _seed.project_of_issue(issue_id) not in projects):
                    continue
            out.append(i)
        return out

    def page(self, spec: tuple, flt: _WorklogFilter, offset: int, limit: int | None) -> tuple[list[bytes], int]:
        """(JSON bytes of the records on the page, total matching).  limit None = all."""
        with self.lock:
            seq, start, end, keys = self.select(spec, flt)
            total = end - start
            lo = start + offset
            hi = end if limit is None else min(end, lo + limit)
            chunk = seq[lo:hi] if lo < hi else []
            ids = [k[1] for k in chunk] if keys else chunk
            return self.bytes_for(ids), total


# ---------------------------------------------------------------------------
# the sandbox
# ---------------------------------------------------------------------------
_BIG_SEED = 20000  # above this many worklogs the serialized seed is not cached


class TempoSandbox(
    _catalogs.CatalogEndpoints,
    _org.OrgEndpoints,
    _reporting.ReportingEndpoints,
    _finance.FinanceEndpoints,  # Financial Manager (cost tracking): sandbox/finance.py
):
    """A running imitation of Tempo's API.  See the module docstring for behaviours.

    ``TempoSandbox(worklogs=3000, seed=42, port=0, *, faults=None, **fault_fields)``:
    ``faults`` is a SandboxFaults to use; any SandboxFaults field may also be passed by
    name (``TempoSandbox(rate_limit_per_second=5)``).  Seeding is done in the
    constructor; ``start()`` binds 127.0.0.1:<port> (0 = a free port) and serves from a
    daemon thread.  Worklog JSON is serialized on first use and cached until the
    worklog changes; call ``prewarm()`` to serialize everything up front (the CLI does).
    """

    def __init__(
        self,
        worklogs: int = 3000,
        seed: int = 42,
        port: int = 0,
        *,
        faults: SandboxFaults | None = None,
        **fault_overrides: Any,
    ) -> None:
        self.seed = seed
        self.worklog_count = worklogs
        self.requested_port = port
        self.token = VALID_TOKEN
        self.oauth = _oauth.OAuthServer()  # POST /oauth/token/; its access tokens are valid API tokens
        self.faults = faults if faults is not None else SandboxFaults()
        if fault_overrides:
            self.faults.update(**fault_overrides)
        self._lock = threading.RLock()  # stats, limiter, audit log, small collections
        self._stopped = threading.Event()  # ends the stalls of http_faults when the sandbox stops
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._port: int | None = None
        with _no_gc():
            self._load_seed(seed, worklogs)
        self.reset_stats()

    # -- seed ----------------------------------------------------------------
    def _load_seed(self, seed: int, worklogs: int) -> None:
        host = DEFAULT_NEXT_HOST
        if worklogs <= _BIG_SEED:
            ser = _seed.serialized_seed(seed, worklogs, host)
            recs: dict[int, dict] = {}
            raw: dict[int, bytes] = {}
            loads = json.loads
            for b in ser.worklogs:
                r = loads(b)
                recs[r["tempoWorklogId"]] = r
                raw[r["tempoWorklogId"]] = b
            self._customers = [loads(b) for b in ser.customers]
            self._accounts = [loads(b) for b in ser.accounts]
            self._schemes = [loads(b) for b in ser.workload_schemes]
            audit = [loads(b) for b in ser.audit_events]
            self._user_offsets = dict(ser.user_offsets)
        else:
            data = _seed.generate(seed, worklogs, host)
            recs = {r["tempoWorklogId"]: r for r in data.worklogs}
            raw = {}
            self._customers, self._accounts, self._schemes = data.customers, data.accounts, data.workload_schemes
            audit = data.audit_events
            self._user_offsets = dict(data.user_offsets)
        self._store = _WorklogStore(recs, raw)
        self._host = host
        self._audit: list[tuple[int, int, dict, bytes]] = []
        self._audit_seq = 0
        for ev in audit:
            self._append_event(ev)
        self._small_bytes()
        self._load_org(seed, sorted(self._user_offsets))
        self._load_reporting(seed, sorted(self._user_offsets))
        self._load_finance(seed, sorted(self._user_offsets))

    def _small_bytes(self) -> None:
        dumps = _seed.dumps
        self._customer_bytes = [dumps(c) for c in self._customers]
        self._account_bytes = [dumps(a) for a in self._accounts]
        self._scheme_bytes = [dumps(s) for s in self._schemes]

    def _append_event(self, ev: dict) -> dict:
        ts = _seed.parse_ts(ev["timestamp"])
        self._audit_seq += 1
        item = (ts, self._audit_seq, ev, _seed.dumps(ev))
        self._audit.insert(bisect.bisect_right(self._audit, (ts, self._audit_seq)), item)
        return ev

    def _ensure_host(self) -> str:
        """Rewrite Tempo self links when faults.next_host changed."""
        new = self.faults.next_host.rstrip("/")
        if new == self._host:
            return new
        with self._store.lock, self._lock:
            old = self._host
            if new == old:
                return new
            prefix = old + "/"

            def fix(obj: Any) -> None:
                if isinstance(obj, dict):
                    for k, v in obj.items():
                        if k == "self" and isinstance(v, str) and v.startswith(prefix):
                            obj[k] = new + v[len(old) :]
                        elif isinstance(v, (dict, list)):
                            fix(v)
                elif isinstance(obj, list):
                    for v in obj:
                        fix(v)

            for coll in (self._customers, self._accounts, self._schemes, *self._org_collections()):
                fix(coll)
            for r in self._store.recs.values():
                fix(r)
            self._store.raw.clear()
            self._small_bytes()
            self._host = new
            return new

    # -- lifecycle -------------------------------------------------------------
    def start(self) -> TempoSandbox:
        if self._server is not None:
            return self
        self._stopped.clear()
        server = _Server((HOST, self.requested_port), _Handler)
        server.sandbox = self
        self._server = server
        self._port = server.server_address[1]
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=f"tempo-sandbox-{self._port}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        self._stopped.set()
        server.shutdown()
        server.server_close()
        server.close_connections()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._thread = None

    def __enter__(self) -> TempoSandbox:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("sandbox not started")
        return self._port

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>`` (the root; the control interface lives here)."""
        return f"http://{HOST}:{self.port}"

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>/4`` -- what the connector's api_url takes."""
        return f"{self.url}/4"

    @property
    def control_url(self) -> str:
        return f"{self.url}/_control"

    # -- stats -----------------------------------------------------------------
    def reset_stats(self) -> None:
        with self._lock:
            self._stats_requests = 0
            self._stats_by_path: collections.Counter = collections.Counter()
            self._stats_by_status: collections.Counter = collections.Counter()
            self._stats_throttled = 0
            self._stats_5xx = 0
            self._in_flight = 0
            self._max_in_flight = 0
            self._limiter: dict[str, collections.deque] = {}
            self._fail_counter = 0
            self._fail_every_seen = self.faults.fail_5xx_every
            self._faults_fired: collections.Counter = collections.Counter()

    def stats(self) -> dict[str, Any]:
        with self._lock:
            return {
                "requests": self._stats_requests,
                "by_path": dict(self._stats_by_path),
                "by_status": {str(k): v for k, v in sorted(self._stats_by_status.items())},
                "throttled": self._stats_throttled,
                "errors_5xx": self._stats_5xx,
                "max_in_flight": self._max_in_flight,
                "in_flight": self._in_flight,
                "faults_fired": dict(self._faults_fired),
            }

    def _fault_fired(self, kind: str) -> None:
        with self._lock:
            self._faults_fired[kind] += 1

    def _begin(self, path: str) -> None:
        with self._lock:
            self._stats_requests += 1
            self._stats_by_path[path] += 1
            self._in_flight += 1
            if self._in_flight > self._max_in_flight:
                self._max_in_flight = self._in_flight

    def _end(self, status: int) -> None:
        with self._lock:
            self._in_flight -= 1
            self._stats_by_status[status] += 1
            if status == 429:
                self._stats_throttled += 1
            if status >= 500:
                self._stats_5xx += 1

    # -- clock -----------------------------------------------------------------
    def clock_now(self) -> _dt.datetime:
        """Now (UTC, whole seconds), never earlier than 1 s after the newest updatedAt."""
        now = int(time.time())
        newest = self._store.newest_updated()
        if newest is not None:
            now = max(now, _seed.parse_ts(newest) + 1)
        return _dt.datetime.fromtimestamp(now, tz=_dt.timezone.utc)

    def _clock_str(self) -> str:
        return _seed.fmt_epoch(int(self.clock_now().timestamp()))

    # -- data access -----------------------------------------------------------
    def worklogs(self) -> list[dict]:
        """Current worklogs (API shape, fresh copies), ordered by tempoWorklogId."""
        self._ensure_host()
        store = self._store
        with _no_gc():
            with store.lock:
                ids = sorted(store.recs)
                blobs = store.bytes_for(ids)
            return [json.loads(b) for b in blobs]

    def prewarm(self) -> None:
        """Serialize every worklog now (otherwise each is serialized when first served)."""
        self._ensure_host()
        store = self._store
        with _no_gc(), store.lock:
            store.bytes_for(list(store.recs))

    def worklog(self, tempo_worklog_id: int) -> dict:
        self._ensure_host()
        with self._store.lock:
            return json.loads(self._store.bytes_for([int(tempo_worklog_id)])[0])

    def accounts(self) -> list[dict]:
        """All accounts including ARCHIVED (fresh copies)."""
        self._ensure_host()
        return [json.loads(b) for b in self._account_bytes]

    def customers(self) -> list[dict]:
        self._ensure_host()
        return [json.loads(b) for b in self._customer_bytes]

    def workload_schemes(self) -> list[dict]:
        self._ensure_host()
        return [json.loads(b) for b in self._scheme_bytes]

    def audit_events(self) -> list[dict]:
        """Every papertrail event (seeded and recorded), in serving order."""
        with self._lock:
            return [json.loads(e[3]) for e in self._audit]

    # -- mutation --------------------------------------------------------------
    def _apply_fields(self, rec: dict, fields: dict[str, Any]) -> None:
        host = self._host
        wid = rec["tempoWorklogId"]
        if "issueId" in fields:
            iid = int(fields.pop("issueId"))
            fields.setdefault("issue", {"self": _seed.issue_link(iid), "id": iid})
        if "authorAccountId" in fields:
            aid = str(fields.pop("authorAccountId"))
            fields.setdefault("author", {"self": _seed.user_link(aid), "accountId": aid})
        if "attributes" in fields and isinstance(fields["attributes"], (list, dict)):
            attrs = fields["attributes"]
            if isinstance(attrs, dict) and "values" not in attrs:
                attrs = [{"key": k, "value": v} for k, v in attrs.items()]
            if isinstance(attrs, list):
                attrs = {"self": f"{host}/4/worklogs/{wid}/work-attribute-values", "values": attrs}
            values = []
            for a in attrs.get("values") or []:
                item = {"key": str(a["key"])}
                if a.get("value") is not None:
                    item["value"] = a["value"] if isinstance(a["value"], str) else json.dumps(a["value"])
                values.append(item)
            attrs["values"] = values  # Tempo's attribute values are always strings
            fields["attributes"] = attrs
        unknown = set(fields) - _WORKLOG_FIELDS
        if unknown:
            raise ValueError(f"unknown worklog field(s): {sorted(unknown)}")
        for k in ("createdAt", "updatedAt", "startDateTimeUtc"):
            if fields.get(k) is not None:
                fields[k] = normalize_timestamp(fields[k], k)
        if fields.get("startDate") is not None:
            if not _DATE_RE.match(str(fields["startDate"])):
                raise ValueError("startDate must be YYYY-MM-DD")
        if fields.get("startTime") is not None and not re.match(r"^\d{2}:\d{2}:\d{2}$", str(fields["startTime"])):
            raise ValueError("startTime must be HH:MM:SS")
        for k, v in fields.items():
            if v is None:
                if k in _REQUIRED_WORKLOG_FIELDS:
                    raise ValueError(f"{k} is required and cannot be removed")
                rec.pop(k, None)
            else:
                rec[k] = v

    def _utc_start(self, start_date: str, start_time: str, offset_min: int) -> str:
        local = _seed.parse_ts(f"{start_date}T{start_time}Z")
        return _seed.fmt_epoch(local - offset_min * 60)

    def create_worklog(self, **fields: Any) -> dict:
        """Create a worklog; returns it.  Fields in API shape (all optional), plus the
        conveniences ``issueId``, ``authorAccountId`` and ``attributes`` as a list of
        {key, value} or a {key: value} dict.  createdAt/updatedAt default to clock_now()."""
        self._ensure_host()
        store = self._store
        with store.lock, self._lock:
            now = self._clock_str()
            wid = fields.pop("tempoWorklogId", None)
            wid = int(wid) if wid is not None else (max(store.recs, default=1000) + 1)
            if wid in store.recs:
                raise ValueError(f"worklog {wid} already exists")
            author = str(fields.pop("authorAccountId", None) or SANDBOX_USER_ACCOUNT_ID)
            issue_id = int(fields.pop("issueId", None) or 10000)
            host = self._host
            spent = int(fields.get("timeSpentSeconds") or 3600)
            rec: dict[str, Any] = {
                "self": f"{host}/4/worklogs/{wid}",
                "tempoWorklogId": wid,
                "issue": {"self": _seed.issue_link(issue_id), "id": issue_id},
                "timeSpentSeconds": spent,
                "billableSeconds": spent,
                "startDate": now[:10],
                "startTime": "09:00:00",
                "startDateTimeUtc": "",
                "description": "",
                "createdAt": now,
                "updatedAt": now,
                "author": {"self": _seed.user_link(author), "accountId": author},
                "attributes": {"self": f"{host}/4/worklogs/{wid}/work-attribute-values", "values": []},
            }
            explicit_utc = "startDateTimeUtc" in fields
            self._apply_fields(rec, dict(fields))
            if not explicit_utc:
                off = self._user_offsets.get(rec["author"].get("accountId", ""), 0)
                rec["startDateTimeUtc"] = self._utc_start(rec["startDate"], rec.get("startTime") or "00:00:00", off)
            store.put(rec)
            self._append_event(self._event("Created", rec, rec["updatedAt"]))
            return json.loads(_seed.dumps(rec))

    def edit_worklog(self, tempo_worklog_id: int, **changes: Any) -> dict:
        """Change fields of a worklog (API shape; None removes an optional field) and bump
        its updatedAt to clock_now() unless ``updatedAt`` is given.  Returns the worklog."""
        self._ensure_host()
        store = self._store
        wid = int(tempo_worklog_id)
        with store.lock, self._lock:
            old = store.recs.get(wid)
            if old is None:
                raise KeyError(wid)
            if "tempoWorklogId" in changes and int(changes["tempoWorklogId"]) != wid:
                raise ValueError("tempoWorklogId cannot change")
            changes = {k: v for k, v in changes.items() if k != "tempoWorklogId"}
            rec = json.loads(store.bytes_for([wid])[0])
            offset_min = None
            if (
                old.get("startDateTimeUtc")
                and "startDateTimeUtc" not in changes
                and ("startDate" in changes or "startTime" in changes)
            ):
                local = _seed.parse_ts(f"{old['startDate']}T{old.get('startTime') or '00:00:00'}Z")
                offset_min = (local - _seed.parse_ts(old["startDateTimeUtc"])) // 60
            if changes.get("updatedAt") is None:
                changes["updatedAt"] = self._clock_str()
            self._apply_fields(rec, changes)
            if offset_min is not None:
                rec["startDateTimeUtc"] = self._utc_start(
                    rec["startDate"], rec.get("startTime") or "00:00:00", offset_min
                )
            store.put(rec)
            self._append_event(self._event("Updated", rec, rec["updatedAt"]))
            return json.loads(_seed.dumps(rec))

    def delete_worklog(self, tempo_worklog_id: int) -> dict:
        """Delete a worklog; records (and returns) a papertrail ``Deleted`` event."""
        store = self._store
        wid = int(tempo_worklog_id)
        with store.lock, self._lock:
            if wid not in store.recs:
                raise KeyError(wid)
            now = self._clock_str()
            rec = store.remove(wid)
            ev = _seed.deletion_event(rec, SANDBOX_USER_ACCOUNT_ID, now)
            self._append_event(ev)
            return json.loads(_seed.dumps(ev))

    def _event(self, action: str, rec: dict, timestamp: str) -> dict:
        return {
            "action": action,
            "author": SANDBOX_USER_ACCOUNT_ID,
            "changes": [{"field": "updatedAt", "previous": None, "new": rec["updatedAt"]}],
            "entityId": str(rec["tempoWorklogId"]),
            "entityType": "worklog",
            "parentId": str((rec.get("issue") or {}).get("id", "")),
            "timestamp": timestamp,
            "worker": (rec.get("author") or {}).get("accountId", ""),
        }

    # -- request pipeline --------------------------------------------------------
    def _rate_limited(self, token_key: str) -> int | None:
        """None if allowed, else the Retry-After seconds."""
        rate = self.faults.rate_limit_per_second
        if not rate:
            return None
        n = max(1, int(rate))
        window = n / rate
        now = time.monotonic()
        with self._lock:
            dq = self._limiter.get(token_key)
            if dq is None:
                dq = self._limiter[token_key] = collections.deque()
            while dq and dq[0] <= now - window:
                dq.popleft()
            if len(dq) >= n:
                return max(1, math.ceil(dq[0] + window - now))
            dq.append(now)
            return None

    def _fail_now(self) -> bool:
        every = self.faults.fail_5xx_every
        with self._lock:
            if every != self._fail_every_seen:
                self._fail_every_seen = every
                self._fail_counter = 0
            if not every:
                return False
            self._fail_counter += 1
            return self._fail_counter % every == 0

    def handle_api(
        self, method: str, path: str, query: str, body: bytes, authorization: str | None
    ) -> tuple[int, str, bytes, dict[str, str]]:
        """One API request -> (status, content type, body, extra headers)."""
        faults = self.faults
        # Like an API gateway: the limiter counts requests as they arrive and answers 429 at once; only
        # admitted requests then take the backend's latency.
        retry = self._rate_limited(authorization or "")
        if retry is not None:
            return 429, JSON_CT, _err_body("Rate limit exceeded"), {"Retry-After": str(retry)}
        if faults.latency_seconds > 0:
            time.sleep(faults.latency_seconds)
        if self._fail_now():
            return (
                503,
                HTML_CT,
                _html(503, "Service Unavailable", "The server is temporarily unable to service your request."),
                self._fault_headers(),
            )
        route = _ROUTES.get(path) or next((r for pattern, r in _PATH_ROUTES if pattern.match(path)), None)
        if route is None:
            return 404, JSON_CT, _err_body(f"Not found: {path}"), {}
        token = None
        if authorization and authorization[:7].lower() == "bearer ":
            token = authorization[7:].strip()
        if token not in (VALID_TOKEN, TOKEN_NO_WORKLOGS) and not self.oauth.accepts(token):
            text = (
                "The token belongs to another Tempo region; use the matching API host."
                if token == TOKEN_OTHER_REGION
                else "Missing or invalid access token."
            )
            return 401, HTML_CT, _html(401, "Unauthorized", text), {"WWW-Authenticate": 'Bearer realm="tempo"'}
        if (
            (token == TOKEN_NO_WORKLOGS and path.startswith("/4/worklogs"))
            or _path_hit(faults.scope_denied_paths, path)
            or any(path.startswith(p) or path.startswith("/4" + p) for p in faults.scope_denied_prefixes)
        ):
            return (
                403,
                HTML_CT,
                _html(403, "Forbidden", "The access token is missing the scope required for this resource."),
                {},
            )
        if _path_hit(faults.gone_paths, path):
            return 404, JSON_CT, _err_body("The requested resource cannot be found in the system"), {}
        if _path_hit(faults.html_error_paths, path):
            return 500, HTML_CT, _html(500, "Internal Server Error", "Something went wrong."), self._fault_headers()
        handler = route.get(method)
        if handler is None:
            return (
                405,
                JSON_CT,
                _err_body(f"Method {method} not allowed on {path}"),
                {"Allow": ", ".join(sorted(route))},
            )
        self._ensure_host()
        try:
            qpairs = parse_qsl(query, keep_blank_values=True)
            payload = handler(self, path, query, qpairs, body)
        except ApiError as exc:
            return exc.status, JSON_CT, _err_body(exc.message), {}
        except NoContent:
            return 204, JSON_CT, b"", {}
        if _path_hit(faults.malformed_json_paths, path):
            return 200, JSON_CT, payload[: max(1, len(payload) // 2)], self._fault_headers()
        return 200, JSON_CT, payload, {}

    def _fault_headers(self) -> dict[str, str]:
        """``Retry-After`` for a fault answer when ``faults.fault_retry_after`` is set."""
        wait = self.faults.fault_retry_after
        return {} if wait is None else {"Retry-After": str(wait)}

    def http_fault_answer(self, rule: FaultRule) -> tuple[int, str, bytes, dict[str, str]] | None:
        """The answer a gateway in front of Tempo gives instead of Tempo's, for the faults that replace it."""
        if rule.kind == "html_200":
            page = _html(200, "Sign in", "Your session expired. Please sign in to continue.")
            return 200, HTML_CT, page, self._fault_headers()
        if rule.kind == "gateway":
            title = {502: "Bad Gateway", 504: "Gateway Time-out"}[rule.status or 502]
            return rule.status or 502, HTML_CT, _html(rule.status or 502, title, "nginx"), self._fault_headers()
        if rule.kind == "retry_after":
            if rule.http_date:
                value = email.utils.formatdate(time.time() + rule.seconds, usegmt=True)
            else:
                value = str(int(rule.seconds))
            status = rule.status or 429
            if status == 429:
                return 429, JSON_CT, _err_body("Rate limit exceeded"), {"Retry-After": value}
            return 503, HTML_CT, _html(503, "Service Unavailable", "Down for maintenance."), {"Retry-After": value}
        return None

    # -- endpoint helpers -------------------------------------------------------------
    def _paging(self, qpairs: list[tuple[str, str]]) -> tuple[int, int]:
        q = dict(qpairs)
        offset = _int_param(q.get("offset"), "offset", 0)
        limit = _int_param(q.get("limit"), "limit", 50)
        if offset < 0:
            raise ApiError(400, "offset must be greater than or equal to 0")
        if limit < 1:
            raise ApiError(400, "limit must be greater than 0")
        return offset, min(limit, self.faults.max_limit)

    def _page_body(
        self,
        path: str,
        query: str,
        qpairs: list[tuple[str, str]],
        fetch: Callable[[int, int | None], tuple[list[bytes], int]],
    ) -> bytes:
        offset, limit = self._paging(qpairs)
        host = self._host
        ignore = _path_hit(self.faults.ignore_paging_paths, path)
        if ignore:
            items, total = fetch(0, None)
            offset = 0
            has_next = True
        elif offset > 0 and _path_hit(self.faults.duplicate_page_start_paths, path):
            # a record was inserted before `offset` between every two pages: page N starts N records early
            start = offset - max(1, offset // limit)
            items, total = fetch(start, limit)
            has_next = start + len(items) < total
        else:
            items, total = fetch(offset, limit)
            has_next = offset + len(items) < total
        other = [(k, v) for k, v in qpairs if k not in ("offset", "limit")]

        def link(off: int) -> str:
            return f"{host}{path}?{urlencode(other + [('offset', off), ('limit', limit)])}"

        meta: dict[str, Any] = {"count": len(items), "offset": offset, "limit": limit}
        if has_next:
            meta["next"] = link(offset + limit)
        if offset > 0:
            meta["previous"] = link(max(0, offset - limit))
        return _envelope(host, path, query, meta, items)

    @staticmethod
    def _json_body(body: bytes, required: bool = False) -> dict:
        if not body.strip():
            if required:
                raise ApiError(400, "Request body is required")
            return {}
        try:
            obj = json.loads(body)
        except ValueError:
            raise ApiError(400, "Malformed JSON request body") from None
        if not isinstance(obj, dict):
            raise ApiError(400, "Request body must be a JSON object")
        return obj

    def _list_page(self, blobs: list[bytes]) -> Callable[[int, int | None], tuple[list[bytes], int]]:
        def fetch(offset: int, limit: int | None) -> tuple[list[bytes], int]:
            return (blobs[offset:] if limit is None else blobs[offset : offset + limit]), len(blobs)

        return fetch

    # -- endpoints ---------------------------------------------------------------------
    def _get_accounts(self, path, query, qpairs, body) -> bytes:
        blobs = [
            b for a, b in zip(self._accounts, self._account_bytes, strict=True) if a["status"] in ("OPEN", "CLOSED")
        ]
        return self._page_body(path, query, qpairs, self._list_page(blobs))

    def _search_accounts(self, path, query, qpairs, body) -> bytes:
        inp = self._json_body(body)
        statuses = inp.get("statuses") or ["OPEN", "CLOSED"]
        if not isinstance(statuses, list) or any(s not in _ACCOUNT_STATUSES for s in statuses):
            raise ApiError(400, f"Invalid statuses: {statuses}. Allowed values: OPEN, CLOSED, ARCHIVED")
        ids = inp.get("ids")
        keys = inp.get("keys")
        glob = inp.get("global")
        if ids is not None and not isinstance(ids, list):
            raise ApiError(400, "ids must be a list")
        if keys is not None and not isinstance(keys, list):
            raise ApiError(400, "keys must be a list")
        if glob is not None and not isinstance(glob, bool):
            raise ApiError(400, "global must be a boolean")
        try:
            id_set = {int(i) for i in ids} if ids else None
        except (TypeError, ValueError):
            raise ApiError(400, "ids must be integers") from None
        key_set = {str(k) for k in keys} if keys else None
        blobs = [
            b
            for a, b in zip(self._accounts, self._account_bytes, strict=True)
            if a["status"] in statuses
            and (id_set is None or a["id"] in id_set)
            and (key_set is None or a["key"] in key_set)
            and (glob is None or a["global"] is glob)
        ]
        return self._page_body(path, query, qpairs, self._list_page(blobs))

    def _get_customers(self, path, query, qpairs, body) -> bytes:
        return self._page_body(path, query, qpairs, self._list_page(self._customer_bytes))

    def _get_schemes(self, path, query, qpairs, body) -> bytes:
        return self._page_body(path, query, qpairs, self._list_page(self._scheme_bytes))

    @staticmethod
    def _worklog_filter(
        date_from: Any, date_to: Any, updated_from: Any, authors: Any, issues: Any, projects: Any
    ) -> _WorklogFilter:
        df = parse_date(date_from, "from") if date_from not in (None, "") else None
        dt_ = parse_date(date_to, "to") if date_to not in (None, "") else None
        if df and dt_ and df > dt_:
            raise ApiError(400, f"'from' ({df}) must be before or equal to 'to' ({dt_})")
        uf = parse_updated_from(updated_from) if updated_from not in (None, "") else None

        def id_set(values: Any, name: str) -> frozenset | None:
            if values in (None, []):
                return None
            if not isinstance(values, list):
                values = [values]
            try:
                return frozenset(int(v) for v in values)
            except (TypeError, ValueError):
                raise ApiError(400, f"Invalid value for {name}: {values}") from None

        auth = None
        if authors not in (None, []):
            if not isinstance(authors, list):
                raise ApiError(400, "authorIds must be a list")
            auth = frozenset(str(a) for a in authors)
        return _WorklogFilter(df, dt_, uf, auth, id_set(issues, "issueIds"), id_set(projects, "projectIds"))

    def _get_worklogs(self, path, query, qpairs, body) -> bytes:
        q = dict(qpairs)
        multi: dict[str, list[str]] = collections.defaultdict(list)
        for k, v in qpairs:
            multi[k].append(v)
        flt = self._worklog_filter(
            q.get("from"),
            q.get("to"),
            q.get("updatedFrom"),
            None,
            multi.get("issueId"),
            multi.get("projectId"),
        )
        order = q.get("orderBy")
        if order in (None, ""):
            spec = _DEFAULT_ORDER
        elif order in _ORDER_FIELDS:
            spec = ((order, True),) if order == "ID" else ((order, True), ("ID", False))
        else:
            raise ApiError(400, f"Invalid value for orderBy: '{order}'. Allowed values: ID, START_DATE_TIME, UPDATED")
        store = self._store
        return self._page_body(path, query, qpairs, lambda o, lim: store.page(spec, flt, o, lim))

    def _search_worklogs(self, path, query, qpairs, body) -> bytes:
        inp = self._json_body(body)
        flt = self._worklog_filter(
            inp.get("from"),
            inp.get("to"),
            inp.get("updatedFrom"),
            inp.get("authorIds"),
            inp.get("issueIds"),
            inp.get("projectIds"),
        )
        order_by = inp.get("orderBy")
        if order_by in (None, []):
            spec = _DEFAULT_ORDER
        else:
            if not isinstance(order_by, list):
                raise ApiError(400, "orderBy must be a list of {field, order}")
            keys: list[tuple[str, bool]] = []
            for ob in order_by:
                if (
                    not isinstance(ob, dict)
                    or ob.get("field") not in _ORDER_FIELDS
                    or ob.get("order") not in ("ASC", "DESC")
                ):
                    raise ApiError(
                        400,
                        f"Invalid orderBy: {ob}. field must be one of ID, START_DATE_TIME, UPDATED"
                        " and order ASC or DESC",
                    )
                if all(f != ob["field"] for f, _ in keys):
                    keys.append((ob["field"], ob["order"] == "DESC"))
            if all(f != "ID" for f, _ in keys):
                keys.append(("ID", False))
            spec = tuple(keys)
        store = self._store
        return self._page_body(path, query, qpairs, lambda o, lim: store.page(spec, flt, o, lim))

    def _search_papertrail(self, path, query, qpairs, body) -> bytes:
        q = dict(qpairs)
        limit = _int_param(q.get("limit"), "limit", 100)
        if not 1 <= limit <= 1000:
            raise ApiError(400, "limit must be between 1 and 1000")
        inp = self._json_body(body, required=True)
        if inp.get("from") in (None, ""):
            raise ApiError(400, "'from' is required")
        t_from = parse_datetime_epoch(inp["from"], "from")
        t_to = parse_datetime_epoch(inp["to"], "to") if inp.get("to") not in (None, "") else None
        max_age = self.faults.papertrail_max_age_days
        if max_age:
            oldest = int(self.clock_now().timestamp()) - max_age * 86400
            if t_from < oldest:
                raise ApiError(400, f"'from' must be within the last {max_age} days")

        def str_set(name: str) -> set[str] | None:
            v = inp.get(name)
            if v in (None, []):
                return None
            if not isinstance(v, list):
                raise ApiError(400, f"{name} must be a list")
            return {str(x) for x in v}

        etypes, actions, authors, workers = (
            str_set("entityType"),
            str_set("action"),
            str_set("author"),
            str_set("worker"),
        )
        ignore = _path_hit(self.faults.ignore_paging_paths, path)
        after: tuple[int, int] | None = None
        token = q.get("nextPageToken")
        if token and not ignore:
            after = _decode_token(token)
        results: list[tuple[int, int, bytes]] = []
        more = False
        with self._lock:
            events = list(self._audit)
        for ts, seq, ev, blob in events:
            if ts < t_from or (t_to is not None and ts > t_to):
                continue
            if after is not None and (ts, seq) <= after:
                continue
            if etypes is not None and ev["entityType"] not in etypes:
                continue
            if actions is not None and ev["action"] not in actions:
                continue
            if authors is not None and ev["author"] not in authors:
                continue
            if workers is not None and ev.get("worker") not in workers:
                continue
            if not ignore and len(results) >= limit:
                more = True
                break
            results.append((ts, seq, blob))
        host = self._host
        meta: dict[str, Any] = {"limit": limit}
        if ignore and results:
            more = True
        if more:
            last = results[-1] if not ignore else results[0]
            tok = _encode_token(last[0], last[1]) if not ignore else _encode_token(t_from - 1, 0)
            meta["nextPageToken"] = tok
            meta["nextPageUrl"] = f"{host}{path}?{urlencode([('nextPageToken', tok), ('limit', limit)])}"
        return _envelope(host, path, query, meta, [r[2] for r in results])

    # -- control interface ------------------------------------------------------------------
    def handle_control(self, method: str, path: str, body: bytes) -> tuple[int, bytes]:
        def obj() -> dict:
            if not body.strip():
                return {}
            v = json.loads(body)
            if not isinstance(v, dict):
                raise ValueError("body must be a JSON object")
            return v

        try:
            if path == "/_control/stats" and method == "GET":
                return 200, _seed.dumps(self.stats())
            if path == "/_control/reset-stats" and method == "POST":
                self.reset_stats()
                return 200, b'{"ok":true}'
            if path == "/_control/faults":
                if method == "POST":
                    self.faults.update(**obj())
                    self._ensure_host()
                elif method != "GET":
                    return 405, _err_body("use GET or POST")
                return 200, _seed.dumps(self.faults.to_dict())
            if path == "/_control/oauth":
                return 200, _seed.dumps(self.oauth.handle_control(method, obj()))
            if path == "/_control/clock" and method == "GET":
                return 200, _seed.dumps({"now": self._clock_str()})
            if path == "/_control/worklogs" and method == "POST":
                return 201, _seed.dumps(self.create_worklog(**obj()))
            m = re.match(r"^/_control/worklogs/(\d+)$", path)
            if m:
                wid = int(m.group(1))
                if method == "GET":
                    if wid not in self._store.recs:
                        raise KeyError(wid)
                    return 200, _seed.dumps(self.worklog(wid))
                if method == "PUT":
                    return 200, _seed.dumps(self.edit_worklog(wid, **obj()))
                if method == "DELETE":
                    return 200, _seed.dumps(self.delete_worklog(wid))
                return 405, _err_body("use GET, PUT or DELETE")
            reporting = self._reporting_control(method, path, obj())
            if reporting is not None:
                return reporting
            return 404, _err_body(f"Not found: {path}")
        except KeyError as exc:
            return 404, _err_body(f"Not found: {exc.args[0] if exc.args else ''}")
        except (ValueError, TypeError) as exc:
            return 400, _err_body(str(exc))


_ROUTES: dict[str, dict[str, Callable[..., bytes]]] = {
    "/4/accounts": {"GET": TempoSandbox._get_accounts},
    "/4/accounts/search": {"POST": TempoSandbox._search_accounts},
    "/4/customers": {"GET": TempoSandbox._get_customers},
    "/4/workload-schemes": {"GET": TempoSandbox._get_schemes},
    "/4/worklogs": {"GET": TempoSandbox._get_worklogs},
    "/4/worklogs/search": {"POST": TempoSandbox._search_worklogs},
    "/4/papertrail/search": {"POST": TempoSandbox._search_papertrail},
    **_org.ORG_ROUTES,
    **_catalogs.CATALOG_ROUTES,
    **_reporting.REPORTING_ROUTES,
    # ---- Financial Manager (cost tracking): sandbox/finance.py ----
    **_finance.FINANCE_ROUTES,
}
_PATH_ROUTES = (
    *_org.ORG_PATH_ROUTES,
    *_reporting.REPORTING_PATH_ROUTES,
    # ---- Financial Manager (cost tracking): sandbox/finance.py ----
    *_finance.FINANCE_PATH_ROUTES,
)


# ---------------------------------------------------------------------------
# HTTP plumbing
# ---------------------------------------------------------------------------
class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    allow_reuse_address = True
    sandbox: TempoSandbox

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._conns: set[socket.socket] = set()
        self._conns_lock = threading.Lock()
        super().__init__(*args, **kwargs)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._conns_lock:
            self._conns.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._conns_lock:
            self._conns.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        with self._conns_lock:
            conns = list(self._conns)
        for c in conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError, OSError)):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "tempo-sandbox"
    sys_version = ""
    disable_nagle_algorithm = True
    timeout = 60  # idle keep-alive connections are closed after this
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - signature of the base class
        pass

    def _read_body(self) -> bytes:
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            chunks = []
            while True:
                line = self.rfile.readline(65537)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline(65537)
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send(
        self,
        status: int,
        content_type: str,
        body: bytes,
        headers: dict[str, str] | None = None,
        fault: FaultRule | None = None,
        gzipped: bool = False,
    ) -> None:
        """Writes the answer; a stall, reset or truncate ``fault`` breaks it the way a network would."""
        stopped = self.server.sandbox._stopped
        if gzipped and "gzip" in (self.headers.get("Accept-Encoding") or "").lower():
            body = gzip.compress(body, compresslevel=5)
            headers = {**(headers or {}), "Content-Encoding": "gzip"}
        kind = fault.kind if fault else None
        if kind == "stall" and fault.at == "headers":
            stopped.wait(fault.seconds)
        cut = max(1, len(body) // 2)
        declared = cut if kind == "truncate" and not fault.honest_length else len(body)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(declared))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command == "HEAD":
            return
        if kind not in ("stall", "reset", "truncate") or (kind == "stall" and fault.at == "headers"):
            self.wfile.write(body)
            return
        self.wfile.write(body[:cut])
        self.wfile.flush()
        if kind == "stall":
            stopped.wait(fault.seconds)
            self.wfile.write(body[cut:])
        elif kind == "reset":
            # SO_LINGER 0: close() sends a TCP RST instead of a FIN, as a dropped connection does
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
        elif fault.honest_length:  # the connection ends before the declared length
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_WR)

    def _dispatch(self) -> None:
        sandbox = self.server.sandbox
        split = urlsplit(self.path)
        path, query = split.path, split.query
        try:
            body = self._read_body()
        except (ValueError, OSError):
            self.close_connection = True
            self._send(400, JSON_CT, _err_body("Unreadable request body"))
            return
        if path == "/_control" or path.startswith("/_control/"):
            status, payload = sandbox.handle_control(self.command, path, body)
            self._send(status, JSON_CT, payload)
            return
        if path.rstrip("/") == _oauth.TOKEN_PATH.rstrip("/"):
            # Only a fault rule that names the token path applies to it (a rule without a path is for /4 paths).
            fault = sandbox.faults.take_http_fault(path, explicit_only=True)
            if fault is not None:
                sandbox._fault_fired(fault.kind)
            answer = sandbox.http_fault_answer(fault) if fault is not None else None
            if answer is not None:  # a gateway's answer instead of the token endpoint's
                self._send(*answer)
                return
            if fault is not None and fault.kind == "stall" and fault.at == "headers":
                # Held in front of the endpoint: the refresh is never processed, and the connection ends. (A stall
                # "at": "body" comes after the refresh was processed: the rotated refresh token is lost with it.)
                sandbox._stopped.wait(fault.seconds)
                self.close_connection = True
                return
            status, payload = sandbox.oauth.handle_token(self.command, self.headers.get("Content-Type", ""), body)
            self._send(status, JSON_CT, payload, {}, fault=fault)  # a stall, reset or truncation acts in _send
            return
        sandbox._begin(path)
        status = 500
        try:
            fault = sandbox.faults.take_http_fault(path)
            if fault is not None:
                sandbox._fault_fired(fault.kind)
            answer = sandbox.http_fault_answer(fault) if fault is not None else None
            try:
                status, ctype, payload, headers = answer or sandbox.handle_api(
                    self.command, path, query, body, self.headers.get("Authorization")
                )
            except Exception as exc:  # a sandbox bug: answer 500 and show it
                traceback.print_exc()
                status, ctype, payload, headers = 500, JSON_CT, _err_body(f"Internal sandbox error: {exc!r}"), {}
            if fault is not None and fault.kind == "truncate":
                headers = {**headers, **sandbox._fault_headers()}
            gzipped = _path_hit(sandbox.faults.gzip_paths, path)
            self._send(status, ctype, payload, headers, fault=None if answer else fault, gzipped=gzipped)
        finally:
            sandbox._end(status)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _dispatch

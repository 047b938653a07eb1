"""Deterministic seed data for the Tempo sandbox.

Everything here is a pure function of ``(seed, worklogs, host)``: the same arguments
give byte-identical data on any day (nothing reads the current date).  Records are in
Tempo REST API v4 shape (``reference/tempo-openapi-v4.yaml``) so that responses
validate against the OpenAPI response schemas.

The seeded world is "frozen" at the end of 2025: every worklog's ``startDate`` lies
in 2022-01-01..2025-12-31 and every seeded ``updatedAt`` and audit-event timestamp is
before 2026-01-01T00:00:00Z.

Shape of the data (see ``generate``):

* ~40 customers, ~60 accounts (OPEN, CLOSED and at least 5 ARCHIVED; some without
  customer, category or contact), 6 workload schemes (one default).
* ``worklogs`` worklogs with unique ``tempoWorklogId`` (increasing with small gaps:
  the gaps are seeded deletions, served by ``/4/papertrail/search``).
* Quirks from ``reference/tempo-facts.md``: ``startDateTimeUtc`` missing on ~2 % of
  worklogs, ``updatedAt`` one second earlier than ``createdAt`` on ~0.5 %, attribute
  values are always strings.
* A "bulk import": ``bulk_size(worklogs)`` worklogs (1,500 when there are at least
  3,000 worklogs, otherwise 30 %) share ONE ``updatedAt`` second (``BULK_UPDATED_AT``),
  so more than a page of records ties on one second.  About 5 % more share an
  "end-of-day sync" second with a few others (small ties everywhere).

Teams, timesheet approvals, plans and holiday schemes are seeded by ``org.py`` from the
users made here, with a random stream of their own (so nothing above depends on them).
"""

from __future__ import annotations

import datetime as _dt
import gc
import json
import random
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

DEFAULT_HOST = "https://api.tempo.io"
#: Jira site used for links that point at Jira (issues, users), as in real Tempo responses.
JIRA_SITE = "https://sandbox-site.atlassian.net"

FIRST_DAY = _dt.date(2022, 1, 1)
LAST_DAY = _dt.date(2025, 12, 31)
N_DAYS = (LAST_DAY - FIRST_DAY).days + 1
_EPOCH_DAY0 = int(_dt.datetime(2022, 1, 1, tzinfo=_dt.timezone.utc).timestamp())
#: Every seeded timestamp is strictly before this instant.
SEED_END_EPOCH = int(_dt.datetime(2026, 1, 1, tzinfo=_dt.timezone.utc).timestamp())
SEED_END = "2026-01-01T00:00:00Z"
#: The one second shared by the bulk import.
BULK_UPDATED_AT = "2024-03-14T02:30:00Z"
_BULK_EPOCH = int(_dt.datetime(2024, 3, 14, 2, 30, tzinfo=_dt.timezone.utc).timestamp())

WEEKDAYS = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"]


# ---------------------------------------------------------------------------
# fast timestamp formatting (no datetime objects in the hot loop)
# ---------------------------------------------------------------------------
_DATE_STR: dict[int, str] = {}


def _date_str(days_since_unix_epoch: int) -> str:
    s = _DATE_STR.get(days_since_unix_epoch)
    if s is None:
        s = (_dt.date(1970, 1, 1) + _dt.timedelta(days=days_since_unix_epoch)).isoformat()
        _DATE_STR[days_since_unix_epoch] = s
    return s


def fmt_epoch(epoch: int) -> str:
    """Unix seconds -> ``YYYY-MM-DDTHH:MM:SSZ``."""
    days, secs = divmod(epoch, 86400)
    h, rem = divmod(secs, 3600)
    m, s = divmod(rem, 60)
    return f"{_date_str(days)}T{h:02d}:{m:02d}:{s:02d}Z"


def parse_ts(value: str) -> int:
    """``YYYY-MM-DDTHH:MM:SSZ`` (as produced by ``fmt_epoch``) -> Unix seconds."""
    d = _dt.datetime.strptime(value[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=_dt.timezone.utc)
    return int(d.timestamp())


# ---------------------------------------------------------------------------
# vocabulary
# ---------------------------------------------------------------------------
_DESCRIPTIONS = [
    "Working on issue",
    "Code review",
    "Daily stand-up",
    "Sprint planning",
    "Investigating a problem with our external database system",
    "Pair programming with Zoë on the billing service",
    "Réunion avec le client à Montréal",
    "Überarbeitung der Schnittstelle für die Buchhaltung",
    "Customer call ☎️ about the renewal",
    "Deploy 🚀 to production",
    "Bug triage 🐛🐛",
    "会议记录：讨论第三季度的路线图",
    "テストケースの作成とレビュー",
    "회의 및 문서 작성",
    'Fixed the "quoted" edge case in C:\\temp\\export.csv',
    "Notes:\n- migrated tables\n- re-ran the ETL\n- wrote the post-mortem",
    "Line one\r\nLine two (Windows line ending)\n\nParagraph after a blank line",
    "Tabs\tand\ttabs",
    "Ñandú migration — phase 2 (½ done)",
    "Ελέγχος ποιότητας",
    "Проверка отчётов",
    "مراجعة التقارير",
    "",
    "Onboarding 👋 new teammates: José, Zoë, Łukasz",
    "Support ticket #4711 — escalated",
    "Refactoring the worklog exporter",
    "Documentation",
    "Holiday coverage 🌴",
]
_LOCATIONS = ["Zürich", "München", "São Paulo", "Kraków", "Reykjavík", "Remote", "Oslo", "東京"]
_COLORS = ["green", "red", "blue", "yellow"]
_COMPANY_A = [
    "Cloudbay",
    "Northwind",
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Hooli",
    "Stark",
    "Wayne",
    "Tyrell",
    "Müller",
    "Soylent",
    "Vandelay",
    "Wonka",
    "Pied Piper",
    "Aperture",
    "Cyberdyne",
    "Oceanic",
    "Gringotts",
    "Nakatomi",
]
_COMPANY_B = ["Industries", "GmbH", "Ltd", "AS", "S.A.", "Holdings", "Labs", "& Co", "KK", "Oy"]
_ACCOUNT_AREAS = [
    ("DEV", "Development"),
    ("SUP", "Support"),
    ("OPS", "Operations"),
    ("CON", "Consulting"),
    ("TRN", "Training"),
    ("MNT", "Maintenance"),
]
_CATEGORIES = [
    (1, "100", "Billable development", "BILLABLE"),
    (2, "200", "Non-billable", "NON_BILLABLE"),
    (3, "300", "Capitalized", "CAPITALIZED"),
    (4, "400", "Internal", "OPERATIONAL"),
]
_CONTACT_NAMES = ["John Brown", "Ásta Sigurðardóttir", "Chen Wei", "Amélie Durand", "Olu Adeyemi"]
_TZ_OFFSETS_MIN = [-480, -300, -240, 0, 0, 60, 60, 120, 330, 540, 600]
_DURATIONS = [300, 900, 1800, 2700, 3600, 3600, 5400, 7200, 7200, 10800, 14400, 28800]


def bulk_size(worklogs: int) -> int:
    """How many seeded worklogs share the bulk-import second."""
    if worklogs >= 3000:
        return 1500
    return (worklogs * 3) // 10


def deleted_count(worklogs: int) -> int:
    """How many seeded worklogs were deleted before the snapshot (papertrail events)."""
    return max(3, worklogs // 1000)


def project_of_issue(issue_id: int) -> int:
    """Hidden project of an issue (used only by the projectId/projectIds filters)."""
    return 10000 + issue_id % 7


@dataclass
class SeedData:
    customers: list[dict[str, Any]] = field(default_factory=list)
    accounts: list[dict[str, Any]] = field(default_factory=list)
    workload_schemes: list[dict[str, Any]] = field(default_factory=list)
    worklogs: list[dict[str, Any]] = field(default_factory=list)
    #: papertrail (audit log) events, AuditLogEvent shape, ordered by timestamp
    audit_events: list[dict[str, Any]] = field(default_factory=list)
    #: author accountId -> UTC offset in minutes (used to derive startDateTimeUtc on edits)
    user_offsets: dict[str, int] = field(default_factory=dict)


def _account_id(rng: random.Random) -> str:
    if rng.random() < 0.6:
        return f"{rng.getrandbits(96):024x}"
    u = f"{rng.getrandbits(128):032x}"
    return f"712020:{u[:8]}-{u[8:12]}-{u[12:16]}-{u[16:20]}-{u[20:]}"


def user_link(account_id: str) -> str:
    return f"{JIRA_SITE}/rest/api/2/user?accountId={account_id}"


def issue_link(issue_id: int) -> str:
    return f"{JIRA_SITE}/rest/api/2/issue/{issue_id}"


def generate(seed: int = 42, worklogs: int = 3000, host: str = DEFAULT_HOST) -> SeedData:
    """Build the whole seeded world.  Pure function of its arguments."""
    gc_was_enabled = gc.isenabled()
    gc.disable()  # hundreds of thousands of small dicts: the cyclic GC only slows this down
    try:
        return _generate(seed, worklogs, host)
    finally:
        if gc_was_enabled:
            gc.enable()


def _generate(seed: int, worklogs: int, host: str) -> SeedData:
    if worklogs < 0:
        raise ValueError("worklogs must be >= 0")
    rng = random.Random(f"tempo-sandbox:{seed}")
    data = SeedData()

    # ---- users -------------------------------------------------------------
    users = [_account_id(rng) for _ in range(25)]
    offsets = {u: rng.choice(_TZ_OFFSETS_MIN) for u in users}
    data.user_offsets = dict(offsets)
    admins = users[:3]

    # ---- customers ---------------------------------------------------------
    seen_keys: set[str] = set()
    for cid in range(1, 41):
        while True:
            a, b = rng.choice(_COMPANY_A), rng.choice(_COMPANY_B)
            key = "".join(
                ch for ch in (a + "_" + b).upper().replace("Ü", "UE") if ch.isascii() and (ch.isalnum() or ch == "_")
            )
            if key not in seen_keys:
                seen_keys.add(key)
                break
        data.customers.append({"self": f"{host}/4/customers/{cid}", "id": cid, "key": key, "name": f"{a} {b}"})

    # ---- accounts ----------------------------------------------------------
    statuses = ["OPEN"] * 36 + ["CLOSED"] * 16 + ["ARCHIVED"] * 8
    rng.shuffle(statuses)
    acc_keys: list[str] = []
    for aid in range(1, 61):
        cust = rng.choice(data.customers) if rng.random() < 0.85 else None
        area_key, area_name = rng.choice(_ACCOUNT_AREAS)
        base = cust["key"] if cust else "INTERNAL"
        key = f"{base}_{area_key}_{aid}"
        acc_keys.append(key)
        name = f"{cust['name'] if cust else 'Internal'}: {area_name}"
        acc: dict[str, Any] = {
            "self": f"{host}/4/accounts/{key}",
            "key": key,
            "id": aid,
            "name": name,
            "status": statuses[aid - 1],
            "global": rng.random() < 0.2,
            "monthlyBudget": rng.choice([0, 100, 250, 600, 1000, 4000, 12000]),
            "lead": {"self": user_link(u := rng.choice(users)), "accountId": u},
        }
        r = rng.random()
        if r < 0.55:
            c = rng.choice(users)
            acc["contact"] = {"self": user_link(c), "accountId": c, "type": "USER"}
        elif r < 0.8:
            acc["contact"] = {"displayName": rng.choice(_CONTACT_NAMES), "type": "EXTERNAL"}
        if rng.random() < 0.85:
            cat_id, cat_key, cat_name, cat_type = rng.choice(_CATEGORIES)
            acc["category"] = {
                "self": f"{host}/4/account-categories/{cat_key}",
                "key": cat_key,
                "id": cat_id,
                "name": cat_name,
                "type": {"name": cat_type},
            }
        if cust is not None:
            acc["customer"] = dict(cust)
        acc["links"] = {"self": f"{host}/4/accounts/{key}/links"}
        data.accounts.append(acc)

    # ---- workload schemes --------------------------------------------------
    h = 3600
    schemes = [
        ("Default Workload Scheme", "Full time, Monday to Friday", [8 * h] * 5 + [0, 0], True),
        ("Part-time Workload Scheme", "Employees working 50%", [4 * h] * 5 + [0, 0], False),
        ("Four-day week", "32 hours, Friday off", [8 * h] * 4 + [0, 0, 0], False),
        ("Weekend support", "Saturday and Sunday on call", [0] * 5 + [6 * h, 6 * h], False),
        ("Compressed 9/80", "Nine hours Monday to Thursday, four on Friday", [9 * h] * 4 + [4 * h, 0, 0], False),
        ("Ñandú – Teilzeit 80 %", "Teilzeit für das Team in São Paulo 🌎", [int(6.4 * h)] * 5 + [0, 0], False),
    ]
    for sid, (name, desc, secs, default) in enumerate(schemes, start=1):
        data.workload_schemes.append(
            {
                "self": f"{host}/4/workload-schemes/{sid}",
                "id": sid,
                "name": name,
                "description": desc,
                "defaultScheme": default,
                "memberCount": rng.randrange(0, 120),
                "days": [{"day": d, "requiredSeconds": s} for d, s in zip(WEEKDAYS, secs, strict=True)],
            }
        )

    # ---- worklogs ----------------------------------------------------------
    issues = [10000 + j * 3 + rng.randrange(3) for j in range(500)]
    n_deleted = deleted_count(worklogs)
    total = worklogs + n_deleted
    n_bulk = bulk_size(worklogs)
    chosen = rng.sample(range(total), n_bulk + n_deleted)
    bulk_idx = set(chosen[:n_bulk])
    deleted_idx = set(chosen[n_bulk:])
    user_links = {u: user_link(u) for u in users}
    bulk_last_day = (_BULK_EPOCH - _EPOCH_DAY0) // 86400 - 1
    day0_unix_days = _EPOCH_DAY0 // 86400
    last_ok = SEED_END_EPOCH - 2

    rnd = rng.random
    n_users, n_issues, n_desc = len(users), len(issues), len(_DESCRIPTIONS)
    n_dur, n_loc, n_col, n_acc = len(_DURATIONS), len(_LOCATIONS), len(_COLORS), len(acc_keys)
    minutes = (0, 0, 15, 30, 45)
    out: list[dict[str, Any]] = []
    deleted_recs: list[dict[str, Any]] = []
    wid = 1000
    for i in range(total):
        r = rnd()
        wid += 1 if r < 0.9 else 2 + int((r - 0.9) * 30)
        is_bulk = i in bulk_idx
        author = users[int(rnd() * n_users)]
        issue_id = issues[int(rnd() * n_issues)]
        day = int(rnd() * (bulk_last_day + 1 if is_bulk else N_DAYS))
        r = rnd()
        sh = 7 + int(r * 13)
        sm = minutes[int(rnd() * 5)] if rnd() < 0.8 else int(rnd() * 60)
        start_sec = sh * 3600 + sm * 60
        start_date = _date_str(day0_unix_days + day)
        spent = _DURATIONS[int(rnd() * n_dur)]
        br = rnd()
        billable = spent if br < 0.7 else (0 if br < 0.9 else spent // 2)
        day_start = _EPOCH_DAY0 + day * 86400
        start_utc = day_start + start_sec - offsets[author] * 60
        if is_bulk:
            updated = _BULK_EPOCH
            created = _BULK_EPOCH if rnd() < 0.7 else min(start_utc + spent + int(rnd() * 86400), _BULK_EPOCH)
            created = max(created, day_start + 1)  # never before startDate (UTC midnight)
        else:
            lo = max(start_utc + spent, day_start + 1)
            created = lo + int(rnd() * (min(lo + 3 * 86400, last_ok) - lo)) if lo < last_ok else last_ok
            ur = rnd()
            if ur < 0.65 or created >= last_ok:
                updated = created
            elif ur < 0.945:
                updated = created + 1 + int(rnd() * (min(created + 90 * 86400, last_ok) - created))
            elif ur < 0.995:
                # "end-of-day sync": next UTC midnight, shared by a handful of worklogs
                updated = (created // 86400 + 1) * 86400
                if updated > last_ok:
                    updated = created
            else:
                updated = created - 1  # quirk: updatedAt one second before createdAt
        attrs: list[dict[str, str]] = []
        ar = rnd()
        if ar > 0.05:
            attrs.append({"key": "_Billable_", "value": "true" if billable else "false"})
            if ar > 0.3:
                attrs.append({"key": "_Account_", "value": acc_keys[issue_id % n_acc]})
            if ar > 0.8:
                attrs.append({"key": "_Location_", "value": _LOCATIONS[int(rnd() * n_loc)]})
            if ar > 0.93:
                attrs.append({"key": "_Color_", "value": _COLORS[int(rnd() * n_col)]})
        rec: dict[str, Any] = {
            "self": f"{host}/4/worklogs/{wid}",
            "tempoWorklogId": wid,
            "issue": {"self": issue_link(issue_id), "id": issue_id},
            "timeSpentSeconds": spent,
            "billableSeconds": billable,
            "startDate": start_date,
            "startTime": f"{sh:02d}:{sm:02d}:00",
        }
        if rnd() >= 0.02:
            rec["startDateTimeUtc"] = fmt_epoch(start_utc)
        rec["description"] = _DESCRIPTIONS[int(rnd() * n_desc)]
        rec["createdAt"] = fmt_epoch(created)
        rec["updatedAt"] = fmt_epoch(updated)
        rec["author"] = {"self": user_links[author], "accountId": author}
        rec["attributes"] = {"self": f"{host}/4/worklogs/{wid}/work-attribute-values", "values": attrs}
        if i in deleted_idx:
            deleted_recs.append(rec)
        else:
            out.append(rec)
    data.worklogs = out

    # ---- audit log (papertrail) --------------------------------------------
    events: list[tuple[int, dict[str, Any]]] = []
    for rec in deleted_recs:
        ts = min(parse_ts(rec["updatedAt"]) + rng.randrange(3600, 30 * 86400), last_ok)
        events.append((ts, deletion_event(rec, rng.choice(admins), fmt_epoch(ts))))
    # a few events that are NOT worklog deletions (a connector must filter them out)
    for rec in rng.sample(out, min(5, len(out))):
        ts = min(parse_ts(rec["updatedAt"]), last_ok)
        events.append(
            (
                ts,
                {
                    "action": "Updated",
                    "author": rec["author"]["accountId"],
                    "changes": [{"field": "description", "previous": "draft", "new": rec["description"]}],
                    "entityId": str(rec["tempoWorklogId"]),
                    "entityType": "worklog",
                    "parentId": str(rec["issue"]["id"]),
                    "timestamp": fmt_epoch(ts),
                    "worker": rec["author"]["accountId"],
                },
            )
        )
    for cust in data.customers[:3]:
        ts = _EPOCH_DAY0 + rng.randrange(0, N_DAYS * 86400 - 2)
        events.append(
            (
                ts,
                {
                    "action": "Created",
                    "author": rng.choice(admins),
                    "changes": [{"field": "name", "previous": None, "new": cust["name"]}],
                    "entityId": str(cust["id"]),
                    "entityType": "customer",
                    "parentId": "",
                    "timestamp": fmt_epoch(ts),
                },
            )
        )
    events.sort(key=lambda e: e[0])
    data.audit_events = [e for _, e in events]
    return data


def deletion_event(rec: dict[str, Any], author: str, timestamp: str) -> dict[str, Any]:
    """AuditLogEvent for the deletion of worklog ``rec``."""
    return {
        "action": "Deleted",
        "author": author,
        "changes": [
            {"field": "timeSpentSeconds", "previous": str(rec.get("timeSpentSeconds")), "new": None},
            {"field": "startDate", "previous": rec.get("startDate"), "new": None},
        ],
        "entityId": str(rec["tempoWorklogId"]),
        "entityType": "worklog",
        "parentId": str((rec.get("issue") or {}).get("id", "")),
        "timestamp": timestamp,
        "worker": (rec.get("author") or {}).get("accountId", ""),
    }


def dumps(obj: Any) -> bytes:
    """The one JSON encoding used for every record (compact, UTF-8, key order kept)."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@dataclass(frozen=True)
class SerializedSeed:
    customers: tuple[bytes, ...]
    accounts: tuple[bytes, ...]
    workload_schemes: tuple[bytes, ...]
    worklogs: tuple[bytes, ...]
    audit_events: tuple[bytes, ...]
    user_offsets: tuple[tuple[str, int], ...]


def serialize(data: SeedData) -> SerializedSeed:
    return SerializedSeed(
        customers=tuple(dumps(r) for r in data.customers),
        accounts=tuple(dumps(r) for r in data.accounts),
        workload_schemes=tuple(dumps(r) for r in data.workload_schemes),
        worklogs=tuple(dumps(r) for r in data.worklogs),
        audit_events=tuple(dumps(r) for r in data.audit_events),
        user_offsets=tuple(sorted(data.user_offsets.items())),
    )


@lru_cache(maxsize=6)
def serialized_seed(seed: int, worklogs: int, host: str = DEFAULT_HOST) -> SerializedSeed:
    """Cached serialized seed (used for small data sets, so per-test sandboxes are cheap)."""
    return serialize(generate(seed, worklogs, host))

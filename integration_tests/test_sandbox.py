"""Tests of the local Tempo sandbox itself (sandbox/).

Every request goes through the real HTTP server with ``requests``; response bodies are
checked against the 200 response schemas of reference/tempo-openapi-v4.yaml.
"""

from __future__ import annotations

import concurrent.futures
import email.utils
import functools
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import jsonschema
import pytest
import requests
import yaml

from sandbox import (
    BULK_UPDATED_AT,
    TOKEN_NO_WORKLOGS,
    TOKEN_OTHER_REGION,
    VALID_TOKEN,
    SandboxFaults,
    TempoSandbox,
    bulk_size,
)
from sandbox import seed as seed_mod

ROOT = Path(__file__).resolve().parents[1]
OPENAPI = ROOT / "reference" / "tempo-openapi-v4.yaml"
TEMPO = "https://api.tempo.io"
UPDATED_ASC = [{"field": "UPDATED", "order": "ASC"}]


# ---------------------------------------------------------------------------
# OpenAPI -> JSON Schema
# ---------------------------------------------------------------------------
_ANNOTATIONS = {
    "description",
    "example",
    "examples",
    "format",
    "nullable",
    "xml",
    "externalDocs",
    "deprecated",
    "readOnly",
    "writeOnly",
    "discriminator",
    "title",
}


def _convert(node: Any, strict: bool) -> Any:
    """OpenAPI 3.0 schema object -> Draft 7 schema; $refs point into #/definitions."""
    if isinstance(node, list):
        return [_convert(n, strict) for n in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return {"$ref": "#/definitions/" + node["$ref"].rsplit("/", 1)[-1]}
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _ANNOTATIONS:
            continue
        if key == "properties":
            out[key] = {name: _convert(sub, strict) for name, sub in value.items()}
        elif key in ("items", "additionalProperties", "not"):
            out[key] = _convert(value, strict)
        elif key in ("oneOf", "anyOf", "allOf"):
            out[key] = [_convert(v, strict) for v in value]
        else:
            out[key] = value
    if node.get("nullable"):
        if "type" in out:
            out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = list(out["enum"]) + [None]
    if (
        strict
        and out.get("type") == "object"
        and "properties" in out
        and not any(k in out for k in ("oneOf", "anyOf", "allOf", "additionalProperties"))
    ):
        # the sandbox must not invent fields the OpenAPI file does not define
        out["additionalProperties"] = False
    return out


@functools.lru_cache(maxsize=1)
def _openapi() -> dict:
    with OPENAPI.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@functools.cache
def response_validator(path: str, method: str, strict: bool = True) -> jsonschema.Draft7Validator:
    spec = _openapi()
    schema = spec["paths"][path][method.lower()]["responses"]["200"]["content"]["application/json"]["schema"]
    defs = {name: _convert(s, strict) for name, s in spec["components"]["schemas"].items()}
    root = {"definitions": defs, "allOf": [_convert(schema, strict)]}
    jsonschema.Draft7Validator.check_schema(root)
    return jsonschema.Draft7Validator(root)


def assert_valid(body: Any, path: str, method: str) -> None:
    errors = sorted(response_validator(path, method).iter_errors(body), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------
def session(token: str | None = VALID_TOKEN) -> requests.Session:
    s = requests.Session()
    if token is not None:
        s.headers["Authorization"] = f"Bearer {token}"
    return s


def call(
    sb: TempoSandbox,
    method: str,
    path: str,
    params: dict | None = None,
    body: Any = None,
    token: str | None = VALID_TOKEN,
    s: requests.Session | None = None,
) -> requests.Response:
    s = s or session(token)
    url = sb.base_url + path
    if method == "GET":
        return s.get(url, params=params, timeout=30)
    return s.request(method, url, params=params, json=body, timeout=30)


def walk(
    sb: TempoSandbox, method: str, path: str, body: Any = None, limit: int = 50, extra: dict | None = None
) -> tuple[list[dict], list[dict]]:
    """Walk offset/limit pages (NOT following next, which points at api.tempo.io)."""
    s = session()
    records: list[dict] = []
    metas: list[dict] = []
    offset = 0
    while True:
        params = dict(extra or {}, offset=offset, limit=limit)
        r = call(sb, method, path, params, body, s=s)
        assert r.status_code == 200, r.text
        page = r.json()
        meta = page["metadata"]
        metas.append(meta)
        assert meta["count"] == len(page["results"])
        assert meta["offset"] == offset
        assert meta["limit"] == limit
        records.extend(page["results"])
        if "next" not in meta:
            break
        offset += limit
        assert len(metas) < 10_000
    return records, metas


def ctl(sb: TempoSandbox, method: str, what: str, body: Any = None) -> requests.Response:
    return requests.request(method, f"{sb.control_url}/{what}", json=body, timeout=30)


def upd_key(w: dict) -> tuple[str, int]:
    return (w["updatedAt"], w["tempoWorklogId"])


# ---------------------------------------------------------------------------
# schema validation of every endpoint
# ---------------------------------------------------------------------------
ENDPOINTS = [
    ("GET", "/4/accounts", None),
    ("POST", "/4/accounts/search", {"statuses": ["OPEN", "CLOSED", "ARCHIVED"]}),
    ("GET", "/4/customers", None),
    ("GET", "/4/workload-schemes", None),
    ("GET", "/4/worklogs", None),
    ("POST", "/4/worklogs/search", {"updatedFrom": "2022-01-01", "orderBy": UPDATED_ASC}),
]


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS, ids=[f"{m} {p}" for m, p, _ in ENDPOINTS])
def test_every_page_validates_against_openapi(sandbox: TempoSandbox, method: str, path: str, body: Any) -> None:
    s = session()
    offset, pages = 0, 0
    while True:
        r = s.request(method, sandbox.base_url + path[2:], params={"offset": offset, "limit": 1000}, json=body)
        assert r.status_code == 200
        assert r.headers["Content-Type"].startswith("application/json")
        page = r.json()
        assert_valid(page, path, method)
        pages += 1
        if "next" not in page["metadata"]:
            break
        offset += 1000
    assert pages >= 1


def _org_requests(sb: TempoSandbox) -> dict[str, list[tuple[str, dict]]]:
    """OpenAPI path -> the requests that exercise it: every team, scheme, month and year the seed has data for."""
    months = [f"{year}-{month:02d}-15" for year in range(2022, 2027) for month in range(1, 13)]
    schemes = [scheme["id"] for scheme in sb.holiday_schemes()]
    return {
        "/4/teams": [("/teams", {"limit": 1})],
        "/4/plans": [("/plans", {"from": "2021-01-01", "to": "2027-12-31", "limit": 1000})],
        "/4/timesheet-approvals/team/{teamId}": [
            (f"/timesheet-approvals/team/{team['id']}", {"from": month}) for team in sb.teams() for month in months
        ],
        "/4/holiday-schemes": [("/holiday-schemes", {})],
        "/4/holiday-schemes/{schemeId}/holidays": [
            (f"/holiday-schemes/{scheme}/holidays", {"year": year}) for scheme in schemes for year in range(2021, 2028)
        ],
        "/4/holiday-schemes/{schemeId}/members": [(f"/holiday-schemes/{scheme}/members", {}) for scheme in schemes],
    }


@pytest.mark.parametrize(
    "openapi_path",
    [
        "/4/teams",
        "/4/plans",
        "/4/timesheet-approvals/team/{teamId}",
        "/4/holiday-schemes",
        "/4/holiday-schemes/{schemeId}/holidays",
        "/4/holiday-schemes/{schemeId}/members",
    ],
)
def test_org_endpoints_validate_against_openapi(sandbox: TempoSandbox, openapi_path: str) -> None:
    s = session()
    records = 0
    for path, params in _org_requests(sandbox)[openapi_path]:
        r = call(sandbox, "GET", path, params, s=s)
        assert r.status_code == 200, (path, params, r.text)
        assert_valid(r.json(), openapi_path, "GET")
        records += len(r.json()["results"])
    assert records > 0


def test_papertrail_validates_against_openapi(sandbox: TempoSandbox) -> None:
    victim = sandbox.worklogs()[0]["tempoWorklogId"]
    sandbox.delete_worklog(victim)
    sandbox.edit_worklog(sandbox.worklogs()[0]["tempoWorklogId"], description="edited")
    r = call(sandbox, "POST", "/papertrail/search", {"limit": 1000}, {"from": "2000-01-01T00:00:00Z"})
    assert r.status_code == 200
    page = r.json()
    assert_valid(page, "/4/papertrail/search", "POST")
    assert {e["action"] for e in page["results"]} >= {"Deleted", "Updated"}


def test_schema_helper_catches_bad_records() -> None:
    v = response_validator("/4/worklogs", "GET")
    good = {"self": "x", "metadata": {"count": 0, "offset": 0, "limit": 50}, "results": []}
    assert v.is_valid(good)
    assert not v.is_valid({**good, "metadata": {"count": 0}})
    assert not v.is_valid({**good, "results": [{"tempoWorklogId": 1}]})
    change = response_validator("/4/papertrail/search", "POST")
    ev = {
        "action": "Deleted",
        "author": "a",
        "changes": [{"field": "f", "previous": "1", "new": None}],
        "entityId": "1",
        "entityType": "worklog",
        "parentId": "2",
        "timestamp": "2025-01-01T00:00:00Z",
    }
    assert change.is_valid({"self": "x", "metadata": {"limit": 1}, "results": [ev]})  # nullable honoured


# ---------------------------------------------------------------------------
# paging
# ---------------------------------------------------------------------------
def _expected(sb: TempoSandbox, path: str, body: Any) -> list[Any]:
    if path == "/accounts":
        return [a["id"] for a in sb.accounts() if a["status"] != "ARCHIVED"]
    if path == "/accounts/search":
        return [a["id"] for a in sb.accounts() if a["status"] in body["statuses"]]
    if path == "/customers":
        return [c["id"] for c in sb.customers()]
    if path == "/workload-schemes":
        return [s["id"] for s in sb.workload_schemes()]
    return [w["tempoWorklogId"] for w in sb.worklogs()]


PAGED = [
    ("GET", "/accounts", None, 7),
    ("POST", "/accounts/search", {"statuses": ["ARCHIVED"]}, 3),
    ("POST", "/accounts/search", {"statuses": ["OPEN", "CLOSED", "ARCHIVED"]}, 11),
    ("GET", "/customers", None, 6),
    ("GET", "/workload-schemes", None, 4),
    ("GET", "/worklogs", None, 700),
    ("POST", "/worklogs/search", {"orderBy": UPDATED_ASC}, 700),
]


@pytest.mark.parametrize(("method", "path", "body", "limit"), PAGED, ids=[f"{m} {p} {b}" for m, p, b, _ in PAGED])
def test_offset_walk_returns_every_record_once(
    sandbox: TempoSandbox, method: str, path: str, body: Any, limit: int
) -> None:
    records, metas = walk(sandbox, method, path, body, limit)
    key = "tempoWorklogId" if "worklogs" in path else "id"
    ids = [r[key] for r in records]
    expected = _expected(sandbox, path, body)
    assert len(ids) == len(set(ids)), "a record was served twice"
    assert sorted(ids) == sorted(expected)
    total = len(expected)
    for i, meta in enumerate(metas):
        offset = i * limit
        assert meta["count"] == min(limit, total - offset)
        if offset + limit < total:
            assert meta["next"] == f"{TEMPO}/4{path}?offset={offset + limit}&limit={limit}"
        else:
            assert "next" not in meta
        if offset > 0:
            assert meta["previous"] == f"{TEMPO}/4{path}?offset={max(0, offset - limit)}&limit={limit}"
        else:
            assert "previous" not in meta


def test_accounts_statuses(sandbox: TempoSandbox) -> None:
    all_accounts = sandbox.accounts()
    by_status = Counter(a["status"] for a in all_accounts)
    assert by_status["ARCHIVED"] >= 5 and by_status["OPEN"] and by_status["CLOSED"]
    listed = call(sandbox, "GET", "/accounts", {"limit": 1000}).json()["results"]
    assert {a["status"] for a in listed} == {"OPEN", "CLOSED"}
    default_search = call(sandbox, "POST", "/accounts/search", {"limit": 1000}, {}).json()["results"]
    assert [a["id"] for a in default_search] == [a["id"] for a in listed]
    archived = call(sandbox, "POST", "/accounts/search", {"limit": 1000}, {"statuses": ["ARCHIVED"]}).json()
    assert {a["status"] for a in archived["results"]} == {"ARCHIVED"}
    assert archived["metadata"]["count"] == by_status["ARCHIVED"]
    some = [a for a in all_accounts][:3]
    r = call(
        sandbox,
        "POST",
        "/accounts/search",
        None,
        {"statuses": ["OPEN", "CLOSED", "ARCHIVED"], "keys": [a["key"] for a in some]},
    )
    assert sorted(a["id"] for a in r.json()["results"]) == sorted(a["id"] for a in some)
    r = call(sandbox, "POST", "/accounts/search", None, {"statuses": ["GONE"]})
    assert r.status_code == 400 and r.json()["errors"][0]["message"]


def test_default_limit_is_50_and_limit_is_clamped(sandbox_factory) -> None:
    sb = sandbox_factory(max_limit=100)
    meta = call(sb, "GET", "/worklogs").json()["metadata"]
    assert meta == {"count": 50, "offset": 0, "limit": 50, "next": f"{TEMPO}/4/worklogs?offset=50&limit=50"}
    page = call(sb, "POST", "/worklogs/search", {"limit": 5000}, {}).json()
    assert page["metadata"]["limit"] == 100 and page["metadata"]["count"] == 100
    assert page["metadata"]["next"] == f"{TEMPO}/4/worklogs/search?offset=100&limit=100"
    sb.faults.update(max_limit=5000)
    page = call(sb, "POST", "/worklogs/search", {"limit": 100000}, {}).json()
    assert page["metadata"]["limit"] == 5000 and page["metadata"]["count"] == 3000
    assert "next" not in page["metadata"]
    page = call(sb, "GET", "/customers", {"offset": 1000}).json()
    assert page["metadata"]["count"] == 0 and page["results"] == [] and "next" not in page["metadata"]
    for bad in ({"limit": "abc"}, {"offset": "-1"}, {"limit": "0"}):
        r = call(sb, "GET", "/customers", bad)
        assert r.status_code == 400 and r.json()["errors"][0]["message"]


def test_links_are_absolute_on_next_host_and_keep_query(sandbox: TempoSandbox) -> None:
    params = {"from": "2023-01-01", "to": "2023-12-31", "updatedFrom": "2022-01-01", "offset": 100, "limit": 100}
    page = call(sandbox, "GET", "/worklogs", params).json()
    assert urlsplit(page["self"]).netloc == "api.tempo.io"
    nxt = urlsplit(page["metadata"]["next"])
    assert (nxt.scheme, nxt.netloc, nxt.path) == ("https", "api.tempo.io", "/4/worklogs")
    assert dict(parse_qsl(nxt.query)) == {**{k: str(v) for k, v in params.items()}, "offset": "200"}
    assert dict(parse_qsl(urlsplit(page["metadata"]["previous"]).query))["offset"] == "0"
    assert page["results"][0]["self"].startswith(f"{TEMPO}/4/worklogs/")

    sandbox.faults.update(next_host="https://api.eu.tempo.io")
    page = call(sandbox, "GET", "/customers", {"limit": 5}).json()
    assert page["metadata"]["next"] == "https://api.eu.tempo.io/4/customers?offset=5&limit=5"
    assert page["results"][0]["self"].startswith("https://api.eu.tempo.io/4/customers/")
    w = call(sandbox, "GET", "/worklogs", {"limit": 1}).json()["results"][0]
    assert w["self"].startswith("https://api.eu.tempo.io/") and w["attributes"]["self"].startswith("https://api.eu")
    assert sandbox.worklogs()[0]["self"].startswith("https://api.eu.tempo.io/")


# ---------------------------------------------------------------------------
# worklog filters and ordering
# ---------------------------------------------------------------------------
def test_updated_asc_order_with_ties_by_id_across_pages(sandbox: TempoSandbox) -> None:
    records, metas = walk(sandbox, "POST", "/worklogs/search", {"orderBy": UPDATED_ASC}, limit=1000)
    keys = [upd_key(w) for w in records]
    assert keys == sorted(keys)
    assert keys == sorted(upd_key(w) for w in sandbox.worklogs())
    bulk = [w for w in records if w["updatedAt"] == BULK_UPDATED_AT]
    assert len(bulk) == bulk_size(3000) == 1500 > metas[0]["limit"]
    positions = [i for i, w in enumerate(records) if w["updatedAt"] == BULK_UPDATED_AT]
    assert positions[0] // 1000 != positions[-1] // 1000, "the tie must span a page boundary"


def test_get_worklogs_order(sandbox: TempoSandbox) -> None:
    default, _ = walk(sandbox, "GET", "/worklogs", limit=5000)
    k = [(w["startDate"], w["startTime"], w["tempoWorklogId"]) for w in default]
    assert k == sorted(k)
    upd, _ = walk(sandbox, "GET", "/worklogs", limit=5000, extra={"orderBy": "UPDATED"})
    k = [(w["updatedAt"], -w["tempoWorklogId"]) for w in upd]
    assert k == sorted(k, reverse=True), "UPDATED descending, ties by id ascending"
    ids, _ = walk(sandbox, "GET", "/worklogs", limit=5000, extra={"orderBy": "ID"})
    assert [w["tempoWorklogId"] for w in ids] == sorted((w["tempoWorklogId"] for w in ids), reverse=True)
    desc, _ = walk(sandbox, "POST", "/worklogs/search", {"orderBy": [{"field": "UPDATED", "order": "DESC"}]}, 5000)
    assert [w["tempoWorklogId"] for w in desc] == [w["tempoWorklogId"] for w in upd]
    assert call(sandbox, "GET", "/worklogs", {"orderBy": "NAME"}).status_code == 400
    r = call(sandbox, "POST", "/worklogs/search", None, {"orderBy": [{"field": "UPDATED", "order": "UP"}]})
    assert r.status_code == 400 and "orderBy" in r.json()["errors"][0]["message"]


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_updated_from_inclusive_second_precision(sandbox: TempoSandbox, method: str) -> None:
    wls = sandbox.worklogs()
    ts = sorted(w["updatedAt"] for w in wls)[len(wls) // 2]

    def fetch(value: str) -> list[tuple[str, int]]:
        if method == "GET":
            recs, _ = walk(sandbox, "GET", "/worklogs", limit=5000, extra={"updatedFrom": value, "orderBy": "UPDATED"})
        else:
            recs, _ = walk(sandbox, "POST", "/worklogs/search", {"updatedFrom": value, "orderBy": UPDATED_ASC}, 5000)
        return sorted(upd_key(w) for w in recs)

    expected = sorted(upd_key(w) for w in wls if w["updatedAt"] >= ts)
    assert expected and any(w["updatedAt"] == ts for w in wls)
    for form in (ts, ts[:-1], ts[:-1] + ".000Z", ts[:-1] + "+00:00", ts[:-1] + ".999Z"):
        assert fetch(form) == expected, form
    day = ts[:10]
    assert fetch(day) == sorted(upd_key(w) for w in wls if w["updatedAt"] >= f"{day}T00:00:00Z")
    later = seed_mod.fmt_epoch(seed_mod.parse_ts(ts) + 1)
    assert fetch(later) == [k for k in expected if k[0] != ts]


@pytest.mark.parametrize(
    "value",
    [
        "2024-13-01",
        "yesterday",
        "2024-01-01T25:00:00Z",
        "1700000000",
        "2024-01-01T10:00:00+02:00",
        "2024-01-01T10:00Z",
        "2024/01/01",
    ],
)
def test_malformed_updated_from_is_400(sandbox: TempoSandbox, value: str) -> None:
    for r in (
        call(sandbox, "GET", "/worklogs", {"updatedFrom": value}),
        call(sandbox, "POST", "/worklogs/search", None, {"updatedFrom": value}),
    ):
        assert r.status_code == 400
        assert r.json() == {"errors": [{"message": f"Invalid date format for updatedFrom: {value}"}]}


def test_from_to_filter_on_start_date(sandbox: TempoSandbox) -> None:
    wls = sandbox.worklogs()
    expected = sorted(w["tempoWorklogId"] for w in wls if "2023-03-01" <= w["startDate"] <= "2023-03-31")
    got, _ = walk(sandbox, "GET", "/worklogs", limit=100, extra={"from": "2023-03-01", "to": "2023-03-31"})
    assert sorted(w["tempoWorklogId"] for w in got) == expected and expected
    got, _ = walk(
        sandbox,
        "POST",
        "/worklogs/search",
        {"from": "2023-03-01", "to": "2023-03-31", "updatedFrom": "2023-03-15", "orderBy": UPDATED_ASC},
        100,
    )
    exp2 = [
        upd_key(w)
        for w in sorted(wls, key=upd_key)
        if "2023-03-01" <= w["startDate"] <= "2023-03-31" and w["updatedAt"] >= "2023-03-15T00:00:00Z"
    ]
    assert [upd_key(w) for w in got] == exp2
    one = wls[7]
    got = call(sandbox, "GET", "/worklogs", {"from": one["startDate"], "to": one["startDate"], "limit": 5000}).json()
    assert {w["startDate"] for w in got["results"]} == {one["startDate"]}
    assert call(sandbox, "GET", "/worklogs", {"from": "2023-02-30"}).status_code == 400
    assert call(sandbox, "GET", "/worklogs", {"from": "2023-03-02", "to": "2023-03-01"}).status_code == 400
    author = one["author"]["accountId"]
    got = call(sandbox, "POST", "/worklogs/search", {"limit": 5000}, {"authorIds": [author]}).json()["results"]
    assert got and {w["author"]["accountId"] for w in got} == {author}


# ---------------------------------------------------------------------------
# auth, faults
# ---------------------------------------------------------------------------
def _is_html(r: requests.Response) -> bool:
    return r.headers["Content-Type"].startswith("text/html") and r.text.startswith("<html>")


def test_auth_errors_are_html(sandbox: TempoSandbox) -> None:
    for token in (None, "wrong", TOKEN_OTHER_REGION):
        r = call(sandbox, "GET", "/customers", token=token)
        assert r.status_code == 401 and _is_html(r)
        assert "<h1>401 Unauthorized</h1>" in r.text
    r = requests.get(sandbox.base_url + "/customers", headers={"Authorization": VALID_TOKEN})
    assert r.status_code == 401, "the Bearer prefix is required"
    for method, path in (("GET", "/worklogs"), ("POST", "/worklogs/search")):
        r = call(sandbox, method, path, body={}, token=TOKEN_NO_WORKLOGS)
        assert r.status_code == 403 and _is_html(r)
    assert call(sandbox, "GET", "/customers", token=TOKEN_NO_WORKLOGS).status_code == 200
    r = call(sandbox, "POST", "/papertrail/search", None, {"from": "2020-01-01T00:00:00Z"}, token=TOKEN_NO_WORKLOGS)
    assert r.status_code == 200


def test_unknown_path_and_method(sandbox: TempoSandbox) -> None:
    r = call(sandbox, "GET", "/nothing-here")
    assert r.status_code == 404 and r.json()["errors"][0]["message"]
    r = call(sandbox, "GET", "/worklogs/search")
    assert r.status_code == 405 and r.json()["errors"]
    assert requests.get(sandbox.url + "/3/worklogs").status_code == 404


def test_rate_limit_429_per_token_sliding_window(sandbox_factory) -> None:
    sb = sandbox_factory(rate_limit_per_second=5)
    s = session()
    statuses = [call(sb, "GET", "/customers", s=s) for _ in range(8)]
    assert [r.status_code for r in statuses] == [200] * 5 + [429] * 3
    r = statuses[-1]
    assert r.headers["Retry-After"] == "1"
    assert r.json() == {"errors": [{"message": "Rate limit exceeded"}]}
    # another token has its own window
    assert call(sb, "GET", "/customers", token=TOKEN_NO_WORKLOGS).status_code == 200
    stats = sb.stats()
    assert stats["throttled"] == 3 and stats["requests"] == 9
    time.sleep(1.05)  # the window slides: allowed again
    assert call(sb, "GET", "/customers", s=s).status_code == 200
    sb.faults.update(rate_limit_per_second=None)
    assert all(call(sb, "GET", "/customers", s=s).status_code == 200 for _ in range(10))


def test_fail_5xx_every_n(sandbox_factory) -> None:
    sb = sandbox_factory(fail_5xx_every=3)
    s = session()
    codes = [call(sb, "GET", "/customers", s=s) for _ in range(9)]
    assert [r.status_code for r in codes] == [200, 200, 503] * 3
    assert _is_html(codes[2])
    assert sb.stats()["errors_5xx"] == 3
    sb.faults.fail_5xx_every = None
    assert all(call(sb, "GET", "/customers", s=s).status_code == 200 for _ in range(4))


def test_ignore_paging_trap(sandbox: TempoSandbox) -> None:
    sandbox.faults.update(ignore_paging_paths=["/4/customers", "/4/worklogs/search"])
    total = len(sandbox.customers())
    for offset in (0, 10, 20):
        page = call(sandbox, "GET", "/customers", {"offset": offset, "limit": 10}).json()
        assert page["metadata"]["offset"] == 0 and page["metadata"]["count"] == total == len(page["results"])
        assert page["metadata"]["next"] == f"{TEMPO}/4/customers?offset=10&limit=10"
    page = call(sandbox, "POST", "/worklogs/search", {"offset": 500, "limit": 100}, {"orderBy": UPDATED_ASC}).json()
    assert page["metadata"]["count"] == 3000 and "next" in page["metadata"]
    assert call(sandbox, "GET", "/accounts", {"limit": 10}).json()["metadata"]["count"] == 10


def test_http_faults_fire_as_often_as_asked_and_break_the_answer_as_described(sandbox_factory) -> None:
    sb = sandbox_factory(worklogs=50, fault_retry_after=0)
    sb.faults.update(
        http_faults=[
            {"kind": "gateway", "path": "/4/customers", "times": 2, "status": 504},
            {"kind": "retry_after", "path": "/4/accounts", "every": 2, "times": 1, "seconds": 7, "http_date": True},
            {"kind": "html_200", "path": "/4/workload-schemes", "times": 1},
            {"kind": "truncate", "path": "/4/worklogs", "times": 2},
        ]
    )
    s = session()
    customers = [call(sb, "GET", "/customers", s=s) for _ in range(3)]
    assert [r.status_code for r in customers] == [504, 504, 200] and _is_html(customers[0])
    assert customers[0].headers["Retry-After"] == "0"
    accounts = [call(sb, "GET", "/accounts", s=s) for _ in range(4)]
    assert [r.status_code for r in accounts] == [200, 429, 200, 200]
    wait = email.utils.parsedate_to_datetime(accounts[1].headers["Retry-After"]).timestamp() - time.time()
    assert 5 <= wait <= 7
    schemes = [call(sb, "GET", "/workload-schemes", s=s) for _ in range(2)]
    assert schemes[0].status_code == 200 and _is_html(schemes[0]) and schemes[1].json()["results"]
    with pytest.raises(requests.exceptions.ChunkedEncodingError):  # the connection ends before Content-Length
        call(sb, "GET", "/worklogs")
    sb.faults.update(http_faults=[{"kind": "truncate", "path": "/4/worklogs", "honest_length": False}])
    cut = call(sb, "GET", "/worklogs")
    assert cut.status_code == 200 and int(cut.headers["Content-Length"]) == len(cut.content)
    with pytest.raises(ValueError):
        cut.json()
    assert sb.stats()["faults_fired"] == {"gateway": 2, "retry_after": 1, "html_200": 1, "truncate": 2}
    assert ctl(sb, "GET", "faults").json()["http_faults"][0]["kind"] == "truncate"
    assert ctl(sb, "POST", "faults", {"http_faults": [{"kind": "melt"}]}).status_code == 400
    assert ctl(sb, "POST", "faults", {"http_faults": [{"kind": "gateway", "status": 500}]}).status_code == 400


@pytest.mark.parametrize("at", ["headers", "body"])
def test_a_stall_outlasts_the_client_and_a_reset_breaks_the_body(sandbox_factory, at) -> None:
    sb = sandbox_factory(worklogs=50)
    sb.faults.update(http_faults=[{"kind": "stall", "path": "/4/customers", "times": 1, "seconds": 30, "at": at}])
    started = time.monotonic()
    with pytest.raises((requests.exceptions.ReadTimeout, requests.exceptions.ConnectionError)):
        session().get(sb.base_url + "/customers", timeout=(5, 0.5))
    assert time.monotonic() - started < 5
    assert call(sb, "GET", "/customers").status_code == 200  # fired once
    sb.faults.update(http_faults=[{"kind": "reset", "path": "/4/customers"}])
    with pytest.raises(requests.exceptions.ChunkedEncodingError, match="reset"):
        call(sb, "GET", "/customers")


def test_duplicate_page_starts_repeat_the_previous_last_record_and_skip_none(sandbox: TempoSandbox) -> None:
    sandbox.faults.update(duplicate_page_start_paths=["/4/customers"])
    records, metas = walk(sandbox, "GET", "/customers", limit=15)
    ids = [c["id"] for c in records]
    expected = [c["id"] for c in sandbox.customers()]
    assert sorted(set(ids)) == sorted(expected) and len(ids) == len(expected) + len(metas) - 1
    assert [m["offset"] for m in metas] == [15 * n for n in range(len(metas))]
    assert ids[15] == ids[14] and ids[30] == ids[29]  # each page starts with the previous page's last record


def test_gzip_paths_are_compressed_when_the_client_accepts_gzip(sandbox: TempoSandbox) -> None:
    sandbox.faults.update(gzip_paths=["/4/customers"])
    zipped = call(sandbox, "GET", "/customers")
    assert zipped.headers["Content-Encoding"] == "gzip" and zipped.json()["results"]
    plain = session().get(sandbox.base_url + "/customers", headers={"Accept-Encoding": "identity"}, timeout=30)
    assert "Content-Encoding" not in plain.headers and plain.json() == zipped.json()


def test_malformed_json_html_500_and_scope_denied(sandbox: TempoSandbox) -> None:
    sandbox.faults.update(
        malformed_json_paths=["/4/customers"],
        html_error_paths=["/4/accounts"],
        scope_denied_paths=["/workload-schemes"],
    )
    r = call(sandbox, "GET", "/customers")
    assert r.status_code == 200
    with pytest.raises(ValueError):
        json.loads(r.text)
    for _ in range(2):
        r = call(sandbox, "GET", "/accounts")
        assert r.status_code == 500 and _is_html(r)
    r = call(sandbox, "GET", "/workload-schemes")
    assert r.status_code == 403 and _is_html(r)
    assert call(sandbox, "POST", "/accounts/search", body={}).status_code == 200
    assert sandbox.stats()["errors_5xx"] == 2


def test_latency_is_parallel_and_counted_in_flight(sandbox_factory) -> None:
    sb = sandbox_factory(latency_seconds=0.4)
    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        codes = list(pool.map(lambda _: call(sb, "GET", "/workload-schemes").status_code, range(6)))
    elapsed = time.perf_counter() - started
    assert codes == [200] * 6
    assert 0.4 <= elapsed < 1.6, "latency must not serialize requests"
    stats = sb.stats()
    assert stats["max_in_flight"] >= 4 and stats["requests"] == 6
    assert stats["by_path"] == {"/4/workload-schemes": 6}


def test_stats_and_reset(sandbox: TempoSandbox) -> None:
    call(sandbox, "GET", "/customers")
    call(sandbox, "POST", "/worklogs/search", body={})
    call(sandbox, "GET", "/customers", token="nope")
    ctl(sandbox, "GET", "stats")  # control calls are not counted
    stats = sandbox.stats()
    assert stats["requests"] == 3
    assert stats["by_path"] == {"/4/customers": 2, "/4/worklogs/search": 1}
    assert stats["by_status"] == {"200": 2, "401": 1}
    assert ctl(sandbox, "GET", "stats").json()["requests"] == 3
    assert ctl(sandbox, "POST", "reset-stats").status_code == 200
    assert sandbox.stats()["requests"] == 0 and sandbox.stats()["max_in_flight"] == 0
    call(sandbox, "GET", "/customers")
    sandbox.reset_stats()
    assert sandbox.stats()["by_path"] == {}


# ---------------------------------------------------------------------------
# edits, creations, deletions, papertrail
# ---------------------------------------------------------------------------
def _updated_walk(sb: TempoSandbox, updated_from: str = "2022-01-01") -> list[dict]:
    recs, _ = walk(sb, "POST", "/worklogs/search", {"updatedFrom": updated_from, "orderBy": UPDATED_ASC}, 5000)
    return recs


def test_python_api_edit_create_delete(sandbox: TempoSandbox) -> None:
    before = sandbox.worklogs()
    newest = max(w["updatedAt"] for w in before)
    target = before[10]
    now = sandbox.clock_now()
    assert now.tzinfo is not None and now.microsecond == 0
    assert seed_mod.fmt_epoch(int(now.timestamp())) > newest
    edited = sandbox.edit_worklog(target["tempoWorklogId"], description="Édité ✅\nzweite Zeile", timeSpentSeconds=60)
    assert edited["updatedAt"] > newest and edited["createdAt"] == target["createdAt"]
    assert edited["description"] == "Édité ✅\nzweite Zeile" and edited["timeSpentSeconds"] == 60
    assert _updated_walk(sandbox)[-1] == edited
    assert _updated_walk(sandbox, edited["updatedAt"]) == [edited]

    created = sandbox.create_worklog(
        issueId=12345, timeSpentSeconds=1800, startDate="2025-06-01", attributes=[{"key": "_Billable_", "value": True}]
    )
    assert created["tempoWorklogId"] > max(w["tempoWorklogId"] for w in before)
    assert created["updatedAt"] > edited["updatedAt"] and created["attributes"]["values"][0]["value"] == "true"
    assert created["issue"] == {"self": "https://sandbox-site.atlassian.net/rest/api/2/issue/12345", "id": 12345}
    assert_valid(
        {"self": "x", "metadata": {"count": 1, "offset": 0, "limit": 1}, "results": [created]}, "/4/worklogs", "GET"
    )
    assert [w["tempoWorklogId"] for w in _updated_walk(sandbox, edited["updatedAt"])] == [
        edited["tempoWorklogId"],
        created["tempoWorklogId"],
    ]

    event = sandbox.delete_worklog(target["tempoWorklogId"])
    assert event["action"] == "Deleted" and event["entityId"] == str(target["tempoWorklogId"])
    ids = {w["tempoWorklogId"] for w in sandbox.worklogs()}
    assert target["tempoWorklogId"] not in ids and created["tempoWorklogId"] in ids
    assert len(_updated_walk(sandbox)) == len(before)
    with pytest.raises(KeyError):
        sandbox.delete_worklog(target["tempoWorklogId"])
    with pytest.raises(KeyError):
        sandbox.edit_worklog(999_999_999, description="x")
    with pytest.raises(ValueError):
        sandbox.edit_worklog(created["tempoWorklogId"], colour="red")

    r = call(
        sandbox,
        "POST",
        "/papertrail/search",
        {"limit": 1000},
        {"from": event["timestamp"], "entityType": ["worklog"], "action": ["Deleted"]},
    )
    assert [e["entityId"] for e in r.json()["results"]] == [str(target["tempoWorklogId"])]


def test_edit_with_explicit_updated_at_and_start_change(sandbox: TempoSandbox) -> None:
    w = next(x for x in sandbox.worklogs() if x.get("startDateTimeUtc"))
    e = sandbox.edit_worklog(w["tempoWorklogId"], updatedAt="2023-05-05T05:05:05.000Z", startTime="08:00:00")
    assert e["updatedAt"] == "2023-05-05T05:05:05Z"
    old_off = seed_mod.parse_ts(f"{w['startDate']}T{w['startTime']}Z") - seed_mod.parse_ts(w["startDateTimeUtc"])
    new_off = seed_mod.parse_ts(f"{e['startDate']}T08:00:00Z") - seed_mod.parse_ts(e["startDateTimeUtc"])
    assert old_off == new_off
    got = _updated_walk(sandbox, "2023-05-05T05:05:05Z")
    assert e in got
    e2 = sandbox.edit_worklog(w["tempoWorklogId"], startDateTimeUtc=None)
    assert "startDateTimeUtc" not in e2


def test_control_http_interface(sandbox: TempoSandbox) -> None:
    r = ctl(sandbox, "POST", "faults", {"max_limit": 10, "ignore_paging_paths": ["/4/customers"]})
    assert r.status_code == 200 and r.json()["max_limit"] == 10
    assert sandbox.faults.max_limit == 10 and sandbox.faults.ignore_paging_paths == {"/4/customers"}
    assert ctl(sandbox, "GET", "faults").json()["ignore_paging_paths"] == ["/4/customers"]
    assert ctl(sandbox, "POST", "faults", {"no_such_fault": 1}).status_code == 400
    assert ctl(sandbox, "POST", "faults", {"max_limit": 0}).status_code == 400
    ctl(sandbox, "POST", "faults", {"max_limit": 5000, "ignore_paging_paths": []})

    r = ctl(sandbox, "POST", "worklogs", {"issueId": 10001, "description": "via HTTP", "startDate": "2025-02-03"})
    assert r.status_code == 201
    created = r.json()
    wid = created["tempoWorklogId"]
    assert ctl(sandbox, "GET", f"worklogs/{wid}").json() == created
    r = ctl(sandbox, "PUT", f"worklogs/{wid}", {"description": "edited via HTTP"})
    assert r.status_code == 200 and r.json()["updatedAt"] > created["updatedAt"]
    assert _updated_walk(sandbox)[-1]["description"] == "edited via HTTP"
    assert ctl(sandbox, "PUT", f"worklogs/{wid}", {"bogus": 1}).status_code == 400
    r = ctl(sandbox, "DELETE", f"worklogs/{wid}")
    assert r.status_code == 200 and r.json()["action"] == "Deleted"
    assert ctl(sandbox, "DELETE", f"worklogs/{wid}").status_code == 404
    assert ctl(sandbox, "PUT", f"worklogs/{wid}", {}).status_code == 404
    assert ctl(sandbox, "GET", "nothing").status_code == 404
    assert wid not in {w["tempoWorklogId"] for w in sandbox.worklogs()}
    r = call(
        sandbox,
        "POST",
        "/papertrail/search",
        None,
        {"from": r.json()["timestamp"], "entityType": ["worklog"], "action": ["Deleted"]},
    )
    assert [e["entityId"] for e in r.json()["results"]] == [str(wid)]
    assert ctl(sandbox, "GET", "clock").json()["now"] >= created["updatedAt"]  # the edit was deleted


def test_papertrail_token_paging_and_filters(sandbox: TempoSandbox) -> None:
    for w in sandbox.worklogs()[:5]:
        sandbox.delete_worklog(w["tempoWorklogId"])
    body = {"from": "2021-01-01T00:00:00Z", "entityType": ["worklog"], "action": ["Deleted"]}
    expected = [e for e in sandbox.audit_events() if e["entityType"] == "worklog" and e["action"] == "Deleted"]
    assert len(expected) == seed_mod.deleted_count(3000) + 5
    s = session()
    got: list[dict] = []
    token = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 2}
        if token:
            params["nextPageToken"] = token
        page = call(sandbox, "POST", "/papertrail/search", params, body, s=s).json()
        pages += 1
        assert page["metadata"]["limit"] == 2 and len(page["results"]) <= 2
        got.extend(page["results"])
        token = page["metadata"].get("nextPageToken")
        if not token:
            assert "nextPageUrl" not in page["metadata"]
            break
        assert page["metadata"]["nextPageUrl"].startswith(f"{TEMPO}/4/papertrail/search?nextPageToken=")
    assert got == expected and pages >= len(expected) // 2
    stamps = [e["timestamp"] for e in got]
    assert stamps == sorted(stamps)

    everything = call(sandbox, "POST", "/papertrail/search", {"limit": 1000}, {"from": "2021-01-01T00:00:00Z"}).json()
    kinds = {(e["entityType"], e["action"]) for e in everything["results"]}
    assert ("worklog", "Deleted") in kinds and len(kinds) > 1, "unfiltered search must include other events"
    to = got[2]["timestamp"]
    few = call(sandbox, "POST", "/papertrail/search", None, {**body, "to": to}).json()["results"]
    assert few == [e for e in expected if e["timestamp"] <= to]

    assert call(sandbox, "POST", "/papertrail/search", None, {}).status_code == 400
    assert call(sandbox, "POST", "/papertrail/search", None, {"from": "2024-01-01"}).status_code == 400
    assert call(sandbox, "POST", "/papertrail/search", {"limit": 1001}, body).status_code == 400
    assert call(sandbox, "POST", "/papertrail/search", {"nextPageToken": "garbage!"}, body).status_code == 400
    sandbox.faults.update(papertrail_max_age_days=180)
    r = call(sandbox, "POST", "/papertrail/search", None, body)
    assert r.status_code == 400 and "180" in r.json()["errors"][0]["message"]
    recent = seed_mod.fmt_epoch(int(sandbox.clock_now().timestamp()) - 3600)
    r = call(sandbox, "POST", "/papertrail/search", None, {**body, "from": recent})
    assert r.status_code == 200 and len(r.json()["results"]) == 5


# ---------------------------------------------------------------------------
# seeded data
# ---------------------------------------------------------------------------
def test_seed_is_deterministic_and_date_independent() -> None:
    a = seed_mod.serialize(seed_mod.generate(7, 2000))
    b = seed_mod.serialize(seed_mod.generate(7, 2000))
    assert a == b
    c = seed_mod.serialize(seed_mod.generate(8, 2000))
    assert c.worklogs != a.worklogs
    with TempoSandbox(worklogs=2000, seed=7) as s1, TempoSandbox(worklogs=2000, seed=7) as s2:
        assert s1.worklogs() == s2.worklogs() and s1.accounts() == s2.accounts()
        p1 = call(s1, "POST", "/worklogs/search", {"limit": 5000}, {"orderBy": UPDATED_ASC}).content
        p2 = call(s2, "POST", "/worklogs/search", {"limit": 5000}, {"orderBy": UPDATED_ASC}).content
        assert p1 == p2


def test_seeded_data_is_realistic(sandbox: TempoSandbox) -> None:
    wls = sandbox.worklogs()
    assert len(wls) == 3000
    ids = [w["tempoWorklogId"] for w in wls]
    assert len(set(ids)) == len(ids)
    assert all("2022-01-01" <= w["startDate"] <= "2025-12-31" for w in wls)
    assert all(w["updatedAt"] < "2026-01-01T00:00:00Z" for w in wls)
    assert all(len(w["updatedAt"]) == 20 and w["updatedAt"].endswith("Z") for w in wls)
    assert all(w["createdAt"] >= w["startDate"] for w in wls)
    missing_utc = sum("startDateTimeUtc" not in w for w in wls)
    assert 0.005 * len(wls) <= missing_utc <= 0.05 * len(wls)
    assert any(w["updatedAt"] < w["createdAt"] for w in wls), "quirk: updatedAt one second before createdAt"
    for w in wls:
        if w["updatedAt"] < w["createdAt"]:
            assert seed_mod.parse_ts(w["createdAt"]) - seed_mod.parse_ts(w["updatedAt"]) == 1
    ties = Counter(w["updatedAt"] for w in wls)
    assert ties.most_common(1)[0] == (BULK_UPDATED_AT, 1500)
    assert all(isinstance(v.get("value"), str) for w in wls for v in w["attributes"]["values"])
    descriptions = {w["description"] for w in wls}
    assert any("\n" in d for d in descriptions)
    assert any(any(ord(ch) > 0xFFFF for ch in d) for d in descriptions), "emoji"
    assert any(any("\u4e00" <= ch <= "\u9fff" for ch in d) for d in descriptions), "CJK"
    assert any(any(ch in "éèüöñ" for ch in d) for d in descriptions), "accents"
    assert any(w["startDateTimeUtc"][:10] != w["startDate"] for w in wls if "startDateTimeUtc" in w)
    assert all(w["startTime"][2] == ":" and len(w["startTime"]) == 8 for w in wls)

    accounts = sandbox.accounts()
    assert 50 <= len(accounts) <= 70
    for opt in ("customer", "category", "contact"):
        assert any(opt in a for a in accounts) and any(opt not in a for a in accounts), opt
    assert all("lead" in a and "monthlyBudget" in a and "global" in a for a in accounts)
    assert 30 <= len(sandbox.customers()) <= 50
    schemes = sandbox.workload_schemes()
    assert 5 <= len(schemes) <= 8 and sum(s["defaultScheme"] for s in schemes) == 1
    assert all([d["day"] for d in s["days"]] == seed_mod.WEEKDAYS for s in schemes)
    assert all(e["timestamp"] < "2026-01-01T00:00:00Z" for e in sandbox.audit_events())


def test_small_seed_bulk_is_30_percent() -> None:
    data = seed_mod.generate(1, 1000)
    ties = Counter(w["updatedAt"] for w in data.worklogs)
    assert ties[BULK_UPDATED_AT] == 300 == bulk_size(1000)


def test_seeding_100k_is_fast() -> None:
    started = time.perf_counter()
    sb = TempoSandbox(worklogs=100_000, seed=3)
    elapsed = time.perf_counter() - started
    print(f"\nseeding 100,000 worklogs took {elapsed:.2f}s")
    assert elapsed < 20
    with sb:
        page = call(
            sb,
            "POST",
            "/worklogs/search",
            {"limit": 5000, "offset": 95_000},
            {"updatedFrom": "2022-01-01", "orderBy": UPDATED_ASC},
        ).json()
        assert page["metadata"]["count"] == 5000 and "next" not in page["metadata"]
        assert Counter(w["updatedAt"] for w in sb.worklogs())[BULK_UPDATED_AT] == 1500


# ---------------------------------------------------------------------------
# lifecycle and CLI
# ---------------------------------------------------------------------------
def test_lifecycle_and_faults_object() -> None:
    faults = SandboxFaults(max_limit=20)
    sb = TempoSandbox(worklogs=50, seed=1, faults=faults)
    with pytest.raises(RuntimeError):
        _ = sb.base_url
    with sb:
        assert sb.base_url.startswith("http://127.0.0.1:") and sb.base_url.endswith("/4")
        assert sb.token == VALID_TOKEN
        assert call(sb, "GET", "/worklogs", {"limit": 100}).json()["metadata"]["limit"] == 20
        s = session()
        assert call(sb, "GET", "/customers", s=s).status_code == 200
        url = sb.base_url
    with pytest.raises(requests.ConnectionError):
        s.get(url + "/customers", timeout=5)
    with pytest.raises(ValueError):
        SandboxFaults().update(ignore_paging_paths="/4/customers")


# Run in a fresh interpreter: imports the package's directory as a bare package (its __init__.py, which loads
# server.py, left out), then one module, and prints every sandbox module that got loaded.
_IMPORT_ALONE = """
import importlib, json, sys, types
package = types.ModuleType("sandbox")
package.__path__ = [sys.argv[1]]
sys.modules["sandbox"] = package
importlib.import_module("sandbox." + sys.argv[2])
print(json.dumps(sorted(name for name in sys.modules if name.startswith("sandbox."))))
"""


@pytest.mark.timeout(120)
@pytest.mark.parametrize("module", ["common", "catalogs", "org", "reporting"])
def test_endpoint_modules_load_without_server(module: str) -> None:
    """server.py assembles TempoSandbox from catalogs.py, org.py and reporting.py; none of them (nor common.py,
    which they share with server.py) imports server.py back, so each loads first in a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, "-c", _IMPORT_ALONE, str(ROOT / "sandbox"), module],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stdout)
    assert f"sandbox.{module}" in loaded and "sandbox.server" not in loaded, loaded


def test_cli_serves_until_sigterm() -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sandbox",
            "--port",
            "0",
            "--worklogs",
            "200",
            "--rate-limit",
            "50",
            "--max-limit",
            "100",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        base_url = token = None
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not (base_url and token):
            line = proc.stdout.readline()
            if not line:
                break
            if line.startswith("base URL:"):
                base_url = line.split(":", 1)[1].strip()
            if line.startswith("token:"):
                token = line.split(":", 1)[1].strip()
        assert base_url and token == VALID_TOKEN, proc.stderr.read() if proc.poll() is not None else "no output"
        r = requests.get(base_url + "/worklogs", params={"limit": 1000}, headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200 and r.json()["metadata"]["limit"] == 100
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()

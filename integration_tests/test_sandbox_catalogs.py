"""Tests of the sandbox's catalogs and settings (sandbox/catalogs.py) through the real HTTP server:
OpenAPI-valid answers, Tempo's quirks (required parameters, `periods` instead of `results`, paging in the body)
and the 403 of a forbidden path prefix."""

from __future__ import annotations

import pytest

from integration_tests.test_sandbox import assert_valid, call
from sandbox import TempoSandbox
from sandbox import catalogs as catalogs_mod

UNPAGED = ["/4/account-categories", "/4/account-category-types", "/4/roles", "/4/programs"]
PAGED = ["/4/work-attributes", "/4/skills"]


@pytest.mark.parametrize("openapi_path", UNPAGED + PAGED + ["/4/periods", "/4/globalconfiguration"])
def test_catalog_endpoints_validate_against_openapi(sandbox: TempoSandbox, openapi_path: str) -> None:
    params = {"from": "2024-01-15", "to": "2024-03-01"} if openapi_path == "/4/periods" else {}
    r = call(sandbox, "GET", openapi_path[2:], params)
    assert r.status_code == 200, r.text
    assert_valid(r.json(), openapi_path, "GET")


def test_generic_resources_page_in_the_body_and_validate(sandbox: TempoSandbox) -> None:
    seen, offset = [], 0
    while True:
        r = call(sandbox, "POST", "/generic-resources/search", body={"offset": offset, "limit": 2})
        assert r.status_code == 200, r.text
        page = r.json()
        assert_valid(page, "/4/generic-resources/search", "POST")
        assert page["metadata"]["offset"] == offset and page["metadata"]["count"] == len(page["results"])
        seen += [resource["id"] for resource in page["results"]]
        if "next" not in page["metadata"]:
            break
        offset += 2
    assert seen == [resource["id"] for resource in sandbox.catalog("generic_resources")] and len(seen) > 2


def test_unpaged_lists_answer_everything_and_paged_ones_page(sandbox: TempoSandbox) -> None:
    for path, name in (("/roles", "roles"), ("/programs", "programs"), ("/account-categories", "categories")):
        assert call(sandbox, "GET", path).json()["results"] == sandbox.catalog(name)
    first = call(sandbox, "GET", "/skills", {"limit": 4}).json()
    assert len(first["results"]) == 4 and "next" in first["metadata"]
    assert call(sandbox, "GET", "/account-categories", {"id": 2}).json()["results"] == [
        sandbox.catalog("categories")[1]
    ]


def test_periods_need_from_and_to_and_come_under_periods(sandbox: TempoSandbox) -> None:
    for params in ({}, {"from": "2024-01-01"}, {"to": "2024-01-01"}, {"from": "2024-02-01", "to": "2024-01-01"}):
        r = call(sandbox, "GET", "/periods", params)
        assert r.status_code == 400 and r.json()["errors"][0]["message"]
    body = call(sandbox, "GET", "/periods", {"from": "2024-01-31", "to": "2024-03-01"}).json()
    assert body == {
        "periods": [
            {"from": "2024-01-01", "to": "2024-01-31"},
            {"from": "2024-02-01", "to": "2024-02-29"},
            {"from": "2024-03-01", "to": "2024-03-31"},
        ]
    }


def test_catalogs_are_consistent_with_the_rest_of_the_seed(sandbox: TempoSandbox) -> None:
    account_categories = {a["category"]["id"] for a in sandbox.accounts() if "category" in a}
    assert account_categories <= {c["id"] for c in sandbox.catalog("categories")}
    worklog_keys = {v["key"] for w in sandbox.worklogs() for v in w["attributes"]["values"]}
    assert worklog_keys <= {a["key"] for a in sandbox.catalog("work_attributes")}
    program_teams = {t["id"] for p in sandbox.catalog("programs") for t in p["teams"]["values"]}
    assert program_teams == {t["id"] for t in sandbox.teams() if "program" in t}
    assert sandbox.catalog("global_configuration")["approvalPeriod"] == "MONTH"
    assert catalogs_mod.generate_catalogs(42, ["u1", "u2"], []) == catalogs_mod.generate_catalogs(42, ["u1", "u2"], [])


def test_a_forbidden_prefix_answers_403_below_it_only(sandbox_factory) -> None:
    sandbox = sandbox_factory(scope_denied_prefixes={"/account-categor"})
    assert call(sandbox, "GET", "/account-categories").status_code == 403
    assert call(sandbox, "GET", "/account-category-types").status_code == 403
    assert call(sandbox, "GET", "/roles").status_code == 200

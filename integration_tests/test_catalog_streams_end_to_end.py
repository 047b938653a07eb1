"""Whole syncs of the catalog streams (account-categories ... global-configuration) through the real `source-tempo`
entrypoint against the local Tempo sandbox, and what a 403 does to a sync and to `check`.

Each test compares what the connector delivered with what the sandbox holds, by primary key.
"""

from __future__ import annotations

import datetime as dt

import pytest

from integration_tests.connector_cli import Connector, configured_catalog, sandbox_connector
from integration_tests.test_more_streams_end_to_end import assert_exactly, keys
from sandbox import TOKEN_NO_WORKLOGS, TempoSandbox

pytestmark = pytest.mark.slow
CATALOG_STREAMS = [
    "account-categories",
    "account-category-types",
    "work-attributes",
    "roles",
    "programs",
    "generic-resources",
    "skills",
    "periods",
    "global-configuration",
]
START_DATE = "2023-03-15"


def connector(tmp_path, sandbox: TempoSandbox, **config) -> Connector:
    return sandbox_connector(tmp_path, sandbox, **{"start_date": START_DATE, **config})


def test_every_catalog_stream_delivers_exactly_the_sandbox_records(tmp_path, sandbox):
    # pages of 2: work-attributes, skills and generic-resources (paged in the body) take several pages
    result = connector(tmp_path, sandbox, page_size=2).read(configured_catalog(CATALOG_STREAMS))

    assert result.returncode == 0 and not result.errors(), (result.errors(), result.stderr[-2000:])
    for stream, catalog, key in (
        ("account-categories", "categories", "id"),
        ("account-category-types", "category_types", "name"),
        ("work-attributes", "work_attributes", "key"),
        ("roles", "roles", "id"),
        ("programs", "programs", "id"),
        ("generic-resources", "generic_resources", "id"),
        ("skills", "skills", "id"),
    ):
        assert_exactly(keys(result.records(stream), key), [(record[key],) for record in sandbox.catalog(catalog)])
    assert result.records("generic-resources") == sandbox.catalog("generic_resources")  # whole records, in order
    next_year = dt.datetime.now(dt.timezone.utc).date()
    next_year = next_year.replace(year=next_year.year + 1, day=min(next_year.day, 28))
    expected_periods = sandbox.periods(START_DATE, next_year.isoformat())
    assert_exactly(keys(result.records("periods"), "from", "to"), [(p["from"], p["to"]) for p in expected_periods])
    assert result.records("periods")[0] == {"from": "2023-03-01", "to": "2023-03-31"}
    assert result.records("global-configuration") == [sandbox.catalog("global_configuration")]
    by_path = sandbox.stats()["by_path"]
    assert by_path["/4/generic-resources/search"] == -(-len(sandbox.catalog("generic_resources")) // 2)
    assert by_path["/4/roles"] == 1 and by_path["/4/periods"] == 1


def test_a_forbidden_stream_is_named_and_the_others_are_read_and_checkpointed(tmp_path, sandbox_factory):
    sandbox = sandbox_factory(scope_denied_prefixes={"/skills"})
    streams = ["roles", "skills", "periods"]
    result = connector(tmp_path, sandbox).read(configured_catalog(streams))

    assert result.returncode != 0  # the sync ends failed: the forbidden stream must not look empty
    assert_exactly(keys(result.records("roles"), "id"), [(r["id"],) for r in sandbox.catalog("roles")])
    assert result.records("periods") and result.records("skills") == []
    assert result.states("roles") and result.states("periods")
    errors = result.errors()
    assert any(e.startswith("Stream skills: the Tempo token lacks the permission or scope") for e in errors)
    final = errors[-1]
    assert final.startswith("The sync did not read 1 stream(s): skills.") and "(HTTP 403)" in final
    assert "Read completely: periods, roles." in final
    assert sandbox.token not in result.stdout


def test_check_logs_the_streams_the_token_cannot_read_and_succeeds(tmp_path, sandbox_factory):
    sandbox = sandbox_factory(scope_denied_prefixes={"/skills", "/generic-resources"})
    result = connector(tmp_path, sandbox).check()

    status = result.of_type("CONNECTION_STATUS")[0]["connectionStatus"]
    assert status["status"] == "SUCCEEDED"
    assert "generic-resources, skills" in status["message"] or "skills, generic-resources" in status["message"]
    warnings = result.logs("WARN")
    assert sorted(w.split(":")[0] for w in warnings if "(HTTP 403)" in w) == [
        "Stream generic-resources",
        "Stream skills",
    ]
    by_path = sandbox.stats()["by_path"]
    assert by_path["/4/worklogs/search"] == 1 and by_path["/4/skills"] == 1  # one request per endpoint
    assert max(by_path.values()) == 1


def test_check_fails_when_the_token_cannot_read_worklogs(tmp_path, sandbox):
    result = connector(tmp_path, sandbox, api_token=TOKEN_NO_WORKLOGS).check()

    status = result.of_type("CONNECTION_STATUS")[0]["connectionStatus"]
    assert status["status"] == "FAILED"
    assert "Stream worklogs" in status["message"] and "permission or scope" in status["message"]
    assert "/4/skills" not in sandbox.stats()["by_path"]  # nothing else is probed after the core stream failed


def test_check_fails_when_tombstones_need_an_audit_log_the_token_cannot_read(tmp_path, sandbox_factory):
    sandbox = sandbox_factory(scope_denied_prefixes={"/papertrail"})

    with_tombstones = connector(tmp_path, sandbox).check().of_type("CONNECTION_STATUS")[0]["connectionStatus"]
    without = connector(tmp_path, sandbox, worklog_tombstones=False).check().of_type("CONNECTION_STATUS")[0]

    assert with_tombstones["status"] == "FAILED"
    assert "set `worklog_tombstones` to false" in with_tombstones["message"]
    assert without["connectionStatus"]["status"] == "SUCCEEDED"
    assert "worklog-deletions" in without["connectionStatus"]["message"]

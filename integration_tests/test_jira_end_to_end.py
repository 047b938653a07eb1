"""Jira enrichment end to end: the real `source-tempo` command against the Tempo sandbox and its Jira Cloud sandbox
(sandbox/jira.py), whose issues and people are the ones the Tempo worklogs and organisation reference.

Each test compares what the connector delivered with what the Jira sandbox holds."""

from __future__ import annotations

from typing import Any, Iterator

import pytest

from integration_tests.connector_cli import configured_catalog, sandbox_connector
from sandbox import TempoSandbox
from sandbox.jira import TOKEN_NO_USER_BROWSE, JiraSandbox

pytestmark = pytest.mark.slow
TEMPO_STREAMS = ["worklogs", "accounts", "teams", "team-memberships"]
JIRA = ["jira-issues", "jira-users"]
INCREMENTAL = ["worklogs", "jira-issues"]


@pytest.fixture
def jira(sandbox: TempoSandbox) -> Iterator[JiraSandbox]:
    site = JiraSandbox.for_tempo(sandbox)
    site.start()
    try:
        yield site
    finally:
        site.stop()


def _catalog(streams: list[str]) -> dict:
    catalog = configured_catalog(streams, incremental=INCREMENTAL)
    for configured in catalog["streams"]:  # jira-issues: incremental on Jira's `updated` (connector_cli knows Tempo's)
        if configured["stream"]["name"] == "jira-issues":
            configured["stream"].update(
                supported_sync_modes=["full_refresh", "incremental"],
                source_defined_cursor=True,
                default_cursor_field=["updated"],
            )
            configured.update(sync_mode="incremental", cursor_field=["updated"])
    return catalog


def _read(conn, streams: list[str], state: list | None = None):
    result = conn.read(_catalog(streams), state=state)
    assert result.returncode == 0 and not result.errors(), (result.errors(), result.stderr[-2000:])
    return result


def _account_ids(node: Any, found: set[str]) -> set[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("accountId", "userAccountId") and isinstance(value, str):
                found.add(value)
            else:
                _account_ids(value, found)
    elif isinstance(node, list):
        for value in node:
            _account_ids(value, found)
    return found


@pytest.mark.timeout(300)
def test_a_sync_delivers_exactly_the_referenced_issues_and_people_and_enriched_worklogs(sandbox, jira, tmp_path):
    conn = sandbox_connector(tmp_path, sandbox, jira=jira.config())

    result = _read(conn, TEMPO_STREAMS + JIRA)

    worklogs = result.records("worklogs")
    assert len(worklogs) == len(sandbox.worklogs())
    referenced = {str(w["issue"]["id"]) for w in worklogs}
    issues = {r["id"]: r for r in result.records("jira-issues")}
    assert sorted(issues, key=int) == sorted(referenced - {str(jira.deleted_issue_id)}, key=int)
    for issue_id, record in issues.items():
        served = jira.issues[issue_id]
        assert (record["key"], record["summary"]) == (served["key"], served["fields"]["summary"])
        assert record["project"]["key"] == served["fields"]["project"]["key"]
    for moved in jira.moved_issue_ids:  # moved before the sync: delivered under their new keys
        assert issues[str(moved)]["key"] == jira.key_of(moved)
    with_parent = [r for r in issues.values() if r.get("parent")]
    assert with_parent and all(issues[r["parent"]["id"]]["issuetype"]["name"] == "Epic" for r in with_parent)
    warnings = result.logs("WARN")
    assert any("Jira did not return 1 issue(s)" in w and str(jira.deleted_issue_id) in w for w in warnings)

    named = set()
    for stream in TEMPO_STREAMS:
        _account_ids(result.records(stream), named)
    people = {r["accountId"]: r for r in result.records("jira-users")}
    assert set(people) == named & set(jira.people)
    for account_id, record in people.items():
        assert record["displayName"] == jira.people[account_id]["displayName"]
    assert jira.private_account_id in people and people[jira.private_account_id].get("emailAddress") is None
    assert people[jira.inactive_account_id]["active"] is False

    for record in worklogs:
        issue_id, author = str(record["issue"]["id"]), record["author"]
        served = jira.issues.get(issue_id)
        if served is None:  # the deleted issue: delivered without enrichment
            assert record["issue"].get("key") is None and record["issue"].get("projectKey") is None
            continue
        parent = jira.issues.get(served["fields"]["parent"] or "")
        assert record["issue"]["key"] == served["key"]
        assert record["issue"]["summary"] == served["fields"]["summary"]
        assert record["issue"]["projectKey"] == served["fields"]["project"]["key"]
        assert record["issue"].get("parentKey") == (parent["key"] if parent else None)
        assert author["displayName"] == jira.people[author["accountId"]]["displayName"]

    requests = jira.stats()["requests"]
    # each issue asked once: ceil(ids / 100) per worklogs window at most, and jira-issues found them in the cache
    assert len(jira.stats()["ids"]) == len(set(jira.stats()["ids"])) == len(referenced)
    assert requests["/rest/api/3/issue/bulkfetch"] <= len(referenced) // 100 + 10
    assert jira.token not in result.output_outside_control() and jira.token not in result.stderr


@pytest.mark.timeout(300)
def test_the_next_sync_delivers_the_new_key_of_an_issue_moved_since(sandbox, jira, tmp_path):
    conn = sandbox_connector(tmp_path, sandbox, jira=jira.config(enrich_worklogs=False))
    first = _read(conn, ["worklogs", "jira-issues"])
    issue_id = next(r["id"] for r in first.records("jira-issues") if int(r["id"]) not in jira.moved_issue_ids)
    old_key = jira.key_of(issue_id)
    new_key = jira.move_issue(issue_id, "MNT" if not old_key.startswith("MNT") else "OPS")
    jira.reset_stats()

    second = _read(conn, ["worklogs", "jira-issues"], state=first.final_state())

    delivered = {r["id"]: r["key"] for r in second.records("jira-issues")}
    assert delivered.pop(issue_id) == new_key
    # the others: the issues of the worklogs this incremental sync delivered (the cursor's second is read again)
    assert set(delivered) == {str(w["issue"]["id"]) for w in second.records("worklogs")} - {issue_id}
    # what changed costs the requests: one search for updated issues, one bulkfetch for them and the new ids
    assert jira.stats()["requests"] == {"/rest/api/3/search/jql": 1, "/rest/api/3/issue/bulkfetch": 1}


@pytest.mark.timeout(300)
def test_jira_429s_are_waited_out_and_the_records_are_exact(sandbox, jira, tmp_path):
    jira.faults.rate_limit_429, jira.faults.retry_after = 3, 1
    conn = sandbox_connector(tmp_path, sandbox, jira=jira.config())

    result = _read(conn, ["worklogs", "jira-issues"])

    assert jira.faults.rate_limit_429 == 0
    referenced = {str(w["issue"]["id"]) for w in result.records("worklogs")}
    assert {r["id"] for r in result.records("jira-issues")} == referenced - {str(jira.deleted_issue_id)}
    assert all(w["issue"].get("key") for w in result.records("worklogs") if str(w["issue"]["id"]) in jira.issues)


@pytest.mark.timeout(300)
def test_jira_down_fails_the_jira_streams_clearly_and_tempo_streams_are_read(sandbox, jira, tmp_path):
    jira.faults.down = True
    conn = sandbox_connector(tmp_path, sandbox, jira=jira.config(enrich_worklogs=False))

    result = conn.read(_catalog(["worklogs", "accounts", "jira-issues"]))

    assert result.returncode != 0
    assert len(result.records("worklogs")) == len(sandbox.worklogs())
    assert len(result.records("accounts")) == len(sandbox.accounts())
    last = result.errors()[-1]
    assert last.startswith("The sync did not read 1 stream(s): jira-issues.")
    assert "Jira answered with a server error at" in last and "Read completely: accounts, worklogs." in last


@pytest.mark.timeout(300)
def test_check_names_jira_when_jira_refuses_and_users_need_their_permission(sandbox, jira, tmp_path):
    bad = sandbox_connector(tmp_path, sandbox, jira=jira.config(api_token="wrong-jira-token"))
    status = [m["connectionStatus"] for m in bad.check().of_type("CONNECTION_STATUS")][-1]
    assert status["status"] == "FAILED"
    assert status["message"].startswith("Tempo accepted the connection, but Jira refused the `jira` credentials")
    assert "wrong-jira-token" not in str(status)

    no_browse = sandbox_connector(tmp_path, sandbox, jira=jira.config(api_token=TOKEN_NO_USER_BROWSE))
    result = no_browse.read(_catalog(["teams", "jira-users"]))
    assert result.returncode != 0 and len(result.records("teams")) == len(sandbox.teams())
    assert any("HTTP 403" in e and "Browse users and groups" in e for e in result.errors())

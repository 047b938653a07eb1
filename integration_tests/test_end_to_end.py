"""Whole syncs through the real `source-tempo` entrypoint against the local Tempo sandbox.

Each test compares what the connector delivered with what the sandbox holds, by id.

Tests taking `auth` run with both kinds of credentials where the kind can change the outcome: check and discover
(each config shape, each way of signing in), a sync through 429/5xx retries and a failed stream (their log and
error lines must not show a secret, and OAuth's access tokens exist only at run time), and a killed sync resumed
from its config file (OAuth rotated the refresh token in it). The others, marked `@AUTH_INDEPENDENT`, check
cursor, paging and state logic that no authenticator touches (one authenticator signs every request of every
stream), so they run with the API token only; test_oauth.py and test_secrets.py take OAuth through whole syncs.
"""

from __future__ import annotations

import random
from collections import Counter

import pytest

from integration_tests.connector_cli import Connector, assert_no_secrets, configured_catalog, run
from sandbox import TOKEN_NO_WORKLOGS, TOKEN_OTHER_REGION

pytestmark = pytest.mark.slow
AUTH_INDEPENDENT = pytest.mark.auth_kinds("api_token")  # see the module docstring
ALL_STREAMS = ["accounts", "customers", "workload-schemes", "worklogs"]


def worklog_ids(records: list[dict]) -> list[int]:
    return [record["tempoWorklogId"] for record in records]


def assert_exactly(delivered: list, expected: list) -> None:
    duplicated = [key for key, count in Counter(delivered).items() if count > 1]
    assert not duplicated, f"{len(duplicated)} delivered twice, e.g. {duplicated[:5]}"
    assert sorted(delivered) == sorted(expected)


def assert_no_secret(result, secret: str) -> None:
    assert secret not in result.stdout and secret not in result.stderr


def make_connector(tmp_path, sandbox, auth, **config) -> Connector:
    """The connector signed in as `auth` says (the `auth` fixture runs a test with each kind of credentials)."""
    return Connector(tmp_path, {**auth.config(sandbox), "api_url": sandbox.base_url, **config})


def records_before_last_state(result, stream: str) -> list[dict]:
    """What a destination commits from a sync that died: the records up to its last state message."""
    committed, pending = [], []
    for message in result.messages:
        if message["type"] == "RECORD" and message["record"]["stream"] == stream:
            pending.append(message["record"]["data"])
        elif message["type"] == "STATE" and message["state"]["stream"]["stream_descriptor"]["name"] == stream:
            committed += pending
            pending = []
    return committed


def test_spec_check_discover(tmp_path, auth, sandbox):
    connector = make_connector(tmp_path, sandbox, auth)
    spec = run(["spec"]).of_type("SPEC")[0]["spec"]["connectionSpecification"]
    assert spec["required"] == [] and spec["properties"]["api_token"]["airbyte_secret"]
    assert [kind["properties"]["auth_type"]["const"] for kind in spec["properties"]["credentials"]["oneOf"]] == [
        "api_token",
        "oauth2.0",
    ]

    status = connector.check().of_type("CONNECTION_STATUS")[0]["connectionStatus"]
    assert status["status"] == "SUCCEEDED"

    catalog = connector.discover().of_type("CATALOG")[0]["catalog"]
    streams = {stream["name"]: stream for stream in catalog["streams"]}
    assert set(ALL_STREAMS) <= set(streams)
    assert streams["worklogs"]["default_cursor_field"] == ["updatedAt"]
    assert streams["worklogs"]["source_defined_primary_key"] == [["tempoWorklogId"]]
    assert streams["worklogs"]["supported_sync_modes"] == ["full_refresh", "incremental"]


def test_full_sync_delivers_exactly_the_sandbox_records_through_faults_and_rate_limit(tmp_path, auth, sandbox_factory):
    sandbox = sandbox_factory(rate_limit_per_second=5, fail_5xx_every=5, max_limit=700)
    result = make_connector(tmp_path, sandbox, auth, page_size=1000).read(configured_catalog(ALL_STREAMS))

    assert result.returncode == 0, result.errors()
    assert result.errors() == []
    assert_exactly(worklog_ids(result.records("worklogs")), [w["tempoWorklogId"] for w in sandbox.worklogs()])
    assert_exactly([a["id"] for a in result.records("accounts")], [a["id"] for a in sandbox.accounts()])
    assert {a["status"] for a in result.records("accounts")} == {"OPEN", "CLOSED", "ARCHIVED"}
    assert_exactly([c["id"] for c in result.records("customers")], [c["id"] for c in sandbox.customers()])
    assert_exactly([s["id"] for s in result.records("workload-schemes")], [s["id"] for s in sandbox.workload_schemes()])
    stats = sandbox.stats()
    assert stats["errors_5xx"] >= 1  # faults were served and retried, not skipped
    assert_no_secrets(result, auth.secrets(sandbox))


@AUTH_INDEPENDENT
def test_incremental_sync_after_edits_returns_exactly_the_edited_new_and_boundary_worklogs(tmp_path, auth, sandbox):
    connector = make_connector(tmp_path, sandbox, auth)
    catalog = configured_catalog(["worklogs"])
    first = connector.read(catalog)
    state = first.final_state()
    cursor = state[0]["stream"]["stream_state"]["updatedAt"]
    boundary = {w["tempoWorklogId"] for w in sandbox.worklogs() if w["updatedAt"][:19] == cursor[:19]}

    everything = sandbox.worklogs()
    edited = {w["tempoWorklogId"] for w in random.Random(7).sample(everything, 5)}
    for worklog_id in edited:
        sandbox.edit_worklog(worklog_id, description="edited after the first sync")
    created = {sandbox.create_worklog()["tempoWorklogId"] for _ in range(2)}

    second = connector.read(catalog, state=state)

    assert second.returncode == 0, second.errors()
    assert set(worklog_ids(second.records())) == edited | created | boundary
    assert_exactly(worklog_ids(second.records()), list(edited | created | boundary))
    for record in second.records():
        if record["tempoWorklogId"] in edited:
            assert record["description"] == "edited after the first sync"
    assert second.final_state()[0]["stream"]["stream_state"]["updatedAt"] > cursor


def deduplicated(*syncs) -> dict[int, dict]:
    """The worklogs table an Append + Deduped destination holds after these syncs: per tempoWorklogId the record
    with the newest updatedAt (the later one on a tie), and no row where that record is a tombstone."""
    table: dict[int, dict] = {}
    for sync in syncs:
        for record in sync.records("worklogs"):
            kept = table.get(record["tempoWorklogId"])
            if kept is None or record["updatedAt"] >= kept["updatedAt"]:
                table[record["tempoWorklogId"]] = record
    return {key: record for key, record in table.items() if not record.get("_ab_cdc_deleted_at")}


@AUTH_INDEPENDENT
def test_deleted_worklogs_come_as_tombstones_that_empty_their_rows_in_a_deduped_table(tmp_path, auth, sandbox):
    connector = make_connector(tmp_path, sandbox, auth)
    catalog = configured_catalog(["worklogs", "worklog-deletions"], incremental=["worklogs", "worklog-deletions"])
    first = connector.read(catalog)
    everything = sandbox.worklogs()
    edited_then_deleted, *deleted = random.Random(11).sample([w["tempoWorklogId"] for w in everything], 3)
    sandbox.edit_worklog(edited_then_deleted, description="edited, then deleted")
    edited = random.Random(12).choice([w["tempoWorklogId"] for w in everything if w["tempoWorklogId"] not in deleted])
    events = {worklog_id: sandbox.delete_worklog(worklog_id) for worklog_id in [edited_then_deleted, *deleted]}
    sandbox.edit_worklog(edited, description="edited after the deletions")

    second = connector.read(catalog, state=first.final_state())

    assert second.returncode == 0, second.errors()
    tombstones = [r for r in second.records("worklogs") if r.get("_ab_cdc_deleted_at")]
    assert sorted(tombstones, key=lambda r: r["tempoWorklogId"]) == [
        {"tempoWorklogId": worklog_id, "updatedAt": event["timestamp"], "_ab_cdc_deleted_at": event["timestamp"]}
        for worklog_id, event in sorted(events.items())
    ]
    assert sorted(r["tempoWorklogId"] for r in second.records("worklog-deletions")) == sorted(events)
    live = [r for r in second.records("worklogs") if not r.get("_ab_cdc_deleted_at")]
    assert edited in worklog_ids(live) and not set(worklog_ids(live)) & set(events)
    # the worklogs cursor is the newest worklog read, never a deletion time
    assert second.states("worklogs")[-1]["stream"]["stream_state"]["updatedAt"] == max(r["updatedAt"] for r in live)
    table = deduplicated(first, second)
    assert sorted(table) == sorted(w["tempoWorklogId"] for w in sandbox.worklogs())
    assert table[edited]["description"] == "edited after the deletions"

    sandbox.reset_stats()
    without = make_connector(tmp_path, sandbox, auth, worklog_tombstones=False).read(
        configured_catalog(["worklogs"]), state=first.final_state()
    )
    assert without.returncode == 0, without.errors()
    assert not [r for r in without.records("worklogs") if r.get("_ab_cdc_deleted_at")]
    assert "/4/papertrail/search" not in sandbox.stats()["by_path"]


def test_killed_sync_resumes_from_its_last_checkpoint_without_losing_a_worklog(tmp_path, auth, sandbox):
    connector = make_connector(tmp_path, sandbox, auth, page_size=250)
    catalog = configured_catalog(["worklogs"])
    checkpoints = []

    def kill_after_three_checkpoints(message, process):
        if message["type"] == "STATE":
            checkpoints.append(message["state"])
            if len(checkpoints) == 3:
                process.kill()

    killed = connector.read(catalog, on_line=kill_after_three_checkpoints)
    assert killed.returncode != 0
    committed = records_before_last_state(killed, "worklogs")
    assert 0 < len(committed) < len(sandbox.worklogs())

    resumed = connector.read(catalog, state=[checkpoints[-1]])

    assert resumed.returncode == 0, resumed.errors()
    all_ids = {w["tempoWorklogId"] for w in sandbox.worklogs()}
    assert set(worklog_ids(committed)) | set(worklog_ids(resumed.records())) == all_ids
    assert len(resumed.records()) < len(all_ids)  # resumed, not restarted


@AUTH_INDEPENDENT
def test_edits_during_a_sync_are_delivered_by_that_sync_or_the_next(tmp_path, auth, sandbox):
    connector = make_connector(tmp_path, sandbox, auth, page_size=200)
    catalog = configured_catalog(["worklogs"])
    rng = random.Random(11)
    ids = [w["tempoWorklogId"] for w in sandbox.worklogs()]
    bulk_second = Counter(w["updatedAt"] for w in sandbox.worklogs()).most_common(1)[0][0]
    bulk = [w["tempoWorklogId"] for w in sandbox.worklogs() if w["updatedAt"] == bulk_second]
    seen = {"records": 0}

    def edit_while_reading(message, process):
        if message["type"] == "RECORD":
            seen["records"] += 1
            if seen["records"] % 97 == 0:  # several edits per page, some inside the bulk-import second
                target = rng.choice(bulk if seen["records"] % 2 else ids)
                sandbox.edit_worklog(target, description=f"edited during the sync at record {seen['records']}")
            if seen["records"] % 500 == 0:
                sandbox.create_worklog(description="created during the sync")

    during = connector.read(catalog, on_line=edit_while_reading)
    assert during.returncode == 0, during.errors()
    after = connector.read(catalog, state=during.final_state())
    assert after.returncode == 0, after.errors()

    latest: dict[int, dict] = {}
    for record in during.records() + after.records():
        latest[record["tempoWorklogId"]] = record
    expected = {w["tempoWorklogId"]: w for w in sandbox.worklogs()}
    missing = sorted(set(expected) - set(latest))
    assert missing == [], (
        [(i, expected[i]["updatedAt"]) for i in missing],
        during.final_state(),
        [s["stream"]["stream_state"] for s in after.states()],
        len(after.records()),
    )
    stale = [
        i
        for i, w in expected.items()
        if (latest[i]["updatedAt"], latest[i]["description"]) != (w["updatedAt"], w["description"])
    ]
    assert stale == []


def test_wrong_token_or_region_fails_check_with_an_actionable_message(tmp_path, sandbox):
    for token in ("not-a-token", TOKEN_OTHER_REGION):
        result = Connector(tmp_path, {"api_token": token, "api_url": sandbox.base_url}).check()
        status = result.of_type("CONNECTION_STATUS")[0]["connectionStatus"]
        assert status["status"] == "FAILED"
        assert "401" in status["message"] and "region" in status["message"]
        assert "Traceback" not in result.stdout
        assert_no_secret(result, token)


def test_token_without_worklogs_scope_fails_only_that_stream_and_the_sync(tmp_path, sandbox):
    connector = Connector(tmp_path, {"api_token": TOKEN_NO_WORKLOGS, "api_url": sandbox.base_url})
    result = connector.read(configured_catalog(ALL_STREAMS))

    assert result.returncode != 0  # the sync ends failed, not as a clean success with an empty stream
    assert result.records("worklogs") == []
    assert len(result.records("accounts")) == len(sandbox.accounts())
    assert len(result.records("customers")) == len(sandbox.customers())
    assert any("Stream worklogs" in error and "permission or scope" in error for error in result.errors())
    assert_no_secret(result, TOKEN_NO_WORKLOGS)


def test_malformed_json_fails_the_stream_naming_the_url(tmp_path, auth, sandbox_factory):
    # a body that stays broken is retried like a 5xx; Retry-After: 0 keeps those waits at a second
    sandbox = sandbox_factory(malformed_json_paths={"/4/customers"}, fault_retry_after=0)
    result = make_connector(tmp_path, sandbox, auth).read(configured_catalog(["customers", "workload-schemes"]))

    assert result.returncode != 0
    assert any("not valid JSON" in error and "/4/customers" in error for error in result.errors())
    assert len(result.records("workload-schemes")) == len(sandbox.workload_schemes())
    assert_no_secrets(result, auth.secrets(sandbox))


@AUTH_INDEPENDENT
def test_endpoint_ignoring_paging_neither_loops_nor_duplicates(tmp_path, auth, sandbox_factory):
    sandbox = sandbox_factory(ignore_paging_paths={"/4/customers", "/4/accounts/search"})
    result = make_connector(tmp_path, sandbox, auth, page_size=25).read(configured_catalog(["customers", "accounts"]))

    assert result.returncode == 0, result.errors()
    assert_exactly([c["id"] for c in result.records("customers")], [c["id"] for c in sandbox.customers()])
    assert_exactly([a["id"] for a in result.records("accounts")], [a["id"] for a in sandbox.accounts()])
    assert sandbox.stats()["by_path"]["/4/customers"] == 1


@AUTH_INDEPENDENT
def test_clamped_page_size_loses_nothing_and_next_links_are_never_followed(tmp_path, auth, sandbox_factory):
    sandbox = sandbox_factory(max_limit=10)
    result = make_connector(tmp_path, sandbox, auth, page_size=5000).read(configured_catalog(["customers", "accounts"]))

    assert result.returncode == 0, result.errors()
    assert_exactly([c["id"] for c in result.records("customers")], [c["id"] for c in sandbox.customers()])
    assert_exactly([a["id"] for a in result.records("accounts")], [a["id"] for a in sandbox.accounts()])
    # Every page came from the sandbox: `next` names https://api.tempo.io, which this machine cannot reach.
    assert sandbox.stats()["by_path"]["/4/customers"] == -(-len(sandbox.customers()) // 10)


@AUTH_INDEPENDENT
@pytest.mark.parametrize("upstream_state", [{"startDate": "2025-06-01"}])
def test_upstream_connector_state_is_migrated_not_crashed_on(tmp_path, auth, sandbox, upstream_state):
    connector = make_connector(tmp_path, sandbox, auth)
    state = [{"type": "STREAM", "stream": {"stream_descriptor": {"name": "worklogs"}, "stream_state": upstream_state}}]
    result = connector.read(configured_catalog(["worklogs"]), state=state)

    assert result.returncode == 0, result.errors()
    expected = [w["tempoWorklogId"] for w in sandbox.worklogs() if w["updatedAt"] >= "2025-06-01"]
    assert_exactly(worklog_ids(result.records()), expected)
    assert any("full refresh" in line for line in result.logs())

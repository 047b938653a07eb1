"""demo/warehouse.py: records land in typed columns (and as raw JSON), deduplicated on the primary key, a tombstone
deletes its row, and each of the report's named queries answers from a few records."""

from __future__ import annotations

import datetime as dt

import pytest

from demo.warehouse import QUERIES, TYPED_COLUMNS, Warehouse

PERSON_A, PERSON_B = "712020:aaaa", "5b10:bbbb"


def _message(data: dict, emitted_at: int = 1) -> dict:
    return {"data": data, "emitted_at": emitted_at}


def _worklog(worklog_id: int, author: str, day: str, seconds: int, account: str | None = None, **fields) -> dict:
    values = [{"key": "_Billable_", "value": "true"}] + ([{"key": "_Account_", "value": account}] if account else [])
    return {
        "tempoWorklogId": worklog_id,
        "issue": {"id": 10000 + worklog_id},
        "author": {"accountId": author},
        "startDate": day,
        "startTime": "09:30:00",
        "timeSpentSeconds": seconds,
        "billableSeconds": seconds // 2,
        "description": f"worklog {worklog_id}",
        "createdAt": "2026-03-01T08:00:00Z",
        "updatedAt": "2026-03-02T08:00:00Z",
        "attributes": {"values": values},
        **fields,
    }


@pytest.fixture
def warehouse(tmp_path) -> Warehouse:
    warehouse = Warehouse(tmp_path / "test.duckdb")
    worklogs = [
        _worklog(1, PERSON_A, "2026-03-03", 7200, "ACME_DEV"),
        _worklog(2, PERSON_A, "2026-03-04", 3600, "ACME_DEV"),
        _worklog(3, PERSON_B, "2026-03-04", 1800),
        _worklog(4, PERSON_B, "2026-02-27", 5400, "ACME_DEV"),
        _worklog(5, PERSON_B, "2026-02-26", 900, "ACME_DEV"),
    ]
    warehouse.upsert("worklogs", ["tempoWorklogId"], [_message(w) for w in worklogs])
    warehouse.upsert(
        "accounts",
        ["id"],
        [_message({"id": 7, "key": "ACME_DEV", "name": "Acme: Dev", "global": False, "customer": {"name": "Acme"}})],
    )
    warehouse.upsert("teams", ["id"], [_message({"id": 3, "name": "Platform"}), _message({"id": 8, "name": "Web"})])
    memberships = [  # A in both teams; B in Web only from March
        {"id": 1, "team": {"id": 3}, "member": {"accountId": PERSON_A}, "from": "2026-01-01", "inclusiveTo": None},
        {"id": 2, "team": {"id": 8}, "member": {"accountId": PERSON_A}, "from": "2026-01-01"},
        {
            "id": 3,
            "team": {"id": 8},
            "member": {"accountId": PERSON_B},
            "from": "2026-03-01",
            "to": "2026-04-01",
            "inclusiveTo": "2026-03-31",
        },
    ]
    warehouse.upsert("team-memberships", ["id"], [_message(m) for m in memberships])
    return warehouse


def _rows(warehouse: Warehouse, name: str) -> list[tuple]:
    [query] = [query for query in QUERIES if query.name.startswith(name)]
    return warehouse.run(query)[1]


def test_the_main_streams_land_in_typed_columns_and_as_raw_json(warehouse: Warehouse) -> None:
    row = warehouse.connection.execute(
        "SELECT tempo_worklog_id, issue_id, author_account_id, start_date, start_time, time_spent_seconds, "
        "billable_seconds, account_key, updated_at, data->>'$.description' FROM worklogs WHERE tempo_worklog_id = 1"
    ).fetchone()
    assert row == (
        1,
        10001,
        PERSON_A,
        dt.date(2026, 3, 3),
        dt.time(9, 30),
        7200,
        3600,
        "ACME_DEV",
        dt.datetime(2026, 3, 2, 8, tzinfo=dt.timezone.utc),
        "worklog 1",
    )
    assert warehouse.connection.execute("SELECT account_key FROM worklogs WHERE tempo_worklog_id = 3").fetchone() == (
        None,
    )
    assert warehouse.connection.execute("SELECT key, is_global, customer_name FROM accounts").fetchall() == [
        ("ACME_DEV", False, "Acme")
    ]
    assert warehouse.connection.execute(
        "SELECT id, team_id, member_account_id, from_date, to_date FROM team_memberships ORDER BY id"
    ).fetchall() == [
        (1, 3, PERSON_A, dt.date(2026, 1, 1), None),
        (2, 8, PERSON_A, dt.date(2026, 1, 1), None),
        (3, 8, PERSON_B, dt.date(2026, 3, 1), dt.date(2026, 3, 31)),
    ]
    for stream in TYPED_COLUMNS:  # every typed table can be created
        assert warehouse.count(stream) >= 0


def test_a_newer_record_replaces_its_row_and_a_tombstone_deletes_it(warehouse: Warehouse) -> None:
    edited = _worklog(1, PERSON_A, "2026-03-03", 600, "ACME_DEV", description="edited")
    tombstone = {"tempoWorklogId": 2, "updatedAt": "2026-03-05T00:00:00Z", "_ab_cdc_deleted_at": "2026-03-05T00:00:00Z"}
    warehouse.upsert("worklogs", ["tempoWorklogId"], [_message(edited, 2), _message(tombstone, 2)])

    rows = warehouse.connection.execute(
        "SELECT tempo_worklog_id, time_spent_seconds, description FROM worklogs ORDER BY 1"
    ).fetchall()
    assert rows == [(1, 600, "edited"), (3, 1800, "worklog 3"), (4, 5400, "worklog 4"), (5, 900, "worklog 5")]


def test_hours_per_account_and_month(warehouse: Warehouse) -> None:
    assert _rows(warehouse, "Hours per account and month") == [
        ("2026-03", "ACME_DEV", "Acme", 3.0, 2),
        ("2026-03", "(no account)", None, 0.5, 1),
        ("2026-02", "ACME_DEV", "Acme", 1.8, 2),
    ]


def test_hours_per_person(warehouse: Warehouse) -> None:
    assert _rows(warehouse, "Hours per person") == [
        (PERSON_A, 3.0, 1.5, 2, dt.date(2026, 3, 4)),
        (PERSON_B, 2.3, 1.1, 3, dt.date(2026, 3, 4)),
    ]


def test_hours_per_team_and_month_count_a_worklog_for_each_team_of_its_author_that_day(warehouse: Warehouse) -> None:
    # A's 3 h count for Platform and Web; B's March half hour for Web only; B's February worklogs for no team
    assert _rows(warehouse, "Hours per team and month") == [("2026-03", "Web", 3.5, 2), ("2026-03", "Platform", 3.0, 1)]


def test_every_query_fits_an_80_column_terminal_and_runs_on_an_empty_warehouse(tmp_path) -> None:
    warehouse = Warehouse(tmp_path / "empty.duckdb")
    for query in QUERIES:
        assert max(len("    " + line) for line in query.sql.splitlines()) <= 80, query.name  # as the demo prints it
        columns, rows = warehouse.run(query)
        assert columns and rows == []


def _enriched(worklog: dict, key: str | None, project: str | None, name: str | None) -> dict:
    """A worklog as the `jira` enrichment delivers it (null where Jira does not know the issue or the person)."""
    issue = {**worklog["issue"], "key": key, "summary": None, "projectKey": project, "parentKey": None}
    return {**worklog, "issue": issue, "author": {**worklog["author"], "displayName": name}}


def test_with_jira_enrichment_hours_per_project_and_per_named_person(warehouse: Warehouse) -> None:
    enriched = [
        _enriched(_worklog(1, PERSON_A, "2026-03-03", 7200, "ACME_DEV"), "OPS-1", "OPS", "Ada Lovelace"),
        _enriched(_worklog(2, PERSON_A, "2026-03-04", 3600, "ACME_DEV"), "WEB-7", "WEB", "Ada Lovelace"),
        _enriched(_worklog(3, PERSON_B, "2026-03-04", 1800), None, None, None),  # an issue Jira did not return
    ]
    warehouse.upsert("worklogs", ["tempoWorklogId"], [_message(w, 2) for w in enriched])

    assert warehouse.connection.execute(
        "SELECT issue_key, project_key, author_name FROM worklogs WHERE tempo_worklog_id = 2"
    ).fetchone() == ("WEB-7", "WEB", "Ada Lovelace")
    assert _rows(warehouse, "Hours per Jira project and month") == [
        ("2026-03", "OPS", 2.0, 1, 1),
        ("2026-03", "WEB", 1.0, 1, 1),
        ("2026-03", "(not in Jira)", 0.5, 1, 1),
        ("2026-02", "(not in Jira)", 1.8, 2, 2),
    ]
    assert _rows(warehouse, "Hours per person") == [
        ("Ada Lovelace", 3.0, 1.5, 2, dt.date(2026, 3, 4)),
        (PERSON_B, 2.3, 1.1, 3, dt.date(2026, 3, 4)),  # no name from Jira: the account id
    ]

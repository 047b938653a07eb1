"""The components of worklog-deletions and holidays on their own: WorklogDeletion, DeletionsStateWithinRetention
and YearByYear (their reads are in unit_tests/mock_server/test_worklog_deletions.py and test_holidays.py)."""

from __future__ import annotations

import logging
from datetime import datetime, timezone

import pytest

from source_tempo.components.paging import YearByYear
from source_tempo.components.state_migrations import DeletionsStateWithinRetention
from source_tempo.components.transforms import WorklogDeletion

OLDEST = "2026-01-01T00:00:00Z"
THIS_YEAR = datetime.now(timezone.utc).year


def test_a_deletion_event_becomes_id_time_author_and_the_event() -> None:
    event = {
        "action": "Deleted",
        "author": "a1",
        "changes": [],
        "entityId": "1001",
        "entityType": "worklog",
        "parentId": "10001",
        "timestamp": "2026-03-01T12:00:00.250+01:00",
        "worker": "w1",
        "addedByTempoLater": True,
    }
    record = dict(event)

    WorklogDeletion().transform(record)

    assert record == {"tempoWorklogId": 1001, "deletedAt": "2026-03-01T11:00:00Z", "author": "a1", "event": event}


@pytest.mark.parametrize(
    "state, expected",
    [
        ({"deletedAt": "2025-12-31T23:59:59Z"}, True),
        ({"deletedAt": "2025-12-31"}, True),
        ({"deletedAt": "garbage"}, True),
        ({"deletedAt": None}, True),
        ({"deletedAt": OLDEST}, False),
        ({"deletedAt": "2026-06-01T00:00:00.000Z"}, False),
        ({}, False),
    ],
)
def test_only_a_state_older_than_the_oldest_from_is_dropped(state: dict, expected: bool) -> None:
    migration = DeletionsStateWithinRetention(oldest_from=OLDEST, config={}, parameters={})
    assert migration.should_migrate(state) is expected


def test_the_oldest_from_is_interpolated_from_the_clock() -> None:
    migration = DeletionsStateWithinRetention(
        oldest_from="{{ format_datetime(now_utc() - duration('P179DT23H'), '%Y-%m-%dT%H:%M:%SZ') }}",
        config={},
        parameters={},
    )
    assert migration.should_migrate({"deletedAt": "2020-01-01T00:00:00Z"})
    assert not migration.should_migrate({"deletedAt": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")})


def test_a_dropped_state_warns_that_deletions_may_have_been_missed(caplog) -> None:
    migration = DeletionsStateWithinRetention(oldest_from=OLDEST, config={}, parameters={})
    with caplog.at_level(logging.WARNING, logger="airbyte"):
        assert migration.migrate({"deletedAt": "2025-01-01T00:00:00Z"}) == {}
    assert "may have been missed" in caplog.text and OLDEST in caplog.text


@pytest.mark.parametrize(
    "first_day, first_year", [("2021-07-15", 2021), (str(THIS_YEAR + 1) + "-01-01", THIS_YEAR + 1)]
)
def test_years_run_from_the_first_days_year_to_next_year(first_day: str, first_year: int) -> None:
    strategy = YearByYear(config={}, parameters={}, first_day=first_day)
    years, token = [], strategy.initial_token
    while token is not None:
        years.append(token)
        token = strategy.next_page_token(None, 1, None, token)  # type: ignore[arg-type]
    assert years == list(range(first_year, THIS_YEAR + 2))
    assert strategy.get_page_size() is None


def test_first_day_comes_from_the_config() -> None:
    strategy = YearByYear(config={"start_date": "2019-02-01"}, parameters={}, first_day="{{ config['start_date'] }}")
    assert strategy.initial_token == 2019

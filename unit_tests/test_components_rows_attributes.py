"""The components of plan-days, worklog-attribute-values and the worklogs' attribute columns on their own:
plan_day_rows, attribute_value_rows, with_attribute_columns and AttributeColumnFiller (their reads are in
unit_tests/mock_server/test_plan_days.py, test_worklog_attribute_values.py and test_worklogs_attribute_columns.py)."""

from __future__ import annotations

import pytest

from source_tempo.components.rows import attribute_value_rows, plan_day_rows
from source_tempo.components.work_attributes import AttributeColumnFiller, attribute_columns, with_attribute_columns


def test_a_plan_without_assignee_item_or_breakdown_gives_rows_with_nulls_or_none() -> None:
    assert list(plan_day_rows({"id": 1, "updatedAt": "T"})) == []
    assert list(plan_day_rows({"id": 1, "plannedTime": {"days": None}})) == []
    rows = list(
        plan_day_rows({"id": 2, "plannedTime": {"days": {"values": [{"date": "2024-05-13", "plannedSeconds": 60}]}}})
    )
    assert rows == [
        {"planId": 2, "date": "2024-05-13", "plannedSeconds": 60, "assigneeId": None, "assigneeType": None,
         "planItemId": None, "planItemType": None, "updatedAt": None}
    ]  # fmt: skip


def test_attribute_values_without_a_key_are_left_out() -> None:
    worklog = {
        "tempoWorklogId": 5,
        "updatedAt": "T",
        "attributes": {"values": [{"key": "_A_", "value": "x"}, {"value": "orphan"}, "junk", {"key": "_B_"}]},
    }
    assert list(attribute_value_rows(worklog)) == [
        {"tempoWorklogId": 5, "key": "_A_", "value": "x", "updatedAt": "T"},
        {"tempoWorklogId": 5, "key": "_B_", "value": None, "updatedAt": "T"},
    ]
    assert list(attribute_value_rows({"tempoWorklogId": 6, "updatedAt": "T"})) == []  # a tombstone


def test_columns_never_replace_a_field_and_skip_attributes_without_a_key() -> None:
    schema = {"type": "object", "properties": {"attribute__X_": {"type": "integer"}, "id": {"type": "integer"}}}
    extended = with_attribute_columns(schema, [{"key": "_X_", "type": "CHECKBOX"}, {"type": "ACCOUNT"}, {"key": ""}])
    assert extended["properties"] == schema["properties"]
    assert schema["properties"] == {"attribute__X_": {"type": "integer"}, "id": {"type": "integer"}}  # not changed
    assert attribute_columns([{"key": "_N_", "type": None}]) == {"attribute__N_": {"type": ["null", "string"]}}


@pytest.mark.parametrize(
    "kind, text, value",
    [
        ("number", "2", 2),
        ("number", "2.0", 2.0),
        ("number", "-0.25", -0.25),
        ("number", "1e3", 1000.0),
        ("number", "nan", None),
        ("number", "inf", None),
        ("number", "1,5", None),
        ("boolean", "true", True),
        ("boolean", " False ", False),
        ("boolean", "yes", None),
        ("string", "0042", "0042"),
    ],
)
def test_a_value_is_cast_to_its_columns_type_or_left_null(kind: str, text: str, value) -> None:
    filler = AttributeColumnFiller({"properties": {"attribute__A_": {"type": ["null", kind]}, "id": {}}})
    record = {"id": 1, "attributes": {"values": [{"key": "_A_", "value": text}]}}

    filler.fill(record)

    assert record["attribute__A_"] == value and type(record["attribute__A_"]) is type(value)


def test_a_schema_without_attribute_columns_fills_nothing_and_tombstones_are_left_alone() -> None:
    assert not AttributeColumnFiller({"properties": {"id": {}}}) and not AttributeColumnFiller(None)
    filler = AttributeColumnFiller({"properties": {"attribute__A_": {"type": "string"}}})
    tombstone = {"tempoWorklogId": 1, "updatedAt": "T", "_ab_cdc_deleted_at": "T"}
    filler.fill(tombstone)
    assert tombstone == {"tempoWorklogId": 1, "updatedAt": "T", "_ab_cdc_deleted_at": "T"}

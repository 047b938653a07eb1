"""Work attributes as worklogs columns: `discover` reads GET /work-attributes and adds to the worklogs schema one
typed, nullable column `attribute_<key>` per attribute; a `read` fills the columns the configured catalog's worklogs
schema declares, from each worklog's `attributes.values` (which stays), cast to the declared type. A read sends no
work-attributes request; a token that may not read them (403) gets the plain schema at discover, with a warning."""

from __future__ import annotations

import json
from pathlib import Path

from airbyte_cdk.models import SyncMode
from airbyte_cdk.test.catalog_builder import CatalogBuilder, ConfiguredAirbyteStreamBuilder
from airbyte_cdk.test.entrypoint_wrapper import discover, read
from airbyte_cdk.test.mock_http import HttpMocker
from airbyte_cdk.test.models.outcome import ExpectedOutcome

from unit_tests.conftest import assert_no_errors, get_source, records_of
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.more_data_builders import work_attribute, work_attributes_page, work_attributes_request
from unit_tests.mock_server.request_builder import WORKLOGS_LIMIT, TempoRequestBuilder
from unit_tests.mock_server.response_builder import TempoPageBuilder, error_response, worklog

_STREAM = "worklogs"
SCHEMA_FILE = Path(__file__).resolve().parents[2] / "source_tempo" / "schemas" / "worklogs.json"
ATTRIBUTES = [
    work_attribute("_Account_", "ACCOUNT"),
    work_attribute("_Billable_", "CHECKBOX"),
    work_attribute("_Overtime_", "INPUT_NUMERIC"),
    work_attribute("_Ticket_", "INPUT_FIELD"),
    work_attribute("_Location_", "STATIC_LIST"),
    work_attribute("_Region_", "DYNAMIC_DROPDOWN"),  # a type the column mapping does not know: text
]
COLUMNS = {
    "attribute__Account_": {"type": ["null", "string"]},
    "attribute__Billable_": {"type": ["null", "boolean"]},
    "attribute__Overtime_": {"type": ["null", "number"]},
    "attribute__Ticket_": {"type": ["null", "string"]},
    "attribute__Location_": {"type": ["null", "string"]},
    "attribute__Region_": {"type": ["null", "string"]},
}


def _discover():
    config = ConfigBuilder().build()
    output = discover(get_source(config), config)
    streams = {stream.name: stream.json_schema for stream in output.catalog.catalog.streams}
    return output, streams


def _plain_schema() -> dict:
    return json.loads(SCHEMA_FILE.read_text())


def test_discover_adds_one_typed_column_per_work_attribute(http_mocker: HttpMocker) -> None:
    http_mocker.get(work_attributes_request(), work_attributes_page(*ATTRIBUTES))

    output, schemas = _discover()

    plain = _plain_schema()
    assert schemas[_STREAM]["properties"] == {**plain["properties"], **COLUMNS}
    assert schemas[_STREAM]["properties"]["attributes"] == plain["properties"]["attributes"]  # the nested form stays
    assert schemas["work-attributes"] == json.loads((SCHEMA_FILE.parent / "work-attributes.json").read_text())


def test_a_site_without_work_attributes_gets_the_plain_schema(http_mocker: HttpMocker) -> None:
    http_mocker.get(work_attributes_request(), work_attributes_page())

    _, schemas = _discover()

    assert schemas[_STREAM] == _plain_schema()


def test_a_token_that_may_not_read_work_attributes_gets_the_plain_schema_and_a_warning(http_mocker: HttpMocker) -> None:
    http_mocker.get(work_attributes_request(), error_response(403, "Forbidden"))

    output, schemas = _discover()

    assert schemas[_STREAM] == _plain_schema()
    warnings = [log.log.message for log in output.logs if log.log.level.name == "WARN"]
    assert any(
        "Stream work-attributes: the Tempo token lacks the permission" in message
        and "The worklogs schema has no work attribute columns (attribute_<key>)" in message
        for message in warnings
    ), warnings


def test_another_failure_of_work_attributes_fails_discover_with_its_message(http_mocker: HttpMocker) -> None:
    http_mocker.get(work_attributes_request(), error_response(400, "Bad request: limit"))
    config = ConfigBuilder().build()

    output = discover(get_source(config), config, expected_outcome=ExpectedOutcome.EXPECT_EXCEPTION)

    assert any("Bad request: limit" in (e.trace.error.message or "") for e in output.errors)


def _worklog_with(worklog_id: int, updated_at: str, **values: str) -> dict:
    record = worklog(worklog_id, updated_at)
    record["attributes"]["values"] = [{"key": key, "value": value} for key, value in values.items()]
    return record


def _read_worklogs(http_mocker: HttpMocker, schema: dict, *worklogs: dict):
    request = TempoRequestBuilder.worklogs_endpoint().with_limit(WORKLOGS_LIMIT).build()
    http_mocker.post(request, TempoPageBuilder.worklogs().with_records(worklogs).build())
    config = ConfigBuilder().build()
    stream = ConfiguredAirbyteStreamBuilder().with_name(_STREAM).with_json_schema(schema)
    catalog = CatalogBuilder().with_stream(stream.with_sync_mode(SyncMode.full_refresh)).build()
    output = read(get_source(config, catalog=catalog), config, catalog)
    assert_no_errors(output)
    return records_of(output, _STREAM)


def test_read_fills_the_configured_columns_cast_to_their_types(http_mocker: HttpMocker) -> None:
    schema = _plain_schema()
    schema["properties"].update(COLUMNS)
    records = _read_worklogs(
        http_mocker,
        schema,
        _worklog_with(1, "2024-05-01T10:00:00Z", _Account_="ACME", _Billable_="true", _Overtime_="1.5", _Ticket_="007"),
        _worklog_with(2, "2024-05-01T10:00:01Z", _Billable_="FALSE", _Overtime_="2", _Unknown_="x"),
        _worklog_with(3, "2024-05-01T10:00:02Z", _Overtime_="a lot", _Billable_="maybe"),
    )

    columns = [{k: v for k, v in record.items() if k.startswith("attribute_")} for record in records]
    assert columns[0] == {
        "attribute__Account_": "ACME",
        "attribute__Billable_": True,
        "attribute__Overtime_": 1.5,
        "attribute__Ticket_": "007",  # text stays text, however it looks
    }
    assert columns[1] == {"attribute__Billable_": False, "attribute__Overtime_": 2}  # no column for _Unknown_
    assert columns[2] == {}  # values that are not of their column's type leave it null ...
    assert records[2]["attributes"]["values"] == [  # ... and stay in attributes.values as Tempo sent them
        {"key": "_Overtime_", "value": "a lot"},
        {"key": "_Billable_", "value": "maybe"},
    ]


def test_read_with_the_plain_schema_adds_no_column_and_reads_no_work_attribute(http_mocker: HttpMocker) -> None:
    records = _read_worklogs(http_mocker, _plain_schema(), _worklog_with(1, "2024-05-01T10:00:00Z", _Account_="ACME"))

    assert not [key for key in records[0] if key.startswith("attribute_")]
    assert records[0]["attributes"]["values"] == [{"key": "_Account_", "value": "ACME"}]

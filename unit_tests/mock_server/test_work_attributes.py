"""work-attributes: GET /work-attributes, offset/limit paging (the OpenAPI documents offset and limit); keyed by
`key`, as work attributes have no id."""

from __future__ import annotations

from airbyte_cdk.test.mock_http import HttpMocker

from unit_tests.conftest import assert_no_errors, ids_of, read_streams, records_of
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.request_builder import TempoRequestBuilder
from unit_tests.mock_server.response_builder import TempoPageBuilder, catalog_record

_STREAM = "work-attributes"


def _request(limit: int, offset: int | None = None):
    request = TempoRequestBuilder("get", "work-attributes").with_limit(limit)
    return (request.with_offset(offset) if offset is not None else request).build()


def test_work_attributes_are_paged_by_offset_and_keep_their_static_list(http_mocker: HttpMocker) -> None:
    first = [catalog_record(_STREAM, key="_Attr_1_"), catalog_record(_STREAM, key="_Billable_", type="CHECKBOX")]
    http_mocker.get(_request(2), TempoPageBuilder(_STREAM).with_records(first).with_limit(2).with_next_page().build())
    last = [catalog_record(_STREAM, key="_Ticket_", type="INPUT_FIELD")]
    http_mocker.get(_request(2, 2), TempoPageBuilder(_STREAM).with_records(last).with_limit(2).with_offset(2).build())

    output = read_streams(ConfigBuilder().with_page_size(2).build(), _STREAM)

    assert_no_errors(output)
    assert ids_of(output, _STREAM, "key") == ["_Attr_1_", "_Billable_", "_Ticket_"]
    assert records_of(output, _STREAM)[0]["names"] == {"00000000-00000000-00000000-00000000": "Some Value"}

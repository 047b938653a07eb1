"""generic-resources: POST /generic-resources/search with `offset` and `limit` in the JSON body
(GenericResourceSearchInput), paged until metadata.next is absent."""

from __future__ import annotations

from airbyte_cdk.test.mock_http import HttpMocker

from unit_tests.conftest import assert_no_errors, ids_of, read_streams, records_of
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.request_builder import TempoRequestBuilder
from unit_tests.mock_server.response_builder import TempoPageBuilder, catalog_record

_STREAM = "generic-resources"


def _request(body: dict):
    return TempoRequestBuilder("post", "generic-resources/search").with_body(body).build()


def _page(*ids: int, offset: int = 0) -> TempoPageBuilder:
    records = [catalog_record(_STREAM, id=resource_id) for resource_id in ids]
    return TempoPageBuilder("generic-resources/search").with_records(records).with_limit(2).with_offset(offset)


def test_generic_resources_page_with_offset_and_limit_in_the_body(http_mocker: HttpMocker) -> None:
    http_mocker.post(_request({"limit": 2}), _page(1, 2).with_next_page().build())
    http_mocker.post(_request({"limit": 2, "offset": 2}), _page(3, offset=2).build())

    output = read_streams(ConfigBuilder().with_page_size(2).build(), _STREAM)

    assert_no_errors(output)
    assert ids_of(output, _STREAM) == [1, 2, 3]
    assert records_of(output, _STREAM)[0]["updatedAt"] == "2022-02-25T12:13:00.000Z"


def test_a_server_ignoring_the_body_offset_fails_instead_of_repeating_records(http_mocker: HttpMocker) -> None:
    http_mocker.post(_request({"limit": 2}), _page(1, 2).with_next_page().build())
    http_mocker.post(_request({"limit": 2, "offset": 2}), _page(1, 2).with_next_page().with_served_offset(0).build())

    output = read_streams(ConfigBuilder().with_page_size(2).build(), _STREAM, expect_failure=True)

    assert ids_of(output, _STREAM) == [1, 2]
    assert any("ignored the paging parameters" in m.trace.error.message for m in output.errors)

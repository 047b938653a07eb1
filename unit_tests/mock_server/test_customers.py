"""customers: GET /customers, offset/limit paging until Tempo's metadata.next is absent.

This file also pins the list-stream paging rules (OffsetUntilNoNext + TempoResultsExtractor) through a
read; accounts and workload-schemes share the same paginator and re-check the essentials.
"""

from __future__ import annotations

from airbyte_cdk.test.mock_http import HttpMocker

from unit_tests.conftest import assert_no_errors, error_messages, ids_of, read_streams
from unit_tests.mock_server.config import API_TOKEN, ConfigBuilder
from unit_tests.mock_server.request_builder import TempoRequestBuilder
from unit_tests.mock_server.response_builder import TempoPageBuilder, customer

_STREAM = "customers"


def _request(limit: int = 1000, offset: int | None = None) -> TempoRequestBuilder:
    request = TempoRequestBuilder.customers_endpoint().with_limit(limit)
    return request.with_offset(offset) if offset is not None else request


def _page(*ids: int, offset: int = 0, limit: int = 1000) -> TempoPageBuilder:
    return TempoPageBuilder.customers().with_records(customer(i) for i in ids).with_offset(offset).with_limit(limit)


def test_single_page_is_read_with_the_default_limit_and_bearer_token(http_mocker: HttpMocker) -> None:
    request = _request().build()
    http_mocker.get(request, _page(1, 2, 3).build())

    output = read_streams(ConfigBuilder().build(), _STREAM)

    assert_no_errors(output)
    assert ids_of(output, _STREAM) == [1, 2, 3]
    assert output.records[0].record.data["key"] == "CUSTOMER_1"
    assert output.records[0].record.data["self"] == "https://api.tempo.io/4/customers/1"
    http_mocker.assert_number_of_calls(request, 1)


def test_request_carries_the_configured_token(http_mocker: HttpMocker) -> None:
    http_mocker.get(_request().with_token("another-token-0d3e").build(), _page(5).build())

    output = read_streams(ConfigBuilder().with_api_token("another-token-0d3e").build(), _STREAM)

    assert_no_errors(output)
    assert ids_of(output, _STREAM) == [5]


def test_pages_are_read_until_metadata_next_is_absent(http_mocker: HttpMocker) -> None:
    config = ConfigBuilder().with_page_size(2).build()
    first, second, third = _request(2).build(), _request(2, offset=2).build(), _request(2, offset=4).build()
    http_mocker.get(first, _page(1, 2, limit=2).with_next_page().build())
    http_mocker.get(second, _page(3, 4, offset=2, limit=2).with_next_page().build())
    http_mocker.get(third, _page(5, offset=4, limit=2).build())

    output = read_streams(config, _STREAM)

    assert_no_errors(output)
    assert ids_of(output, _STREAM) == [1, 2, 3, 4, 5]
    for request in (first, second, third):
        http_mocker.assert_number_of_calls(request, 1)


def test_full_page_without_next_ends_the_stream(http_mocker: HttpMocker) -> None:
    request = _request(2).build()
    http_mocker.get(request, _page(1, 2, limit=2).build())

    output = read_streams(ConfigBuilder().with_page_size(2).build(), _STREAM)

    assert_no_errors(output)
    assert ids_of(output, _STREAM) == [1, 2]
    http_mocker.assert_number_of_calls(request, 1)


def test_short_page_with_next_is_followed_from_the_records_received(http_mocker: HttpMocker) -> None:
    """Tempo may clamp `limit` (1000 served when 5000 asked): the next offset counts what arrived, not the limit."""
    config = ConfigBuilder().with_page_size(5).build()
    first, second = _request(5).build(), _request(5, offset=2).build()
    http_mocker.get(first, _page(1, 2, limit=2).with_next_page().build())
    http_mocker.get(second, _page(3, offset=2, limit=2).build())

    output = read_streams(config, _STREAM)

    assert_no_errors(output)
    assert ids_of(output, _STREAM) == [1, 2, 3]
    http_mocker.assert_number_of_calls(second, 1)


def test_next_url_is_never_requested_behind_a_proxy(http_mocker: HttpMocker) -> None:
    """metadata.next names api.tempo.io; paging must stay on the configured host (and keep the token there)."""
    proxy = "https://tempo-proxy.example.com/4"
    config = ConfigBuilder().with_api_url(proxy).with_page_size(2).build()
    first = _request(2).with_base_url(proxy).build()
    second = _request(2, offset=2).with_base_url(proxy).build()
    http_mocker.get(first, _page(1, 2, limit=2).with_next_page().build())
    http_mocker.get(second, _page(3, offset=2, limit=2).build())

    output = read_streams(config, _STREAM)

    assert_no_errors(output)
    assert ids_of(output, _STREAM) == [1, 2, 3]
    http_mocker.assert_number_of_calls(first, 1)
    http_mocker.assert_number_of_calls(second, 1)


def test_empty_result_ends_the_stream_without_error(http_mocker: HttpMocker) -> None:
    http_mocker.get(_request().build(), _page().build())

    output = read_streams(ConfigBuilder().build(), _STREAM)

    assert_no_errors(output)
    assert ids_of(output, _STREAM) == []


def test_empty_page_with_next_ends_the_stream_instead_of_looping(http_mocker: HttpMocker) -> None:
    config = ConfigBuilder().with_page_size(2).build()
    first, second = _request(2).build(), _request(2, offset=2).build()
    http_mocker.get(first, _page(1, 2, limit=2).with_next_page().build())
    http_mocker.get(second, _page(offset=2, limit=2).with_next_page().build())

    output = read_streams(config, _STREAM)

    assert_no_errors(output)
    assert ids_of(output, _STREAM) == [1, 2]
    http_mocker.assert_number_of_calls(second, 1)


def test_page_larger_than_the_limit_ends_paging(http_mocker: HttpMocker) -> None:
    """A server that ignored `limit` sent everything at once: following `next` would duplicate records."""
    request = _request(2).build()
    http_mocker.get(request, _page(1, 2, 3, limit=2).with_next_page().build())

    output = read_streams(ConfigBuilder().with_page_size(2).build(), _STREAM)

    assert_no_errors(output)
    assert ids_of(output, _STREAM) == [1, 2, 3]
    http_mocker.assert_number_of_calls(request, 1)


def test_ignored_offset_after_a_short_first_page_stops_without_duplicates(http_mocker: HttpMocker) -> None:
    """First page (2 records) was shorter than the limit (3): a second page served from offset 0 is a repeat."""
    config = ConfigBuilder().with_page_size(3).build()
    http_mocker.get(_request(3).build(), _page(1, 2, limit=3).with_next_page().build())
    http_mocker.get(
        _request(3, offset=2).build(),
        _page(1, 2, offset=2, limit=3).with_served_offset(0).with_next_page().build(),
    )

    output = read_streams(config, _STREAM)

    assert_no_errors(output)
    assert ids_of(output, _STREAM) == [1, 2]
    assert output.is_in_logs("ignored offset=2")


def test_ignored_offset_on_a_later_page_fails_the_stream_without_duplicates(http_mocker: HttpMocker) -> None:
    config = ConfigBuilder().with_page_size(2).build()
    http_mocker.get(_request(2).build(), _page(1, 2, limit=2).with_next_page().build())
    http_mocker.get(
        _request(2, offset=2).build(),
        _page(1, 2, offset=2, limit=2).with_served_offset(0).with_next_page().build(),
    )

    output = read_streams(config, _STREAM, expect_failure=True)

    assert ids_of(output, _STREAM) == [1, 2]
    messages = error_messages(output)
    assert any("ignored the paging parameters" in message and "customers" in message for message in messages), messages
    assert API_TOKEN not in "\n".join(messages)
